"""Moderation: publishing (optionally a redacted copy), declining with a reason, unpublishing;
an item the author did not allow can never be published; administrators only."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from feedback.models import Feedback
from feedback.services import answering
from tests.factories import AdministratorFactory, DistrictFactory, OfficerFactory, OfficerProfileFactory
from tests.feedback.factories import FeedbackFactory, PublishedComplimentFactory

pytestmark = pytest.mark.django_db

P = Feedback.Publication


@pytest.fixture
def admin():
    return AdministratorFactory()


@pytest.fixture
def awaiting():
    return FeedbackFactory(
        kind=Feedback.Kind.COMPLIMENT,
        may_publish=True,
        publication=P.AWAITING,
        message="Officer Diaz at 12 Elm St (555-0100) helped my son.",
    )


def test_it_publishes_a_redacted_copy_and_keeps_the_original(admin, awaiting):
    answering.feedback_publish(feedback_id=awaiting.pk, public_text="An officer helped my son.", actor=admin)
    awaiting.refresh_from_db()
    assert awaiting.publication == P.PUBLISHED
    assert awaiting.public_message == "An officer helped my son."
    assert awaiting.message.startswith("Officer Diaz at 12 Elm St")
    assert awaiting.published_at is not None
    assert awaiting.moderated_by == admin


def test_it_publishes_the_message_as_written_when_no_copy_is_typed(admin, awaiting):
    answering.feedback_publish(feedback_id=awaiting.pk, public_text="  ", actor=admin)
    awaiting.refresh_from_db()
    assert awaiting.public_message == awaiting.message


def test_it_bumps_the_public_wall_after_publishing(admin, awaiting, django_capture_on_commit_callbacks):
    from portal import fragments

    before = fragments.fragment_version(scope="feedback.wall")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        answering.feedback_publish(feedback_id=awaiting.pk, public_text="", actor=admin)
    assert callbacks, "the wall's cache bump runs after commit"
    assert fragments.fragment_version(scope="feedback.wall") != before


@pytest.mark.parametrize("may_publish", [True, False])
def test_it_never_publishes_what_the_author_did_not_allow(admin, may_publish):
    item = FeedbackFactory(may_publish=may_publish, publication=P.PRIVATE)
    with pytest.raises(ValidationError) as caught:
        answering.feedback_publish(feedback_id=item.pk, public_text="", actor=admin)
    assert caught.value.code == "author_did_not_allow"
    item.refresh_from_db()
    assert item.publication == P.PRIVATE


def test_it_refuses_to_publish_twice(admin):
    item = PublishedComplimentFactory(officer=OfficerProfileFactory())
    with pytest.raises(ValidationError) as caught:
        answering.feedback_publish(feedback_id=item.pk, public_text="", actor=admin)
    assert caught.value.code == "already_published"


def test_it_refuses_an_overlong_public_copy(admin, awaiting):
    with pytest.raises(ValidationError) as caught:
        answering.feedback_publish(feedback_id=awaiting.pk, public_text="x" * 5001, actor=admin)
    assert "public_text" in caught.value.error_dict


def test_it_declines_with_a_recorded_reason(admin, awaiting):
    answering.feedback_decline(feedback_id=awaiting.pk, reason="Names a private person.", actor=admin)
    awaiting.refresh_from_db()
    assert awaiting.publication == P.DECLINED
    assert awaiting.decline_reason == "Names a private person."
    # Declined items can still be published later, if an administrator changes their mind.
    answering.feedback_publish(feedback_id=awaiting.pk, public_text="Redacted.", actor=admin)
    awaiting.refresh_from_db()
    assert awaiting.publication == P.PUBLISHED
    assert awaiting.decline_reason == ""


@pytest.mark.parametrize(("reason", "code"), [("", "required"), ("x" * 501, "max_length")])
def test_it_refuses_a_decline_without_a_proper_reason(admin, awaiting, reason, code):
    with pytest.raises(ValidationError) as caught:
        answering.feedback_decline(feedback_id=awaiting.pk, reason=reason, actor=admin)
    assert caught.value.error_dict["reason"][0].code == code


def test_it_refuses_to_decline_a_private_item(admin):
    item = FeedbackFactory(publication=P.PRIVATE)
    with pytest.raises(ValidationError):
        answering.feedback_decline(feedback_id=item.pk, reason="No.", actor=admin)


def test_it_unpublishes_back_to_awaiting(admin):
    item = PublishedComplimentFactory(officer=OfficerProfileFactory())
    answering.feedback_unpublish(feedback_id=item.pk, actor=admin)
    item.refresh_from_db()
    assert item.publication == P.AWAITING
    assert item.published_at is None
    with pytest.raises(ValidationError):
        answering.feedback_unpublish(feedback_id=item.pk, actor=admin)


def test_it_refuses_moderation_by_officers_even_in_scope(awaiting):
    district = DistrictFactory()
    officer = OfficerFactory()
    OfficerProfileFactory(user=officer, district=district)
    awaiting.district = district
    awaiting.save()
    for call in (
        lambda: answering.feedback_publish(feedback_id=awaiting.pk, public_text="", actor=officer),
        lambda: answering.feedback_decline(feedback_id=awaiting.pk, reason="r", actor=officer),
        lambda: answering.feedback_unpublish(feedback_id=awaiting.pk, actor=officer),
    ):
        with pytest.raises(ValidationError) as caught:
            call()
        assert caught.value.code == "not_allowed"


# --- The page ---------------------------------------------------------------------------------


def _url(item):
    return reverse("feedback:staff-moderate", kwargs={"pk": item.pk})


def test_it_publishes_a_redacted_copy_from_the_page(client, admin, awaiting):
    client.force_login(admin)
    assert client.get(_url(awaiting)).status_code == 200
    response = client.post(_url(awaiting), {"action": "publish", "public_text": "An officer helped."})
    assert response.status_code == 302
    awaiting.refresh_from_db()
    assert awaiting.public_message == "An officer helped."


def test_it_declines_from_the_page_and_needs_a_reason(client, admin, awaiting):
    client.force_login(admin)
    response = client.post(_url(awaiting), {"action": "decline", "reason": ""})
    assert response.status_code == 400
    assert "Give the reason for declining." in response.content.decode()
    response = client.post(_url(awaiting), {"action": "decline", "reason": "Private details."})
    assert response.status_code == 302
    awaiting.refresh_from_db()
    assert awaiting.publication == P.DECLINED


def test_it_says_a_private_item_can_never_be_published_and_refuses_a_forged_post(client, admin):
    item = FeedbackFactory(publication=P.PRIVATE, may_publish=False)
    client.force_login(admin)
    page = client.get(_url(item)).content.decode()
    assert "can never be published" in page
    assert 'value="publish"' not in page
    response = client.post(_url(item), {"action": "publish", "public_text": "x"})
    assert response.status_code == 400
    item.refresh_from_db()
    assert item.publication == P.PRIVATE


def test_it_unpublishes_from_the_page(client, admin):
    item = PublishedComplimentFactory(officer=OfficerProfileFactory())
    client.force_login(admin)
    assert client.post(_url(item), {"action": "unpublish"}).status_code == 302
    item.refresh_from_db()
    assert item.publication == P.AWAITING


@pytest.mark.parametrize("data", [{}, {"action": "burn"}, {"action": "publish", "public_text": "x" * 5001}])
def test_it_answers_bad_moderation_input_with_400(client, admin, awaiting, data):
    client.force_login(admin)
    assert client.post(_url(awaiting), data).status_code == 400


def test_it_forbids_the_page_to_officers(client, awaiting):
    officer = OfficerFactory()
    client.force_login(officer)
    assert client.get(_url(awaiting)).status_code == 403
    assert client.post(_url(awaiting), {"action": "publish"}).status_code == 403


def test_it_answers_404_for_an_item_that_does_not_exist(client, admin):
    client.force_login(admin)
    assert client.get(reverse("feedback:staff-moderate", kwargs={"pk": 999999})).status_code == 404
