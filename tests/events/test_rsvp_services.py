"""RSVP rules, unit-tested against the services: seats, the waitlist, changes, cancellations, mail."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from events import selectors
from events.models import RSVP, Event
from events.services.rsvp import (
    _new_seat_code_rsvp,
    event_lock,
    rsvp_cancel,
    rsvp_change_party,
    rsvp_create,
    waitlist_promote,
)
from portal.models import OutboxMessage
from portal.outbox import outbox_render
from portal.tokens import SHORT_CODE_ALPHABET
from tests.events.factories import EventFactory, RSVPFactory
from tests.factories import OfficerFactory, OfficerProfileFactory, ResidentFactory

pytestmark = pytest.mark.django_db

Status = RSVP.Status


def _rsvp(event: Event, party_size: int = 1, **person) -> RSVP:
    return rsvp_create(event_id=event.pk, user=ResidentFactory(**person), party_size=party_size)


def _mail(template: str, **filters) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(template=f"events/email/{template}", **filters).order_by("pk"))


def _code(call) -> str:
    with pytest.raises(ValidationError) as exc:
        call()
    return exc.value.code


# --- Seats and the queue -----------------------------------------------------------------------


def test_it_confirms_a_seat_when_the_party_fits():
    event = EventFactory(capacity=3)
    rsvp = _rsvp(event, party_size=3)
    assert rsvp.status == Status.CONFIRMED
    assert rsvp.confirmed_at is not None
    assert selectors.event_seats_taken(event=event) == 3


def test_it_gives_every_rsvp_a_seat_code_of_eight_unambiguous_characters():
    rsvp = _rsvp(EventFactory())
    assert len(rsvp.seat_code) == 8
    assert set(rsvp.seat_code) <= set(SHORT_CODE_ALPHABET)


def test_it_waitlists_a_party_that_does_not_fit():
    event = EventFactory(capacity=2)
    _rsvp(event, party_size=2)
    waiting = _rsvp(event, party_size=1)
    assert waiting.status == Status.WAITLISTED
    assert waiting.queued_at is not None
    assert selectors.waitlist_position(rsvp=waiting) == 1
    assert selectors.event_seats_taken(event=event) == 2


def test_it_queues_a_newcomer_behind_people_already_waiting_even_with_seats_free():
    event = EventFactory(capacity=3)
    _rsvp(event, party_size=2)
    big = _rsvp(event, party_size=2)  # 1 seat free: does not fit, waits
    small = _rsvp(event, party_size=1)  # would fit, but someone is waiting
    assert big.status == Status.WAITLISTED
    assert small.status == Status.WAITLISTED
    assert selectors.waitlist_position(rsvp=small) == 2
    assert selectors.event_seats_taken(event=event) == 2


def test_it_never_limits_an_event_without_capacity():
    event = EventFactory(capacity=None)
    rsvps = [_rsvp(event, party_size=6) for _ in range(5)]
    assert {rsvp.status for rsvp in rsvps} == {Status.CONFIRMED}


def test_it_never_takes_more_seats_than_capacity():
    event = EventFactory(capacity=5)
    for size in (2, 2, 2, 1, 3, 1):
        _rsvp(event, party_size=size)
    assert selectors.event_seats_taken(event=event) <= 5


def test_it_provides_the_event_row_locked():
    event = EventFactory()
    assert event_lock(event_id=event.pk) == event


# --- Who may RSVP, and when ---------------------------------------------------------------------


@pytest.mark.parametrize("party_size", [0, -1, 7, 100, "2", None, True, 2.5])
def test_it_refuses_a_party_size_outside_one_to_the_limit(party_size):
    event = EventFactory()
    assert _code(lambda: _rsvp(event, party_size=party_size)) == "party_size"
    assert not RSVP.objects.exists()


def test_it_follows_the_party_size_setting(settings):
    settings.EVENTS_MAX_PARTY_SIZE = 2
    assert _code(lambda: _rsvp(EventFactory(), party_size=3)) == "party_size"


def test_it_refuses_a_party_larger_than_the_whole_event():
    assert _code(lambda: _rsvp(EventFactory(capacity=3), party_size=4)) == "party_too_large"


def test_it_allows_one_rsvp_per_person_per_event():
    event = EventFactory()
    person = ResidentFactory()
    rsvp_create(event_id=event.pk, user=person, party_size=1)
    assert _code(lambda: rsvp_create(event_id=event.pk, user=person, party_size=2)) == "duplicate"
    assert RSVP.objects.filter(user=person).count() == 1


def test_it_turns_the_unique_constraint_into_a_duplicate_error():
    event = EventFactory()
    person = ResidentFactory()
    RSVPFactory(event=event, user=person)
    # The insert a concurrent request would make after both checked: the constraint says no.
    with pytest.raises(ValidationError) as exc:
        _new_seat_code_rsvp(duplicate=Q(event=event, user=person), event=event, user=person, party_size=1)
    assert exc.value.code == "duplicate"


def test_it_lets_someone_rsvp_again_after_cancelling_at_the_end_of_the_queue():
    event = EventFactory(capacity=1)
    person = ResidentFactory()
    first = rsvp_create(event_id=event.pk, user=person, party_size=1)
    waiting = _rsvp(event)
    rsvp_cancel(rsvp_id=first.pk, actor=person)
    waiting.refresh_from_db()
    assert waiting.status == Status.CONFIRMED
    later = _rsvp(event)
    again = rsvp_create(event_id=event.pk, user=person, party_size=1)
    assert again.pk == first.pk
    assert again.status == Status.WAITLISTED
    assert again.cancelled_at is None
    assert selectors.waitlist_position(rsvp=again) == 2
    assert selectors.waitlist_position(rsvp=later) == 1


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"status": Event.Status.DRAFT}, "not_open"),
        ({"status": Event.Status.CANCELLED}, "event_cancelled"),
        ({"starts_at": timezone.now() - timedelta(minutes=1)}, "event_started"),
        ({"rsvp_deadline": timezone.now() - timedelta(minutes=1)}, "deadline_passed"),
    ],
)
def test_it_refuses_an_rsvp_to_an_event_that_is_not_open(changes, code):
    starts_at = changes.get("starts_at", timezone.now() + timedelta(days=2))
    fields = {**changes, "starts_at": starts_at, "ends_at": starts_at + timedelta(hours=2)}
    event = EventFactory(**fields)
    assert _code(lambda: _rsvp(event)) == code
    assert not RSVP.objects.exists()


def test_it_accepts_an_rsvp_before_the_deadline():
    event = EventFactory(rsvp_deadline=timezone.now() + timedelta(hours=1))
    assert _rsvp(event).status == Status.CONFIRMED


def test_it_refuses_an_account_without_a_verified_email_address():
    person = ResidentFactory(verified=False)
    assert _code(lambda: rsvp_create(event_id=EventFactory().pk, user=person, party_size=1)) == "not_verified"


# --- Promotion from the waitlist ----------------------------------------------------------------


def test_it_promotes_the_head_of_the_queue_when_a_seat_is_cancelled():
    event = EventFactory(capacity=1)
    holder = ResidentFactory()
    seat = rsvp_create(event_id=event.pk, user=holder, party_size=1)
    head = _rsvp(event)
    second = _rsvp(event)
    rsvp_cancel(rsvp_id=seat.pk, actor=holder)
    head.refresh_from_db()
    second.refresh_from_db()
    assert head.status == Status.CONFIRMED
    assert second.status == Status.WAITLISTED
    assert selectors.waitlist_position(rsvp=second) == 1


def test_it_never_skips_the_head_of_the_queue():
    event = EventFactory(capacity=4)
    holder = ResidentFactory()
    seat = rsvp_create(event_id=event.pk, user=holder, party_size=2)
    _rsvp(event, party_size=2)
    head = _rsvp(event, party_size=3)  # needs 3: only 2 will be free
    behind = _rsvp(event, party_size=1)  # would fit, but is behind the head
    rsvp_cancel(rsvp_id=seat.pk, actor=holder)
    head.refresh_from_db()
    behind.refresh_from_db()
    assert head.status == Status.WAITLISTED
    assert behind.status == Status.WAITLISTED
    assert selectors.event_seats_taken(event=event) == 2


def test_it_never_splits_a_party():
    event = EventFactory(capacity=3)
    holder = ResidentFactory()
    seat = rsvp_create(event_id=event.pk, user=holder, party_size=2)
    _rsvp(event, party_size=1)
    head = _rsvp(event, party_size=3)
    rsvp_cancel(rsvp_id=seat.pk, actor=holder)
    head.refresh_from_db()
    assert head.status == Status.WAITLISTED  # 2 free seats are not 3
    assert selectors.event_seats_taken(event=event) == 1


def test_it_promotes_party_after_party_while_each_fits():
    event = EventFactory(capacity=4)
    holder = ResidentFactory()
    seat = rsvp_create(event_id=event.pk, user=holder, party_size=4)
    first, second, third = _rsvp(event, party_size=2), _rsvp(event, party_size=2), _rsvp(event, party_size=1)
    rsvp_cancel(rsvp_id=seat.pk, actor=holder)
    statuses = [RSVP.objects.get(pk=rsvp.pk).status for rsvp in (first, second, third)]
    assert statuses == [Status.CONFIRMED, Status.CONFIRMED, Status.WAITLISTED]


def test_it_promotes_from_the_queue_when_capacity_grows():
    event = EventFactory(capacity=1)
    _rsvp(event)
    waiting = [_rsvp(event) for _ in range(3)]
    Event.objects.filter(pk=event.pk).update(capacity=3)
    with_lock = event_lock(event_id=event.pk)
    promoted = waitlist_promote(event=with_lock)
    assert [rsvp.pk for rsvp in promoted] == [waiting[0].pk, waiting[1].pk]
    assert selectors.event_seats_taken(event=event) == 3


def test_it_promotes_nobody_at_a_cancelled_or_started_event():
    event = EventFactory(capacity=1)
    _rsvp(event)
    _rsvp(event)
    Event.objects.filter(pk=event.pk).update(capacity=5, status=Event.Status.CANCELLED)
    assert waitlist_promote(event=event_lock(event_id=event.pk)) == []
    Event.objects.filter(pk=event.pk).update(
        status=Event.Status.PUBLISHED, starts_at=timezone.now() - timedelta(minutes=5)
    )
    assert waitlist_promote(event=event_lock(event_id=event.pk)) == []


def test_it_emails_each_promoted_person_in_their_language():
    event = EventFactory(capacity=1)
    holder = ResidentFactory()
    seat = rsvp_create(event_id=event.pk, user=holder, party_size=1)
    spanish = _rsvp(event, language="es")
    rsvp_cancel(rsvp_id=seat.pk, actor=holder)
    [message] = _mail("rsvp_promoted")
    assert message.to == spanish.user.email
    assert message.language == "es"
    email = outbox_render(message)
    assert spanish.seat_code in email.body
    assert "/es/events/" in email.body


# --- Changing the party size --------------------------------------------------------------------


def test_it_grows_a_seated_party_into_free_seats():
    event = EventFactory(capacity=4)
    person = ResidentFactory()
    rsvp = rsvp_create(event_id=event.pk, user=person, party_size=1)
    changed = rsvp_change_party(rsvp_id=rsvp.pk, party_size=4, actor=person)
    assert changed.party_size == 4
    assert changed.status == Status.CONFIRMED


def test_it_keeps_the_seats_when_there_are_not_enough_for_a_larger_party():
    event = EventFactory(capacity=3)
    person = ResidentFactory()
    rsvp = rsvp_create(event_id=event.pk, user=person, party_size=1)
    _rsvp(event, party_size=1)
    assert _code(lambda: rsvp_change_party(rsvp_id=rsvp.pk, party_size=3, actor=person)) == "no_seats"
    rsvp.refresh_from_db()
    assert (rsvp.party_size, rsvp.status) == (1, Status.CONFIRMED)


def test_it_does_not_grow_a_seated_party_while_anyone_is_waiting():
    event = EventFactory(capacity=4)
    person = ResidentFactory()
    rsvp = rsvp_create(event_id=event.pk, user=person, party_size=1)
    _rsvp(event, party_size=1)
    _rsvp(event, party_size=3)  # waits: 2 free seats are not 3
    assert _code(lambda: rsvp_change_party(rsvp_id=rsvp.pk, party_size=2, actor=person)) == "waitlist_not_empty"
    rsvp.refresh_from_db()
    assert (rsvp.party_size, rsvp.status) == (1, Status.CONFIRMED)


def test_it_promotes_the_queue_when_a_party_shrinks():
    event = EventFactory(capacity=4)
    person = ResidentFactory()
    rsvp = rsvp_create(event_id=event.pk, user=person, party_size=4)
    waiting = _rsvp(event, party_size=2)
    rsvp_change_party(rsvp_id=rsvp.pk, party_size=2, actor=person)
    waiting.refresh_from_db()
    assert waiting.status == Status.CONFIRMED
    assert selectors.event_seats_taken(event=event) == 4


def test_it_keeps_a_waiting_partys_place_when_its_size_changes():
    event = EventFactory(capacity=2)
    _rsvp(event, party_size=2)
    person = ResidentFactory()
    first = rsvp_create(event_id=event.pk, user=person, party_size=1)
    second = _rsvp(event)
    changed = rsvp_change_party(rsvp_id=first.pk, party_size=2, actor=person)
    assert changed.status == Status.WAITLISTED
    assert changed.queued_at == first.queued_at
    assert selectors.waitlist_position(rsvp=changed) == 1
    assert selectors.waitlist_position(rsvp=second) == 2


def test_it_lets_a_party_shrink_but_not_grow_after_the_deadline():
    event = EventFactory(capacity=10)
    person = ResidentFactory()
    rsvp = rsvp_create(event_id=event.pk, user=person, party_size=3)
    Event.objects.filter(pk=event.pk).update(rsvp_deadline=timezone.now() - timedelta(minutes=1))
    assert _code(lambda: rsvp_change_party(rsvp_id=rsvp.pk, party_size=4, actor=person)) == "deadline_passed"
    assert rsvp_change_party(rsvp_id=rsvp.pk, party_size=2, actor=person).party_size == 2


@pytest.mark.parametrize("party_size", [0, -2, 7, "3"])
def test_it_refuses_a_bad_party_size_on_change(party_size):
    person = ResidentFactory()
    rsvp = rsvp_create(event_id=EventFactory().pk, user=person, party_size=1)
    assert _code(lambda: rsvp_change_party(rsvp_id=rsvp.pk, party_size=party_size, actor=person)) == "party_size"


def test_it_refuses_to_change_someone_elses_rsvp():
    rsvp = _rsvp(EventFactory())
    assert _code(lambda: rsvp_change_party(rsvp_id=rsvp.pk, party_size=2, actor=ResidentFactory())) == "not_yours"


def test_it_refuses_to_change_a_cancelled_rsvp():
    person = ResidentFactory()
    rsvp = rsvp_create(event_id=EventFactory().pk, user=person, party_size=1)
    rsvp_cancel(rsvp_id=rsvp.pk, actor=person)
    assert _code(lambda: rsvp_change_party(rsvp_id=rsvp.pk, party_size=2, actor=person)) == "rsvp_cancelled"


# --- Cancelling ------------------------------------------------------------------------------


def test_it_cancels_once_however_often_it_is_submitted():
    person = ResidentFactory()
    rsvp = rsvp_create(event_id=EventFactory().pk, user=person, party_size=2)
    first = rsvp_cancel(rsvp_id=rsvp.pk, actor=person)
    second = rsvp_cancel(rsvp_id=rsvp.pk, actor=person)
    assert first.status == second.status == Status.CANCELLED
    assert first.cancelled_at == second.cancelled_at
    assert len(_mail("rsvp_cancelled")) == 1


def test_it_refuses_to_cancel_someone_elses_rsvp():
    rsvp = _rsvp(EventFactory())
    assert _code(lambda: rsvp_cancel(rsvp_id=rsvp.pk, actor=ResidentFactory())) == "not_yours"
    rsvp.refresh_from_db()
    assert rsvp.status == Status.CONFIRMED


def test_it_refuses_to_cancel_once_the_event_has_started():
    person = ResidentFactory()
    rsvp = rsvp_create(event_id=EventFactory().pk, user=person, party_size=1)
    Event.objects.filter(pk=rsvp.event_id).update(starts_at=timezone.now() - timedelta(minutes=1))
    assert _code(lambda: rsvp_cancel(rsvp_id=rsvp.pk, actor=person)) == "event_started"


# --- Mail -------------------------------------------------------------------------------------


def test_it_emails_the_seat_with_code_time_place_online_link_and_calendar():
    event = EventFactory(online_url="https://meet.example.org/riverside", capacity=5)
    rsvp = _rsvp(event, party_size=2)
    [message] = _mail("rsvp_confirmed")
    assert message.to == rsvp.user.email
    email = outbox_render(message)
    assert rsvp.seat_code in email.body
    assert "https://meet.example.org/riverside" in email.body
    assert event.venue_name in email.body
    assert f"/events/{event.slug}/calendar.ics" in email.body
    assert f"/events/seat/{rsvp.seat_code}.svg" in email.alternatives[0][0]
    assert event.title in email.subject


def test_it_emails_the_waitlist_place_with_its_position():
    event = EventFactory(capacity=1, online_url="https://meet.example.org/riverside")
    _rsvp(event)
    _rsvp(event)
    waiting = _rsvp(event)
    [_first, message] = _mail("rsvp_waitlisted")
    assert message.to == waiting.user.email
    assert "number 2" in outbox_render(message).body
    # Nobody waiting is sent the online link.
    assert "meet.example.org" not in outbox_render(message).body
    assert "meet.example.org" not in outbox_render(message).alternatives[0][0]


def test_it_writes_in_the_recipients_language():
    rsvp = _rsvp(EventFactory(), language="es")
    [message] = _mail("rsvp_confirmed")
    assert message.language == "es"
    assert f"/es/events/{rsvp.event.slug}/rsvp/" in outbox_render(message).body


def test_it_emails_a_new_confirmation_after_a_cancel_and_a_new_rsvp():
    event = EventFactory()
    person = ResidentFactory()
    rsvp = rsvp_create(event_id=event.pk, user=person, party_size=1)
    rsvp_cancel(rsvp_id=rsvp.pk, actor=person)
    rsvp_create(event_id=event.pk, user=person, party_size=1)
    assert len(_mail("rsvp_confirmed")) == 2
    assert len(_mail("rsvp_cancelled")) == 1


def test_it_sends_the_cancellation_email():
    person = ResidentFactory()
    rsvp = rsvp_create(event_id=EventFactory().pk, user=person, party_size=1)
    rsvp_cancel(rsvp_id=rsvp.pk, actor=person)
    [message] = _mail("rsvp_cancelled")
    assert message.to == person.email
    assert "cancelled" in outbox_render(message).body


# --- Capacity alerts to hosts ------------------------------------------------------------------


def test_it_tells_the_hosts_once_at_80_and_once_at_100_percent():
    host = OfficerFactory()
    unlinked_host = OfficerProfileFactory()  # no account: nobody to email
    event = EventFactory(capacity=5, hosts=[OfficerProfileFactory(user=host), unlinked_host])
    OfficerFactory()  # an officer who does not host
    for _ in range(3):
        _rsvp(event)
    assert _mail("capacity_alert") == []
    _rsvp(event)  # 4 of 5: 80 %
    [alert] = _mail("capacity_alert")
    assert alert.to == host.email
    assert alert.dedupe_key == f"events.capacity:{event.pk}:80:{host.pk}"
    _rsvp(event)  # 5 of 5: 100 %
    _rsvp(event)  # waitlisted: nothing new
    assert [m.dedupe_key for m in _mail("capacity_alert")] == [
        f"events.capacity:{event.pk}:80:{host.pk}",
        f"events.capacity:{event.pk}:100:{host.pk}",
    ]
    assert "Full" in outbox_render(_mail("capacity_alert")[1]).subject


def test_it_alerts_only_once_when_seats_dip_and_rise_again():
    host = OfficerFactory()
    event = EventFactory(capacity=5, hosts=[OfficerProfileFactory(user=host)])
    people = [ResidentFactory() for _ in range(4)]
    rsvps = [rsvp_create(event_id=event.pk, user=person, party_size=1) for person in people]
    rsvp_cancel(rsvp_id=rsvps[0].pk, actor=people[0])
    _rsvp(event)
    assert len(_mail("capacity_alert")) == 1


def test_it_alerts_when_one_party_jumps_past_both_thresholds():
    host = OfficerFactory()
    event = EventFactory(capacity=5, hosts=[OfficerProfileFactory(user=host)])
    _rsvp(event, party_size=5)
    assert len(_mail("capacity_alert")) == 2


def test_it_alerts_on_promotion_too():
    host = OfficerFactory()
    event = EventFactory(capacity=5, hosts=[OfficerProfileFactory(user=host)])
    _rsvp(event, party_size=3)
    _rsvp(event, party_size=3)  # waits
    Event.objects.filter(pk=event.pk).update(capacity=6)
    waitlist_promote(event=event_lock(event_id=event.pk))
    assert [m.dedupe_key.split(":")[2] for m in _mail("capacity_alert")] == ["80", "100"]


# --- Cached pages ---------------------------------------------------------------------------


def test_it_makes_the_events_cached_fragments_stale_after_commit(django_capture_on_commit_callbacks):
    event = EventFactory()
    person = ResidentFactory()
    with mock.patch("events.services.rsvp.event_fragments_bump") as bump:
        with django_capture_on_commit_callbacks(execute=True):
            rsvp = rsvp_create(event_id=event.pk, user=person, party_size=1)
        bump.assert_called_with(event_id=event.pk)
        bump.reset_mock()
        with django_capture_on_commit_callbacks(execute=True):
            rsvp_cancel(rsvp_id=rsvp.pk, actor=person)
        bump.assert_called_with(event_id=event.pk)


def test_it_bumps_nothing_when_the_rsvp_is_refused(django_capture_on_commit_callbacks):
    event = EventFactory(status=Event.Status.CANCELLED)
    with (
        mock.patch("events.services.rsvp.event_fragments_bump") as bump,
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(ValidationError),
    ):
        _rsvp(event)
    bump.assert_not_called()
