"""The reading, survey and staff sides of feedback in a real browser, English and Spanish: no axe
violation (WCAG 2.0 to 2.2 A/AA and best practice) and no horizontal scrolling at 360 px on the
public wall (with its figures), a published item with a redacted copy and a public reply, a district
page with a trust index and a suppressed month, the survey page (and its error state), and, for an
administrator, the staff inbox, a staff item page, the moderation page and the reply templates.

The sending pages (/feedback/new/ with its errors, /feedback/mine/, the private link) are checked in
test_feedback_sending_accessibility.py."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page

from feedback.models import Feedback, Reply, SurveyResponse
from feedback.survey_links import survey_token
from tests.browser.helpers import assert_fits_a_phone, assert_no_axe_violations
from tests.events.factories import EventFactory
from tests.factories import AdministratorFactory, DistrictFactory, OfficerFactory, OfficerProfileFactory
from tests.feedback.factories import (
    AnonymousFeedbackFactory,
    FeedbackFactory,
    PublishedComplimentFactory,
    ReplyFactory,
    ReplyTemplateFactory,
    SurveyInvitationFactory,
)

LANGUAGES = {"en": "", "es": "/es"}


def _month(today: datetime.date, back: int) -> datetime.date:
    number = today.year * 12 + today.month - 1 - back
    return datetime.date(number // 12, number % 12 + 1, 1)


@pytest.fixture
def scene(transactional_db, settings):
    district = DistrictFactory(name="Riverside North")
    officer = OfficerFactory()
    profile = OfficerProfileFactory(user=officer, district=district, first_name="Ana", last_name="Ruiz")
    published = PublishedComplimentFactory(
        officer=profile,
        district=district,
        message="Officer Ruiz helped us at 14 Alder Street. Call me on 555-0199.",
        public_message="Officer Ruiz helped us on our street.",
    )
    ReplyFactory(feedback=published, author=officer, signature=Reply.Signature.OFFICER, body="Thank you!")
    ReplyFactory(feedback=published, author=officer, is_public=False, body="A private word for you.")
    PublishedComplimentFactory(officer=profile, district=district, kind=Feedback.Kind.SUGGESTION)
    awaiting, _token = AnonymousFeedbackFactory.with_token(
        kind=Feedback.Kind.CONCERN,
        district=district,
        may_publish=True,
        publication=Feedback.Publication.AWAITING,
        message="The street lights on Elm Avenue have been out for a month.",
    )
    FeedbackFactory(district=district, status=Feedback.Status.ASSIGNED, assigned_to=officer)
    template = ReplyTemplateFactory(title="Thank you for your compliment")
    invitation = SurveyInvitationFactory(event=EventFactory(title="Coffee with a cop", district=district))
    # A trust index this month (enough answers) and a suppressed one last month (too few).
    today = timezone.localdate()
    minimum = settings.TRUST_INDEX_MIN_RESPONSES
    SurveyResponse.objects.bulk_create(
        [
            SurveyResponse(district=district, month=_month(today, 0), trust=4, respect=5, listened=3)
            for _ in range(minimum)
        ]
        + [SurveyResponse(district=district, month=_month(today, 1), trust=2, respect=3, listened=3) for _ in range(2)]
    )
    return {
        "district": district,
        "published": published,
        "awaiting": awaiting,
        "survey_token": survey_token(invitation=invitation),
        "administrator": AdministratorFactory(),
        "template": template,
    }


def _check(page: Page, url: str, language: str, *, status: int = 200) -> None:
    response = page.goto(url)
    assert response is not None
    assert response.status == status, f"{url} answered {response.status}"
    assert page.locator("html").get_attribute("lang") == language
    assert_no_axe_violations(page, where=f"{url} ({language})")
    assert_fits_a_phone(page)


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_it_has_no_axe_violation_on_the_public_pages(page: Page, site, scene, language):
    prefix = f"{site}{LANGUAGES[language]}"
    _check(page, f"{prefix}{reverse('feedback:wall')}", language)
    _check(page, f"{prefix}{reverse('feedback:wall')}?kind=compliment&district={scene['district'].slug}", language)
    _check(page, f"{prefix}{reverse('feedback:detail', kwargs={'pk': scene['published'].pk})}", language)
    assert "Alder Street" not in page.content()  # the redacted copy, not the original
    _check(page, f"{prefix}{reverse('portal:district-detail', kwargs={'slug': scene['district'].slug})}", language)
    assert "75" in page.locator("main").inner_text()  # this month's trust index: (4 + 5 + 3) / 3 scaled to 0-100


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_it_has_no_axe_violation_on_the_survey_page(page: Page, site, scene, language):
    prefix = f"{site}{LANGUAGES[language]}"
    _check(page, f"{prefix}{reverse('feedback:survey', kwargs={'token': scene['survey_token']})}", language)
    # Sent with nothing chosen: the form again, with its errors.
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".usa-error-message").count() >= 3
    assert_no_axe_violations(page, where=f"the survey with errors ({language})")
    assert_fits_a_phone(page)
    _check(page, f"{prefix}{reverse('feedback:survey', kwargs={'token': 'tampered'})}", language, status=404)


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_it_has_no_axe_violation_on_the_staff_pages(page: Page, site, scene, sign_in_as, language):
    prefix = f"{site}{LANGUAGES[language]}"
    sign_in_as(scene["administrator"])
    _check(page, f"{prefix}{reverse('feedback:staff-inbox')}", language)
    _check(page, f"{prefix}{reverse('feedback:staff-inbox')}?status=assigned&kind=suggestion", language)
    for item in (scene["published"], scene["awaiting"]):
        _check(page, f"{prefix}{reverse('feedback:staff-detail', kwargs={'pk': item.pk})}", language)
        _check(page, f"{prefix}{reverse('feedback:staff-moderate', kwargs={'pk': item.pk})}", language)
    # Declining without a reason: the moderation page with its error.
    page.locator("main form").filter(has=page.locator("input[name=action][value=decline]")).locator(
        "button[type=submit]"
    ).click()
    page.wait_for_load_state()
    assert page.locator(".usa-error-message").count() >= 1
    assert_no_axe_violations(page, where=f"the moderation page with an error ({language})")
    _check(page, f"{prefix}{reverse('feedback:staff-templates')}", language)
    _check(page, f"{prefix}{reverse('feedback:staff-template-edit', kwargs={'pk': scene['template'].pk})}", language)
