"""The one mail path: every email is an OutboxMessage row, sent by a task, swept by beat.

`outbox_enqueue` is called inside the transaction of the change that causes the mail, so the
message exists exactly when the change does. Sending claims rows first (pending → sending), so a
task and the sweep never send the same row twice; the only duplicate possible is a message the
server accepted just before a worker died, before the row was marked sent.
"""

from __future__ import annotations

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

    Call it inside the transaction of the change that causes the mail. Unless `send` is False
    (fan-out sends in batches), a send task is enqueued after commit.
    """
    try:
        with transaction.atomic():
            message = OutboxMessage.objects.create(
                dedupe_key=dedupe_key[:200],
                to=to,
                template=template,
                context=encode_context(context or {}),
                language=language or translation.get_language() or settings.LANGUAGE_CODE,
                headers=headers or {},
                # The send task is expected first; the sweep takes over a minute later if it never ran.
                next_attempt_at=timezone.now() + timedelta(seconds=60 if send else 0),
            )
    except IntegrityError:
        return None
    if send:
        from portal.tasks import outbox_send_task

        enqueue_on_commit(outbox_send_task, message_ids=[message.pk])
    return message


# --- Rendering and sending ---------------------------------------------------------------------


def outbox_render(message: OutboxMessage) -> EmailMultiAlternatives:
    """Subject, text and (when present) HTML parts, in the recipient's language."""
    context = _decode(message.context)
    context.setdefault("email", message.to)
    context["current_site"] = {"name": settings.DEPARTMENT_NAME, "domain": settings.SITE_URL.split("://")[-1]}
    context["department_name"] = settings.DEPARTMENT_NAME
    context["site_url"] = settings.SITE_URL
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


def _claim(message_ids: Iterable[int], *, now: datetime) -> list[OutboxMessage]:
    """Take rows for this sender: one conditional UPDATE, so two senders never share a row."""
    token = uuid.uuid4().hex
    stale = now - timedelta(seconds=settings.OUTBOX_CLAIM_TIMEOUT_SECONDS)
    claimable = Q(status=Status.PENDING) | Q(status=Status.SENDING, claimed_at__lt=stale)
    OutboxMessage.objects.filter(claimable, pk__in=list(message_ids)).update(
        status=Status.SENDING, claimed_at=now, claim_token=token
    )
    return list(OutboxMessage.objects.filter(claim_token=token, status=Status.SENDING).order_by("pk"))


def _is_permanent(exc: Exception) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _msg in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code >= 500
    return isinstance(exc, TemplateDoesNotExist)


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 … minutes between attempts, at most a day."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 24 * 60))


def outbox_deliver(*, message_ids: Iterable[int], now: datetime | None = None) -> tuple[int, int]:
    """Send these messages over one connection. Returns (sent, failed) for this call.

    Each row is marked sent as soon as the server accepts it; a failure is retried with backoff
    until OUTBOX_MAX_ATTEMPTS, a permanent refusal (5xx) fails the row at once.
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
            except Exception as exc:  # noqa: BLE001 — any failure is recorded on the row
                failed += 1
                _record_failure(message, exc, now=now)
            else:
                sent += 1
                OutboxMessage.objects.filter(pk=message.pk).update(
                    status=Status.SENT, sent_at=timezone.now(), attempts=message.attempts + 1, last_error=""
                )
    except Exception as exc:  # noqa: BLE001 — the connection itself failed: retry every unsent row
        logger.warning("outbox: connection failed: %s", exc)
        for message in OutboxMessage.objects.filter(pk__in=[m.pk for m in messages], status=Status.SENDING):
            failed += 1
            _record_failure(message, exc, now=now)
    finally:
        try:
            connection.close()
        except Exception:
            logger.info("outbox: closing the mail connection failed", exc_info=True)
    return sent, failed


def _record_failure(message: OutboxMessage, exc: Exception, *, now: datetime) -> None:
    attempts = message.attempts + 1
    permanent = _is_permanent(exc) or attempts >= settings.OUTBOX_MAX_ATTEMPTS
    logger.warning("outbox: message %s attempt %s failed (%s): %s", message.pk, attempts, type(exc).__name__, exc)
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=Status.FAILED if permanent else Status.PENDING,
        attempts=attempts,
        last_error=f"{type(exc).__name__}: {exc}"[:2000],
        next_attempt_at=now + backoff(attempts),
        claimed_at=None,
    )


def outbox_due_ids(*, now: datetime, limit: int) -> list[int]:
    """Messages due now: pending and past their next attempt, or claimed by a worker that died."""
    stale = now - timedelta(seconds=settings.OUTBOX_CLAIM_TIMEOUT_SECONDS)
    return list(
        OutboxMessage.objects.filter(
            Q(status=Status.PENDING, next_attempt_at__lte=now) | Q(status=Status.SENDING, claimed_at__lt=stale)
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def outbox_sweep(*, now: datetime | None = None, batch_size: int | None = None) -> int:
    """Enqueue a send task for every due message, in batches. Returns how many were offered."""
    from portal.tasks import outbox_send_task

    now = now or timezone.now()
    batch_size = batch_size or settings.OUTBOX_BATCH_SIZE
    ids = outbox_due_ids(now=now, limit=batch_size * 20)
    for start in range(0, len(ids), batch_size):
        enqueue_on_commit(outbox_send_task, message_ids=ids[start : start + batch_size])
    return len(ids)
