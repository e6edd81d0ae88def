from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone

from events import calendars
from events.models import RSVP, Event
from events.views import feeds
from tests.events.factories import EventFactory, GuestRSVPFactory, RSVPFactory
from tests.factories import ResidentFactory

CHICAGO = ZoneInfo("America/Chicago")
ONLINE = "https://meet.example.org/room-secret-77"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "https://portal.example.org"
    settings.TIME_ZONE = "America/Chicago"


def parse(response) -> icalendar.Calendar:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.content)


def vevents(calendar: icalendar.Calendar) -> dict[str, icalendar.Event]:
    return {str(component["UID"]): component for component in calendar.walk("VEVENT")}


def event_url(event: Event) -> str:
    return reverse("events_feeds:event", kwargs={"slug": event.slug})


# --- One event ----------------------------------------------------------------------------------


def test_it_serves_one_event_as_an_ics_file(db, client):
    event = EventFactory(
        title="Coffee with a Cop",
        starts_at=datetime(2031, 7, 4, 9, 30, tzinfo=CHICAGO),
        ends_at=datetime(2031, 7, 4, 11, 0, tzinfo=CHICAGO),
        venue_name="Riverside Library",
        address="100 Main Street, Riverside",
    )
    Event.objects.filter(pk=event.pk).update(sequence=3)
    response = client.get(event_url(event))
    assert response["Content-Disposition"] == f'attachment; filename="{event.slug}.ics"'
    calendar = parse(response)
    (component,) = calendar.walk("VEVENT")
    assert str(component["UID"]) == f"event-{event.pk}@portal.example.org"
    assert component["SEQUENCE"] == 3
    assert str(component["STATUS"]) == "CONFIRMED"
    assert str(component["SUMMARY"]) == "Coffee with a Cop"
    assert str(component["LOCATION"]) == "Riverside Library, 100 Main Street, Riverside"
    assert str(component["URL"]) == f"https://portal.example.org/events/{event.slug}/"
    assert component.decoded("DTSTAMP") is not None
    start, end = component.decoded("DTSTART"), component.decoded("DTEND")
    assert start == event.starts_at
    assert end == datetime(2031, 7, 4, 11, 0, tzinfo=CHICAGO)
    assert component["DTSTART"].params["TZID"] == "America/Chicago"
    assert [tz.tz_name for tz in calendar.timezones] == ["America/Chicago"]
    assert start.utcoffset() == timedelta(hours=-5)  # daylight time in July


def test_it_uses_standard_time_in_winter(db, client):
    event = EventFactory(starts_at=datetime(2031, 1, 15, 18, tzinfo=CHICAGO))
    (component,) = parse(client.get(event_url(event))).walk("VEVENT")
    assert component.decoded("DTSTART").utcoffset() == timedelta(hours=-6)
    assert component.decoded("DTSTART") == event.starts_at


def test_it_marks_a_cancelled_event_cancelled(db, client):
    event = EventFactory(status=Event.Status.CANCELLED, cancellation_reason="Storm warning.")
    (component,) = parse(client.get(event_url(event))).walk("VEVENT")
    assert str(component["STATUS"]) == "CANCELLED"
    assert "Storm warning." in str(component["DESCRIPTION"])


def test_it_never_puts_the_online_link_in_a_public_file(db, client):
    event = EventFactory(online_url=ONLINE, venue_name="", address="")
    RSVPFactory(event=event)
    client.force_login(RSVPFactory(event=event).user)  # even for someone with a seat
    response = client.get(event_url(event))
    assert ONLINE not in response.content.decode()
    (component,) = parse(response).walk("VEVENT")
    assert str(component["LOCATION"]) == "Online"


@pytest.mark.parametrize("status", [Event.Status.DRAFT])
def test_it_has_no_file_for_a_draft(db, client, status):
    assert client.get(event_url(EventFactory(status=status))).status_code == 404


def test_it_has_no_file_for_an_unknown_event(db, client):
    assert client.get("/events/no-such-event/calendar.ics").status_code == 404


def test_it_keeps_the_uid_stable_and_raises_the_sequence(db, client):
    event = EventFactory()
    first = vevents(parse(client.get(event_url(event))))
    Event.objects.filter(pk=event.pk).update(sequence=1, starts_at=event.starts_at + timedelta(hours=1))
    second = vevents(parse(client.get(event_url(event))))
    assert first.keys() == second.keys()
    (uid,) = second
    assert (first[uid]["SEQUENCE"], second[uid]["SEQUENCE"]) == (0, 1)


# --- The department's feed ------------------------------------------------------------------------


def test_it_lists_published_and_cancelled_events_from_a_month_ago(db, client):
    now = timezone.now()
    recent = EventFactory(starts_at=now - timedelta(days=10), ends_at=now - timedelta(days=10) + timedelta(hours=1))
    upcoming = EventFactory(online_url=ONLINE)
    cancelled = EventFactory(status=Event.Status.CANCELLED)
    EventFactory(status=Event.Status.DRAFT)
    EventFactory(starts_at=now - timedelta(days=40), ends_at=now - timedelta(days=40) + timedelta(hours=1))
    response = client.get(reverse("events_feeds:department"))
    assert "Content-Disposition" not in response
    assert ONLINE not in response.content.decode()
    components = vevents(parse(response))
    uid = calendars.event_uid
    assert set(components) == {uid(event=recent), uid(event=upcoming), uid(event=cancelled)}
    assert str(components[uid(event=cancelled)]["STATUS"]) == "CANCELLED"
    assert str(components[uid(event=upcoming)]["STATUS"]) == "CONFIRMED"


