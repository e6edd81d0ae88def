"""The email fan-out of a published update: planned once, sent in batches, resumable, at most once.

Planning (`fanout_plan`, inside the publishing transaction) writes one outbox row per matching
active subscriber with bulk inserts. Each row's dedupe key "transparency.update:<update>:<subscriber>"
is unique, so planning again never duplicates, and the rows ARE the delivery record (sent /
failed / pending is the outbox row's status; progress is an indexed count on the batch key).

Sending: after commit, FANOUT_CHAINS chains of `fanout_send_task` start. Each task sends ONE batch
of TRANSPARENCY_FANOUT_BATCH_SIZE never-tried rows through `portal.outbox.outbox_deliver` (one
SMTP connection, the batch's rows claimed first; the email rendered and its MIME built once per
language, each subscriber's own links filled in; rows the server accepted marked sent in groups of
FANOUT_MARK_EVERY, one UPDATE a group), then enqueues the next task of its chain. Everything else
is the outbox's: a failed row goes back to pending with backoff and the beat sweep offers it again;
a worker killed mid-batch leaves its claimed rows in "sending" until the claim goes stale, then the
sweep offers them again — so the only rows that can go out twice are those of the batch in flight
(accepted by the server but not yet marked: at most its last group of FANOUT_MARK_EVERY), and never
a row marked sent before it. A broker outage only delays: the rows wait in the database and the
sweep offers them (the planned rows are due OUTBOX_TASK_GRACE_SECONDS after
planning, so in normal running the chains send them and the sweep leaves them alone).

Safety alerts first: before taking a batch of its own update, every chain task takes a batch of
any unfinished safety-alert fan-out (oldest first) — it is the database, not the broker's queue
order, that decides, so a safety alert published during a 100k community-news fan-out overtakes
it at the next batch boundary whichever broker is used. Safety-alert rows are also due at once
(no grace), so the sweep, which offers rows in due order, offers them first too.

Links in the email: the subscriber's own token is stored only as a hash, so every email carries
the derived link token (transparency.subscription_links.subscriber_link_token), which the manage
page and the one-click unsubscribe accept.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, OuterRef
from django.urls import reverse
from django.utils import timezone, translation

from portal.background import enqueue_on_commit
from portal.models import OutboxMessage
from portal.outbox import PER_RECIPIENT_KEYS, outbox_deliver, outbox_enqueue_many
from transparency.models import Category, Subscriber, Subscription, Update
from transparency.subscription_links import subscriber_link_token_for

logger = logging.getLogger(__name__)

Status = OutboxMessage.Status
TEMPLATE = "transparency/email/update"
# Chains of send tasks started per fan-out: two workers' worth; more workers need no change here
# (the outbox sweep adds senders for a backlog).
FANOUT_CHAINS = 2
# Sent rows are marked in groups of this many (one UPDATE a group, never more than a batch): a
# worker killed mid-batch can duplicate at most the accepted rows of its last group.
FANOUT_MARK_EVERY = 100


def fanout_dedupe_key(*, update_id: int, subscriber_id: int) -> str:
    return f"transparency.update:{update_id}:{subscriber_id}"


# --- Who gets it ----------------------------------------------------------------------------------


def fanout_recipients(*, update: Update):
    """Active subscribers who want this update: confirmed, not unsubscribed, not undeliverable;
    subscribed to its category; and, when the update is about districts and the subscriber chose
    some, at least one in common (no districts chosen = every district)."""
    qs = Subscriber.objects.filter(
        confirmed_at__isnull=False,
        unsubscribed_at__isnull=True,
        undeliverable_at__isnull=True,
    ).filter(Exists(Subscription.objects.filter(subscriber=OuterRef("pk"), category=update.category)))
    district_ids = list(update.districts.values_list("pk", flat=True))
    if district_ids:
        chosen = Subscriber.districts.through.objects.filter(subscriber_id=OuterRef("pk"))
        qs = qs.filter(~Exists(chosen) | Exists(chosen.filter(district_id__in=district_ids)))
    return qs


# --- Planning -------------------------------------------------------------------------------------


def _update_text(update: Update, language: str) -> dict[str, str]:
    """The update's words in one language (Spanish when written, else English), and its link."""
    spanish = language == "es" and update.has_spanish()
    with translation.override(language):
        return {
            "update_title": update.title_es if spanish else update.title,
            "update_summary": (update.summary_es or update.summary) if spanish else update.summary,
            "category_label": str(Category(update.category).label),
            "update_url": settings.SITE_URL + update.get_absolute_url(),
            "manage_path": reverse("transparency:manage", kwargs={"token": "TOKEN"}),
        }


