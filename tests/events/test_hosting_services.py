"""Hosting services: creating, changing, publishing, cancelling and duplicating events; check-in,
walk-ins and attendance."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from events.models import RSVP, Event
from events.services import hosting
from portal.models import OutboxMessage
from portal.outbox import outbox_render
from tests.events.factories import EventFactory, GuestRSVPFactory, RSVPFactory
from tests.factories import (
    AdministratorFactory,
    LanguageFactory,
    OfficerFactory,
    OfficerProfileFactory,
    ResidentFactory,
)

pytestmark = pytest.mark.django_db


def _start(days: int = 7, hour: int = 18) -> timezone.datetime:
    moment = timezone.localtime() + timedelta(days=days)
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0)


def _create(actor, **overrides):
    values = {
        "title": "Coffee with a Cop",
        "starts_at": _start(),
        "ends_at": _start() + timedelta(hours=2),
        "venue_name": "Riverside Library",
        "address": "100 Main Street",
    }
    values.update(overrides)
    return hosting.event_create(actor=actor, **values)


def _host():
    officer = OfficerFactory()
    profile = OfficerProfileFactory(user=officer)
    return officer, profile


def _mails(template: str) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(template=f"events/email/{template}").order_by("pk"))


# --- event_create ------------------------------------------------------------------------------


def test_it_creates_a_draft_with_a_slug_from_the_title():
    event = _create(AdministratorFactory())

    assert event.status == Event.Status.DRAFT
    assert event.slug == "coffee-with-a-cop"
    assert event.published_at is None


def test_it_keeps_slugs_unique_with_the_day_then_a_number():
    admin = AdministratorFactory()
    first, second, third = (_create(admin) for _ in range(3))

    day = timezone.localtime(second.starts_at).date().isoformat()
    assert first.slug == "coffee-with-a-cop"
    assert second.slug == f"coffee-with-a-cop-{day}"
    assert third.slug == f"coffee-with-a-cop-{day}-2"


def test_it_makes_a_slug_from_a_spanish_title():
    event = _create(AdministratorFactory(), title="Café con la policía")

    assert event.slug == "cafe-con-la-policia"


def test_it_makes_the_officer_who_creates_an_event_a_host():
    officer, profile = _host()
    other = OfficerProfileFactory()

    event = _create(officer, hosts=[other])

    assert set(event.hosts.all()) == {profile, other}


def test_it_does_not_make_an_administrator_a_host_unless_chosen():
    admin = AdministratorFactory()
    OfficerProfileFactory(user=admin)
    host = OfficerProfileFactory()

    event = _create(admin, hosts=[host])

    assert list(event.hosts.all()) == [host]


def test_it_sets_the_languages_offered():
    spanish = LanguageFactory(code="es", name="Spanish")

    event = _create(AdministratorFactory(), languages=[spanish])

    assert list(event.languages.all()) == [spanish]


@pytest.mark.parametrize("factory", [ResidentFactory, "investigator"])
def test_it_refuses_to_let_residents_and_investigators_create_events(factory):
    from tests.factories import InvestigatorFactory

    actor = InvestigatorFactory() if factory == "investigator" else factory()
    with pytest.raises(PermissionDenied):
        _create(actor)


def test_it_refuses_an_event_that_ends_before_it_starts():
    with pytest.raises(ValidationError) as exc:
        _create(AdministratorFactory(), ends_at=_start() - timedelta(hours=1))

    assert exc.value.error_dict["ends_at"][0].code == "ends_before_start"


@pytest.mark.parametrize("capacity", [0, -3])
def test_it_refuses_a_capacity_below_one(capacity):
    with pytest.raises(ValidationError) as exc:
        _create(AdministratorFactory(), capacity=capacity)

    assert "capacity" in exc.value.error_dict


def test_it_refuses_a_deadline_after_the_start():
    with pytest.raises(ValidationError) as exc:
        _create(AdministratorFactory(), rsvp_deadline=_start() + timedelta(minutes=5))

    assert exc.value.error_dict["rsvp_deadline"][0].code == "deadline_after_start"


def test_it_refuses_an_over_long_title():
    with pytest.raises(ValidationError) as exc:
        _create(AdministratorFactory(), title="x" * 201)

    assert "title" in exc.value.error_dict


def test_it_bumps_the_cached_fragments_after_commit(django_capture_on_commit_callbacks):
    with (
        mock.patch("events.services.hosting.event_fragments_bump") as bump,
        django_capture_on_commit_callbacks(execute=True),
    ):
        event = _create(AdministratorFactory())

    bump.assert_called_with(event_id=event.pk)


# --- event_update ------------------------------------------------------------------------------


def test_it_lets_a_host_change_the_title_without_emailing_anyone():
    officer, profile = _host()
    event = EventFactory(hosts=[profile])
    RSVPFactory(event=event)

    hosting.event_update(event_id=event.pk, changes={"title": "New title"}, actor=officer)

    event.refresh_from_db()
    assert event.title == "New title"
    assert event.sequence == 0
    assert _mails("event_changed") == []


def test_it_refuses_an_officer_who_does_not_host_the_event():
    officer, _profile = _host()
    event = EventFactory(hosts=[OfficerProfileFactory()])

    with pytest.raises(PermissionDenied):
        hosting.event_update(event_id=event.pk, changes={"title": "Mine now"}, actor=officer)


def test_it_emails_seats_and_waitlist_places_when_the_time_changes():
    event = EventFactory(capacity=1)
    seat = RSVPFactory(event=event)
    waiting = RSVPFactory(event=event, status=RSVP.Status.WAITLISTED, queued_at=timezone.now())
    RSVPFactory(event=event, status=RSVP.Status.CANCELLED)
    GuestRSVPFactory(event=event, status=RSVP.Status.PENDING)
    old_start = event.starts_at
    new_start = old_start + timedelta(days=1)

    hosting.event_update(
        event_id=event.pk,
        changes={"starts_at": new_start, "ends_at": new_start + timedelta(hours=2)},
        actor=AdministratorFactory(),
    )

    event.refresh_from_db()
    assert event.sequence == 1
    mails = _mails("event_changed")
    assert sorted(m.to for m in mails) == sorted([seat.user.email, waiting.user.email])
    assert {m.dedupe_key for m in mails} == {
        f"events.changed:{event.pk}:1:{seat.pk}",
        f"events.changed:{event.pk}:1:{waiting.pk}",
    }


def test_it_says_what_changed_old_and_new_in_the_email():
    event = EventFactory(venue_name="Riverside Library", address="100 Main Street")
    rsvp = RSVPFactory(event=event)
    new_start = timezone.localtime(event.starts_at).replace(hour=10, minute=30) + timedelta(days=2)

    hosting.event_update(
        event_id=event.pk,
        changes={"starts_at": new_start, "ends_at": new_start + timedelta(hours=1), "venue_name": "City Hall"},
        actor=AdministratorFactory(),
    )

    [message] = _mails("event_changed")
    email = outbox_render(message)
    assert event.title in email.subject
    assert "Riverside Library" in email.body
    assert "City Hall" in email.body
    assert "10:30" in email.body
    assert "Was:" in email.body
    assert "Now:" in email.body
    assert rsvp.seat_code in email.body
    assert "/events/mine/" in email.body


def test_it_emails_each_person_once_per_change():
    event = EventFactory()
    RSVPFactory(event=event)
    admin = AdministratorFactory()
    later = event.starts_at + timedelta(hours=1)
    changes = {"starts_at": later, "ends_at": later + timedelta(hours=2)}

    hosting.event_update(event_id=event.pk, changes=changes, actor=admin)
    hosting.event_update(event_id=event.pk, changes=changes, actor=admin)  # the same again: nothing new

    assert len(_mails("event_changed")) == 1
    event.refresh_from_db()
    assert event.sequence == 1


def test_it_emails_again_for_a_second_change():
    event = EventFactory()
    RSVPFactory(event=event)
    admin = AdministratorFactory()

    hosting.event_update(event_id=event.pk, changes={"venue_name": "City Hall"}, actor=admin)
    hosting.event_update(event_id=event.pk, changes={"address": "1 Civic Plaza"}, actor=admin)

    assert len(_mails("event_changed")) == 2


def test_it_writes_to_each_person_in_their_own_language():
    event = EventFactory()
    RSVPFactory(event=event, user=ResidentFactory(language="es"))
    GuestRSVPFactory(event=event, language="es")
    RSVPFactory(event=event, user=ResidentFactory(language="en"))

    hosting.event_update(event_id=event.pk, changes={"venue_name": "City Hall"}, actor=AdministratorFactory())

    languages = sorted(m.language for m in _mails("event_changed"))
    assert languages == ["en", "es", "es"]
    spanish = next(m for m in _mails("event_changed") if m.language == "es" and "guest" not in m.to)
    assert "/es/events/" in outbox_render(spanish).body


def test_it_tells_guests_to_use_their_confirmation_link():
    event = EventFactory()
    GuestRSVPFactory(event=event)

    hosting.event_update(event_id=event.pk, changes={"venue_name": "City Hall"}, actor=AdministratorFactory())

    body = outbox_render(_mails("event_changed")[0]).body
    assert "private link in the confirmation email" in body
    assert f"/events/{event.slug}/" in body


def test_it_gives_the_new_online_link_only_to_people_with_a_seat():
    event = EventFactory(capacity=1, online_url="https://meet.example.org/old")
    seat = RSVPFactory(event=event)
    RSVPFactory(event=event, status=RSVP.Status.WAITLISTED, queued_at=timezone.now())

    hosting.event_update(
        event_id=event.pk, changes={"online_url": "https://meet.example.org/new"}, actor=AdministratorFactory()
    )

    bodies = {m.to: outbox_render(m).body for m in _mails("event_changed")}
    assert "https://meet.example.org/new" in bodies.pop(seat.user.email)
    [waiting_body] = bodies.values()
    assert "https://meet.example.org/new" not in waiting_body


def test_it_does_not_email_about_changes_to_a_draft():
    event = EventFactory(status=Event.Status.DRAFT)
    RSVPFactory(event=event)

    hosting.event_update(event_id=event.pk, changes={"venue_name": "City Hall"}, actor=AdministratorFactory())

    assert _mails("event_changed") == []
    event.refresh_from_db()
    assert event.sequence == 0


def test_it_refuses_a_capacity_below_the_seats_taken():
    event = EventFactory(capacity=10)
    RSVPFactory(event=event, party_size=3)
    RSVPFactory(event=event, party_size=2)

    with pytest.raises(ValidationError) as exc:
        hosting.event_update(event_id=event.pk, changes={"capacity": 4}, actor=AdministratorFactory())

    [error] = exc.value.error_dict["capacity"]
    assert error.code == "capacity_below_seats"
    assert "5 seats are already taken" in str(exc.value.messages)
    event.refresh_from_db()
    assert event.capacity == 10


def test_it_allows_a_capacity_down_to_the_seats_taken():
    event = EventFactory(capacity=10)
    RSVPFactory(event=event, party_size=5)

    hosting.event_update(event_id=event.pk, changes={"capacity": 5}, actor=AdministratorFactory())

    event.refresh_from_db()
    assert event.capacity == 5


def test_it_promotes_from_the_waitlist_when_capacity_grows():
    event = EventFactory(capacity=2)
    RSVPFactory(event=event, party_size=2)
    waiting = RSVPFactory(event=event, status=RSVP.Status.WAITLISTED, party_size=2, queued_at=timezone.now())

    with mock.patch("events.services.hosting.waitlist_promote", wraps=hosting.waitlist_promote) as promote:
        hosting.event_update(event_id=event.pk, changes={"capacity": 4}, actor=AdministratorFactory())

    promote.assert_called_once()
    waiting.refresh_from_db()
    assert waiting.status == RSVP.Status.CONFIRMED


def test_it_promotes_when_the_limit_is_removed():
    event = EventFactory(capacity=1)
    RSVPFactory(event=event)

    with mock.patch("events.services.hosting.waitlist_promote") as promote:
        hosting.event_update(event_id=event.pk, changes={"capacity": None}, actor=AdministratorFactory())

    promote.assert_called_once()


def test_it_does_not_promote_when_capacity_shrinks():
    event = EventFactory(capacity=10)

    with mock.patch("events.services.hosting.waitlist_promote") as promote:
        hosting.event_update(event_id=event.pk, changes={"capacity": 8}, actor=AdministratorFactory())

    promote.assert_not_called()


def test_it_refuses_to_move_a_published_event_into_the_past():
    event = EventFactory()
    past = timezone.now() - timedelta(days=1)

    with pytest.raises(ValidationError) as exc:
        hosting.event_update(
            event_id=event.pk,
            changes={"starts_at": past, "ends_at": past + timedelta(hours=1)},
            actor=AdministratorFactory(),
        )

    assert exc.value.error_dict["starts_at"][0].code == "starts_in_past"


def test_it_refuses_to_remove_every_place_from_a_published_event():
    event = EventFactory(online_url="")

    with pytest.raises(ValidationError) as exc:
        hosting.event_update(event_id=event.pk, changes={"venue_name": "", "address": ""}, actor=AdministratorFactory())

    assert exc.value.error_dict["venue_name"][0].code == "no_place"


def test_it_refuses_changes_to_a_cancelled_event():
    event = EventFactory(status=Event.Status.CANCELLED)

    with pytest.raises(ValidationError) as exc:
        hosting.event_update(event_id=event.pk, changes={"title": "Back on"}, actor=AdministratorFactory())

    assert exc.value.code == "cancelled"


def test_it_refuses_fields_that_are_not_editable():
    event = EventFactory()

    with pytest.raises(ValidationError) as exc:
        hosting.event_update(event_id=event.pk, changes={"sequence": 9}, actor=AdministratorFactory())

    assert exc.value.code == "not_editable"


def test_it_stops_an_officer_removing_themselves_as_host():
    officer, profile = _host()
    event = EventFactory(hosts=[profile])

    with pytest.raises(ValidationError) as exc:
        hosting.event_update(event_id=event.pk, changes={"hosts": [OfficerProfileFactory()]}, actor=officer)

    assert exc.value.error_dict["hosts"][0].code == "host_self"


def test_it_lets_an_officer_add_a_cohost():
    officer, profile = _host()
    cohost = OfficerProfileFactory()
    event = EventFactory(hosts=[profile])

    hosting.event_update(event_id=event.pk, changes={"hosts": [profile, cohost]}, actor=officer)

    assert set(event.hosts.all()) == {profile, cohost}


# --- event_publish -----------------------------------------------------------------------------


def test_it_publishes_a_draft():
    event = _create(AdministratorFactory())

    hosting.event_publish(event_id=event.pk, actor=AdministratorFactory())

    event.refresh_from_db()
    assert event.status == Event.Status.PUBLISHED
    assert event.published_at is not None


def test_it_refuses_to_publish_an_event_in_the_past():
    event = EventFactory(
        status=Event.Status.DRAFT,
        starts_at=timezone.now() - timedelta(hours=3),
        ends_at=timezone.now() - timedelta(hours=1),
    )

    with pytest.raises(ValidationError) as exc:
        hosting.event_publish(event_id=event.pk, actor=AdministratorFactory())

    assert exc.value.error_dict["starts_at"][0].code == "starts_in_past"


def test_it_refuses_to_publish_an_event_with_nowhere_to_go():
    event = EventFactory(status=Event.Status.DRAFT, venue_name="", address="", online_url="")

    with pytest.raises(ValidationError) as exc:
        hosting.event_publish(event_id=event.pk, actor=AdministratorFactory())

    assert exc.value.error_dict["venue_name"][0].code == "no_place"


def test_it_publishes_an_online_only_event():
    event = EventFactory(status=Event.Status.DRAFT, venue_name="", address="", online_url="https://meet.example.org/x")

    hosting.event_publish(event_id=event.pk, actor=AdministratorFactory())

    event.refresh_from_db()
    assert event.is_published


@pytest.mark.parametrize(
    ("status", "code"), [(Event.Status.PUBLISHED, "already_published"), (Event.Status.CANCELLED, "cancelled")]
)
def test_it_publishes_only_drafts(status, code):
    event = EventFactory(status=status)

    with pytest.raises(ValidationError) as exc:
        hosting.event_publish(event_id=event.pk, actor=AdministratorFactory())

    assert exc.value.code == code


# --- event_cancel ------------------------------------------------------------------------------


def test_it_cancels_an_event_and_emails_seats_and_waitlist_places():
    event = EventFactory(capacity=1)
    seat = RSVPFactory(event=event, user=ResidentFactory(language="es"))
    waiting = GuestRSVPFactory(event=event, status=RSVP.Status.WAITLISTED, queued_at=timezone.now())
    GuestRSVPFactory(event=event, status=RSVP.Status.PENDING)

    hosting.event_cancel(event_id=event.pk, reason="The hall flooded.", actor=AdministratorFactory())

    event.refresh_from_db()
    assert event.status == Event.Status.CANCELLED
    assert event.sequence == 1
    assert event.cancelled_at is not None
    assert event.cancellation_reason == "The hall flooded."
    mails = {m.to: m for m in _mails("event_cancelled")}
    assert set(mails) == {seat.user.email, waiting.guest_email}
    assert mails[seat.user.email].language == "es"
    assert mails[seat.user.email].dedupe_key == f"events.cancelled:{event.pk}:{seat.pk}"
    body = outbox_render(mails[waiting.guest_email]).body
    assert "The hall flooded." in body
    assert "Cancelled" in outbox_render(mails[waiting.guest_email]).subject


def test_it_closes_rsvps_when_an_event_is_cancelled():
    from events.selectors import rsvp_closed_reason

    event = EventFactory()
    hosting.event_cancel(event_id=event.pk, reason="", actor=AdministratorFactory())

    event.refresh_from_db()
    assert rsvp_closed_reason(event=event) == "cancelled"


def test_it_refuses_to_cancel_twice():
    event = EventFactory(status=Event.Status.CANCELLED)

    with pytest.raises(ValidationError) as exc:
        hosting.event_cancel(event_id=event.pk, reason="", actor=AdministratorFactory())

    assert exc.value.code == "already_cancelled"


def test_it_refuses_to_cancel_an_event_that_has_ended():
    event = EventFactory(starts_at=timezone.now() - timedelta(hours=3), ends_at=timezone.now() - timedelta(hours=1))

    with pytest.raises(ValidationError) as exc:
        hosting.event_cancel(event_id=event.pk, reason="", actor=AdministratorFactory())

    assert exc.value.code == "ended"


def test_it_refuses_a_non_host_cancelling():
    officer, _profile = _host()

    with pytest.raises(PermissionDenied):
        hosting.event_cancel(event_id=EventFactory().pk, reason="", actor=officer)


# --- event_duplicate ---------------------------------------------------------------------------


def test_it_duplicates_an_event_as_a_draft_at_a_new_time():
    host = OfficerProfileFactory()
    spanish = LanguageFactory(code="es", name="Spanish")
    event = EventFactory(
        hosts=[host],
        languages=[spanish],
        capacity=30,
        interpreter=True,
        rsvp_deadline=None,
    )
    event.rsvp_deadline = event.starts_at - timedelta(days=1)
    event.save(update_fields=["rsvp_deadline"])
    RSVPFactory(event=event)
    next_month = event.starts_at + timedelta(weeks=4)

    copy = hosting.event_duplicate(event_id=event.pk, starts_at=next_month, actor=AdministratorFactory())

    assert copy.pk != event.pk
    assert copy.slug != event.slug
    assert copy.status == Event.Status.DRAFT
    assert copy.title == event.title
    assert copy.starts_at == next_month
    assert copy.ends_at - copy.starts_at == event.ends_at - event.starts_at
    assert copy.rsvp_deadline == next_month - timedelta(days=1)
    assert copy.capacity == 30
    assert copy.interpreter is True
    assert list(copy.hosts.all()) == [host]
    assert list(copy.languages.all()) == [spanish]
    assert copy.rsvps.count() == 0
    assert copy.sequence == 0


def test_it_refuses_to_duplicate_into_the_past():
    event = EventFactory()

    with pytest.raises(ValidationError) as exc:
        hosting.event_duplicate(
            event_id=event.pk, starts_at=timezone.now() - timedelta(days=1), actor=AdministratorFactory()
        )

    assert exc.value.error_dict["starts_at"][0].code == "starts_in_past"


# --- At the door ---------------------------------------------------------------------------------


def test_it_checks_a_seat_holder_in_and_undoes_it():
    admin = AdministratorFactory()
    rsvp = RSVPFactory()

    hosting.rsvp_check_in(event_id=rsvp.event_id, rsvp_id=rsvp.pk, arrived=True, actor=admin)
    rsvp.refresh_from_db()
    assert rsvp.checked_in_at is not None

    hosting.rsvp_check_in(event_id=rsvp.event_id, rsvp_id=rsvp.pk, arrived=False, actor=admin)
    rsvp.refresh_from_db()
    assert rsvp.checked_in_at is None


def test_it_keeps_the_first_arrival_time_on_a_second_tap():
    admin = AdministratorFactory()
    rsvp = RSVPFactory()
    hosting.rsvp_check_in(event_id=rsvp.event_id, rsvp_id=rsvp.pk, arrived=True, actor=admin)
    rsvp.refresh_from_db()
    first = rsvp.checked_in_at

    hosting.rsvp_check_in(event_id=rsvp.event_id, rsvp_id=rsvp.pk, arrived=True, actor=admin)

    rsvp.refresh_from_db()
    assert rsvp.checked_in_at == first


@pytest.mark.parametrize("status", [RSVP.Status.WAITLISTED, RSVP.Status.PENDING, RSVP.Status.CANCELLED])
def test_it_checks_in_only_confirmed_seats(status):
    rsvp = RSVPFactory(status=status)

    with pytest.raises(ValidationError) as exc:
        hosting.rsvp_check_in(event_id=rsvp.event_id, rsvp_id=rsvp.pk, arrived=True, actor=AdministratorFactory())

    assert exc.value.code == "no_seat"


def test_it_refuses_an_rsvp_of_another_event():
    rsvp = RSVPFactory()
    other = EventFactory()

    with pytest.raises(ValidationError) as exc:
        hosting.rsvp_check_in(event_id=other.pk, rsvp_id=rsvp.pk, arrived=True, actor=AdministratorFactory())

    assert exc.value.code == "not_found"


def test_it_refuses_check_in_by_an_officer_who_does_not_host():
    officer, _profile = _host()
    rsvp = RSVPFactory()

    with pytest.raises(PermissionDenied):
        hosting.rsvp_check_in(event_id=rsvp.event_id, rsvp_id=rsvp.pk, arrived=True, actor=officer)


def test_it_counts_walk_ins_up_and_down_but_not_below_zero():
    admin = AdministratorFactory()
    event = EventFactory()

    assert hosting.event_walk_ins_adjust(event_id=event.pk, delta=1, actor=admin).walk_ins == 1
    assert hosting.event_walk_ins_adjust(event_id=event.pk, delta=1, actor=admin).walk_ins == 2
    assert hosting.event_walk_ins_adjust(event_id=event.pk, delta=-1, actor=admin).walk_ins == 1
    hosting.event_walk_ins_adjust(event_id=event.pk, delta=-1, actor=admin)
    with pytest.raises(ValidationError) as exc:
        hosting.event_walk_ins_adjust(event_id=event.pk, delta=-1, actor=admin)

    assert exc.value.code == "walk_ins_negative"
    event.refresh_from_db()
    assert event.walk_ins == 0


# --- Attendance ----------------------------------------------------------------------------------


def _started_event(**kwargs) -> Event:
    return EventFactory(
        starts_at=timezone.now() - timedelta(hours=2), ends_at=timezone.now() - timedelta(hours=1), **kwargs
    )


def test_it_records_attendance_after_the_event():
    event = _started_event()
    came, stayed_home = RSVPFactory(event=event), RSVPFactory(event=event)

    changed = hosting.attendance_record(
        event_id=event.pk,
        attendance={came.pk: RSVP.Attendance.ATTENDED, stayed_home.pk: RSVP.Attendance.NO_SHOW},
        actor=AdministratorFactory(),
    )

    assert changed == 2
    came.refresh_from_db()
    stayed_home.refresh_from_db()
    assert came.attendance == RSVP.Attendance.ATTENDED
    assert stayed_home.attendance == RSVP.Attendance.NO_SHOW


def test_it_exposes_recorded_attendance_to_the_survey_selector():
    from events.selectors import event_attendance_for_survey

    event = _started_event()
    came = RSVPFactory(event=event)
    hosting.attendance_record(
        event_id=event.pk, attendance={came.pk: RSVP.Attendance.ATTENDED}, actor=AdministratorFactory()
    )

    assert list(event_attendance_for_survey(ended_before=timezone.now())) == [came]


def test_it_refuses_attendance_before_the_event_starts():
    rsvp = RSVPFactory()

    with pytest.raises(ValidationError) as exc:
        hosting.attendance_record(
            event_id=rsvp.event_id, attendance={rsvp.pk: RSVP.Attendance.ATTENDED}, actor=AdministratorFactory()
        )

    assert exc.value.code == "not_started"


def test_it_refuses_attendance_for_someone_without_a_seat():
    event = _started_event()
    waiting = RSVPFactory(event=event, status=RSVP.Status.WAITLISTED)
    stranger = RSVPFactory(event=_started_event())

    for rsvp in (waiting, stranger):
        with pytest.raises(ValidationError) as exc:
            hosting.attendance_record(
                event_id=event.pk, attendance={rsvp.pk: RSVP.Attendance.ATTENDED}, actor=AdministratorFactory()
            )
        assert exc.value.code == "unknown_rsvp"


def test_it_refuses_an_unknown_attendance_value():
    event = _started_event()
    rsvp = RSVPFactory(event=event)

    with pytest.raises(ValidationError) as exc:
        hosting.attendance_record(event_id=event.pk, attendance={rsvp.pk: "maybe"}, actor=AdministratorFactory())

    assert exc.value.code == "invalid_attendance"


def test_it_refuses_an_officer_without_a_profile_who_could_not_open_the_event_again():
    with pytest.raises(ValidationError) as exc:
        _create(OfficerFactory())

    assert exc.value.code == "no_officer_profile"
    assert not Event.objects.exists()
