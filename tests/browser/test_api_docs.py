"""The open data API's reference page in a real browser: Swagger UI from our own static files loads
the OpenAPI description, lists the operations and runs a request, with no CSP violation and no
console error, and axe finds nothing on it."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.browser.helpers import assert_fits_a_phone, assert_no_axe_violations
from tests.events.factories import EventFactory
from tests.factories import OfficerProfileFactory

# Collects CSP violations from the first byte on (init scripts run before the page's own).
WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});
"""


@pytest.fixture
def watched(page: Page) -> dict[str, list[Any]]:
    seen: dict[str, list[Any]] = {"console": [], "errors": [], "requests": []}
    page.add_init_script(WATCH_CSP)
    page.on("console", lambda message: seen["console"].append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: seen["errors"].append(str(error)))
    page.on("request", lambda request: seen["requests"].append(request.url))
    return seen


def _open_docs(page: Page, site: str) -> None:
    page.goto(site + reverse("api:docs"))
    expect(page.locator(".opblock").first).to_be_visible()


def test_it_shows_every_operation_from_the_schema_under_our_csp(page: Page, site: str, watched):
    _open_docs(page, site)
    operations = page.locator(".opblock-summary-path")
    expect(operations.filter(has_text="/api/v1/events/").first).to_be_visible()
    paths = set(operations.all_inner_texts())
    assert {"/api/v1/", "/api/v1/officers/{slug}/", "/api/v1/statistics/{dataset}/"} <= {
        path.replace("\u200b", "") for path in paths
    }
    assert page.evaluate("window.__cspViolations") == []
    assert watched["console"] == []
    assert watched["errors"] == []
    assert all(url.startswith(site) for url in watched["requests"]), "the reference page called another site"


def test_it_runs_a_request_from_the_reference_page(page: Page, site: str, watched):
    OfficerProfileFactory(first_name="Ana", last_name="Ruiz")
    EventFactory(title="Coffee on Main Street")
    _open_docs(page, site)
    operation = page.locator("#operations-events-events_list")
    operation.locator(".opblock-summary-control").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()
    expect(operation.locator(".live-responses-table tbody .response-col_status").first).to_contain_text("200")
    expect(operation.locator(".live-responses-table")).to_contain_text("Coffee on Main Street")
    assert page.evaluate("window.__cspViolations") == []
    assert watched["console"] == []
    assert watched["errors"] == []
    assert_no_axe_violations(page, where="the reference page with an operation open and its answer shown")


def test_it_has_no_axe_violation_and_fits_a_phone(page: Page, site: str):
    _open_docs(page, site)
    assert_no_axe_violations(page)
    assert_fits_a_phone(page)


def test_it_follows_a_spanish_browser_with_no_axe_violation(browser, site: str):
    context = browser.new_context(locale="es-ES", viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.add_init_script(WATCH_CSP)
        page.goto(site + reverse("api:docs"))
        expect(page.locator("html")).to_have_attribute("lang", "es")
        expect(page.locator(".opblock").first).to_be_visible()
        assert page.evaluate("window.__cspViolations") == []
        assert_no_axe_violations(page)
    finally:
        context.close()