def fanout_plan(*, update: Update) -> int:
    """Write the update's outbox rows (one per matching subscriber) and start sending after commit.

    Call it in the publishing transaction. Running it again adds only rows that are missing
    (a subscriber who confirmed since), never a second row for anyone. Returns the rows planned.
    """
    now = timezone.now()
    languages = {code for code, _name in settings.LANGUAGES}
    texts = {code: _update_text(update, code) for code in languages}
    unsubscribe_path = reverse("transparency_oneclick:unsubscribe", kwargs={"token": "TOKEN"})
    site = settings.SITE_URL
    is_urgent = update.category == Category.SAFETY_ALERT

    def messages():
        rows = fanout_recipients(update=update).values_list("pk", "email", "language", "token_hash")
        for pk, email, language, token_hash in rows.order_by("pk").iterator(chunk_size=2000):
            language = language if language in texts else settings.LANGUAGE_CODE
            text = texts[language]
            token = subscriber_link_token_for(pk=pk, token_hash=token_hash)
            unsubscribe_url = site + unsubscribe_path.replace("TOKEN", token)
            context: dict[str, Any] = {
                "update_title": text["update_title"],
                "update_summary": text["update_summary"],
                "category_label": text["category_label"],
                "update_url": text["update_url"],
                "manage_url": site + text["manage_path"].replace("TOKEN", token),
                "unsubscribe_url": unsubscribe_url,
                # Only these (and the address) differ from one subscriber to the next: the outbox
                # renders the email once per language and fills them in.
                PER_RECIPIENT_KEYS: ["manage_url", "unsubscribe_url"],
            }
            yield {
                "dedupe_key": fanout_dedupe_key(update_id=update.pk, subscriber_id=pk),
                "to": email,
                "language": language,
                "context": context,
                "headers": {
                    "List-Unsubscribe": f"<{unsubscribe_url}>",
                    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                },
            }

    grace = 0 if is_urgent else settings.OUTBOX_TASK_GRACE_SECONDS
    outbox_enqueue_many(
        messages=messages(),
        template=TEMPLATE,
        batch_key=update.fanout_batch_key,
        next_attempt_at=now + timedelta(seconds=grace),
    )
    total = OutboxMessage.objects.filter(batch_key=update.fanout_batch_key).count()
    fields = {"fanout_total": total, "fanout_planned_at": update.fanout_planned_at or now}
    if total == 0:
        fields["fanout_finished_at"] = now
    elif total != update.fanout_total:
        fields["fanout_finished_at"] = None  # a re-plan added rows: not finished until they are sent
    Update.objects.filter(pk=update.pk).update(**fields)
    for name, value in fields.items():
        setattr(update, name, value)
    if total:
        from transparency.tasks import fanout_send_task

        for _chain in range(FANOUT_CHAINS):
            enqueue_on_commit(fanout_send_task, update_id=update.pk)
    logger.info("transparency: update %s planned for %s subscriber(s)", update.pk, total)
    return total


# --- Sending --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BatchResult:
    update_id: int  # the fan-out this batch belonged to (a safety alert may go first)
    sent: int
    failed: int
    more: bool  # the chain's own update still has never-tried rows


def _never_tried(update_id: int):
    """Rows of a fan-out no sender has tried yet. Retries (with backoff) and stale claims are the sweep's."""
    batch_key = Update(pk=update_id).fanout_batch_key
    return OutboxMessage.objects.filter(batch_key=batch_key, status=Status.PENDING, attempts=0)


def _ready_ids(*, update_id: int, limit: int) -> list[int]:
    return list(_never_tried(update_id).values_list("pk", flat=True)[:limit])


def _has_ready(update_id: int) -> bool:
    return _never_tried(update_id).exists()


def _urgent_update_ids() -> list[int]:
    return list(
        Update.objects.filter(
            category=Category.SAFETY_ALERT, fanout_planned_at__isnull=False, fanout_finished_at__isnull=True
        )
        .order_by("fanout_planned_at", "pk")
        .values_list("pk", flat=True)
    )


def fanout_send_next(*, update_id: int, now: datetime | None = None, batch_size: int | None = None) -> BatchResult:
    """Send one batch: of an unfinished safety alert if one is waiting, else of `update_id`'s fan-out.

    Two chains may pick the same ids at once; `outbox_deliver`'s claim gives each row to one of
    them, and the other picks again (a few times at most).
    """
    batch_size = batch_size or settings.TRANSPARENCY_FANOUT_BATCH_SIZE
    candidates = [*_urgent_update_ids(), update_id]
    served, sent, failed = update_id, 0, 0
    for candidate in dict.fromkeys(candidates):
        for _attempt in range(3):
            ids = _ready_ids(update_id=candidate, limit=batch_size)
            if not ids:
                break
            sent, failed = outbox_deliver(message_ids=ids, now=now, mark_every=min(FANOUT_MARK_EVERY, batch_size))
            if sent or failed:
                break
        if sent or failed:
            served = candidate
            break
    if sent or failed:
        fanout_mark_finished(update_id=served)
    if served != update_id:
        fanout_mark_finished(update_id=update_id)
    return BatchResult(update_id=served, sent=sent, failed=failed, more=_has_ready(update_id))


