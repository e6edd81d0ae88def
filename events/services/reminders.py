"""Reminders before events, found by a beat scan (events.tasks.reminders_scan_task), never by
countdown tasks: a worker restart loses none, and the outbox's unique key sends each at most once.

For each offset in EVENTS_REMINDER_HOURS (by default 24 and 2 hours before the start), one
indexed query finds the confirmed seats of published events starting inside that offset's window
whose holders want reminders and have not been sent this one yet. The query walks events by
their (status, starts_at) index and their RSVPs by the (event, status) index, so its cost follows
the RSVPs inside the window, not the size of the table (bench/reminder_scan.py measures it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models, transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from events.models import RSVP, Event
from events.services.hosting import rsvp_links, rsvp_recipient_language
from portal.background import enqueue_on_commit
from portal.models import OutboxMessage
from portal.outbox import outbox_enqueue

REMINDER_KEY_PREFIX = "events.reminder:"


def reminder_dedupe_key(*, rsvp_id: int, offset_hours: int) -> str:
    return f"{REMINDER_KEY_PREFIX}{rsvp_id}:{offset_hours}h"


@dataclass(frozen=True)
class ReminderWindow:
    """Events starting in (now + after, now + until] get the reminder of `offset_hours`."""

    offset_hours: int
    after: timedelta
    until: timedelta


def reminder_windows(offsets: list[int] | None = None) -> list[ReminderWindow]:
    """One window per offset, largest first. A window ends where the next smaller one begins, so an
    event that is already inside the 2-hour window (after an outage, say) gets the 2-hour reminder
    and not a late 24-hour one as well; together the windows cover (now, now + largest]."""
    hours = sorted({int(h) for h in (offsets if offsets is not None else settings.EVENTS_REMINDER_HOURS) if h > 0})
    windows = []
    for index, offset in enumerate(hours):
        smaller = hours[index - 1] if index else 0
        windows.append(
            ReminderWindow(offset_hours=offset, after=timedelta(hours=smaller), until=timedelta(hours=offset))
        )
    return list(reversed(windows))


def reminders_due(*, now: datetime, window: ReminderWindow) -> QuerySet[RSVP]:
    """Seats owed the reminder of `window` now: one query, index-bound (events by status and start,
    then their confirmed RSVPs), without those already queued (the outbox key, by its unique index).

    Rules: a confirmed seat (never a cancelled, waitlisted or pending one), of a published event
    (never a draft or a cancelled one), confirmed before the reminder's moment (starts_at - offset:
    an RSVP made inside the window gets no stale reminder for it), whose holder wants reminders
    (the RSVP's flag and, for an account, the account's preference).
    """
    offset = timedelta(hours=window.offset_hours)
    already_queued = OutboxMessage.objects.filter(
        dedupe_key=Concat(
            Value(REMINDER_KEY_PREFIX),
            Cast(OuterRef("pk"), output_field=models.CharField()),
            Value(f":{window.offset_hours}h"),
            output_field=models.CharField(),
        )
    )
    return (
        RSVP.objects.filter(
            event__status=Event.Status.PUBLISHED,
            event__starts_at__gt=now + window.after,
            event__starts_at__lte=now + window.until,
            status=RSVP.Status.CONFIRMED,
            reminders=True,
            confirmed_at__lt=F("event__starts_at") - offset,
        )
        .filter(Q(user__isnull=True) | Q(user__is_active=True, user__email_event_reminders=True))
        .exclude(Exists(already_queued))
        .select_related("event", "user")
        .order_by()
    )


@transaction.atomic
def reminders_queue_due(*, now: datetime) -> int:
    """Queue every reminder due at `now`; returns how many were queued. Safe to run any number of
    times (each reminder's outbox key is unique); the sends go out in batches after commit."""
    queued: list[int] = []
    for window in reminder_windows():
        for rsvp in reminders_due(now=now, window=window):
            language = rsvp_recipient_language(rsvp)
            message = outbox_enqueue(
                dedupe_key=reminder_dedupe_key(rsvp_id=rsvp.pk, offset_hours=window.offset_hours),
                to=rsvp.email,
                template="events/email/reminder",
                language=language,
                context={
                    "event": rsvp.event,
                    "rsvp": rsvp,
                    "offset_hours": window.offset_hours,
                    **rsvp_links(rsvp, language=language),
                },
                send=False,  # sent below in batches, one mail connection each
            )
            if message is not None:
                queued.append(message.pk)
    _send_in_batches(queued)
    return len(queued)


def _send_in_batches(message_ids: list[int]) -> None:
    """As the outbox sweep offers rows: one send task per batch after commit, and the sweep leaves
    the rows to those tasks for a grace period (if a task is lost, the sweep sends them later)."""
    from portal.tasks import outbox_send_task

    batch_size = settings.OUTBOX_BATCH_SIZE
    offered_until = timezone.now() + timedelta(seconds=settings.OUTBOX_TASK_GRACE_SECONDS)
    for start in range(0, len(message_ids), batch_size):
        batch = message_ids[start : start + batch_size]
        OutboxMessage.objects.filter(pk__in=batch, status=OutboxMessage.Status.PENDING).update(
            next_attempt_at=offered_until
        )
        enqueue_on_commit(outbox_send_task, message_ids=batch)
