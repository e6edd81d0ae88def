import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import translation


@pytest.fixture(autouse=True)
def _start_in_english():
    """A request to /es/... leaves Spanish active in the test's thread, so a later test's reverse()
    would build /es/ URLs: every test starts in the default language."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _clear_cache(request):
    """allauth's rate limits live in the cache: clear it so limits never leak between tests.

    The cache may be the database cache, so this only runs for tests that use the database.
    """
    names = request.fixturenames
    if "transactional_db" in names or "live_server" in names:
        request.getfixturevalue("transactional_db")
    elif "db" in names or request.node.get_closest_marker("django_db"):
        request.getfixturevalue("db")
    else:
        yield
        return
    cache.clear()
    yield
    cache.clear()