def fanout_mark_finished(*, update_id: int, now: datetime | None = None) -> bool:
    """Record the end of a fan-out once nothing is pending or being sent. True when it is finished."""
    update = Update.objects.filter(pk=update_id).only("pk", "fanout_planned_at", "fanout_finished_at").first()
    if update is None or update.fanout_planned_at is None:
        return False
    if update.fanout_finished_at is not None:
        return True
    busy = OutboxMessage.objects.filter(
        batch_key=update.fanout_batch_key, status__in=[Status.PENDING, Status.SENDING]
    ).exists()
    if busy:
        return False
    Update.objects.filter(pk=update_id, fanout_finished_at__isnull=True).update(
        fanout_finished_at=now or timezone.now()
    )
    return True


# --- Progress -------------------------------------------------------------------------------------


def fanout_counts(*, update: Update) -> dict[str, int]:
    """Rows of this fan-out by status: one indexed query (batch_key, status)."""
    counts = dict.fromkeys(Status.values, 0)
    rows = (
        OutboxMessage.objects.filter(batch_key=update.fanout_batch_key)
        .values("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        counts[row["status"]] = row["n"]
    return counts


def fanout_progress(*, update: Update) -> tuple[int, int, int]:
    """(sent, failed, total) of an update's fan-out."""
    counts = fanout_counts(update=update)
    return counts[Status.SENT], counts[Status.FAILED], sum(counts.values())


@dataclass(frozen=True)
class FanoutReport:
    """What the progress page shows: counts, the bar's value, and (when finished) why rows failed."""

    sent: int
    failed: int
    total: int
    planned_at: datetime | None
    finished_at: datetime | None
    failure_reasons: list[tuple[str, int]]

    @property
    def done(self) -> int:
        return self.sent + self.failed

    @property
    def waiting(self) -> int:
        return self.total - self.done

    @property
    def finished(self) -> bool:
        return self.finished_at is not None

    @property
    def percent(self) -> int:
        return 100 if not self.total else (100 * self.done) // self.total

    @property
    def duration(self) -> timedelta | None:
        if self.planned_at and self.finished_at:
            return self.finished_at - self.planned_at
        return None

    @property
    def under_a_minute(self) -> bool:
        return self.duration is not None and self.duration < timedelta(minutes=1)


def fanout_report(*, update: Update) -> FanoutReport:
    """Progress for the administrator; records the end of the fan-out when nothing is left to send
    (rows the sweep sent after the chains stopped finish it here)."""
    counts = fanout_counts(update=update)
    finished_at = update.fanout_finished_at
    if update.fanout_planned_at and finished_at is None and not (counts[Status.PENDING] or counts[Status.SENDING]):
        fanout_mark_finished(update_id=update.pk)
        finished_at = Update.objects.filter(pk=update.pk).values_list("fanout_finished_at", flat=True).first()
    reasons: list[tuple[str, int]] = []
    if finished_at and counts[Status.FAILED]:
        rows = (
            OutboxMessage.objects.filter(batch_key=update.fanout_batch_key, status=Status.FAILED)
            .values("last_error")
            .annotate(n=Count("pk"))
            .order_by("-n")[:5]
        )
        reasons = [((row["last_error"] or "?")[:200], row["n"]) for row in rows]
    return FanoutReport(
        sent=counts[Status.SENT],
        failed=counts[Status.FAILED],
        total=sum(counts.values()),
        planned_at=update.fanout_planned_at,
        finished_at=finished_at,
        failure_reasons=reasons,
    )


# --- Undeliverable addresses ----------------------------------------------------------------------


def fanout_address_undeliverable(*, email: str) -> int:
    """A permanent refusal: no further sends to this address, including rows already planned.

    The subscriber is marked undeliverable (left out of every later plan) and the address's
    not-yet-sent update rows are failed at once. Returns the rows cancelled.
    """
    from transparency.services.subscriptions import subscriber_mark_undeliverable

    with transaction.atomic():
        subscriber_mark_undeliverable(email=email)
        return OutboxMessage.objects.filter(to=email, template=TEMPLATE, status=Status.PENDING).update(
            status=Status.FAILED, last_error="Not sent: the address refused an earlier message for good."
        )


def on_outbox_failed_for_good(sender: Any, *, message: OutboxMessage, permanent: bool, **kwargs: Any) -> None:
    """Receiver of portal.outbox.outbox_failed_for_good: a 5xx refusal of one of our emails."""
    if permanent and message.template.startswith("transparency/email/"):
        fanout_address_undeliverable(email=message.to)
