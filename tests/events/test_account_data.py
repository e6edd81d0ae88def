"""The events part of "export my data" and "delete my account"."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from events.account_data import events_export
from events.models import RSVP
from events.services.rsvp import guest_rsvp_confirm, guest_rsvp_create, rsvp_create
from portal import account_data
from portal.accounts import account_delete, account_export
from portal.models import OutboxMessage
from tests.events.factories import EventFactory, GuestRSVPFactory, RSVPFactory
from tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db

Status = RSVP.Status


def _past_event(**kwargs):
    starts_at = timezone.now() - timedelta(days=10)
    return EventFactory(starts_at=starts_at, ends_at=starts_at + timedelta(hours=2), **kwargs)


def test_it_registers_the_events_part():
    assert "events" in [part.name for part in account_data.registered_parts()]


def test_it_exports_the_persons_rsvps_with_and_without_an_account():
    person = ResidentFactory(email="sam@example.org")
    seat = rsvp_create(event_id=EventFactory(title="Coffee").pk, user=person, party_size=2)
    guest, _token = guest_rsvp_create(
        event_id=EventFactory(title="Workshop").pk, name="Sam", email="SAM@example.org", party_size=1, language="en"
    )
    RSVPFactory(event=EventFactory(title="Someone else's"))
    rows = account_export(user=person)["events"]["rsvps"]
    assert [(row["event"], row["as_guest"], row["status"]) for row in rows] == [
        ("Coffee", False, "confirmed"),
        ("Workshop", True, "pending"),
    ]
    assert rows[0]["seat_code"] == seat.seat_code
    assert rows[1]["email"] == "sam@example.org"
    assert guest.pk
    json.dumps(rows, cls=DjangoJSONEncoder)


def test_it_puts_the_rsvps_in_the_download():
    person = ResidentFactory()
    rsvp_create(event_id=EventFactory(title="Coffee").pk, user=person, party_size=1)
    client = Client()
    client.force_login(person)
    data = json.loads(client.get(reverse("portal:account-export")).content)
    assert data["events"]["rsvps"][0]["event"] == "Coffee"


def test_it_gives_up_future_seats_to_the_waitlist_when_the_account_is_deleted():
    event = EventFactory(capacity=2)
    person = ResidentFactory()
    rsvp_create(event_id=event.pk, user=person, party_size=2)
    waiting = rsvp_create(event_id=event.pk, user=ResidentFactory(), party_size=2)
    account_delete(user=person)
    waiting.refresh_from_db()
    assert waiting.status == Status.CONFIRMED
    assert not RSVP.objects.filter(user=person).exists()


def test_it_leaves_the_deleted_person_no_waitlist_places_or_cancelled_rows():
    person = ResidentFactory()
    full = EventFactory(capacity=1)
    RSVPFactory(event=full)
    rsvp_create(event_id=full.pk, user=person, party_size=1)
    RSVPFactory(event=EventFactory(), user=person, status=Status.CANCELLED)
    account_delete(user=person)
    assert not RSVP.objects.filter(user=person).exists()


def test_it_keeps_past_attendance_only_tied_to_the_anonymised_account():
    person = ResidentFactory(first_name="Sam", last_name="Rivera")
    past = RSVPFactory(event=_past_event(), user=person, attendance=RSVP.Attendance.ATTENDED)
    account_delete(user=person)
    past.refresh_from_db()
    assert past.attendance == RSVP.Attendance.ATTENDED
    assert past.user.email.endswith("@invalid.example")
    assert past.display_name == past.user.email
    assert "Sam" not in past.display_name


def test_it_erases_the_name_and_address_of_guest_rsvps_made_from_the_same_address():
    person = ResidentFactory(email="sam@example.org")
    event = EventFactory(capacity=1)
    guest, token = guest_rsvp_create(
        event_id=event.pk, name="Sam R", email="sam@example.org", party_size=1, language="en"
    )
    guest_rsvp_confirm(token=token)
    waiting = rsvp_create(event_id=event.pk, user=ResidentFactory(), party_size=1)
    old = GuestRSVPFactory(event=_past_event(), guest_email="sam@example.org", guest_name="Sam R")
    account_delete(user=person)
    guest.refresh_from_db()
    old.refresh_from_db()
    waiting.refresh_from_db()
    assert guest.status == Status.CANCELLED
    assert waiting.status == Status.CONFIRMED
    for row in (guest, old):
        assert row.guest_name == ""
        assert "sam" not in row.guest_email
        assert row.manage_token_hash == ""
    assert not RSVP.objects.filter(guest_email="sam@example.org").exists()


def test_it_sends_the_deleted_person_no_cancellation_email():
    person = ResidentFactory(email="gone@example.org")
    rsvp_create(event_id=EventFactory().pk, user=person, party_size=1)
    account_delete(user=person)
    assert not OutboxMessage.objects.filter(to="gone@example.org").exists()
    assert not OutboxMessage.objects.filter(template="events/email/rsvp_cancelled").exists()


def test_it_exports_nothing_for_someone_without_rsvps():
    assert events_export(ResidentFactory()) == {"rsvps": []}
