"""The events back office: it opens for administrators, and saving and its actions go through the
hosting services (the same rules and emails as the staff pages); RSVPs are read-only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from events.models import RSVP, Event
from portal.models import OutboxMessage
from tests.events.factories import EventFactory, RSVPFactory
from tests.factories import AdministratorFactory, OfficerProfileFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user():
    return AdministratorFactory()


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def _split(moment) -> dict[str, str]:
    local = timezone.localtime(moment)
    return {"0": local.strftime("%Y-%m-%d"), "1": local.strftime("%H:%M:%S")}


def _admin_data(event: Event | None = None, **overrides) -> dict:
    start = (
        event.starts_at
        if event
        else (timezone.localtime() + timedelta(days=9)).replace(hour=18, minute=0, second=0, microsecond=0)
    )
    end = event.ends_at if event else start + timedelta(hours=2)
    data = {
        "title": event.title if event else "Youth basketball",
        "kind": event.kind if event else Event.Kind.YOUTH_ACTIVITY,
        "district": (event.district_id or "") if event else "",
        "summary": event.summary if event else "",
        "description": event.description if event else "",
        "venue_name": event.venue_name if event else "Oak Park gym",
        "address": event.address if event else "",
        "online_url": event.online_url if event else "",
        "capacity": (event.capacity if event.capacity is not None else "") if event else "40",
        "accessibility_notes": "",
        "rsvp_deadline_0": "",
        "rsvp_deadline_1": "",
    }
    for name, moment in (("starts_at", start), ("ends_at", end)):
        parts = _split(moment)
        data[f"{name}_0"], data[f"{name}_1"] = parts["0"], parts["1"]
    if event:
        data["hosts"] = [host.pk for host in event.hosts.all()]
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    "path", ["/admin/events/", "/admin/events/event/", "/admin/events/event/add/", "/admin/events/rsvp/"]
)
def test_it_opens_the_events_back_office_for_an_administrator(admin_client, path):
    EventFactory()

    assert admin_client.get(path).status_code == 200


def test_it_filters_and_searches_events(admin_client):
    EventFactory(title="Coffee at the library")
    EventFactory(title="Bike rodeo", status=Event.Status.DRAFT)

    response = admin_client.get("/admin/events/event/", {"status__exact": "draft", "q": "bike"})

    assert response.status_code == 200
    assert [event.title for event in response.context["cl"].result_list] == ["Bike rodeo"]


def test_it_creates_an_event_through_the_service(admin_client, admin_user):
    host = OfficerProfileFactory()

    response = admin_client.post("/admin/events/event/add/", _admin_data(hosts=[host.pk]))

    assert response.status_code == 302
    event = Event.objects.get()
    assert event.slug == "youth-basketball"
    assert event.status == Event.Status.DRAFT
    assert event.created_by == admin_user
    assert list(event.hosts.all()) == [host]


def test_it_shows_a_bad_event_on_the_admin_form(admin_client):
    start = timezone.now() + timedelta(days=3)
    data = _admin_data(capacity="0")
    end = _split(start - timedelta(hours=1))
    data["ends_at_0"], data["ends_at_1"] = end["0"], end["1"]
    begin = _split(start)
    data["starts_at_0"], data["starts_at_1"] = begin["0"], begin["1"]

    response = admin_client.post("/admin/events/event/add/", data)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "ends_at" in errors
    assert "capacity" in errors
    assert not Event.objects.exists()


def test_it_changes_an_event_through_the_service_and_emails_people(admin_client):
    event = EventFactory()
    rsvp = RSVPFactory(event=event)
    later = event.starts_at + timedelta(days=1)
    data = _admin_data(event)
    for name, moment in (("starts_at", later), ("ends_at", later + timedelta(hours=2))):
        parts = _split(moment)
        data[f"{name}_0"], data[f"{name}_1"] = parts["0"], parts["1"]

    response = admin_client.post(f"/admin/events/event/{event.pk}/change/", data)

    assert response.status_code == 302
    event.refresh_from_db()
    assert event.starts_at == later
    assert event.sequence == 1
    [message] = OutboxMessage.objects.filter(template="events/email/event_changed")
    assert message.to == rsvp.user.email


def test_it_shows_the_capacity_refusal_on_the_admin_form(admin_client):
    event = EventFactory(capacity=10)
    RSVPFactory(event=event, party_size=6)

    response = admin_client.post(f"/admin/events/event/{event.pk}/change/", _admin_data(event, capacity="5"))

    assert response.status_code == 200
    assert "6 seats are already taken" in str(response.context["adminform"].form.errors)
    event.refresh_from_db()
    assert event.capacity == 10


def test_it_keeps_a_cancelled_event_read_only(admin_client):
    event = EventFactory(status=Event.Status.CANCELLED)

    response = admin_client.post(f"/admin/events/event/{event.pk}/change/", _admin_data(event, title="Back on"))

    assert response.status_code == 403
    event.refresh_from_db()
    assert event.title != "Back on"


def test_it_publishes_drafts_with_an_action(admin_client):
    good = EventFactory(status=Event.Status.DRAFT)
    nowhere = EventFactory(status=Event.Status.DRAFT, venue_name="", address="", online_url="")

    response = admin_client.post(
        "/admin/events/event/", {"action": "publish_selected", "_selected_action": [good.pk, nowhere.pk]}, follow=True
    )

    good.refresh_from_db()
    nowhere.refresh_from_db()
    assert good.status == Event.Status.PUBLISHED
    assert nowhere.status == Event.Status.DRAFT
    assert "1 event published." in response.text
    assert "online meeting link" in response.text


def test_it_asks_for_a_reason_before_cancelling_with_an_action(admin_client):
    event = EventFactory()
    RSVPFactory(event=event)
    selection = {"action": "cancel_selected", "_selected_action": [event.pk]}

    confirm = admin_client.post("/admin/events/event/", selection)
    assert confirm.status_code == 200
    assert "Reason for cancelling" in confirm.text
    event.refresh_from_db()
    assert event.status == Event.Status.PUBLISHED

    missing = admin_client.post("/admin/events/event/", {**selection, "confirm": "yes", "reason": ""})
    assert missing.status_code == 400

    done = admin_client.post("/admin/events/event/", {**selection, "confirm": "yes", "reason": "Storm warning"})
    assert done.status_code == 302
    event.refresh_from_db()
    assert event.status == Event.Status.CANCELLED
    assert event.cancellation_reason == "Storm warning"
    assert OutboxMessage.objects.filter(template="events/email/event_cancelled").count() == 1


def test_it_does_not_delete_events(admin_client):
    event = EventFactory()

    assert admin_client.post(f"/admin/events/event/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Event.objects.filter(pk=event.pk).exists()


def test_it_shows_rsvps_read_only(admin_client):
    rsvp = RSVPFactory()

    response = admin_client.get(f"/admin/events/rsvp/{rsvp.pk}/change/")

    assert response.status_code == 200
    assert rsvp.seat_code in response.text
    assert 'name="party_size"' not in response.text
    assert "manage_token_hash" not in response.text
    assert admin_client.post(f"/admin/events/rsvp/{rsvp.pk}/change/", {"party_size": "5"}).status_code == 403
    assert admin_client.get("/admin/events/rsvp/add/").status_code == 403
    rsvp.refresh_from_db()
    assert rsvp.party_size == 1
    assert RSVP.objects.count() == 1
