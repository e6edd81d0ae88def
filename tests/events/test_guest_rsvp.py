"""RSVP without an account: pending until the emailed link is used, then managed through that link."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from events import selectors
from events.models import RSVP, Event
from events.services.rsvp import (
    RSVP_TOKEN_PURPOSE,
    guest_rsvp_cancel,
    guest_rsvp_change_party,
    guest_rsvp_confirm,
    guest_rsvp_create,
    guest_rsvp_get,
    rsvp_create,
)
from portal import tokens
from portal.models import OutboxMessage
from portal.outbox import outbox_render
from tests.events.factories import EventFactory, GuestRSVPFactory, RSVPFactory
from tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db

Status = RSVP.Status


def _guest(event: Event, email: str = "Sam@Example.org", party_size: int = 1, **kwargs) -> tuple[RSVP, str]:
    fields = {"name": "Sam Rivera", "language": "en", **kwargs}
    return guest_rsvp_create(event_id=event.pk, email=email, party_size=party_size, **fields)


def _links() -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(template="events/email/guest_link").order_by("pk"))


def _url(name: str, token: str) -> str:
    return reverse(name, kwargs={"token": token})


def _form_url(event: Event) -> str:
    return reverse("events:guest-rsvp", kwargs={"slug": event.slug})


def _code(call) -> str:
    with pytest.raises(ValidationError) as exc:
        call()
    return exc.value.code


# --- The services ------------------------------------------------------------------------------


def test_it_holds_a_guest_rsvp_as_pending_without_a_seat():
    event = EventFactory(capacity=2)
    rsvp, token = _guest(event, party_size=2)
    assert rsvp.status == Status.PENDING
    assert rsvp.guest_email == "sam@example.org"
    assert rsvp.manage_token_hash == tokens.token_hash(token, purpose=RSVP_TOKEN_PURPOSE)
    assert token not in rsvp.manage_token_hash
    assert selectors.event_seats_taken(event=event) == 0


def test_it_emails_the_private_link_to_confirm():
    event = EventFactory()
    _rsvp, token = _guest(event, language="es")
    [message] = _links()
    assert message.to == "sam@example.org"
    assert message.language == "es"
    email = outbox_render(message)
    assert f"http://testserver/es/events/rsvp/{token}/" in email.body or f"/es/events/rsvp/{token}/" in email.body
    assert email.body.count(token) >= 1


def test_it_builds_the_link_from_the_site_url(settings):
    settings.SITE_URL = "https://portal.example.gov"
    _rsvp, token = _guest(EventFactory())
    assert f"https://portal.example.gov/events/rsvp/{token}/" in outbox_render(_links()[0]).body


def test_it_confirms_a_guest_with_the_same_seat_rules():
    event = EventFactory(capacity=2)
    RSVPFactory(event=event)
    _first, first_token = _guest(event, email="a@example.org")
    _second, second_token = _guest(event, email="b@example.org")
    assert guest_rsvp_confirm(token=first_token).status == Status.CONFIRMED
    assert guest_rsvp_confirm(token=second_token).status == Status.WAITLISTED
    assert selectors.event_seats_taken(event=event) == 2


def test_it_queues_a_guest_by_the_moment_they_confirm_not_the_moment_they_asked():
    event = EventFactory(capacity=1)
    RSVPFactory(event=event)
    early, early_token = _guest(event, email="early@example.org")
    resident = rsvp_create(event_id=event.pk, user=ResidentFactory(), party_size=1)
    guest_rsvp_confirm(token=early_token)
    early.refresh_from_db()
    assert selectors.waitlist_position(rsvp=resident) == 1
    assert selectors.waitlist_position(rsvp=early) == 2


def test_it_confirms_once_however_often_the_button_is_pressed():
    _rsvp, token = _guest(EventFactory())
    first = guest_rsvp_confirm(token=token)
    second = guest_rsvp_confirm(token=token)
    assert first.confirmed_at == second.confirmed_at
    assert OutboxMessage.objects.filter(template="events/email/rsvp_confirmed").count() == 1


def test_it_sends_the_guest_a_seat_email_with_the_private_link_and_calendar():
    event = EventFactory(online_url="https://meet.example.org/x")
    rsvp, token = _guest(event)
    guest_rsvp_confirm(token=token)
    message = OutboxMessage.objects.get(template="events/email/rsvp_confirmed")
    body = outbox_render(message).body
    rsvp.refresh_from_db()
    assert rsvp.seat_code in body
    assert f"/events/rsvp/{token}/" in body
    assert f"/events/rsvp/{token}/calendar.ics" in body
    assert "https://meet.example.org/x" in body


def test_it_refuses_to_confirm_after_the_deadline():
    event = EventFactory()
    _rsvp, token = _guest(event)
    Event.objects.filter(pk=event.pk).update(rsvp_deadline=timezone.now() - timedelta(minutes=1))
    assert _code(lambda: guest_rsvp_confirm(token=token)) == "deadline_passed"


def test_it_mails_a_new_link_instead_of_a_second_rsvp_for_the_same_address():
    event = EventFactory()
    first, old_token = _guest(event, email="sam@example.org", party_size=2)
    guest_rsvp_confirm(token=old_token)
    again, new_token = _guest(event, email="SAM@example.org ", party_size=5, name="Someone Else")
    assert again.pk == first.pk
    assert RSVP.objects.filter(event=event).count() == 1
    again.refresh_from_db()
    assert (again.party_size, again.guest_name, again.status) == (2, "Sam Rivera", Status.CONFIRMED)
    assert guest_rsvp_get(token=old_token) is None
    assert guest_rsvp_get(token=new_token) == again
    assert len(_links()) == 2
    assert "the old one no longer works" in outbox_render(_links()[1]).body


def test_it_reuses_a_cancelled_guest_rsvp_when_the_address_asks_again():
    event = EventFactory()
    rsvp, token = _guest(event)
    guest_rsvp_cancel(token=token)
    again, new_token = _guest(event, party_size=3)
    assert again.pk == rsvp.pk
    assert (again.status, again.party_size) == (Status.PENDING, 3)
    assert guest_rsvp_get(token=token) is None
    assert guest_rsvp_get(token=new_token) == again


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"name": ""}, "name_required"),
        ({"name": "x" * 151}, "name_too_long"),
        ({"email": "not-an-address"}, "email_invalid"),
        ({"email": ("x" * 250) + "@example.org"}, "email_too_long"),
        ({"party_size": 0}, "party_size"),
        ({"party_size": 7}, "party_size"),
    ],
)
def test_it_refuses_bad_guest_input(fields, code):
    event = EventFactory()
    assert _code(lambda: _guest(event, **fields)) == code
    assert not RSVP.objects.exists()


def test_it_refuses_a_guest_rsvp_to_a_closed_event():
    event = EventFactory(status=Event.Status.CANCELLED)
    assert _code(lambda: _guest(event)) == "event_cancelled"


def test_it_changes_and_cancels_through_the_link():
    event = EventFactory(capacity=3)
    _rsvp, token = _guest(event, party_size=2)
    guest_rsvp_confirm(token=token)
    two = rsvp_create(event_id=event.pk, user=ResidentFactory(), party_size=2)
    three = rsvp_create(event_id=event.pk, user=ResidentFactory(), party_size=3)
    assert guest_rsvp_change_party(token=token, party_size=1).party_size == 1
    two.refresh_from_db()
    assert two.status == Status.CONFIRMED
    guest_rsvp_cancel(token=token)
    three.refresh_from_db()
    assert three.status == Status.WAITLISTED  # 1 seat free is not 3


def test_it_refuses_a_wrong_token_in_the_services():
    assert _code(lambda: guest_rsvp_confirm(token="nope")) == "not_found"
    assert guest_rsvp_get(token="x" * 500) is None


def test_it_opens_no_guest_rsvp_of_a_draft_event():
    _rsvp, token = GuestRSVPFactory.with_token(event=EventFactory(status=Event.Status.DRAFT))
    assert guest_rsvp_get(token=token) is None


# --- The pages ---------------------------------------------------------------------------------


def test_it_shows_the_guest_form_and_what_happens_with_the_email():
    page = Client().get(_form_url(EventFactory()))
    assert page.status_code == 200
    text = page.content.decode()
    assert 'name="email"' in text
    assert "We use your name and email address only for this event" in text


def test_it_answers_every_address_with_the_same_check_your_email_page():
    event = EventFactory()
    client = Client()
    first = client.post(_form_url(event), {"name": "Sam", "email": "sam@example.org", "party_size": "1"})
    second = client.post(_form_url(event), {"name": "Kim", "email": "sam@example.org", "party_size": "4"})
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == f"{_form_url(event)}?sent=1"
    page = client.get(first["Location"])
    assert "Check your email" in page.content.decode()
    assert RSVP.objects.get().guest_name == "Sam"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "email": "a@example.org", "party_size": "1"}, "Enter your name."),
        ({"name": "x" * 151, "email": "a@example.org", "party_size": "1"}, "at most 150 characters"),
        ({"name": "Al", "email": "nope", "party_size": "1"}, "Enter an email address in the right format"),
        ({"name": "Al", "email": ("x" * 250) + "@example.org", "party_size": "1"}, "That email address is too long."),
        ({"name": "Al", "email": "a@example.org", "party_size": "0"}, "Enter a party size from 1 to 6."),
        ({"name": "Al", "email": "a@example.org", "party_size": "-4"}, "Enter a party size from 1 to 6."),
        ({"name": "Al", "email": "a@example.org", "party_size": "99"}, "Enter a party size from 1 to 6."),
        ({"name": "Al", "email": "a@example.org", "party_size": "many"}, "as a whole number"),
    ],
)
def test_it_explains_bad_input_on_the_guest_form(data, message):
    response = Client().post(_form_url(EventFactory()), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not RSVP.objects.exists()


def test_it_explains_a_closed_event_on_the_guest_form():
    event = EventFactory(rsvp_deadline=timezone.now() - timedelta(hours=1))
    response = Client().post(_form_url(event), {"name": "Al", "email": "a@example.org", "party_size": "1"})
    assert response.status_code == 400
    assert "The RSVP deadline for this event has passed." in response.content.decode()


def test_it_limits_guest_requests_per_connection():
    event = EventFactory()
    client = Client()
    statuses = [
        client.post(_form_url(event), {"name": "Al", "email": f"p{n}@example.org", "party_size": "1"}).status_code
        for n in range(11)
    ]
    assert statuses[:10] == [302] * 10
    assert statuses[10] == 429
    last = client.post(_form_url(event), {"name": "Al", "email": "new@example.org", "party_size": "1"})
    assert "Too many RSVP requests" in last.content.decode()
    assert RSVP.objects.count() == 10


def test_it_limits_links_mailed_to_one_address():
    event = EventFactory()
    statuses = [
        Client(REMOTE_ADDR=f"10.0.0.{n}")
        .post(_form_url(event), {"name": "Al", "email": "same@example.org", "party_size": "1"})
        .status_code
        for n in range(4)
    ]
    assert statuses == [302, 302, 302, 429]
    assert len(_links()) == 3


def test_it_answers_a_wrong_token_with_not_found_everywhere():
    client = Client()
    for name in ("events:guest-manage", "events:guest-confirm", "events:guest-change", "events:guest-cancel"):
        assert client.get(_url(name, "wrong-token")).status_code == 404
    for name in ("events:guest-confirm", "events:guest-change", "events:guest-cancel"):
        assert client.post(_url(name, "wrong-token"), {"party_size": "1"}).status_code == 404


def test_it_never_confirms_on_a_get_of_the_link():
    _rsvp, token = _guest(EventFactory())
    client = Client()
    for name in ("events:guest-manage", "events:guest-confirm"):
        page = client.get(_url(name, token))
        assert page.status_code == 200
        assert "Confirm my RSVP" in page.content.decode()
    assert RSVP.objects.get().status == Status.PENDING


def test_it_confirms_by_the_button_and_shows_the_seat_code():
    event = EventFactory(online_url="https://meet.example.org/x")
    _rsvp, token = _guest(event)
    client = Client()
    pending_page = client.get(_url("events:guest-manage", token)).content.decode()
    assert "https://meet.example.org/x" not in pending_page
    response = client.post(_url("events:guest-confirm", token))
    assert response.status_code == 302
    assert response["Location"] == _url("events:guest-manage", token)
    rsvp = RSVP.objects.get()
    assert rsvp.status == Status.CONFIRMED
    page = client.get(_url("events:guest-manage", token)).content.decode()
    assert rsvp.seat_code in page
    assert f'alt="QR code for seat code {rsvp.seat_code}"' in page
    assert "https://meet.example.org/x" in page
    assert reverse("events_feeds:guest", kwargs={"token": token}) in page


def test_it_explains_a_confirmation_after_the_deadline():
    event = EventFactory()
    _rsvp, token = _guest(event)
    Event.objects.filter(pk=event.pk).update(rsvp_deadline=timezone.now() - timedelta(minutes=1))
    response = Client().post(_url("events:guest-confirm", token))
    assert response.status_code == 400
    assert "The RSVP deadline for this event has passed." in response.content.decode()


def test_it_changes_the_party_size_through_the_link():
    _rsvp, token = _guest(EventFactory())
    guest_rsvp_confirm(token=token)
    client = Client()
    assert client.get(_url("events:guest-change", token)).status_code == 200
    response = client.post(_url("events:guest-change", token), {"party_size": "3"})
    assert response.status_code == 302
    assert RSVP.objects.get().party_size == 3
    bad = client.post(_url("events:guest-change", token), {"party_size": "0"})
    assert bad.status_code == 400
    assert RSVP.objects.get().party_size == 3


def test_it_cancels_through_the_link_and_is_safe_to_submit_twice():
    _rsvp, token = _guest(EventFactory())
    guest_rsvp_confirm(token=token)
    client = Client()
    assert client.get(_url("events:guest-cancel", token)).status_code == 200
    assert client.post(_url("events:guest-cancel", token)).status_code == 302
    assert client.post(_url("events:guest-cancel", token)).status_code == 302
    assert RSVP.objects.get().status == Status.CANCELLED
    assert OutboxMessage.objects.filter(template="events/email/rsvp_cancelled").count() == 1
    page = client.get(_url("events:guest-manage", token)).content.decode()
    assert "This RSVP is cancelled." in page


def test_it_keeps_private_link_pages_out_of_caches_referers_and_search_engines():
    _rsvp, token = _guest(EventFactory())
    response = Client().get(_url("events:guest-manage", token))
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    assert "noindex" in response["X-Robots-Tag"]