def test_it_serves_the_department_feed_without_a_language_prefix(db, client):
    assert reverse("events_feeds:department") == "/events/calendar.ics"
    assert client.get("/es/events/calendar.ics").status_code == 404


# --- A person's feed --------------------------------------------------------------------------------


def personal_url(user) -> str:
    return reverse("events_feeds:personal", kwargs={"token": calendars.personal_feed_token(user=user)})


def test_it_lists_the_seats_and_waitlist_places_in_a_personal_feed(db, client):
    person = ResidentFactory()
    seat = RSVPFactory(user=person, event=EventFactory(online_url=ONLINE))
    waiting = RSVPFactory(
        user=person, status=RSVP.Status.WAITLISTED, queued_at=timezone.now(), event=EventFactory(online_url=ONLINE)
    )
    RSVPFactory(user=person, status=RSVP.Status.CANCELLED)
    RSVPFactory(user=person, event=EventFactory(status=Event.Status.DRAFT))
    RSVPFactory()  # someone else's
    response = client.get(personal_url(person))  # no session needed: the token is the key
    components = vevents(parse(response))
    assert set(components) == {calendars.event_uid(event=seat.event), calendars.event_uid(event=waiting.event)}
    seat_description = str(components[calendars.event_uid(event=seat.event)]["DESCRIPTION"])
    waiting_description = str(components[calendars.event_uid(event=waiting.event)]["DESCRIPTION"])
    # The link is theirs for a confirmed seat only.
    assert ONLINE in seat_description
    assert seat.seat_code in seat_description
    assert ONLINE not in waiting_description
    assert "waitlist" in waiting_description


def test_it_writes_a_personal_feed_in_the_persons_language(db, client):
    person = ResidentFactory(language="es")
    RSVPFactory(user=person)
    (component,) = parse(client.get(personal_url(person))).walk("VEVENT")
    # Its links open the Spanish pages (the texts follow once the Spanish catalogue has them).
    assert str(component["URL"]).startswith("https://portal.example.org/es/events/")


@pytest.mark.parametrize(
    "token",
    ["nonsense", "1-1-abc", "x-y-z", "999999-1-" + "0" * 40, "-".join(["1"] * 50), "a" * 300],
)
def test_it_answers_a_wrong_or_malformed_personal_token_with_404(db, client, token):
    ResidentFactory()
    assert client.get(f"/events/calendar/{token}.ics").status_code == 404


def test_it_answers_a_stale_personal_token_with_404(db, client):
    person = ResidentFactory()
    old = personal_url(person)
    calendars.personal_feed_regenerate(user=person)
    assert client.get(old).status_code == 404
    assert client.get(personal_url(person)).status_code == 200


def test_it_closes_the_feed_of_a_deactivated_account(db, client):
    person = ResidentFactory()
    url = personal_url(person)
    person.is_active = False
    person.save(update_fields=["is_active"])
    assert client.get(url).status_code == 404


# --- A guest's feed -----------------------------------------------------------------------------------


def guest_url(token: str) -> str:
    return reverse("events_feeds:guest", kwargs={"token": token})


def test_it_serves_a_guest_their_one_event_with_the_link_for_a_seat(db, client):
    rsvp, token = GuestRSVPFactory.with_token(event=EventFactory(online_url=ONLINE))
    RSVPFactory(event=EventFactory())
    response = client.get(guest_url(token))
    assert response["Content-Disposition"] == f'attachment; filename="{rsvp.event.slug}.ics"'
    (component,) = parse(response).walk("VEVENT")
    assert str(component["UID"]) == calendars.event_uid(event=rsvp.event)
    assert ONLINE in str(component["DESCRIPTION"])
    assert str(component["STATUS"]) == "CONFIRMED"


@pytest.mark.parametrize("status", [RSVP.Status.PENDING, RSVP.Status.WAITLISTED])
def test_it_gives_a_guest_without_a_seat_no_online_link(db, client, status):
    _rsvp, token = GuestRSVPFactory.with_token(
        event=EventFactory(online_url=ONLINE), status=status, queued_at=timezone.now()
    )
    response = client.get(guest_url(token))
    assert ONLINE not in response.content.decode()
    assert len(parse(response).walk("VEVENT")) == 1


def test_it_marks_a_cancelled_guest_rsvp_cancelled(db, client):
    _rsvp, token = GuestRSVPFactory.with_token(status=RSVP.Status.CANCELLED)
    (component,) = parse(client.get(guest_url(token))).walk("VEVENT")
    assert str(component["STATUS"]) == "CANCELLED"


def test_it_answers_a_wrong_guest_token_with_404(db, client):
    GuestRSVPFactory.with_token()
    assert client.get(guest_url("not-the-token")).status_code == 404
    assert client.get(guest_url("a" * 500)).status_code == 404


def test_it_answers_a_guest_token_of_a_draft_event_with_404(db, client):
    _rsvp, token = GuestRSVPFactory.with_token(event=EventFactory(status=Event.Status.DRAFT))
    assert client.get(guest_url(token)).status_code == 404


def test_it_uses_the_same_token_purpose_as_the_rsvp_services(db):
    from tests.events.factories import RSVP_TOKEN_PURPOSE

    assert feeds.GUEST_TOKEN_PURPOSE == RSVP_TOKEN_PURPOSE


# --- Helpers ---------------------------------------------------------------------------------------------


def test_it_makes_webcal_addresses(db):
    assert calendars.webcal_url("https://a.example/x.ics") == "webcal://a.example/x.ics"
    assert calendars.webcal_url("http://a.example/x.ics") == "webcal://a.example/x.ics"
    assert calendars.webcal_url("webcal://a.example/x.ics") == "webcal://a.example/x.ics"
