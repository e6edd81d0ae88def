"""The feedback part of "export my data" and "delete my account"."""

from __future__ import annotations

import json

import pytest
from django.core.serializers.json import DjangoJSONEncoder

from feedback.account_data import feedback_erase, feedback_export
from feedback.models import Feedback, Reply
from portal import account_data
from portal.accounts import account_delete, account_export
from tests.factories import OfficerFactory, OfficerProfileFactory, ResidentFactory
from tests.feedback.factories import AnonymousFeedbackFactory, FeedbackFactory, PublishedComplimentFactory, ReplyFactory

pytestmark = pytest.mark.django_db


def test_it_registers_the_feedback_part():
    assert "feedback" in [part.name for part in account_data.registered_parts()]


def test_it_exports_my_messages_the_replies_i_received_and_my_rating():
    me = ResidentFactory()
    staff = OfficerFactory()
    OfficerProfileFactory(user=staff, first_name="Ana", last_name="Diaz")
    item = FeedbackFactory(author=me, message="Street lights are out", rating=4, follow_up="Still out")
    ReplyFactory(feedback=item, author=staff, body="Fixed soon", is_public=False, signature=Reply.Signature.OFFICER)
    ReplyFactory(feedback=item, author=staff, body="Public note", is_public=True)
    FeedbackFactory(message="not mine")
    data = feedback_export(me)
    json.dumps(data, cls=DjangoJSONEncoder)
    [row] = data["feedback"]
    assert row["message"] == "Street lights are out"
    assert row["rating"] == 4
    assert row["reply_back"] == "Still out"
    assert [(r["text"], r["public"], r["signed_by"]) for r in row["replies"]] == [
        ("Fixed soon", False, "Ana Diaz"),
        ("Public note", True, "department"),
    ]


def test_it_is_part_of_the_whole_account_export():
    me = ResidentFactory()
    FeedbackFactory(author=me)
    assert len(account_export(user=me)["feedback"]["feedback"]) == 1


def test_it_detaches_authorship_on_erase_and_keeps_a_published_item_published():
    me = ResidentFactory()
    private = FeedbackFactory(author=me)
    published = PublishedComplimentFactory(author=me, officer=OfficerProfileFactory())
    other = FeedbackFactory()
    feedback_erase(me)
    private.refresh_from_db()
    published.refresh_from_db()
    other.refresh_from_db()
    assert private.author is None
    assert published.author is None
    assert published.publication == Feedback.Publication.PUBLISHED
    assert other.author is not None


def test_it_leaves_nothing_that_leads_back_to_a_deleted_account():
    me = ResidentFactory()
    item = FeedbackFactory(author=me)
    account_delete(user=me)
    item.refresh_from_db()
    assert item.author is None
    assert (item.contact_email, item.reader_token_hash) == ("", "")
    assert feedback_export(me) == {"feedback": []}


def test_it_never_exports_an_anonymous_senders_contact_email():
    me = ResidentFactory(email="me@example.org")
    AnonymousFeedbackFactory(contact_email="me@example.org")
    assert "me@example.org" not in json.dumps(feedback_export(me), cls=DjangoJSONEncoder)
