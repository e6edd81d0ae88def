"""Every main page in both languages: zero axe violations (WCAG 2.0 to 2.2 A/AA and best practice)
at 1280 px, no horizontal scrolling at 360 px, and no Content Security Policy violation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import reverse
from playwright.sync_api import ConsoleMessage, Page

from tests.browser.helpers import assert_fits_a_phone, assert_no_axe_violations
from tests.factories import (
    DistrictFactory,
    LanguageFactory,
    OfficerFactory,
    OfficerProfileFactory,
    ResidentFactory,
    TrainingRecordFactory,
)


@dataclass(frozen=True)
class Directory:
    district_slug: str
    officer_slug: str


@dataclass(frozen=True)
class Screen:
    path: Callable[[Directory], str]  # the English path; Spanish is the same under /es
    status: int = 200
    signed_in: bool = False
    staff: bool = False  # signed in as an officer with two-factor set up


SCREENS = {
    "home": Screen(lambda d: reverse("portal:home")),
    "officers": Screen(lambda d: reverse("portal:officer-list")),
    "an officer": Screen(lambda d: reverse("portal:officer-detail", kwargs={"slug": d.officer_slug})),
    "a district": Screen(lambda d: reverse("portal:district-detail", kwargs={"slug": d.district_slug})),
    "sign-in": Screen(lambda d: reverse("account_login")),
    "sign-up": Screen(lambda d: reverse("account_signup")),
    "my account": Screen(lambda d: reverse("portal:account"), signed_in=True),
    "not found": Screen(lambda d: "/no-such-page/", status=404),
    # Beyond the foundation's list: the other pages a visitor, resident or staff member meets.
    "districts": Screen(lambda d: reverse("portal:district-list")),
    "privacy notice": Screen(lambda d: reverse("portal:privacy")),
    "accessibility statement": Screen(lambda d: reverse("portal:accessibility")),
    "password reset": Screen(lambda d: reverse("account_reset_password")),
    "sign-in code": Screen(lambda d: reverse("account_request_login_code")),
    "staff home": Screen(lambda d: reverse("portal:staff-home"), signed_in=True, staff=True),
}
LANGUAGES = {"en": "", "es": "/es"}


@pytest.fixture
def directory(transactional_db) -> Directory:
    english = LanguageFactory(code="en", name="English")
    spanish = LanguageFactory(code="es", name="Spanish")
    district = DistrictFactory(name="Riverside North", description="The river wards north of the bridge.")
    officer = OfficerProfileFactory(district=district, languages=[english, spanish], user=OfficerFactory())
    TrainingRecordFactory(officer=officer, course="Crisis intervention")
    TrainingRecordFactory(officer=officer, course="De-escalation")
    OfficerProfileFactory.create_batch(3, district=district, languages=[english])
    return Directory(district_slug=district.slug, officer_slug=officer.slug)


@pytest.fixture
def csp_violations(page: Page) -> list[str]:
    """Console messages from the browser refusing something under the Content Security Policy."""
    found: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            found.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: found.append(f"uncaught error: {error}"))
    return found


@pytest.mark.parametrize("language", list(LANGUAGES))
@pytest.mark.parametrize("name", list(SCREENS))
def test_it_has_no_axe_violation(page: Page, site, directory, sign_in_as, csp_violations, name, language):
    screen = SCREENS[name]
    if screen.signed_in:
        sign_in_as(OfficerFactory() if screen.staff else ResidentFactory())
    url = f"{site}{LANGUAGES[language]}{screen.path(directory)}"

    response = page.goto(url)
    assert response is not None
    assert response.status == screen.status, f"{url} answered {response.status}, expected {screen.status}"
    assert page.locator("html").get_attribute("lang") == language, f"{url} is not marked lang={language}"

    assert_no_axe_violations(page, where=f"{name} ({language}) {url}")
    assert_fits_a_phone(page)
    assert not csp_violations, f"{url}: " + "\n".join(csp_violations)
