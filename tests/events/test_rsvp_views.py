"""RSVP pages with an account: the form, the confirmation page, change, cancel, My events, bad input."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from events.models import RSVP, Event
from events.services.rsvp import rsvp_create
from tests.events.factories import EventFactory, RSVPFactory
from tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db

Status = RSVP.Status


def _signed_in(user=None) -> tuple[Client, object]:
    user = user or ResidentFactory()
    client = Client()
    client.force_login(user)
    return client, user


def _rsvp_url(event: Event, name: str = "events:rsvp") -> str:
    return reverse(name, kwargs={"slug": event.slug})


# --- Making an RSVP ------------------------------------------------------------------------------


def test_it_sends_visitors_to_sign_in_first():
    event = EventFactory()
    response = Client().get(_rsvp_url(event))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_it_shows_the_rsvp_form():
    client, _user = _signed_in()
    response = client.get(_rsvp_url(EventFactory()))
    assert response.status_code == 200
    assert 'name="party_size"' in response.content.decode()


def test_it_confirms_a_seat_and_shows_the_seat_code_with_its_qr_image():
    client, user = _signed_in()
    event = EventFactory()
    response = client.post(_rsvp_url(event), {"party_size": "2"})
    assert response.status_code == 302
    assert response["Location"] == _rsvp_url(event)
    rsvp = RSVP.objects.get(user=user)
    assert (rsvp.status, rsvp.party_size) == (Status.CONFIRMED, 2)
    page = client.get(_rsvp_url(event)).content.decode()
    assert rsvp.seat_code in page
    assert f'alt="QR code for seat code {rsvp.seat_code}"' in page
    assert reverse("events:seat-qr", kwargs={"code": rsvp.seat_code}) in page


def test_it_shows_the_waitlist_position_on_the_confirmation_page():
    event = EventFactory(capacity=1)
    RSVPFactory(event=event)
    rsvp_create(event_id=event.pk, user=ResidentFactory(), party_size=1)
    client, user = _signed_in()
    client.post(_rsvp_url(event), {"party_size": "1"})
    assert RSVP.objects.get(user=user).status == Status.WAITLISTED
    page = client.get(_rsvp_url(event)).content.decode()
    assert "number 2 in the queue" in page
    assert "QR code" not in page


def test_it_shows_the_online_link_only_to_someone_with_a_seat():
    event = EventFactory(capacity=1, online_url="https://meet.example.org/abc")
    seated, _user = _signed_in()
    seated.post(_rsvp_url(event), {"party_size": "1"})
    waiting, _other = _signed_in()
    waiting.post(_rsvp_url(event), {"party_size": "1"})
    assert "https://meet.example.org/abc" in seated.get(_rsvp_url(event)).content.decode()
    assert "https://meet.example.org/abc" not in waiting.get(_rsvp_url(event)).content.decode()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0", "Enter a party size from 1 to 6."),
        ("-1", "Enter a party size from 1 to 6."),
        ("7", "Enter a party size from 1 to 6."),
        ("two", "Enter the party size as a whole number, such as 2."),
        ("1.5", "Enter the party size as a whole number, such as 2."),
        ("", "Enter how many people are coming, including you."),
    ],
)
def test_it_explains_a_bad_party_size(value, message):
    client, user = _signed_in()
    response = client.post(_rsvp_url(EventFactory()), {"party_size": value})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not RSVP.objects.filter(user=user).exists()


def test_it_explains_a_party_too_large_for_the_whole_event():
    client, _user = _signed_in()
    response = client.post(_rsvp_url(EventFactory(capacity=3)), {"party_size": "4"})
    assert response.status_code == 400
    assert "This event has 3 seats in all, so a party of 4 cannot fit." in response.content.decode()


def test_it_answers_a_double_submit_with_a_clear_message():
    client, user = _signed_in()
    event = EventFactory()
    client.post(_rsvp_url(event), {"party_size": "1"})
    response = client.post(_rsvp_url(event), {"party_size": "1"})
    assert response.status_code == 400
    assert "You already have an RSVP for this event." in response.content.decode()
    assert RSVP.objects.filter(user=user).count() == 1


def test_it_refuses_an_rsvp_after_the_deadline():
    client, user = _signed_in()
    event = EventFactory(rsvp_deadline=timezone.now() - timedelta(hours=1))
    page = client.get(_rsvp_url(event))
    assert page.status_code == 200
    assert "The RSVP deadline for this event has passed." in page.content.decode()
    assert 'name="party_size"' not in page.content.decode()
    response = client.post(_rsvp_url(event), {"party_size": "1"})
    assert response.status_code == 400
    assert "The RSVP deadline for this event has passed." in response.content.decode()
    assert not RSVP.objects.filter(user=user).exists()


def test_it_refuses_an_rsvp_to_a_cancelled_event():
    client, _user = _signed_in()
    response = client.post(_rsvp_url(EventFactory(status=Event.Status.CANCELLED)), {"party_size": "1"})
    assert response.status_code == 400
    assert "This event is cancelled" in response.content.decode()


def test_it_hides_drafts_and_unknown_events():
    client, _user = _signed_in()
    assert client.get(_rsvp_url(EventFactory(status=Event.Status.DRAFT))).status_code == 404
    assert client.get(reverse("events:rsvp", kwargs={"slug": "no-such-event"})).status_code == 404


def test_it_refuses_an_account_without_a_verified_address():
    client, _user = _signed_in(ResidentFactory(verified=False))
    assert client.get(_rsvp_url(EventFactory())).status_code == 403


def test_it_answers_in_spanish_under_the_spanish_prefix():
    client, _user = _signed_in()
    event = EventFactory()
    response = client.get(f"/es{_rsvp_url(event)}")
    assert response.status_code == 200
    assert 'lang="es"' in response.content.decode()


# --- Changing the party size ------------------------------------------------------------------


def test_it_has_no_change_page_without_an_rsvp():
    client, _user = _signed_in()
    assert client.get(_rsvp_url(EventFactory(), "events:rsvp-change")).status_code == 404


def test_it_changes_the_party_size():
    client, user = _signed_in()
    event = EventFactory()
    client.post(_rsvp_url(event), {"party_size": "1"})
    page = client.get(_rsvp_url(event, "events:rsvp-change"))
    assert page.status_code == 200
    response = client.post(_rsvp_url(event, "events:rsvp-change"), {"party_size": "3"})
    assert response.status_code == 302
    assert RSVP.objects.get(user=user).party_size == 3


def test_it_keeps_the_seats_and_explains_when_a_party_cannot_grow():
    event = EventFactory(capacity=2)
    client, user = _signed_in()
    client.post(_rsvp_url(event), {"party_size": "1"})
    RSVPFactory(event=event)
    response = client.post(_rsvp_url(event, "events:rsvp-change"), {"party_size": "2"})
    assert response.status_code == 400
    assert "There are not enough free seats for a larger party. Your seats are kept." in response.content.decode()
    assert RSVP.objects.get(user=user).party_size == 1


@pytest.mark.parametrize("value", ["0", "-3", "9", "lots"])
def test_it_refuses_a_bad_party_size_on_the_change_page(value):
    client, user = _signed_in()
    event = EventFactory()
    client.post(_rsvp_url(event), {"party_size": "2"})
    response = client.post(_rsvp_url(event, "events:rsvp-change"), {"party_size": value})
    assert response.status_code == 400
    assert RSVP.objects.get(user=user).party_size == 2


# --- Cancelling -------------------------------------------------------------------------------


def test_it_asks_before_cancelling_and_cancels_on_post():
    client, user = _signed_in()
    event = EventFactory()
    client.post(_rsvp_url(event), {"party_size": "1"})
    page = client.get(_rsvp_url(event, "events:rsvp-cancel"))
    assert page.status_code == 200
    assert RSVP.objects.get(user=user).status == Status.CONFIRMED
    response = client.post(_rsvp_url(event, "events:rsvp-cancel"))
    assert response.status_code == 302
    assert response["Location"] == event.get_absolute_url()
    assert RSVP.objects.get(user=user).status == Status.CANCELLED


def test_it_answers_a_second_cancel_like_the_first():
    client, _user = _signed_in()
    event = EventFactory()
    client.post(_rsvp_url(event), {"party_size": "1"})
    client.post(_rsvp_url(event, "events:rsvp-cancel"))
    again = client.post(_rsvp_url(event, "events:rsvp-cancel"))
    assert again.status_code == 302
    # The page is gone once nothing is left to cancel.
    assert client.get(_rsvp_url(event, "events:rsvp-cancel")).status_code == 404


def test_it_cannot_cancel_what_you_do_not_have():
    client, _user = _signed_in()
    assert client.post(_rsvp_url(EventFactory(), "events:rsvp-cancel")).status_code == 404


def test_it_explains_a_cancel_after_the_start():
    client, user = _signed_in()
    event = EventFactory()
    client.post(_rsvp_url(event), {"party_size": "1"})
    Event.objects.filter(pk=event.pk).update(starts_at=timezone.now() - timedelta(minutes=5))
    response = client.post(_rsvp_url(event, "events:rsvp-cancel"))
    assert response.status_code == 400
    assert "already started" in response.content.decode()
    assert RSVP.objects.get(user=user).status == Status.CONFIRMED


def test_it_lets_someone_rsvp_again_after_cancelling():
    client, user = _signed_in()
    event = EventFactory()
    client.post(_rsvp_url(event), {"party_size": "1"})
    client.post(_rsvp_url(event, "events:rsvp-cancel"))
    assert 'name="party_size"' in client.get(_rsvp_url(event)).content.decode()
    assert client.post(_rsvp_url(event), {"party_size": "2"}).status_code == 302
    assert RSVP.objects.get(user=user).status == Status.CONFIRMED


# --- My events --------------------------------------------------------------------------------


def test_it_lists_my_seats_and_waitlist_places_upcoming_first():
    client, user = _signed_in()
    soon = EventFactory(title="Soon", capacity=2)
    later = EventFactory(title="Later", starts_at=timezone.now() + timedelta(days=20))
    later.ends_at = later.starts_at + timedelta(hours=1)
    later.save(update_fields=["ends_at"])
    past = EventFactory(title="Gone by", starts_at=timezone.now() - timedelta(days=3))
    past.ends_at = past.starts_at + timedelta(hours=1)
    past.save(update_fields=["ends_at"])
    RSVPFactory(event=soon, party_size=2)
    rsvp_create(event_id=soon.pk, user=ResidentFactory(), party_size=1)
    rsvp_create(event_id=soon.pk, user=user, party_size=2)  # waitlisted, second in line
    seat = rsvp_create(event_id=later.pk, user=user, party_size=1)
    RSVPFactory(event=past, user=user)
    cancelled = EventFactory(title="Changed my mind")
    RSVPFactory(event=cancelled, user=user, status=Status.CANCELLED)
    page = client.get(reverse("events:mine")).content.decode()
    assert page.index("Soon") < page.index("Later") < page.index("Gone by")
    assert "Waitlist: number 2 (party of 2)" in page
    assert seat.seat_code in page
    assert "Changed my mind" not in page


def test_it_shows_nobody_elses_rsvps_in_my_events():
    client, _user = _signed_in()
    other = RSVPFactory(event=EventFactory(title="Someone else's"))
    page = client.get(reverse("events:mine")).content.decode()
    assert "Someone else&#x27;s" not in page
    assert other.seat_code not in page
    assert "You have no upcoming events." in page


@pytest.mark.parametrize("count", [1, 12])
def test_it_keeps_my_events_query_count_flat(count, django_assert_num_queries):
    client, user = _signed_in()
    for _ in range(count):
        event = EventFactory(capacity=1)
        RSVPFactory(event=event)
        rsvp_create(event_id=event.pk, user=user, party_size=1)  # waitlisted
        RSVPFactory(event=EventFactory(), user=user)
    # session, user, roles (base layout), my RSVPs with events, districts and queue positions
    with django_assert_num_queries(4):
        response = client.get(reverse("events:mine"))
    assert response.status_code == 200


# --- The panel on the event page ------------------------------------------------------------


def test_it_offers_visitors_sign_in_or_an_rsvp_without_an_account():
    event = EventFactory()
    page = Client().get(event.get_absolute_url()).content.decode()
    assert reverse("events:guest-rsvp", kwargs={"slug": event.slug}) in page
    assert "Sign in to RSVP" in page


def test_it_shows_my_seat_code_in_the_panel():
    client, user = _signed_in()
    event = EventFactory()
    rsvp = rsvp_create(event_id=event.pk, user=user, party_size=1)
    page = client.get(event.get_absolute_url()).content.decode()
    assert rsvp.seat_code in page
    assert "See, change or cancel your RSVP" in page


def test_it_says_rsvps_are_closed_in_the_panel():
    event = EventFactory(rsvp_deadline=timezone.now() - timedelta(hours=1))
    page = Client().get(event.get_absolute_url()).content.decode()
    assert "RSVPs are closed for this event." in page
