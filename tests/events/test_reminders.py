"""The reminder scan: 24 h and 2 h before the start, each at most once per RSVP, never stale,
never for cancelled seats or events, in the recipient's language."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from events.models import RSVP, Event
from events.services.reminders import reminder_windows, reminders_queue_due
from portal.models import OutboxMessage
from portal.outbox import outbox_render
from tests.events.factories import EventFactory, GuestRSVPFactory, RSVPFactory
from tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db

START = datetime(2026, 12, 10, 18, 0, tzinfo=timezone.get_default_timezone())
LONG_AGO = START - timedelta(days=7)


def _event(**kwargs) -> Event:
    kwargs.setdefault("starts_at", START)
    kwargs.setdefault("ends_at", START + timedelta(hours=2))
    return EventFactory(**kwargs)


def _seat(event: Event, *, confirmed_at: datetime = LONG_AGO, **kwargs) -> RSVP:
    return RSVPFactory(event=event, confirmed_at=confirmed_at, created_at=confirmed_at, **kwargs)


def _reminders() -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(template="events/email/reminder").order_by("pk"))


def _keys() -> set[str]:
    return {message.dedupe_key for message in _reminders()}


def _scan(at: datetime) -> int:
    with time_machine.travel(at, tick=False):
        return reminders_queue_due(now=timezone.now())


def test_it_has_a_window_per_offset_largest_first(settings):
    settings.EVENTS_REMINDER_HOURS = [2, 24]

    windows = reminder_windows()

    assert [(w.offset_hours, w.after, w.until) for w in windows] == [
        (24, timedelta(hours=2), timedelta(hours=24)),
        (2, timedelta(0), timedelta(hours=2)),
    ]


def test_it_sends_nothing_before_the_first_window():
    rsvp = _seat(_event())

    assert _scan(START - timedelta(hours=24, minutes=1)) == 0
    assert _reminders() == []
    assert rsvp.pk


def test_it_queues_the_24_hour_reminder_inside_its_window():
    rsvp = _seat(_event())

    assert _scan(START - timedelta(hours=23, minutes=55)) == 1

    assert _keys() == {f"events.reminder:{rsvp.pk}:24h"}
    [message] = _reminders()
    assert message.to == rsvp.user.email


def test_it_queues_the_2_hour_reminder_inside_its_window():
    rsvp = _seat(_event())
    _scan(START - timedelta(hours=23))

    assert _scan(START - timedelta(hours=1, minutes=55)) == 1

    assert _keys() == {f"events.reminder:{rsvp.pk}:24h", f"events.reminder:{rsvp.pk}:2h"}


def test_it_sends_each_reminder_at_most_once():
    _seat(_event())

    assert _scan(START - timedelta(hours=23)) == 1
    assert _scan(START - timedelta(hours=23)) == 0
    assert _scan(START - timedelta(hours=22, minutes=55)) == 0

    assert len(_reminders()) == 1


def test_it_gives_no_stale_reminder_to_an_rsvp_made_inside_the_window():
    rsvp = _seat(_event(), confirmed_at=START - timedelta(hours=10))

    assert _scan(START - timedelta(hours=9)) == 0
    assert _scan(START - timedelta(hours=1, minutes=50)) == 1

    assert _keys() == {f"events.reminder:{rsvp.pk}:2h"}


def test_it_gives_no_reminder_to_an_rsvp_made_inside_the_last_window():
    _seat(_event(), confirmed_at=START - timedelta(hours=1))

    assert _scan(START - timedelta(minutes=50)) == 0


def test_it_sends_the_2_hour_reminder_alone_after_an_outage():
    """No scan ran for a day: an event inside the 2-hour window gets that one, not a late 24-hour one too."""
    rsvp = _seat(_event())

    assert _scan(START - timedelta(hours=1)) == 1

    assert _keys() == {f"events.reminder:{rsvp.pk}:2h"}


def test_it_sends_nothing_once_the_event_has_started():
    _seat(_event())

    assert _scan(START + timedelta(minutes=1)) == 0


def test_it_reminds_guests_with_a_confirmed_seat():
    event = _event()
    guest = GuestRSVPFactory(event=event, confirmed_at=LONG_AGO)
    GuestRSVPFactory(event=event, status=RSVP.Status.PENDING, confirmed_at=None)

    assert _scan(START - timedelta(hours=23)) == 1

    [message] = _reminders()
    assert message.to == guest.guest_email


@pytest.mark.parametrize("status", [RSVP.Status.CANCELLED, RSVP.Status.WAITLISTED, RSVP.Status.PENDING])
def test_it_never_reminds_people_without_a_seat(status):
    _seat(_event(), status=status)

    assert _scan(START - timedelta(hours=23)) == 0


@pytest.mark.parametrize("status", [Event.Status.CANCELLED, Event.Status.DRAFT])
def test_it_never_reminds_about_cancelled_or_draft_events(status):
    _seat(_event(status=status))

    assert _scan(START - timedelta(hours=23)) == 0


def test_it_sends_no_reminder_for_an_event_cancelled_after_the_first_one():
    from events.services.hosting import event_cancel
    from tests.factories import AdministratorFactory

    event = _event()
    _seat(event)
    _scan(START - timedelta(hours=23))
    with time_machine.travel(START - timedelta(hours=5), tick=False):
        event_cancel(event_id=event.pk, reason="", actor=AdministratorFactory())

    assert _scan(START - timedelta(hours=1)) == 0
    assert len(_reminders()) == 1


def test_it_respects_the_rsvps_reminder_switch():
    _seat(_event(), reminders=False)

    assert _scan(START - timedelta(hours=23)) == 0


def test_it_respects_the_accounts_reminder_preference():
    _seat(_event(), user=ResidentFactory(email_event_reminders=False))

    assert _scan(START - timedelta(hours=23)) == 0


def test_it_sends_no_reminder_to_a_deactivated_account():
    _seat(_event(), user=ResidentFactory(is_active=False))

    assert _scan(START - timedelta(hours=23)) == 0


def test_it_writes_in_the_recipients_language_with_when_where_and_the_link():
    event = _event(online_url="https://meet.example.org/abc", venue_name="Riverside Library")
    _seat(event, user=ResidentFactory(language="es"), party_size=2)
    _scan(START - timedelta(hours=23))

    [message] = _reminders()
    assert message.language == "es"
    email = outbox_render(message)
    assert event.title in email.subject
    assert "diciembre" in email.body  # the date, in Spanish
    assert "Riverside Library" in email.body
    assert "https://meet.example.org/abc" in email.body
    assert "/es/events/mine/" in email.body
    assert "/es/account/" in email.body


def test_it_points_guests_to_their_confirmation_link_and_the_event_page():
    event = _event()
    guest = GuestRSVPFactory(event=event, confirmed_at=LONG_AGO, language="en")
    _scan(START - timedelta(hours=23))

    body = outbox_render(_reminders()[0]).body
    assert "private link in the confirmation email" in body
    assert f"/events/{event.slug}/" in body
    assert guest.seat_code in body
    assert "/account/" not in body


def test_it_queues_the_sends_in_batches_after_commit(django_capture_on_commit_callbacks, settings, monkeypatch):
    settings.OUTBOX_BATCH_SIZE = 2
    event = _event()
    for _ in range(3):
        _seat(event)
    sent: list[list[int]] = []
    monkeypatch.setattr(
        "portal.tasks.outbox_send_task.apply_async", lambda kwargs, **options: sent.append(kwargs["message_ids"])
    )

    with django_capture_on_commit_callbacks(execute=True):
        _scan(START - timedelta(hours=23))

    assert sorted(len(batch) for batch in sent) == [1, 2]
    assert sorted(pk for batch in sent for pk in batch) == sorted(m.pk for m in _reminders())


def test_it_runs_one_query_per_offset_whatever_the_rows_outside_the_window(django_assert_max_num_queries):
    for days in (3, 5, 9, 30):
        event = _event(starts_at=START + timedelta(days=days), ends_at=START + timedelta(days=days, hours=1))
        for _ in range(5):
            _seat(event)
    past = _event(starts_at=START - timedelta(days=3), ends_at=START - timedelta(days=3) + timedelta(hours=1))
    _seat(past)

    with time_machine.travel(START - timedelta(hours=23), tick=False), django_assert_max_num_queries(4):
        # One query per offset (24 h and 2 h), plus the savepoint of the transaction.
        assert reminders_queue_due(now=timezone.now()) == 0
