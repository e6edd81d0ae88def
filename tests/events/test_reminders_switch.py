"""The reminders switch: guests through their private link, account holders on their RSVP's page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from events.models import RSVP
from events.services.reminders import reminder_windows, reminders_due
from events.services.rsvp import rsvp_reminders_set
from tests.events.factories import EventFactory, GuestRSVPFactory, RSVPFactory
from tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db


def _manage_url(token: str) -> str:
    return reverse("events:guest-manage", kwargs={"token": token})


def _due_now(rsvp: RSVP) -> bool:
    """Whether the 24-hour reminder scan, run as the event is a day away, would pick this RSVP."""
    now = rsvp.event.starts_at - timedelta(hours=23)
    window = next(window for window in reminder_windows() if window.offset_hours == 24)
    return reminders_due(now=now, window=window).filter(pk=rsvp.pk).exists()


def _confirmed_long_ago(**kwargs) -> RSVP:
    return RSVPFactory(confirmed_at=timezone.now() - timedelta(days=3), **kwargs)


# --- The service -------------------------------------------------------------------------------


def test_it_turns_an_rsvps_reminders_off_and_the_scan_skips_it():
    rsvp = _confirmed_long_ago()
    assert _due_now(rsvp)
    rsvp_reminders_set(rsvp_id=rsvp.pk, enabled=False)
    rsvp.refresh_from_db()
    assert rsvp.reminders is False
    assert not _due_now(rsvp)


def test_it_turns_reminders_back_on():
    rsvp = _confirmed_long_ago(reminders=False)
    rsvp_reminders_set(rsvp_id=rsvp.pk, enabled=True)
    rsvp.refresh_from_db()
    assert rsvp.reminders is True
    assert _due_now(rsvp)


def test_it_changes_nothing_when_the_value_is_already_set():
    rsvp = RSVPFactory(reminders=False)
    assert rsvp_reminders_set(rsvp_id=rsvp.pk, enabled=False).reminders is False
    assert RSVP.objects.get(pk=rsvp.pk).reminders is False


def test_it_refuses_an_unknown_rsvp_and_a_value_that_is_not_a_boolean():
    rsvp = RSVPFactory()
    with pytest.raises(ValidationError) as exc:
        rsvp_reminders_set(rsvp_id=rsvp.pk + 1000, enabled=False)
    assert exc.value.code == "not_found"
    with pytest.raises(ValidationError) as exc:
        rsvp_reminders_set(rsvp_id=rsvp.pk, enabled="off")
    assert exc.value.code == "invalid_choice"


# --- Guests: the private link ------------------------------------------------------------------


def test_it_shows_a_guest_the_switch_on_the_private_page(client):
    _rsvp, token = GuestRSVPFactory.with_token()
    page = client.get(_manage_url(token)).content.decode()
    assert "Stop reminders for this event" in page
    assert 'name="reminders" value="off"' in page


def test_it_lets_a_guest_stop_and_restart_reminders_with_the_private_link(client):
    rsvp, token = GuestRSVPFactory.with_token()
    response = client.post(_manage_url(token), {"reminders": "off"})
    assert response.status_code == 302
    assert response["Location"] == _manage_url(token)
    rsvp.refresh_from_db()
    assert rsvp.reminders is False
    page = client.get(_manage_url(token)).content.decode()
    assert "Reminders are off for this event" in page
    assert 'name="reminders" value="on"' in page

    client.post(_manage_url(token), {"reminders": "on"})
    rsvp.refresh_from_db()
    assert rsvp.reminders is True


def test_it_answers_a_guests_bad_switch_value_with_400_and_a_message(client):
    rsvp, token = GuestRSVPFactory.with_token()
    for data in ({"reminders": "maybe"}, {}):
        response = client.post(_manage_url(token), data)
        assert response.status_code == 400
        assert "Choose whether to get reminders." in response.content.decode()
    rsvp.refresh_from_db()
    assert rsvp.reminders is True


def test_it_answers_the_switch_with_a_wrong_token_with_404(client):
    rsvp, _token = GuestRSVPFactory.with_token()
    response = client.post(_manage_url("not-the-token"), {"reminders": "off"})
    assert response.status_code == 404
    rsvp.refresh_from_db()
    assert rsvp.reminders is True


def test_it_keeps_the_private_page_out_of_caches_after_a_post(client):
    _rsvp, token = GuestRSVPFactory.with_token()
    response = client.post(_manage_url(token), {"reminders": "maybe"})
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "same-origin"


def test_it_hides_the_switch_once_the_rsvp_or_the_event_is_cancelled(client):
    _rsvp, token = GuestRSVPFactory.with_token(status=RSVP.Status.CANCELLED)
    assert "Stop reminders" not in client.get(_manage_url(token)).content.decode()
    _rsvp, token = GuestRSVPFactory.with_token(event=EventFactory(status="cancelled"))
    assert "Stop reminders" not in client.get(_manage_url(token)).content.decode()


# --- Account holders: the RSVP's page ----------------------------------------------------------


def test_it_lets_an_account_holder_stop_reminders_for_one_event(client):
    rsvp = RSVPFactory()
    other = RSVPFactory(user=rsvp.user)
    client.force_login(rsvp.user)
    page = client.get(reverse("events:rsvp", kwargs={"slug": rsvp.event.slug})).content.decode()
    assert "Stop reminders for this event" in page

    response = client.post(reverse("events:rsvp-change", kwargs={"slug": rsvp.event.slug}), {"reminders": "off"})
    assert response.status_code == 302
    assert response["Location"] == reverse("events:rsvp", kwargs={"slug": rsvp.event.slug})
    rsvp.refresh_from_db()
    other.refresh_from_db()
    assert rsvp.reminders is False
    assert other.reminders is True
    assert rsvp.party_size == 1  # the party size form was not involved


def test_it_answers_an_account_holders_bad_switch_value_with_400(client):
    rsvp = RSVPFactory()
    client.force_login(rsvp.user)
    response = client.post(reverse("events:rsvp-change", kwargs={"slug": rsvp.event.slug}), {"reminders": "later"})
    assert response.status_code == 400
    assert "Choose whether to get reminders." in response.content.decode()


def test_it_refuses_the_switch_to_someone_without_an_rsvp(client):
    rsvp = RSVPFactory()
    client.force_login(ResidentFactory())
    response = client.post(reverse("events:rsvp-change", kwargs={"slug": rsvp.event.slug}), {"reminders": "off"})
    assert response.status_code == 404
    rsvp.refresh_from_db()
    assert rsvp.reminders is True


def test_it_points_to_the_account_setting_when_reminders_are_off_for_the_account(client):
    user = ResidentFactory(email_event_reminders=False)
    rsvp = RSVPFactory(user=user)
    client.force_login(user)
    page = client.get(reverse("events:rsvp", kwargs={"slug": rsvp.event.slug})).content.decode()
    assert "turned off for your whole account" in page
    assert reverse("portal:account") in page
    assert 'name="reminders"' not in page
