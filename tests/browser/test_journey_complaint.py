"""The complaint journey end to end, in a real browser, with axe on every page it passes through:
an anonymous resident files a complaint with a photo through every step of the form, is given the
reference and the access code, follows it and writes to the investigator; an investigator signs in
(password, then two-factor), finds it in the queue, answers, acknowledges it, opens the
investigation, records a finding for every officer-allegation pair and issues the findings; the
resident, in the same browser, reads the answer and the findings. The resident's side runs in
English and in Spanish (/es/). And an investigator whose officer profile the complaint names cannot
find it: not in the queue, not by its reference, and its address is the same "Page not found" as a
complaint that does not exist."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from playwright.sync_api import Browser, Page, expect

from complaints.models import Allegation, AllegationCategory, Complaint, ComplaintMessage, Evidence
from complaints.references import access_code_matches
from portal.models import OutboxMessage
from portal.outbox import outbox_render
from tests.browser.helpers import assert_fits_a_phone, assert_no_axe_violations, totp_code
from tests.complaints.factories import PNG_BYTES, ComplaintFactory
from tests.factories import (
    DEFAULT_PASSWORD,
    TOTP_SECRET,
    DistrictFactory,
    InvestigatorFactory,
    OfficerProfileFactory,
)

NARRATIVE = "The officer pushed me against the wall and took my phone <b>without a reason</b>."
QUESTION = "Do you need the names of the two people who saw it?"
ANSWER = "Yes, please send their names and phone numbers here. We will call them."
# The staff side is in English; the resident's side in the language of the test.
PRIMARY_BUTTON = "main button[type=submit].usa-button:not(.usa-button--outline):not(.usa-button--unstyled)"


def check(page: Page, where: str) -> None:
    page.wait_for_load_state()
    assert_no_axe_violations(page, where=f"{where} ({page.url})")


def path(name: str, language: str = "en", **kwargs) -> str:
    with translation.override(language):
        return reverse(name, kwargs=kwargs or None)


def choose(page: Page, name: str, value: str) -> None:
    """Pick a USWDS radio or checkbox the way a person does: by clicking its label."""
    control = page.locator(f"main input[name='{name}'][value='{value}']")
    page.locator(f"main label[for='{control.get_attribute('id')}']").click()
    expect(control).to_be_checked()


def next_step(page: Page) -> None:
    """The page's main button ("Continue" / "Continuar"), whatever the language."""
    page.locator(PRIMARY_BUTTON).last.click()
    page.wait_for_load_state()


def staff_sign_in(page: Page, site: str, user) -> None:
    """Sign in as a person does: email and password, then the authenticator app's code."""
    page.goto(f"{site}{reverse('account_login')}")
    check(page, "the sign-in page")
    page.locator("main [name='login']").fill(user.email)
    page.locator("main [name='password']").fill(DEFAULT_PASSWORD)
    page.locator("main form").filter(has=page.locator("[name='password']")).locator("[type=submit]").first.click()
    page.wait_for_load_state()
    assert urlsplit(page.url).path == reverse("mfa_authenticate"), f"expected the two-factor step, at {page.url}"
    check(page, "the two-factor step")
    page.locator("main [name='code']").fill(totp_code(TOTP_SECRET))
    page.locator("main form").filter(has=page.locator("[name='code']")).locator("[type=submit]").first.click()
    page.wait_for_load_state()
    assert urlsplit(page.url).path != reverse("mfa_authenticate"), "the two-factor code was refused"


