"""Following a complaint in a real browser, with axe on every page, in English and Spanish: the
complainant types the reference and access code, reads the timeline and what comes next, writes to
the investigator, reads the answer and the findings; a wrong code gets the one refusal; a signed-in
owner finds it under My complaints."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from playwright.sync_api import Page, expect

from complaints.models import Allegation, AllegationCategory, Complaint, ComplaintEvent, ComplaintMessage
from complaints.services.messages import message_from_staff
from tests.browser.helpers import assert_fits_a_phone, assert_no_axe_violations
from tests.complaints.factories import AllegationFactory, ComplaintFactory, EvidenceFactory
from tests.factories import InvestigatorFactory, ResidentFactory

MESSAGE = 'I have a video of it on my phone <script>alert("x")</script>'
ANSWER = "Thank you. Please add the video with the Add a file button."


def check(page: Page, where: str) -> None:
    page.wait_for_load_state()
    assert_no_axe_violations(page, where=f"{where} ({page.url})")


def _path(name: str, language: str, **kwargs) -> str:
    with translation.override(language):
        return reverse(name, kwargs=kwargs or None)


def _submit(page: Page, form_selector: str) -> None:
    page.locator(f"{form_selector} button[type='submit']").first.click()
    page.wait_for_load_state()


@pytest.mark.parametrize("language", ["en", "es"])
def test_it_lets_a_complainant_follow_a_complaint_and_write_to_the_investigator(page: Page, site, language):
    investigator = InvestigatorFactory()
    complaint, code = ComplaintFactory.with_code(
        language=language, assigned_to=investigator, status=Complaint.Status.INVESTIGATING
    )
    ComplaintEvent.objects.create(
        complaint=complaint,
        kind=ComplaintEvent.Kind.TRANSITION,
        from_status=Complaint.Status.ACKNOWLEDGED,
        to_status=Complaint.Status.INVESTIGATING,
        note="An investigator is looking into what happened.",
        visible_to_complainant=True,
    )
    ComplaintEvent.objects.create(
        complaint=complaint, kind=ComplaintEvent.Kind.NOTE, note="INTERNAL ONLY", visible_to_complainant=False
    )
    EvidenceFactory(complaint=complaint)

    # The tracking form, prefilled from the link in an email; a wrong code first.
    page.goto(f"{site}{_path('complaints:track', language)}?reference={complaint.reference}")
    check(page, "the tracking form")
    assert page.locator("html").get_attribute("lang") == language
    expect(page.locator("input[name='reference']")).to_have_value(complaint.reference)
    page.fill("input[name='code']", "AAAA-AAAA-AAAA-AAAA-AAAA")
    _submit(page, "main form.usa-form")
    expect(page.locator(".usa-alert--error")).to_be_visible()
    check(page, "the tracking form refusing a wrong code")

    page.fill("input[name='code']", code.lower())
    _submit(page, "main form.usa-form")
    assert page.url.endswith(_path("complaints:status", language, reference=complaint.reference))
    check(page, "the status page")
    assert_fits_a_phone(page)
    main = page.locator("main")
    expect(main).to_contain_text("An investigator is looking into what happened.")
    expect(main).not_to_contain_text("INTERNAL ONLY")
    expect(main).to_contain_text(complaint.finish_by.strftime("%Y"))
    expect(main.locator("a[href*='/evidence/']").first).to_be_visible()

    # A message to the investigator, shown back escaped.
    page.fill("textarea[name='body']", MESSAGE)
    _submit(page, "form[action$='/message/']")
    check(page, "the status page after sending a message")
    expect(main).to_contain_text(MESSAGE)
    stored = ComplaintMessage.objects.get(complaint=complaint)
    assert stored.body == MESSAGE
    assert stored.from_complainant

    # The investigator answers; findings are issued; the complainant reads both.
    message_from_staff(complaint=complaint, body=ANSWER, actor=investigator)
    # A transactional test's flush removes the categories the migration made: make the one used.
    discourtesy, _new = AllegationCategory.objects.get_or_create(
        slug="discourtesy", defaults={"name_en": "Discourtesy", "name_es": "Descortesía"}
    )
    AllegationFactory(
        officer__complaint=complaint, complaint=complaint, category=discourtesy, finding=Allegation.Finding.SUSTAINED
    )
    Complaint.objects.filter(pk=complaint.pk).update(
        status=Complaint.Status.FINDINGS_ISSUED, findings_issued_at=timezone.now()
    )
    page.reload()
    check(page, "the status page with an answer and findings")
    expect(main).to_contain_text(ANSWER)
    expect(main.locator("table").first).to_be_visible()

    # The pages behind the status page pass axe too.
    for name in ("complaints:add-evidence", "complaints:review"):
        page.goto(f"{site}{_path(name, language, reference=complaint.reference)}")
        check(page, name)
        assert_fits_a_phone(page)


def test_it_asks_before_withdrawing(page: Page, site):
    complaint, code = ComplaintFactory.with_code()
    page.goto(f"{site}{reverse('complaints:track')}")
    page.fill("input[name='reference']", complaint.reference)
    page.fill("input[name='code']", code)
    _submit(page, "main form.usa-form")
    page.locator("main a[href$='/withdraw/']").click()
    page.wait_for_load_state()
    check(page, "the withdraw confirmation")
    _submit(page, "main form.usa-form")  # no reason
    expect(page.locator(".usa-alert--error")).to_be_visible()
    check(page, "the withdraw confirmation with an error")
    page.fill("textarea[name='reason']", "We sorted it out.")
    _submit(page, "main form.usa-form")
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.WITHDRAWN
    check(page, "the status page of a withdrawn complaint")


def test_it_lists_a_signed_in_owners_complaints(page: Page, site, sign_in_as):
    owner = ResidentFactory()
    complaint = ComplaintFactory(filed_by=owner)
    sign_in_as(owner)
    page.goto(f"{site}{reverse('complaints:mine')}")
    check(page, "My complaints")
    assert_fits_a_phone(page)
    page.locator("main").get_by_role("link", name=complaint.reference).click()
    page.wait_for_load_state()
    assert page.url.endswith(reverse("complaints:status", kwargs={"reference": complaint.reference}))
    check(page, "the owner's status page")
