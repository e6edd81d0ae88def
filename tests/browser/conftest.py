"""Browser tests: Playwright on Debian's chromium against live_server, one browser per session.

Without /usr/bin/chromium these tests are skipped with a message saying so; under CI=true a
missing browser stops the run instead (CI must prove the pages in a real browser).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

# Playwright's sync API keeps an event loop on the main thread; the ORM calls the tests make
# around it (factories, reading the outbox) are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path(os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
BROWSER_DIR = Path(__file__).resolve().parent
MISSING_BROWSER = (
    f"{CHROMIUM} not found: browser and axe tests need Debian's chromium "
    "(apt-get install -y chromium; never `playwright install`)."
)


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    browser_items = [item for item in items if BROWSER_DIR in Path(str(item.path)).resolve().parents]
    for item in browser_items:
        item.add_marker(pytest.mark.browser)
    if not browser_items or CHROMIUM.exists():
        return
    if _in_ci():
        raise pytest.UsageError(f"CI=true and {MISSING_BROWSER} A missing browser fails the run under CI.")
    skip = pytest.mark.skip(reason=f"browser tests skipped: {MISSING_BROWSER}")
    for item in browser_items:
        item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, Any]:
    if not CHROMIUM.exists():  # only reached when a test asks for a browser anyway
        if _in_ci():
            pytest.fail(f"CI=true and {MISSING_BROWSER}", pytrace=False)
        pytest.skip(MISSING_BROWSER)
    return {"executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}, "locale": "en-US"}


@pytest.fixture
def context(context):
    """A fresh context per test (pytest-playwright's), failing fast: pages answer in milliseconds."""
    context.set_default_timeout(10_000)
    context.set_default_navigation_timeout(15_000)
    return context


@pytest.fixture
def site(live_server, transactional_db) -> str:
    """The live server's base URL (no trailing slash); the test's rows are visible to it."""
    return live_server.url.rstrip("/")


@pytest.fixture
def sign_in_as(context, site):
    """Sign a user in for the browser context by session cookie (for pages behind sign-in)."""

    def sign_in(user) -> None:
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": site}])

    return sign_in
