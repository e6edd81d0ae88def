"""The one mail path: every email is an OutboxMessage row, sent by a task, swept by beat.

`outbox_enqueue` is called inside the transaction of the change that causes the mail, so the
message exists exactly when the change does, and its unique `dedupe_key` means it is never
created twice. Sending claims rows first (pending → sending, one conditional UPDATE), so a task
and the sweep never send the same row twice; each row is marked sent as soon as the server has
accepted it. The only duplicate possible is a message the server accepted just before a worker
died, before the row was marked sent: its claim goes stale and the sweep offers it again.
"""

from __future__ import annotations

import hashlib
import logging
import smtplib
import uuid
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone, translation

from portal.background import enqueue_on_commit
from portal.models import OutboxMessage

logger = logging.getLogger(__name__)

Status = OutboxMessage.Status
DEDUPE_KEY_MAX_LENGTH = 200


# --- Context: JSON in the row, rich again at render time ---------------------------------------


def _encode(value: Any) -> Any:
    if isinstance(value, models.Model):
        return {"__model__": value._meta.label, "pk": value.pk}
    if isinstance(value, datetime):
        return {"__datetime__": value.isoformat()}
    if isinstance(value, date):
        return {"__date__": value.isoformat()}
    if isinstance(value, dict):
        return {str(k): _encode(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if "__model__" in value:
            model = apps.get_model(value["__model__"])
            # A row deleted since the message was queued renders as None, not as an error.
            return model._default_manager.filter(pk=value["pk"]).first()
        if "__datetime__" in value:
            return datetime.fromisoformat(value["__datetime__"])
        if "__date__" in value:
            return date.fromisoformat(value["__date__"])
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def encode_context(context: dict[str, Any]) -> dict[str, Any]:
    """Make a template context storable: model instances become references, requests are dropped."""
    skip = {"request", "current_site", "view"}
    return {k: _encode(v) for k, v in context.items() if k not in skip}


def _fit_dedupe_key(dedupe_key: str) -> str:
    """Keys longer than the column keep a readable prefix and a hash of the whole key.

    Cutting them short instead would make two different long keys collide, and the second
    message would silently never be created.
    """
    if len(dedupe_key) <= DEDUPE_KEY_MAX_LENGTH:
        return dedupe_key
    digest = hashlib.sha256(dedupe_key.encode()).hexdigest()
    suffix = f":sha256:{digest}"
    return dedupe_key[: DEDUPE_KEY_MAX_LENGTH - len(suffix)] + suffix


# --- Writing -----------------------------------------------------------------------------------


def outbox_enqueue(
    *,
    dedupe_key: str,
    to: str,
    template: str,
    context: dict[str, Any] | None = None,
    language: str | None = None,
    headers: dict[str, str] | None = None,
    send: bool = True,
) -> OutboxMessage | None:
    """Write one message; returns None when `dedupe_key` already exists (it was queued before).

    Call it inside the transaction of the change that causes the mail. `template` is a prefix:
    `<template>_subject.txt`, `<template>_message.txt` and, optionally, `<template>_message.html`
    are rendered at send time in `language`. Unless `send` is False (fan-out sends its own
    batches), a send task is enqueued after commit.
    """
    now = timezone.now()
    try:
        # A savepoint, so a duplicate key does not break the caller's transaction.
        with transaction.atomic():
            message = OutboxMessage.objects.create(
                dedupe_key=_fit_dedupe_key(dedupe_key),
                to=to,
                template=template,
                context=encode_context(context or {}),
                language=language or translation.get_language() or settings.LANGUAGE_CODE,
                headers=headers or {},
                # With a send task on its way, the sweep leaves the row to it for a while.
                next_attempt_at=now + timedelta(seconds=settings.OUTBOX_TASK_GRACE_SECONDS if send else 0),
            )
    except IntegrityError:
        return None
    if send:
        from portal.tasks import outbox_send_task

        enqueue_on_commit(outbox_send_task, message_ids=[message.pk])
    return message


# --- Rendering ---------------------------------------------------------------------------------


def _email_context(message: OutboxMessage) -> dict[str, Any]:
    """The stored context, plus what every email layout needs (no request, no context processors)."""
    context = _decode(message.context)
    context.setdefault("email", message.to)
    domain = settings.SITE_URL.split("://")[-1]
    # allauth's templates read current_site.name and current_site.domain.
    context["current_site"] = {"name": settings.DEPARTMENT_NAME, "domain": domain}
    context["department"] = {
        "name": settings.DEPARTMENT_NAME,
        "short_name": settings.DEPARTMENT_SHORT_NAME,
        "phone": settings.DEPARTMENT_PHONE,
        "emergency_number": settings.EMERGENCY_NUMBER,
        "primary_color": settings.DEPARTMENT_PRIMARY_COLOR,
    }
    context["department_name"] = settings.DEPARTMENT_NAME
    context["site_url"] = settings.SITE_URL
    context["site_domain"] = domain
    context["language"] = message.language
    return context


def outbox_render(message: OutboxMessage) -> EmailMultiAlternatives:
    """Subject, text and (when the template exists) HTML parts, in the recipient's language."""
    context = _email_context(message)
    with translation.override(message.language):
        subject = " ".join(render_to_string(f"{message.template}_subject.txt", context).splitlines()).strip()
        text = render_to_string(f"{message.template}_message.txt", context).strip()
        try:
            html = render_to_string(f"{message.template}_message.html", context).strip()
        except TemplateDoesNotExist:
            html = None
    email = EmailMultiAlternatives(
        subject=f"[{settings.DEPARTMENT_SHORT_NAME}] {subject}",
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to],
        headers=message.headers or None,
    )
    if html:
        email.attach_alternative(html, "text/html")
    return email


# --- Sending -----------------------------------------------------------------------------------


def _claim(message_ids: Iterable[int], *, now: datetime) -> list[OutboxMessage]:
    """Take rows for this sender: one conditional UPDATE, so two senders never share a row.

    A row left in "sending" longer than OUTBOX_CLAIM_TIMEOUT_SECONDS belongs to a sender that
    died; it may be taken again.
    """
    ids = list(message_ids)
    if not ids:
        return []
    token = uuid.uuid4().hex
    stale = now - timedelta(seconds=settings.OUTBOX_CLAIM_TIMEOUT_SECONDS)
    claimable = Q(status=Status.PENDING) | Q(status=Status.SENDING, claimed_at__lt=stale)
    claimed = OutboxMessage.objects.filter(claimable, pk__in=ids).update(
        status=Status.SENDING, claimed_at=now, claim_token=token
    )
    if not claimed:
        return []
    return list(OutboxMessage.objects.filter(pk__in=ids, claim_token=token, status=Status.SENDING).order_by("pk"))


def _is_permanent(exc: Exception) -> bool:
    """A 5xx refusal will not change by trying again; nor will a missing template."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return bool(exc.recipients) and all(code >= 500 for code, _msg in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code >= 500
    return isinstance(exc, TemplateDoesNotExist)


def _connection_lost(exc: Exception) -> bool:
    """Errors after which nothing more can go over this connection (smtplib's errors are OSErrors)."""
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return True
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code == 421  # "service not available, closing transmission channel"
    if isinstance(exc, smtplib.SMTPException):
        return False
    return isinstance(exc, OSError)


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 … minutes between attempts, at most a day."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 24 * 60))


def outbox_deliver(*, message_ids: Iterable[int], now: datetime | None = None) -> tuple[int, int]:
    """Send these messages over one connection. Returns (sent, failed) for this call.

    Rows another sender holds, or already sent, are skipped, so running this twice for the same
    ids sends once. Each row is marked sent as soon as the server accepts it. A failure is retried
    with backoff until OUTBOX_MAX_ATTEMPTS; a permanent refusal (5xx) fails the row at once. When
    the connection itself is lost, every row of the batch not yet sent is retried later.

    Deliberately not atomic: each mark commits on its own, so a crash mid-batch keeps what was sent.
    """
    now = now or timezone.now()
    messages = _claim(message_ids, now=now)
    if not messages:
        return 0, 0
    sent = failed = 0
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
        for message in messages:
            try:
                email = outbox_render(message)
                email.connection = connection
                email.send()
            except Exception as exc:  # any failure is recorded on the row
                if _connection_lost(exc):
                    raise
                if _record_failure(message, exc, now=now):
                    failed += 1
            else:
                sent += 1
                OutboxMessage.objects.filter(pk=message.pk).update(
                    status=Status.SENT, sent_at=timezone.now(), attempts=message.attempts + 1, last_error=""
                )
    except Exception as exc:  # noqa: BLE001 — the connection failed: retry every row not yet sent
        logger.warning("outbox: mail connection failed: %s: %s", type(exc).__name__, exc)
        for message in messages:
            if _record_failure(message, exc, now=now):
                failed += 1
    finally:
        try:
            connection.close()
        except Exception:  # the server may already have hung up
            logger.info("outbox: closing the mail connection failed", exc_info=True)
    return sent, failed


def _record_failure(message: OutboxMessage, exc: Exception, *, now: datetime) -> bool:
    """Back to pending with backoff, or failed for good. False if this sender no longer holds the row."""
    attempts = message.attempts + 1
    permanent = _is_permanent(exc) or attempts >= settings.OUTBOX_MAX_ATTEMPTS
    # Only while this sender still holds the claim: never turn a row that was sent, or that a
    # later sender took over, back into pending.
    updated = OutboxMessage.objects.filter(
        pk=message.pk, status=Status.SENDING, claim_token=message.claim_token
    ).update(
        status=Status.FAILED if permanent else Status.PENDING,
        attempts=attempts,
        last_error=f"{type(exc).__name__}: {exc}"[:2000],
        next_attempt_at=now + backoff(attempts),
        claimed_at=None,
    )
    if updated:
        logger.warning(
            "outbox: message %s attempt %s %s (%s): %s",
            message.pk,
            attempts,
            "failed for good" if permanent else "will be retried",
            type(exc).__name__,
            exc,
        )
    return bool(updated)


# --- The sweep ---------------------------------------------------------------------------------


def outbox_due_ids(*, now: datetime, limit: int) -> list[int]:
    """Messages due now: pending and past their next attempt, or claimed by a sender that died."""
    stale = now - timedelta(seconds=settings.OUTBOX_CLAIM_TIMEOUT_SECONDS)
    return list(
        OutboxMessage.objects.filter(
            Q(status=Status.PENDING, next_attempt_at__lte=now) | Q(status=Status.SENDING, claimed_at__lt=stale)
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def outbox_sweep(*, now: datetime | None = None, batch_size: int | None = None) -> int:
    """Enqueue a send task for every due message, in batches. Returns how many were offered.

    Run by beat every OUTBOX_SWEEP_SECONDS: whatever a broker or worker outage left unsent goes
    out once both are back. An offered row is not offered again for OUTBOX_TASK_GRACE_SECONDS,
    so a backlog in the queue is not doubled on every sweep; the claim makes a second offer
    harmless anyway.
    """
    from portal.tasks import outbox_send_task

    now = now or timezone.now()
    batch_size = batch_size or settings.OUTBOX_BATCH_SIZE
    ids = outbox_due_ids(now=now, limit=batch_size * settings.OUTBOX_SWEEP_MAX_BATCHES)
    offered_until = now + timedelta(seconds=settings.OUTBOX_TASK_GRACE_SECONDS)
    for start in range(0, len(ids), batch_size):
        batch = ids[start : start + batch_size]
        OutboxMessage.objects.filter(pk__in=batch, status=Status.PENDING).update(next_attempt_at=offered_until)
        enqueue_on_commit(outbox_send_task, message_ids=batch)
    if ids:
        logger.info("outbox: sweep offered %s message(s)", len(ids))
    return len(ids)
