"""feedback_submit, feedback_rate and feedback_follow_up: the rules of sending and answering back."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from events.models import Event
from feedback.models import Feedback
from feedback.services.sending import (
    READER_TOKEN_PURPOSE,
    feedback_follow_up,
    feedback_for_reader,
    feedback_rate,
    feedback_submit,
)
from portal import tokens
from portal.models import OutboxMessage
from tests.events.factories import EventFactory
from tests.factories import (
    AdministratorFactory,
    DistrictFactory,
    OfficerFactory,
    OfficerProfileFactory,
    ResidentFactory,
)
from tests.feedback.factories import AnonymousFeedbackFactory, FeedbackFactory, ReplyFactory

pytestmark = pytest.mark.django_db


def _submit(**overrides):
    fields = {
        "kind": Feedback.Kind.COMPLIMENT,
        "about": Feedback.About.DEPARTMENT,
        "message": "Thank you for the safety workshop.",
        "language": "en",
        "may_publish": False,
        "author": None,
        "contact_email": "",
    }
    fields.update(overrides)
    return feedback_submit(**fields)


def _code(exc_info) -> str:
    return exc_info.value.code


# --- Sending -----------------------------------------------------------------------------------


def test_it_stores_anonymous_feedback_with_a_private_link_that_only_its_hash_keeps():
    item, token = _submit()
    item.refresh_from_db()
    assert token
    assert item.author is None
    assert item.reader_token_hash == tokens.token_hash(token, purpose=READER_TOKEN_PURPOSE)
    assert token not in item.reader_token_hash
    assert feedback_for_reader(token=token) == item


def test_it_gives_a_signed_in_author_no_private_link():
    author = ResidentFactory()
    item, token = _submit(author=author, contact_email="ignored@example.org")
    assert token is None
    assert item.author == author
    assert item.reader_token_hash == ""
    assert item.contact_email == ""


def test_it_sets_publication_awaiting_only_when_the_author_allows_it():
    allowed, _token = _submit(may_publish=True)
    private, _token = _submit(may_publish=False, message="Another one")
    assert allowed.publication == Feedback.Publication.AWAITING
    assert private.publication == Feedback.Publication.PRIVATE


def test_it_strips_the_message_and_keeps_html_as_text():
    item, _token = _submit(message="  <script>alert(1)</script> hello  ")
    assert item.message == "<script>alert(1)</script> hello"


@pytest.mark.parametrize("message", ["", "   \n  ", "x" * 5001])
def test_it_refuses_an_empty_or_over_long_message(message):
    with pytest.raises(ValidationError) as exc:
        _submit(message=message)
    assert _code(exc) in {"message_empty", "message_too_long"}
    assert not Feedback.objects.exists()


def test_it_accepts_a_message_of_exactly_5000_characters():
    item, _token = _submit(message="y" * 5000)
    assert len(item.message) == 5000


def test_it_refuses_an_unknown_kind_or_about():
    with pytest.raises(ValidationError) as exc:
        _submit(kind="praise")
    assert _code(exc) == "kind_invalid"
    with pytest.raises(ValidationError) as exc:
        _submit(about="weather")
    assert _code(exc) == "about_invalid"


def test_it_needs_a_district_for_feedback_about_a_district():
    with pytest.raises(ValidationError) as exc:
        _submit(about=Feedback.About.DISTRICT)
    assert _code(exc) == "district_required"
    district = DistrictFactory()
    item, _token = _submit(about=Feedback.About.DISTRICT, district=district)
    assert item.district == district


def test_it_needs_a_public_officer_for_feedback_about_an_officer():
    with pytest.raises(ValidationError) as exc:
        _submit(about=Feedback.About.OFFICER)
    assert _code(exc) == "officer_required"
    hidden = OfficerProfileFactory(is_public=False)
    with pytest.raises(ValidationError) as exc:
        _submit(about=Feedback.About.OFFICER, officer=hidden)
    assert _code(exc) == "officer_not_public"


def test_it_files_feedback_about_an_officer_under_the_officers_district():
    district = DistrictFactory()
    officer = OfficerProfileFactory(district=district)
    item, _token = _submit(about=Feedback.About.OFFICER, officer=officer, district=DistrictFactory())
    assert item.officer == officer
    assert item.district == district


def test_it_needs_a_published_event_for_feedback_about_an_event():
    with pytest.raises(ValidationError) as exc:
        _submit(about=Feedback.About.EVENT)
    assert _code(exc) == "event_required"
    draft = EventFactory(status=Event.Status.DRAFT)
    with pytest.raises(ValidationError) as exc:
        _submit(about=Feedback.About.EVENT, event=draft)
    assert _code(exc) == "event_not_published"
    event = EventFactory()
    item, _token = _submit(about=Feedback.About.EVENT, event=event)
    assert (item.event, item.district) == (event, event.district)


def test_it_refuses_a_subject_that_does_not_match_about():
    with pytest.raises(ValidationError) as exc:
        _submit(about=Feedback.About.DEPARTMENT, district=DistrictFactory())
    assert _code(exc) == "subject_mismatch"
    with pytest.raises(ValidationError) as exc:
        _submit(about=Feedback.About.DISTRICT, district=DistrictFactory(), officer=OfficerProfileFactory())
    assert _code(exc) == "subject_mismatch"


def test_it_falls_back_to_english_for_an_unknown_language():
    item, _token = _submit(language="xx")
    assert item.language == "en"


def test_it_does_not_store_the_same_message_from_the_same_author_twice_within_a_minute():
    author = ResidentFactory()
    first, _token = _submit(author=author)
    second, _token = _submit(author=author)
    assert first == second
    assert Feedback.objects.count() == 1


def test_it_stores_the_same_message_again_after_a_minute():
    author = ResidentFactory()
    first, _token = _submit(author=author)
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        second, _token = _submit(author=author)
    assert first != second


def test_it_does_not_store_an_anonymous_message_twice_from_the_same_contact_email():
    first, token = _submit(contact_email="me@example.org")
    second, again = _submit(contact_email="ME@example.org")
    assert first == second
    assert token
    assert again is None
    assert Feedback.objects.count() == 1


def test_it_stores_identical_anonymous_messages_without_an_address_separately():
    _submit()
    _submit()
    assert Feedback.objects.count() == 2


def test_it_queues_a_receipt_with_the_private_link_for_an_anonymous_contact_email():
    item, token = _submit(contact_email="me@example.org", language="es")
    message = OutboxMessage.objects.get(dedupe_key=f"feedback.received:{item.pk}")
    assert message.to == "me@example.org"
    assert message.language == "es"
    assert token in message.context["read_url"]
    assert message.context["read_url"].startswith("http")


def test_it_queues_a_receipt_to_a_signed_in_author_in_their_language():
    author = ResidentFactory(language="es")
    item, _token = _submit(author=author)
    message = OutboxMessage.objects.get(dedupe_key=f"feedback.received:{item.pk}")
    assert (message.to, message.language) == (author.email, "es")


def test_it_sends_no_receipt_to_an_author_who_wants_no_email_about_replies():
    _submit(author=ResidentFactory(email_replies=False))
    assert not OutboxMessage.objects.exists()


def test_it_sends_no_receipt_to_an_anonymous_sender_without_an_address():
    _submit()
    assert not OutboxMessage.objects.exists()


def test_it_stores_the_feedback_even_when_the_broker_is_down(monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr("portal.tasks.outbox_send_task.delay", broken, raising=False)
    monkeypatch.setattr("portal.tasks.outbox_send_task.apply_async", broken, raising=False)
    item, _token = _submit(author=ResidentFactory())
    assert Feedback.objects.filter(pk=item.pk).exists()


def test_it_finds_nothing_for_a_wrong_or_over_long_token():
    AnonymousFeedbackFactory.with_token()
    assert feedback_for_reader(token="wrong") is None
    assert feedback_for_reader(token="") is None
    assert feedback_for_reader(token="x" * 500) is None


def test_it_does_not_open_a_signed_in_authors_item_by_token():
    item, token = AnonymousFeedbackFactory.with_token()
    item.author = ResidentFactory()
    item.save(update_fields=["author"])
    assert feedback_for_reader(token=token) is None


# --- Rating ------------------------------------------------------------------------------------


def test_it_records_a_rating_once():
    item = FeedbackFactory()
    ReplyFactory(feedback=item)
    feedback_rate(feedback_id=item.pk, rating=4)
    item.refresh_from_db()
    assert item.rating == 4
    assert item.rated_at is not None
    with pytest.raises(ValidationError) as exc:
        feedback_rate(feedback_id=item.pk, rating=5)
    assert _code(exc) == "already_rated"
    item.refresh_from_db()
    assert item.rating == 4


@pytest.mark.parametrize("rating", [0, 6, -1, True])
def test_it_refuses_a_rating_outside_1_to_5(rating):
    item = FeedbackFactory()
    ReplyFactory(feedback=item)
    with pytest.raises(ValidationError) as exc:
        feedback_rate(feedback_id=item.pk, rating=rating)
    assert _code(exc) == "rating_invalid"


def test_it_refuses_a_rating_before_there_is_an_answer():
    item = FeedbackFactory()
    with pytest.raises(ValidationError) as exc:
        feedback_rate(feedback_id=item.pk, rating=3)
    assert _code(exc) == "no_reply_yet"


# --- Writing back ------------------------------------------------------------------------------


def test_it_reopens_an_answered_item_when_the_author_writes_back():
    item = FeedbackFactory(status=Feedback.Status.ANSWERED)
    ReplyFactory(feedback=item)
    feedback_follow_up(feedback_id=item.pk, text="  That did not answer my question.  ")
    item.refresh_from_db()
    assert item.status == Feedback.Status.NEW
    assert item.follow_up == "That did not answer my question."
    assert item.follow_up_at is not None


def test_it_reopens_an_assigned_item_as_assigned_and_tells_the_assignee():
    staff = OfficerFactory(language="es")
    AdministratorFactory()
    item = FeedbackFactory(status=Feedback.Status.CLOSED, assigned_to=staff, closed_at=timezone.now())
    ReplyFactory(feedback=item)
    feedback_follow_up(feedback_id=item.pk, text="Still waiting for the patrol schedule.")
    item.refresh_from_db()
    assert item.status == Feedback.Status.ASSIGNED
    assert item.closed_at is None
    mails = list(OutboxMessage.objects.filter(dedupe_key__startswith="feedback.follow-up:"))
    assert [(m.to, m.language) for m in mails] == [(staff.email, "es")]


def test_it_tells_the_administrators_when_nobody_is_assigned_without_the_authors_details():
    admins = [AdministratorFactory(), AdministratorFactory()]
    OfficerFactory()
    item = AnonymousFeedbackFactory(contact_email="secret@example.org")
    ReplyFactory(feedback=item)
    feedback_follow_up(feedback_id=item.pk, text="Please look again.")
    mails = OutboxMessage.objects.filter(dedupe_key__startswith="feedback.follow-up:")
    assert sorted(m.to for m in mails) == sorted(a.email for a in admins)
    for mail in mails:
        assert "secret@example.org" not in str(mail.context)


def test_it_lets_the_author_write_back_only_once():
    item = FeedbackFactory()
    ReplyFactory(feedback=item)
    feedback_follow_up(feedback_id=item.pk, text="One")
    with pytest.raises(ValidationError) as exc:
        feedback_follow_up(feedback_id=item.pk, text="Two")
    assert _code(exc) == "already_followed_up"
    item.refresh_from_db()
    assert item.follow_up == "One"


@pytest.mark.parametrize("text", ["", "   ", "z" * 5001])
def test_it_refuses_an_empty_or_over_long_reply_back(text):
    item = FeedbackFactory()
    ReplyFactory(feedback=item)
    with pytest.raises(ValidationError):
        feedback_follow_up(feedback_id=item.pk, text=text)
    item.refresh_from_db()
    assert item.follow_up_at is None


def test_it_refuses_a_reply_back_before_there_is_an_answer():
    item = FeedbackFactory()
    with pytest.raises(ValidationError) as exc:
        feedback_follow_up(feedback_id=item.pk, text="Hello?")
    assert _code(exc) == "no_reply_yet"
