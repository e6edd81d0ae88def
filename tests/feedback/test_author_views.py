"""My feedback, one item of mine, and an anonymous sender's private link: replies, rating, writing back."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from feedback.models import Feedback, Reply
from portal.models import OutboxMessage
from tests.factories import AdministratorFactory, OfficerFactory, OfficerProfileFactory, ResidentFactory
from tests.feedback.factories import AnonymousFeedbackFactory, FeedbackFactory, ReplyFactory

pytestmark = pytest.mark.django_db


def _body(response) -> str:
    return response.content.decode()


def _mine_detail(item: Feedback) -> str:
    return reverse("feedback:mine-detail", kwargs={"pk": item.pk})


def _private(token: str) -> str:
    return reverse("feedback:private", kwargs={"token": token})


# --- My feedback -------------------------------------------------------------------------------


def test_it_sends_a_visitor_to_sign_in_for_my_feedback(client):
    response = client.get(reverse("feedback:mine"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_it_lists_only_my_own_feedback(client):
    me = ResidentFactory()
    mine = FeedbackFactory(author=me, message="my own words")
    FeedbackFactory(message="someone else's words")
    client.force_login(me)
    body = _body(client.get(reverse("feedback:mine")))
    assert _mine_detail(mine) in body
    assert "someone else" not in body


@pytest.mark.parametrize("n", [1, 8])
def test_it_keeps_my_feedback_query_count_flat(client, django_assert_num_queries, n):
    me = ResidentFactory()
    officer = OfficerProfileFactory()
    for _i in range(n):
        item = FeedbackFactory(author=me, about=Feedback.About.OFFICER, officer=officer, district=officer.district)
        ReplyFactory.create_batch(2, feedback=item)
    client.force_login(me)
    # session, user, the user's roles (staff middleware), the count for the pager, and the rows
    # joined to their subjects with their reply counts
    with django_assert_num_queries(5):
        response = client.get(reverse("feedback:mine"))
    assert response.status_code == 200


# --- One item of mine --------------------------------------------------------------------------


def test_it_shows_my_item_with_public_and_private_replies_escaped(client):
    me = ResidentFactory()
    item = FeedbackFactory(author=me, message="<script>alert('x')</script>")
    ReplyFactory(feedback=item, body="A public answer", is_public=True)
    ReplyFactory(feedback=item, body="A private answer", is_public=False)
    client.force_login(me)
    response = client.get(_mine_detail(item))
    body = _body(response)
    assert response.status_code == 200
    assert "A public answer" in body
    assert "A private answer" in body
    assert "&lt;script&gt;" in body
    assert "<script>alert" not in body


def test_it_signs_a_reply_with_the_officers_name_or_the_department(client):
    me = ResidentFactory()
    officer_user = OfficerFactory()
    profile = OfficerProfileFactory(user=officer_user, first_name="Dana", last_name="Reyes")
    item = FeedbackFactory(author=me)
    ReplyFactory(feedback=item, author=officer_user, signature=Reply.Signature.OFFICER)
    ReplyFactory(feedback=item, author=officer_user, signature=Reply.Signature.DEPARTMENT, body="Dept")
    client.force_login(me)
    body = _body(client.get(_mine_detail(item)))
    assert f"From officer {profile.full_name}" in body
    assert body.count("Dana Reyes") == 1


@pytest.mark.parametrize("factory", [ResidentFactory, OfficerFactory, AdministratorFactory])
def test_it_hides_someone_elses_item_with_not_found(client, factory):
    item = FeedbackFactory()
    client.force_login(factory())
    assert client.get(_mine_detail(item)).status_code == 404
    assert client.post(_mine_detail(item), {"action": "rate", "rating": "5"}).status_code == 404


def test_it_lets_me_rate_the_answer_once(client):
    me = ResidentFactory()
    item = FeedbackFactory(author=me)
    ReplyFactory(feedback=item)
    client.force_login(me)
    response = client.post(_mine_detail(item), {"action": "rate", "rating": "4"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.rating == 4
    again = client.post(_mine_detail(item), {"action": "rate", "rating": "1"})
    assert again.status_code == 409
    assert "already rated" in _body(again)
    item.refresh_from_db()
    assert item.rating == 4


@pytest.mark.parametrize("rating", ["", "0", "6", "five"])
def test_it_refuses_a_bad_rating(client, rating):
    me = ResidentFactory()
    item = FeedbackFactory(author=me)
    ReplyFactory(feedback=item)
    client.force_login(me)
    response = client.post(_mine_detail(item), {"action": "rate", "rating": rating})
    assert response.status_code == 400
    assert "Choose a rating from 1 to 5." in _body(response)


def test_it_refuses_a_rating_before_an_answer(client):
    me = ResidentFactory()
    item = FeedbackFactory(author=me)
    client.force_login(me)
    response = client.post(_mine_detail(item), {"action": "rate", "rating": "3"})
    assert response.status_code == 400
    assert "once there is one" in _body(response)


def test_it_refuses_an_unknown_action(client):
    me = ResidentFactory()
    item = FeedbackFactory(author=me)
    client.force_login(me)
    assert client.post(_mine_detail(item), {"action": "delete"}).status_code == 400


def test_it_lets_me_write_back_once_and_reopens_the_item(client):
    me = ResidentFactory()
    AdministratorFactory()
    item = FeedbackFactory(author=me, status=Feedback.Status.ANSWERED)
    ReplyFactory(feedback=item)
    client.force_login(me)
    response = client.post(_mine_detail(item), {"action": "follow_up", "text": "You did not say when."})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == Feedback.Status.NEW
    assert OutboxMessage.objects.filter(dedupe_key__startswith="feedback.follow-up:").exists()
    page = _body(client.get(_mine_detail(item)))
    assert "You did not say when." in page
    assert 'name="text"' not in page
    again = client.post(_mine_detail(item), {"action": "follow_up", "text": "And again"})
    assert again.status_code == 409
    assert "already written back" in _body(again)


@pytest.mark.parametrize("text", ["", "  ", "q" * 5001])
def test_it_refuses_an_empty_or_over_long_reply_back(client, text):
    me = ResidentFactory()
    item = FeedbackFactory(author=me)
    ReplyFactory(feedback=item)
    client.force_login(me)
    response = client.post(_mine_detail(item), {"action": "follow_up", "text": text})
    assert response.status_code == 400
    item.refresh_from_db()
    assert item.follow_up_at is None


def test_it_offers_no_rating_or_reply_back_before_an_answer(client):
    me = ResidentFactory()
    item = FeedbackFactory(author=me)
    client.force_login(me)
    body = _body(client.get(_mine_detail(item)))
    assert "No answer yet" in body
    assert 'name="rating"' not in body


# --- The private link --------------------------------------------------------------------------


def test_it_opens_the_anonymous_item_through_its_private_link_with_safe_headers():
    item, token = AnonymousFeedbackFactory.with_token(contact_email="hidden@example.org")
    ReplyFactory(feedback=item, body="Private answer for you", is_public=False)
    response = Client().get(_private(token))
    body = _body(response)
    assert response.status_code == 200
    assert "Private answer for you" in body
    assert "hidden@example.org" not in body
    assert response["Referrer-Policy"] == "same-origin"
    assert "noindex" in response["X-Robots-Tag"]
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("token", ["wrong", "x" * 300])
def test_it_answers_a_wrong_private_link_with_not_found(client, token):
    AnonymousFeedbackFactory.with_token()
    assert client.get(_private(token)).status_code == 404
    assert client.post(_private(token), {"action": "rate", "rating": "5"}).status_code == 404


def test_it_lets_the_link_holder_rate_and_write_back_once(client):
    AdministratorFactory()
    item, token = AnonymousFeedbackFactory.with_token(status=Feedback.Status.ANSWERED)
    ReplyFactory(feedback=item)
    assert client.post(_private(token), {"action": "rate", "rating": "2"}).status_code == 302
    assert client.post(_private(token), {"action": "rate", "rating": "5"}).status_code == 409
    assert client.post(_private(token), {"action": "follow_up", "text": "Not answered"}).status_code == 302
    assert client.post(_private(token), {"action": "follow_up", "text": "Again"}).status_code == 409
    item.refresh_from_db()
    assert (item.rating, item.follow_up, item.status) == (2, "Not answered", Feedback.Status.NEW)


def test_it_shows_the_private_page_in_spanish(client):
    _item, token = AnonymousFeedbackFactory.with_token()
    response = client.get(f"/es/feedback/private/{token}/")
    assert response.status_code == 200
    assert 'lang="es"' in _body(response)