def file_a_complaint(page: Page, site: str, language: str, *, officer, district) -> tuple[str, str]:
    """Every step of /complaints/new/ as an anonymous resident; returns (reference, access code)."""
    page.goto(f"{site}{path('complaints:start', language)}")
    check(page, "how complaints work")
    assert page.locator("html").get_attribute("lang") == language
    page.locator(f"main form[action='{path('complaints:start', language)}'] button[type=submit]").click()
    page.wait_for_load_state()

    check(page, "step: who the complaint is for")
    choose(page, "filer", "self")
    next_step(page)

    check(page, "step: when it happened")
    page.locator("main input[name='incident_date']").fill((timezone.localdate() - timedelta(days=2)).isoformat())
    next_step(page)

    check(page, "step: where it happened")
    page.locator("main input[name='incident_place']").fill("Bus stop at Elm Street and 3rd Avenue")
    page.locator("main select[name='district']").select_option(district.slug)
    next_step(page)

    check(page, "step: what happened")
    page.locator("main textarea[name='narrative']").fill(NARRATIVE)
    next_step(page)

    check(page, "step: officers involved")
    page.locator("main form[role=search] input[name='q']").fill(officer.badge_number)
    page.locator("main form[role=search] button[type=submit]").click()
    expect(page.locator("#officer-results")).to_contain_text(officer.full_name)
    check(page, "step: officer search results")
    page.locator("#officer-results button[type=submit]").first.click()
    page.wait_for_load_state()
    expect(page.locator("main .portal-officer-list")).to_contain_text(officer.full_name)
    check(page, "step: officers involved, one named")
    next_step(page)

    check(page, "step: what the complaint is about")
    for slug in ("use-of-force", "property"):
        choose(page, "categories", str(AllegationCategory.objects.get(slug=slug).pk))
    next_step(page)

    check(page, "step: witnesses")
    page.locator("main textarea[name='witnesses']").fill("Two people waiting for the bus.")
    next_step(page)

    check(page, "step: evidence")
    page.locator("main input[name='files']").set_input_files(
        files=[{"name": "bruise.png", "mimeType": "image/png", "buffer": PNG_BYTES}]
    )
    page.locator("main form[enctype='multipart/form-data'] button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator("main")).to_contain_text("bruise.png")
    check(page, "step: evidence with the photo")
    next_step(page)

    check(page, "step: contact")
    page.locator("main input[name='complainant_email']").fill("resident@example.org")
    choose(page, "contact_preference", "email")
    choose(page, "language", language)
    page.locator("main label[for='id_consent_to_contact']").click()
    next_step(page)

    check(page, "check your answers")
    assert_fits_a_phone(page)
    main = page.locator("main")
    expect(main).to_contain_text("<b>without a reason</b>")  # shown as text, escaped
    expect(main).to_contain_text(officer.full_name)
    expect(main).to_contain_text("bruise.png")
    page.locator(f"main form[action='{path('complaints:check', language)}'] button[type=submit]").click()
    page.wait_for_load_state()

    check(page, "the confirmation page")
    assert_fits_a_phone(page)
    assert urlsplit(page.url).path == path("complaints:done", language)
    reference = page.locator("#complaint-reference").inner_text().strip()
    code = page.locator("#complaint-code").inner_text().strip()
    return reference, code


@pytest.mark.parametrize("language", ["en", "es"])
def test_it_takes_a_complaint_from_filing_to_findings(page: Page, browser: Browser, site, language):
    district = DistrictFactory(name="Riverside North")
    officer = OfficerProfileFactory(first_name="Sam", last_name="Keller", badge_number="B7711", district=district)
    investigator = InvestigatorFactory(first_name="Irene", last_name="Vasquez")

    # 1. The resident files, with a photo, and is given the reference and the code.
    reference, code = file_a_complaint(page, site, language, officer=officer, district=district)
    complaint = Complaint.objects.get(reference=reference)
    assert access_code_matches(code, complaint.access_code_hash)
    assert complaint.language == language
    assert complaint.status == Complaint.Status.RECEIVED
    assert Evidence.objects.get(complaint=complaint).original_name == "bruise.png"
    assert complaint.allegations.count() == 2  # one officer, two categories

    # 2. They follow it from the confirmation's link, with the code, and write to the investigator.
    page.locator(f"main a[href^='{path('complaints:track', language)}']").click()
    page.wait_for_load_state()
    check(page, "the tracking form")
    expect(page.locator("main input[name='reference']")).to_have_value(reference)
    page.locator("main input[name='code']").fill(code)
    page.locator("main form.usa-form button[type=submit]").click()
    page.wait_for_load_state()
    status_path = path("complaints:status", language, reference=reference)
    assert urlsplit(page.url).path == status_path
    check(page, "the status page")
    assert_fits_a_phone(page)
    page.locator("main textarea[name='body']").fill(QUESTION)
    page.locator("main form[action$='/message/'] button[type=submit]").click()
    page.wait_for_load_state()
    check(page, "the status page after writing")
    expect(page.locator("main #messages")).to_contain_text(QUESTION)
    assert ComplaintMessage.objects.get(complaint=complaint).from_complainant

    # 3. The investigator, in a browser of their own, signs in and finds it in the queue.
    staff_context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    staff_context.set_default_timeout(10_000)
    staff = staff_context.new_page()
    try:
        staff_sign_in(staff, site, investigator)
        staff.goto(f"{site}{reverse('complaints:staff-queue')}")
        check(staff, "the complaints queue")
        staff.locator("main").get_by_role("link", name=reference).click()
        staff.wait_for_load_state()
        check(staff, "the complaint's staff page")
        assert_fits_a_phone(staff)
        main = staff.locator("main")
        expect(main).to_contain_text("<b>without a reason</b>")
        expect(main).to_contain_text(QUESTION)
        expect(main).to_contain_text("bruise.png")
        expect(main).to_contain_text("Sam Keller")

        # The answer.
        message_path = reverse("complaints:staff-message", kwargs={"reference": reference})
        staff.locator(f"main form[action$='{message_path}'] textarea[name='body']").fill(ANSWER)
        staff.get_by_role("button", name="Send the message").click()
        staff.wait_for_load_state()
        check(staff, "the complaint's staff page after answering")
        expect(staff.locator("main")).to_contain_text(ANSWER)

        # Received → acknowledged → under investigation.
        for to_status, public_note in (
            ("acknowledged", "We have your complaint and will call the witnesses this week."),
            ("investigating", "An investigator is looking into what happened."),
        ):
            staff.locator("main").get_by_role("link", name="Change the status").click()
            staff.wait_for_load_state()
            check(staff, f"the transition page (to {to_status})")
            choose(staff, "to_status", to_status)
            staff.locator("main textarea[name='public_note']").fill(public_note)
            staff.locator("main form.portal-form button[type=submit]").click()
            staff.wait_for_load_state()
            check(staff, f"the complaint's staff page ({to_status})")
            complaint.refresh_from_db()
            assert complaint.status == to_status

        # A finding for every officer-allegation pair; issuing them is refused until then.
        staff.locator("main").get_by_role("link", name="Allegations and findings").click()
        staff.wait_for_load_state()
        check(staff, "the findings page")
        assert_fits_a_phone(staff)
        forms = staff.locator("main form:has(input[name='action'][value='finding'])")
        assert forms.count() == 2
        for index, finding in enumerate(("sustained", "not_sustained")):
            form = staff.locator("main form:has(input[name='action'][value='finding'])").nth(index)
            form.locator("select[name='recommended_finding']").select_option(finding)
            form.locator("select[name='finding']").select_option(finding)
            form.get_by_role("button", name="Save this finding").click()
            staff.wait_for_load_state()
            check(staff, f"the findings page after saving {finding}")
        assert set(complaint.allegations.values_list("finding", flat=True)) == {"sustained", "not_sustained"}

        staff.goto(f"{site}{reverse('complaints:staff-transition', kwargs={'reference': reference})}")
        check(staff, "the transition page (to findings issued)")
        choose(staff, "to_status", "findings_issued")
        staff.locator("main textarea[name='public_note']").fill("The investigation has ended.")
        staff.locator("main form.portal-form button[type=submit]").click()
        staff.wait_for_load_state()
        check(staff, "the complaint's staff page (findings issued)")
        complaint.refresh_from_db()
        assert complaint.status == Complaint.Status.FINDINGS_ISSUED
    finally:
        staff_context.close()

    # 4. The resident, in the same browser (still holding the tracking grant), reads both.
    page.goto(f"{site}{status_path}")
    check(page, "the status page with the answer and the findings")
    assert_fits_a_phone(page)
    main = page.locator("main")
    expect(main.locator("#messages")).to_contain_text(ANSWER)
    expect(main).to_contain_text("An investigator is looking into what happened.")
    findings = main.locator("section[aria-labelledby='findings-heading'] table")
    expect(findings).to_be_visible()
    with translation.override(language):
        sustained = str(Allegation.Finding.SUSTAINED.label)
        not_sustained = str(Allegation.Finding.NOT_SUSTAINED.label)
    expect(findings).to_contain_text("Sam Keller")
    expect(findings).to_contain_text(sustained)
    expect(findings).to_contain_text(not_sustained)

    # The resident was emailed about each step, in their language, and no email carries the
    # complaint's content or the messages' text.
    rows = list(OutboxMessage.objects.filter(to="resident@example.org"))
    assert {row.language for row in rows} == {language}
    emails = [outbox_render(row) for row in rows]
    assert len(emails) >= 3, [email.subject for email in emails]
    for email in emails:
        text = email.subject + email.body + "".join(str(content) for content, _type in email.alternatives)
        for secret in ("pushed me against the wall", QUESTION, ANSWER, "Two people waiting"):
            assert secret not in text, f"{secret!r} in the email {email.subject!r}"


def test_it_hides_a_complaint_from_the_investigator_it_names(page: Page, site, sign_in_as):
    investigator = InvestigatorFactory()
    named = ComplaintFactory.naming(OfficerProfileFactory(user=investigator))
    other = ComplaintFactory()
    sign_in_as(investigator)

    # Not in the queue.
    page.goto(f"{site}{reverse('complaints:staff-queue')}")
    check(page, "the queue of the named investigator")
    main = page.locator("main")
    expect(main).to_contain_text(other.reference)
    expect(main).not_to_contain_text(named.reference)

    # Not by searching for its reference.
    page.locator("main input[name='reference']").fill(named.reference)
    page.locator("main form.portal-form button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator("main")).to_contain_text("No complaint matches these filters.")
    expect(page.locator("main").get_by_role("link", name=named.reference)).to_have_count(0)
    check(page, "a search for the named complaint's reference")

    # Its address: the same "Page not found" as a complaint that does not exist.
    missing = named.reference[:-5] + "99999"
    assert not Complaint.objects.filter(reference=missing).exists()
    answers = {}
    for label, reference in (("named", named.reference), ("missing", missing)):
        for name in ("staff-detail", "staff-findings", "staff-transition"):
            response = page.goto(f"{site}{reverse(f'complaints:{name}', kwargs={'reference': reference})}")
            assert response is not None
            text = page.locator("main").inner_text().replace(reference, "<reference>")
            answers[(label, name)] = (response.status, page.title(), text)
        check(page, f"the 404 page for the {label} complaint")
    for name in ("staff-detail", "staff-findings", "staff-transition"):
        assert answers[("named", name)][0] == 404
        assert answers[("named", name)] == answers[("missing", name)], name
