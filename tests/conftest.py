import pytest
from django.core.cache import cache


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
