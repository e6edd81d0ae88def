"""The sending side of feedback in a real browser, English and Spanish: no axe violation (WCAG 2.0
to 2.2 A/AA and best practice) on the form, its error state, the sent page with the private link,
My feedback, one item with replies and rating forms, and the private page; it fits a phone."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page

from feedback.models import Feedback, Reply
from tests.browser.helpers import assert_fits_a_phone, assert_no_axe_violations
from tests.events.factories import EventFactory
from tests.factories import DistrictFactory, OfficerFactory, OfficerProfileFactory, ResidentFactory
from tests.feedback.factories import AnonymousFeedbackFactory, FeedbackFactory, ReplyFactory

LANGUAGES = {"en": "", "es": "/es"}


@pytest.fixture
def scene(transactional_db):
    district = DistrictFactory(name="Riverside North")
    staff = OfficerFactory()
    profile = OfficerProfileFactory(user=staff, district=district, first_name="Ana", last_name="Ruiz")
    EventFactory(title="Coffee with a cop", district=district)
    author = ResidentFactory()
    item = FeedbackFactory(author=author, about=Feedback.About.OFFICER, officer=profile, district=district)
    ReplyFactory(feedback=item, author=staff, signature=Reply.Signature.OFFICER, body="Thank you.")
    ReplyFactory(feedback=item, author=staff, is_public=False, body="A private note for you.")
    anonymous, token = AnonymousFeedbackFactory.with_token(district=district)
    ReplyFactory(feedback=anonymous, author=staff)
    return {"author": author, "item": item, "token": token}


def _check(page: Page, url: str, language: str, *, status: int = 200) -> None:
    response = page.goto(url)
    assert response is not None
    assert response.status == status, f"{url} answered {response.status}"
    assert page.locator("html").get_attribute("lang") == language
    assert_no_axe_violations(page, where=f"{url} ({language})")
    assert_fits_a_phone(page)


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_it_has_no_axe_violation_on_the_sending_pages(page: Page, site, scene, language):
    prefix = f"{site}{LANGUAGES[language]}"
    _check(page, f"{prefix}{reverse('feedback:new')}", language)
    # Sent with nothing typed: the form again, with its error summary.
    page.locator("button[name=action][value=send]").click()
    page.wait_for_load_state()
    assert page.locator(".portal-error-summary").count() == 1
    assert_no_axe_violations(page, where=f"the form with errors ({language})")
    page.locator("label[for=id_kind_0]").click()
    page.locator("#id_message").fill("Thank you for the <b>coffee</b> morning.")
    page.locator("button[name=action][value=send]").click()
    page.wait_for_load_state()
    assert "/feedback/private/" in page.content()
    assert_no_axe_violations(page, where=f"the sent page ({language})")
    assert_fits_a_phone(page)


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_it_has_no_axe_violation_on_the_authors_pages(page: Page, site, scene, sign_in_as, language):
    prefix = f"{site}{LANGUAGES[language]}"
    _check(page, f"{prefix}{reverse('feedback:private', kwargs={'token': scene['token']})}", language)
    sign_in_as(scene["author"])
    _check(page, f"{prefix}{reverse('feedback:mine')}", language)
    _check(page, f"{prefix}{reverse('feedback:mine-detail', kwargs={'pk': scene['item'].pk})}", language)
