"""The hosting pages: who gets in, creating and editing events through forms, bad input as 400s,
publish / cancel / duplicate, attendance, and flat query counts on the list."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from events.models import RSVP, Event
from portal.models import OutboxMessage
from tests.events.factories import EventFactory, RSVPFactory
from tests.factories import (
    AdministratorFactory,
    InvestigatorFactory,
    OfficerFactory,
    OfficerProfileFactory,
    ResidentFactory,
)

pytestmark = pytest.mark.django_db

FORMAT = "%Y-%m-%dT%H:%M"


@pytest.fixture
def host():
    officer = OfficerFactory()
    OfficerProfileFactory(user=officer)
    return officer


@pytest.fixture
def host_client(client, host):
    client.force_login(host)
    return client


@pytest.fixture
def admin_client(client):
    client.force_login(AdministratorFactory())
    return client


def _url(name: str, event: Event | None = None, **kwargs) -> str:
    if event is not None:
        kwargs["slug"] = event.slug
    return reverse(f"events:{name}", kwargs=kwargs or None)


def _local(moment) -> str:
    return timezone.localtime(moment).strftime(FORMAT)


def _form_data(**overrides) -> dict:
    start = (timezone.localtime() + timedelta(days=10)).replace(hour=18, minute=0, second=0, microsecond=0)
    data = {
        "title": "Coffee with a Cop",
        "kind": Event.Kind.COFFEE_WITH_A_COP,
        "summary": "Talk with the officers of your neighbourhood.",
        "description": "",
        "district": "",
        "starts_at": start.strftime(FORMAT),
        "ends_at": (start + timedelta(hours=2)).strftime(FORMAT),
        "venue_name": "Riverside Library",
        "address": "100 Main Street",
        "online_url": "",
        "capacity": "30",
        "rsvp_deadline": "",
        "accessibility_notes": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def _edit_data(event: Event, **overrides) -> dict:
    data = {
        "title": event.title,
        "kind": event.kind,
        "summary": event.summary,
        "description": event.description,
        "district": event.district_id or "",
        "starts_at": _local(event.starts_at),
        "ends_at": _local(event.ends_at),
        "venue_name": event.venue_name,
        "address": event.address,
        "online_url": event.online_url,
        "capacity": event.capacity if event.capacity is not None else "",
        "rsvp_deadline": _local(event.rsvp_deadline) if event.rsvp_deadline else "",
        "hosts": [host.pk for host in event.hosts.all()],
        "accessibility_notes": event.accessibility_notes,
    }
    data.update(overrides)
    return data


# --- Who gets in -------------------------------------------------------------------------------


@pytest.mark.parametrize(("factory", "status"), [(ResidentFactory, 403), (InvestigatorFactory, 403)])
@pytest.mark.parametrize("name", ["staff-list", "staff-create"])
def test_it_forbids_the_list_and_create_pages_to_non_hosts(client, factory, status, name):
    client.force_login(factory())

    assert client.get(_url(name)).status_code == status


@pytest.mark.parametrize(
    "name", ["staff-detail", "staff-edit", "staff-publish", "staff-cancel", "staff-duplicate", "staff-attendance"]
)
def test_it_hides_event_pages_from_officers_who_do_not_host_them(client, name):
    officer = OfficerFactory()
    OfficerProfileFactory(user=officer)
    client.force_login(officer)
    event = EventFactory(hosts=[OfficerProfileFactory()])

    assert client.get(_url(name, event)).status_code == 404
    if name != "staff-detail":  # a GET-only page
        assert client.post(_url(name, event), {"reason": "x"}).status_code == 404


@pytest.mark.parametrize("name", ["staff-detail", "staff-edit", "staff-attendance"])
def test_it_hides_event_pages_from_residents(client, name):
    client.force_login(ResidentFactory())

    assert client.get(_url(name, EventFactory())).status_code == 404


def test_it_shows_a_host_their_event(host_client, host):
    event = EventFactory(hosts=[host.officer_profile])

    response = host_client.get(_url("staff-detail", event))

    assert response.status_code == 200
    assert event.title in response.text


def test_it_answers_404_for_an_unknown_slug(admin_client):
    assert admin_client.get(_url("staff-detail", slug="no-such-event")).status_code == 404


def test_it_lists_only_the_events_an_officer_hosts(host_client, host):
    mine = EventFactory(hosts=[host.officer_profile], title="My meeting")
    EventFactory(title="Someone else's meeting")

    response = host_client.get(_url("staff-list"))

    assert response.status_code == 200
    assert list(response.context["events"]) == [mine]


def test_it_lists_every_event_for_an_administrator(admin_client):
    events = [EventFactory(), EventFactory(status=Event.Status.DRAFT)]

    response = admin_client.get(_url("staff-list"))

    assert {event.pk for event in response.context["events"]} == {event.pk for event in events}


def test_it_lists_past_events_separately(admin_client):
    past = EventFactory(starts_at=timezone.now() - timedelta(days=3), ends_at=timezone.now() - timedelta(days=3))
    upcoming = EventFactory()

    assert list(admin_client.get(_url("staff-list")).context["events"]) == [upcoming]
    assert list(admin_client.get(_url("staff-list") + "?show=past").context["events"]) == [past]
    assert admin_client.get(_url("staff-list") + "?show=nonsense&page=zzz").status_code == 200


@pytest.mark.parametrize("count", [5, 50])
def test_it_keeps_the_list_query_count_flat(client, django_assert_max_num_queries, count):
    officer = OfficerFactory()
    profile = OfficerProfileFactory(user=officer)
    for event in EventFactory.create_batch(count, hosts=[profile]):
        RSVPFactory(event=event)
    client.force_login(officer)

    with django_assert_max_num_queries(10):
        response = client.get(_url("staff-list"))

    assert response.status_code == 200


def test_it_works_in_spanish(admin_client):
    event = EventFactory()

    response = admin_client.get("/es" + _url("staff-detail", event))

    assert response.status_code == 200
    assert 'lang="es"' in response.text


# --- Create ------------------------------------------------------------------------------------


def test_it_creates_a_draft_from_the_form(host_client, host):
    response = host_client.post(_url("staff-create"), _form_data())

    event = Event.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _url("staff-detail", event)
    assert event.status == Event.Status.DRAFT
    assert event.slug == "coffee-with-a-cop"
    assert event.capacity == 30
    assert list(event.hosts.all()) == [host.officer_profile]
    assert timezone.localtime(event.starts_at).hour == 18  # typed in the department's time zone


def test_it_shows_an_empty_create_form(host_client):
    response = host_client.get(_url("staff-create"))

    assert response.status_code == 200
    assert 'type="datetime-local"' in response.text


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"ends_at": "2020-01-01T10:00"}, "ends_at"),
        ({"capacity": "0"}, "capacity"),
        ({"capacity": "-5"}, "capacity"),
        ({"capacity": "many"}, "capacity"),
        ({"title": "x" * 201}, "title"),
        ({"title": ""}, "title"),
        ({"starts_at": "next tuesday"}, "starts_at"),
        ({"starts_at": "2026-02-30T10:00"}, "starts_at"),
        ({"hosts": ["999999"]}, "hosts"),
        ({"hosts": ["not-a-number"]}, "hosts"),
        ({"kind": "party"}, "kind"),
        ({"district": "424242"}, "district"),
        ({"online_url": "not a url at all"}, "online_url"),
        ({"address": "a" * 301}, "address"),
        ({"description": "d" * 10001}, "description"),
    ],
)
def test_it_answers_bad_input_with_400_and_the_form(host_client, overrides, field):
    response = host_client.post(_url("staff-create"), _form_data(**overrides))

    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert "There is a problem" in response.text
    assert not Event.objects.exists()


def test_it_refuses_creating_for_residents(client):
    client.force_login(ResidentFactory())

    assert client.post(_url("staff-create"), _form_data()).status_code == 403
    assert not Event.objects.exists()


# --- Edit --------------------------------------------------------------------------------------


def test_it_prefills_the_edit_form(host_client, host):
    event = EventFactory(hosts=[host.officer_profile], title="Safety walk")

    response = host_client.get(_url("staff-edit", event))

    assert response.status_code == 200
    assert 'value="Safety walk"' in response.text
    assert _local(event.starts_at) in response.text


def test_it_saves_an_unchanged_form_without_emailing_anyone(host_client, host):
    event = EventFactory(hosts=[host.officer_profile])
    # A start with seconds, which the form does not show: it must not count as a change of time.
    event.starts_at = event.starts_at.replace(second=37)
    event.save(update_fields=["starts_at"])
    RSVPFactory(event=event)

    response = host_client.post(_url("staff-edit", event), _edit_data(event))

    assert response.status_code == 302
    event.refresh_from_db()
    assert event.sequence == 0
    assert event.starts_at.second == 37
    assert not OutboxMessage.objects.filter(template="events/email/event_changed").exists()


def test_it_emails_people_when_a_host_moves_the_event(host_client, host):
    event = EventFactory(hosts=[host.officer_profile])
    rsvp = RSVPFactory(event=event)
    later = event.starts_at + timedelta(days=1)

    response = host_client.post(
        _url("staff-edit", event),
        _edit_data(event, starts_at=_local(later), ends_at=_local(later + timedelta(hours=2))),
    )

    assert response.status_code == 302
    event.refresh_from_db()
    assert event.sequence == 1
    [message] = OutboxMessage.objects.filter(template="events/email/event_changed")
    assert message.to == rsvp.user.email


def test_it_shows_the_capacity_refusal_on_the_form(host_client, host):
    event = EventFactory(hosts=[host.officer_profile], capacity=10)
    RSVPFactory(event=event, party_size=4)

    response = host_client.post(_url("staff-edit", event), _edit_data(event, capacity="3"))

    assert response.status_code == 400
    assert "4 seats are already taken" in response.text
    event.refresh_from_db()
    assert event.capacity == 10


def test_it_shows_the_host_self_removal_refusal_on_the_form(host_client, host):
    event = EventFactory(hosts=[host.officer_profile])

    response = host_client.post(_url("staff-edit", event), _edit_data(event, hosts=[OfficerProfileFactory().pk]))

    assert response.status_code == 400
    assert "cannot remove yourself" in response.text


def test_it_does_not_edit_a_cancelled_event(admin_client):
    event = EventFactory(status=Event.Status.CANCELLED)

    assert "can no longer be changed" in admin_client.get(_url("staff-edit", event)).text
    response = admin_client.post(_url("staff-edit", event), _edit_data(event, title="Back on"))

    assert response.status_code == 400
    event.refresh_from_db()
    assert event.title != "Back on"


# --- Publish, cancel, duplicate ----------------------------------------------------------------


def test_it_publishes_a_draft_from_its_page(host_client, host):
    event = EventFactory(hosts=[host.officer_profile], status=Event.Status.DRAFT, published_at=None)

    assert host_client.get(_url("staff-publish", event)).status_code == 200
    response = host_client.post(_url("staff-publish", event))

    assert response.status_code == 302
    event.refresh_from_db()
    assert event.status == Event.Status.PUBLISHED


def test_it_says_why_a_draft_cannot_be_published(admin_client):
    event = EventFactory(status=Event.Status.DRAFT, venue_name="", address="", online_url="")

    response = admin_client.post(_url("staff-publish", event))

    assert response.status_code == 400
    assert "online meeting link" in response.text


def test_it_says_an_event_is_already_published(admin_client):
    response = admin_client.get(_url("staff-publish", EventFactory()))

    assert response.status_code == 200
    assert "already published" in response.text


def test_it_cancels_an_event_with_a_reason(host_client, host):
    event = EventFactory(hosts=[host.officer_profile])
    RSVPFactory(event=event)

    response = host_client.post(_url("staff-cancel", event), {"reason": "The hall is closed."})

    assert response.status_code == 302
    event.refresh_from_db()
    assert event.status == Event.Status.CANCELLED
    assert event.cancellation_reason == "The hall is closed."
    assert OutboxMessage.objects.filter(template="events/email/event_cancelled").count() == 1


@pytest.mark.parametrize("reason", ["", "r" * 501])
def test_it_asks_for_a_reason_to_cancel(admin_client, reason):
    event = EventFactory()

    response = admin_client.post(_url("staff-cancel", event), {"reason": reason})

    assert response.status_code == 400
    event.refresh_from_db()
    assert event.status == Event.Status.PUBLISHED


def test_it_refuses_to_cancel_twice_with_a_message(admin_client):
    event = EventFactory(status=Event.Status.CANCELLED)

    response = admin_client.post(_url("staff-cancel", event), {"reason": "Again"})

    assert response.status_code == 400
    assert "already cancelled" in response.text


def test_it_duplicates_an_event_for_next_month(host_client, host):
    event = EventFactory(hosts=[host.officer_profile])
    next_month = timezone.localtime(event.starts_at + timedelta(weeks=4)).replace(second=0)

    response = host_client.get(_url("staff-duplicate", event))
    assert response.status_code == 200
    assert _local(next_month) in response.text

    response = host_client.post(_url("staff-duplicate", event), {"starts_at": _local(next_month)})

    copy = Event.objects.exclude(pk=event.pk).get()
    assert response.status_code == 302
    assert response["Location"] == _url("staff-detail", copy)
    assert copy.status == Event.Status.DRAFT
    assert copy.starts_at == next_month


@pytest.mark.parametrize("value", ["", "yesterday", "2020-01-01T10:00"])
def test_it_refuses_a_bad_duplicate_time(admin_client, value):
    event = EventFactory()

    response = admin_client.post(_url("staff-duplicate", event), {"starts_at": value})

    assert response.status_code == 400
    assert Event.objects.count() == 1


# --- Attendance ----------------------------------------------------------------------------------


def _past_event(**kwargs) -> Event:
    now = timezone.now()
    return EventFactory(starts_at=now - timedelta(hours=3), ends_at=now - timedelta(hours=1), **kwargs)


def test_it_waits_for_the_event_to_start_before_recording_attendance(admin_client):
    event = EventFactory()

    response = admin_client.get(_url("staff-attendance", event))

    assert response.status_code == 200
    assert "once the event has started" in response.text
    assert admin_client.post(_url("staff-attendance", event), {}).status_code == 400


def test_it_starts_checked_in_people_as_attended(admin_client):
    event = _past_event()
    came = RSVPFactory(event=event, checked_in_at=timezone.now() - timedelta(hours=2))
    RSVPFactory(event=event)

    form = admin_client.get(_url("staff-attendance", event)).context["form"]

    assert form[f"rsvp_{came.pk}"].initial == RSVP.Attendance.ATTENDED


def test_it_records_attendance_from_the_form(host_client, host):
    event = _past_event(hosts=[host.officer_profile])
    came, missed = RSVPFactory(event=event), RSVPFactory(event=event)
    RSVPFactory(event=event, status=RSVP.Status.WAITLISTED)

    response = host_client.post(
        _url("staff-attendance", event), {f"rsvp_{came.pk}": "attended", f"rsvp_{missed.pk}": "no_show"}
    )

    assert response.status_code == 302
    came.refresh_from_db()
    missed.refresh_from_db()
    assert (came.attendance, missed.attendance) == ("attended", "no_show")


def test_it_answers_a_bad_attendance_value_with_400(admin_client):
    event = _past_event()
    rsvp = RSVPFactory(event=event)

    response = admin_client.post(_url("staff-attendance", event), {f"rsvp_{rsvp.pk}": "maybe"})

    assert response.status_code == 400
    rsvp.refresh_from_db()
    assert rsvp.attendance == RSVP.Attendance.UNKNOWN


@pytest.mark.parametrize(("factory", "shown"), [(OfficerFactory, True), (InvestigatorFactory, False)])
def test_it_puts_the_hosting_pages_on_the_staff_home(client, factory, shown):
    client.force_login(factory())

    response = client.get(reverse("portal:staff-home"))

    assert (_url("staff-list") in response.text) is shown


def test_it_tells_an_officer_without_a_profile_why_they_cannot_create(client):
    client.force_login(OfficerFactory())

    assert "not linked to an officer profile" in client.get(_url("staff-create")).text
    response = client.post(_url("staff-create"), _form_data())

    assert response.status_code == 400
    assert not Event.objects.exists()
