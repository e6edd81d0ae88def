"""The harness itself: axe and the phone-width check do find problems (so a pass means something)."""

from __future__ import annotations

from allauth.mfa.totp.internal.auth import validate_totp_code
from playwright.sync_api import Page

from tests.browser.helpers import axe_violations, describe_violations, horizontal_overflow_at_phone_width, totp_code
from tests.factories import TOTP_SECRET

BROKEN_PAGE = """<!DOCTYPE html><html><head><title>Broken</title></head><body>
<main><h1>Broken</h1><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><a href="#"></a>
<div style="width: 600px">wide</div></main></body></html>"""


def test_it_reports_axe_violations_with_their_rule_and_element(page: Page):
    page.set_content(BROKEN_PAGE)
    violations = axe_violations(page)
    ids = {violation["id"] for violation in violations}
    assert {"html-has-lang", "image-alt", "link-name"} <= ids
    report = describe_violations(violations, where="the broken page")
    assert "image-alt" in report
    assert "at img" in report


def test_it_measures_horizontal_overflow_at_phone_width(page: Page):
    page.set_content(BROKEN_PAGE)
    assert horizontal_overflow_at_phone_width(page) > 0
    page.set_content("<!DOCTYPE html><html lang='en'><body><p>narrow</p></body></html>")
    assert horizontal_overflow_at_phone_width(page) == 0


def test_it_computes_the_code_an_authenticator_app_shows():
    code = totp_code(TOTP_SECRET)
    assert validate_totp_code(TOTP_SECRET, code)
