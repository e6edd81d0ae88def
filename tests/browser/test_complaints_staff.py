"""The investigation side in a real browser, with axe on every page: an investigator opens the
queue, a complaint, and records a transition; an investigator named in a complaint cannot find it
(not in the queue, not by searching, and its address answers "Page not found")."""

from __future__ import annotations

import importlib

import pytest
from django.core.files.storage import FileSystemStorage
from django.urls import reverse
from playwright.sync_api import Page, expect

from complaints.models import AllegationCategory, Complaint, ComplaintEvent, Evidence
from tests.browser.helpers import assert_fits_a_phone, assert_no_axe_violations
from tests.complaints.factories import (
    AllegationFactory,
    ComplaintEventFactory,
    ComplaintFactory,
    ComplaintMessageFactory,
    ComplaintOfficerFactory,
    EvidenceFactory,
    category,
)
from tests.factories import DistrictFactory, InvestigatorFactory, OfficerProfileFactory


@pytest.fixture(autouse=True)
def _categories(transactional_db):
    """The categories migration 0002 installs (a transactional test's flush removes data rows)."""
    migration = importlib.import_module("complaints.migrations.0002_categories_and_append_only_log")
    for order, (slug, name_en, name_es, help_en, help_es) in enumerate(migration.CATEGORIES):
        AllegationCategory.objects.get_or_create(
            slug=slug,
            defaults={"name_en": name_en, "name_es": name_es, "help_en": help_en, "help_es": help_es, "order": order},
        )


def check(page: Page, where: str) -> None:
    page.wait_for_load_state()
    assert_no_axe_violations(page, where=f"{where} ({page.url})")


def test_it_takes_an_investigator_from_the_queue_to_a_recorded_transition(
    page: Page, site, sign_in_as, tmp_path, monkeypatch
):
    monkeypatch.setattr(Evidence._meta.get_field("file"), "storage", FileSystemStorage(location=str(tmp_path)))
    investigator = InvestigatorFactory(first_name="Irene", last_name="Vasquez")
    complaint = ComplaintFactory(
        district=DistrictFactory(name="Harbor"), narrative="The officer took my phone and did not give it back."
    )
    involved = ComplaintOfficerFactory(complaint=complaint, officer=OfficerProfileFactory(last_name="Kowalski"))
    AllegationFactory(officer=involved, category=category("property"))
    ComplaintEventFactory(complaint=complaint, kind=ComplaintEvent.Kind.FILED, visible_to_complainant=True, note="")
    ComplaintMessageFactory(complaint=complaint, body="When will I hear back?")
    EvidenceFactory(complaint=complaint, original_name="receipt.png")
    sign_in_as(investigator)

    page.goto(f"{site}/es{reverse('complaints:staff-queue')}")
    check(page, "the complaints queue in Spanish")
    page.goto(f"{site}{reverse('complaints:staff-queue')}")
    check(page, "the complaints queue")
    assert_fits_a_phone(page)
    page.locator("main").get_by_role("link", name=complaint.reference).click()
    page.wait_for_load_state()
    check(page, "the complaint page")
    assert_fits_a_phone(page)
    main = page.locator("main")
    expect(main).to_contain_text("did not give it back")
    expect(main).to_contain_text("Kowalski")
    expect(main).to_contain_text("When will I hear back?")
    expect(main).to_contain_text("receipt.png")

    main.get_by_role("link", name="Change the status").click()
    page.wait_for_load_state()
    check(page, "the transition page")
    offered = page.locator("main input[name='to_status']")
    values = {offered.nth(i).get_attribute("value") for i in range(offered.count())}
    assert values == {"acknowledged", "investigating", "referred", "informally_resolved", "withdrawn"}
    control = page.locator("main input[name='to_status'][value='acknowledged']")
    page.locator(f"main label[for='{control.get_attribute('id')}']").click()
    page.locator("main textarea[name='public_note']").fill("We have your complaint and will call you this week.")
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()
    check(page, "the complaint page after the transition")
    expect(page.locator("main")).to_contain_text("Acknowledged")
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.ACKNOWLEDGED

    # A wrong submission shows an error summary, and passes axe too.
    page.goto(f"{site}{reverse('complaints:staff-transition', kwargs={'reference': complaint.reference})}")
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator("main .portal-error-summary")).to_be_visible()
    check(page, "the transition page with an error")


def test_it_hides_a_complaint_from_the_investigator_it_names(page: Page, site, sign_in_as):
    investigator = InvestigatorFactory()
    hidden = ComplaintFactory.naming(OfficerProfileFactory(user=investigator))
    visible = ComplaintFactory()
    sign_in_as(investigator)

    page.goto(f"{site}{reverse('complaints:staff-queue')}")
    check(page, "the queue of a named investigator")
    main = page.locator("main")
    expect(main).to_contain_text(visible.reference)
    expect(main).not_to_contain_text(hidden.reference)

    page.locator("main input[name='reference']").fill(hidden.reference)
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator("main")).to_contain_text("No complaint matches these filters.")
    check(page, "a search for the hidden reference")

    response = page.goto(f"{site}{reverse('complaints:staff-detail', kwargs={'reference': hidden.reference})}")
    assert response is not None
    assert response.status == 404
    expect(page.locator("main h1")).to_have_text("Page not found")


def test_it_passes_axe_on_the_findings_assign_review_and_access_log_pages(page: Page, site, sign_in_as):
    from tests.complaints.factories import AccessLogEntryFactory
    from tests.factories import AdministratorFactory

    administrator = AdministratorFactory()
    complaint = ComplaintFactory(status=Complaint.Status.INVESTIGATING)
    involved = ComplaintOfficerFactory(complaint=complaint, officer=OfficerProfileFactory())
    AllegationFactory(officer=involved, category=category("discourtesy"))
    review = ComplaintFactory(status=Complaint.Status.REVIEW_REQUESTED)
    AccessLogEntryFactory(complaint=complaint)
    sign_in_as(administrator)
    for name, kwargs, where in (
        ("staff-findings", {"reference": complaint.reference}, "the findings page"),
        ("staff-assign", {"reference": complaint.reference}, "the assign page"),
        ("staff-review", {"reference": review.reference}, "the review decision page"),
        ("staff-access-log", {}, "the access log"),
    ):
        page.goto(f"{site}{reverse(f'complaints:{name}', kwargs=kwargs)}")
        check(page, where)
        assert_fits_a_phone(page)
    # A finding recorded from the page.
    page.goto(f"{site}{reverse('complaints:staff-findings', kwargs={'reference': complaint.reference})}")
    page.locator("main select[name='recommended_finding']").select_option("not_sustained")
    page.locator("main select[name='finding']").select_option("not_sustained")
    page.locator("main button", has_text="Save this finding").click()
    page.wait_for_load_state()
    check(page, "the findings page after saving")
    assert complaint.allegations.get().finding == "not_sustained"
