"""Filing a complaint in a real browser, with axe on every page on the way: an anonymous resident reads
how complaints work, answers one question a page (naming an officer from the directory and adding a
phone photo), checks the answers, sends them, and is shown the reference and the access code; and
the Spanish start page."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from complaints.models import Complaint, Evidence
from complaints.references import access_code_matches
from tests.browser.helpers import assert_fits_a_phone, assert_no_axe_violations
from tests.complaints.factories import PNG_BYTES, category
from tests.factories import DistrictFactory, InvestigatorFactory, OfficerProfileFactory

NARRATIVE = "The officer pushed me against the wall <b>without any reason</b> and shouted at me."


def check(page: Page, where: str) -> None:
    page.wait_for_load_state()
    assert_no_axe_violations(page, where=f"{where} ({page.url})")


def choose(page: Page, name: str, value: str) -> None:
    """Pick a USWDS radio or checkbox the way a person does: by clicking its label."""
    control = page.locator(f"main input[name='{name}'][value='{value}']")
    page.locator(f"main label[for='{control.get_attribute('id')}']").click()
    expect(control).to_be_checked()


def continue_(page: Page) -> None:
    page.locator("main button[type=submit]", has_text="Continue").last.click()
    page.wait_for_load_state()


def test_it_files_an_anonymous_complaint_with_a_photo(page: Page, site):
    district = DistrictFactory(name="Riverside North")
    officer = OfficerProfileFactory(first_name="Sam", last_name="Keller", badge_number="B7711", district=district)

    page.goto(f"{site}{reverse('complaints:start')}")
    check(page, "the start page")
    assert_fits_a_phone(page)
    expect(page.locator("main h1")).to_have_text("How complaints work")
    page.locator("main button", has_text="Start now").click()
    page.wait_for_load_state()

    check(page, "who the complaint is for")
    choose(page, "filer", "self")
    continue_(page)

    check(page, "when it happened")
    day = timezone.localdate() - timedelta(days=3)
    page.locator("main input[name='incident_date']").fill(day.isoformat())
    page.locator("main label[for='id_incident_date_is_approximate']").click()
    continue_(page)

    check(page, "where it happened")
    page.locator("main input[name='incident_place']").fill("Corner of Elm Street and 3rd Avenue")
    page.locator("main select[name='district']").select_option(district.slug)
    continue_(page)

    check(page, "what happened")
    page.locator("main textarea[name='narrative']").fill(NARRATIVE)
    continue_(page)

    check(page, "officers involved")
    page.locator("main input[name='q']").fill("Keller")
    page.locator("main button", has_text="Search").click()
    page.wait_for_load_state()
    expect(page.locator("#officer-results")).to_contain_text("Sam Keller")
    check(page, "officer search results")
    page.locator("#officer-results button", has_text="Add").click()
    page.wait_for_load_state()
    expect(page.locator("main ul").first).to_contain_text("Sam Keller")
    check(page, "officers involved with one named")
    continue_(page)

    check(page, "what the complaint is about")
    choose(page, "categories", str(category("use-of-force").pk))
    continue_(page)

    check(page, "witnesses")
    continue_(page)

    check(page, "evidence")
    page.locator("main input[name='files']").set_input_files(
        files=[{"name": "bruise.png", "mimeType": "image/png", "buffer": PNG_BYTES}]
    )
    page.locator("main button", has_text="Upload").click()
    page.wait_for_load_state()
    expect(page.locator("main")).to_contain_text("bruise.png")
    check(page, "evidence with a file")
    continue_(page)

    check(page, "contact")
    page.locator("main input[name='complainant_email']").fill("resident@example.org")
    choose(page, "contact_preference", "email")
    choose(page, "language", "en")
    page.locator("main label[for='id_consent_to_contact']").click()
    continue_(page)

    check(page, "check your answers")
    expect(page.locator("main")).to_contain_text("<b>without any reason</b>")  # shown as text, escaped
    expect(page.locator("main")).to_contain_text("Sam Keller")
    expect(page.locator("main")).to_contain_text("bruise.png")
    assert_fits_a_phone(page)
    page.locator("main button", has_text="Send the complaint").click()
    page.wait_for_load_state()

    check(page, "the confirmation")
    complaint = Complaint.objects.get()
    expect(page.locator("#complaint-reference")).to_have_text(complaint.reference)
    code = page.locator("#complaint-code").inner_text().strip()
    assert access_code_matches(code, complaint.access_code_hash)
    assert complaint.narrative == NARRATIVE
    assert complaint.officers.get().officer == officer
    assert Evidence.objects.get(complaint=complaint).original_name == "bruise.png"

    # The code is shown once: reloading the confirmation goes back to the start page.
    page.reload()
    page.wait_for_load_state()
    assert page.url.endswith(reverse("complaints:start"))


def test_it_shows_the_spanish_start_page(page: Page, site):
    page.goto(f"{site}/es{reverse('complaints:start')}")
    check(page, "the Spanish start page")
    expect(page.locator("main h1")).to_have_text("Cómo funcionan las quejas")
    expect(page.locator("main")).to_contain_text("junta civil de supervisión")
    assert_fits_a_phone(page)


def test_it_lets_an_investigator_start_entering_a_complaint_received_by_phone(page: Page, site, sign_in_as):
    sign_in_as(InvestigatorFactory())
    page.goto(f"{site}{reverse('complaints:staff-intake')}")
    check(page, "the staff intake page")
    choose(page, "channel", "phone")
    page.locator("main button", has_text="Start").click()
    page.wait_for_load_state()
    expect(page.locator("main")).to_contain_text("You are entering a complaint received by phone")
    check(page, "the first step, entered by staff")
