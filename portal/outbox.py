"""The one mail path: every email is an OutboxMessage row, sent by a task, swept by beat.

`outbox_enqueue` is called inside the transaction of the change that causes the mail, so the
message exists exactly when the change does, and its unique `dedupe_key` means it is never
created twice. Sending claims rows first (pending → sending, one conditional UPDATE), so a task
and the sweep never send the same row twice; each row is marked sent as soon as the server has
accepted it (a batch sender such as the fan-out may mark them in small groups, `mark_every`).
The only duplicate possible is a message the server accepted just before a worker died, before
the row was marked sent (for a batch sender, the unmarked rows of its last group): its claim goes
stale and the sweep offers it again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import smtplib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email import policy as email_policy
from email.parser import BytesHeaderParser
from email.utils import formatdate, make_msgid
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import RFC5322_EMAIL_LINE_LENGTH_LIMIT, forbid_multi_line_headers, sanitize_address
from django.core.mail.utils import DNS_NAME
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.dispatch import Signal
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.html import escape

from portal.background import enqueue_on_commit
from portal.models import OutboxMessage

logger = logging.getLogger(__name__)

Status = OutboxMessage.Status
DEDUPE_KEY_MAX_LENGTH = 200

# Sent (with `message`) when a row fails for good: a permanent refusal (5xx) or too many attempts.
# `permanent` is True for a 5xx refusal (the address is undeliverable), False for attempts used up.
outbox_failed_for_good = Signal()


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
    subject, text, html = _render_parts(message, _email_context(message))
    return _build(message, subject, text, html)


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


def outbox_deliver(*, message_ids: Iterable[int], now: datetime | None = None, mark_every: int = 1) -> tuple[int, int]:
    """Send these messages over one connection. Returns (sent, failed) for this call.

    Rows another sender holds, or already sent, are skipped, so running this twice for the same
    ids sends once. A row is marked sent once the server has accepted it: at once with the default
    `mark_every=1`, or for batch senders (the fan-out) in groups of `mark_every` rows, one UPDATE a
    group — a worker dying mid-group can then duplicate at most the accepted rows of that group,
    all of the batch in flight. Accepted rows are always marked before any failure is recorded,
    and only while this sender still holds their claim. A failure is retried with backoff until
    OUTBOX_MAX_ATTEMPTS; a permanent refusal (5xx) fails the row at once. When the connection itself
    is lost, every row of the batch not accepted yet is retried later.

    Messages whose context declares its per-recipient keys (PER_RECIPIENT_KEYS) are rendered once
    per template, language and shared context, and their MIME bytes built once (see _Prepared).

    Deliberately not atomic: each mark commits on its own, so a crash mid-batch keeps what was sent.
    """
    now = now or timezone.now()
    messages = _claim(message_ids, now=now)
    if not messages:
        return 0, 0
    sent = failed = 0
    accepted: list[OutboxMessage] = []  # accepted by the server, not marked yet

    def mark_accepted() -> None:
        if accepted:
            _mark_sent(list(accepted))
            accepted.clear()

    preparer = _Preparer()
    connection = get_connection(fail_silently=False)
    sender = _envelope_address(settings.DEFAULT_FROM_EMAIL) if type(connection) is SMTPBackend else None
    try:
        connection.open()
        for message in messages:
            try:
                email = preparer.email(message)
                email.connection = connection
                _send(email, connection, sender)
            except Exception as exc:  # any failure is recorded on the row
                if _connection_lost(exc):
                    raise
                mark_accepted()
                if _record_failure(message, exc, now=now):
                    failed += 1
            else:
                sent += 1
                accepted.append(message)
                if len(accepted) >= mark_every:
                    mark_accepted()
        mark_accepted()
    except Exception as exc:  # noqa: BLE001 — the connection failed: retry every row not yet sent
        logger.warning("outbox: mail connection failed: %s: %s", type(exc).__name__, exc)
        done = {m.pk for m in accepted}
        mark_accepted()
        for message in messages:
            if message.pk not in done and _record_failure(message, exc, now=now):
                failed += 1
    finally:
        try:
            connection.close()
        except Exception:  # the server may already have hung up
            logger.info("outbox: closing the mail connection failed", exc_info=True)
    return sent, failed


def _mark_sent(messages: list[OutboxMessage]) -> int:
    """One UPDATE for rows the server accepted, each only while this sender still holds its claim."""
    by_token: dict[str, list[int]] = {}
    for message in messages:
        by_token.setdefault(message.claim_token, []).append(message.pk)
    marked = 0
    for token, ids in by_token.items():
        marked += OutboxMessage.objects.filter(pk__in=ids, status=Status.SENDING, claim_token=token).update(
            status=Status.SENT, sent_at=timezone.now(), attempts=F("attempts") + 1, last_error=""
        )
    return marked


# --- Sending many of one kind cheaply ------------------------------------------------------------
#
# A fan-out sends the same email to thousands of people; only a few values differ per person (their
# address, their own links). A context that lists those keys under PER_RECIPIENT_KEYS lets
# outbox_deliver render subject / text / HTML once with a sentinel in place of each such value and
# build the MIME bytes once, then per message substitute the values (HTML-escaped where the
# template escaped the sentinel) and the per-message headers (To, Date, Message-ID, the row's
# headers). Safe by construction and checked: the first message of every kind is also built the
# ordinary way (outbox_render + Django's MIME) and compared byte for byte; a kind that does not
# match, a value that cannot be substituted plainly (empty, not a string, a control character,
# non-ASCII for the MIME bytes, ...), or a sentinel left over falls back to the ordinary path.
# Per-recipient keys may only be used as plain values ({{ key }}) in the templates.

PER_RECIPIENT_KEYS = "outbox_per_recipient"
_MARK = "\x1e"
_SENTINEL_RE = re.compile("\x1eor(\\d+)(<&>|&lt;&amp;&gt;)\x1e")
_TO_SENTINEL = "outbox-recipient@sentinel.invalid"
_VARYING_HEADERS = ("To", "Date", "Message-ID")
_MAX_VALUE_LENGTH = 500
_HEADER_POLICY = email_policy.compat32.clone(linesep="\r\n")
_HEADER_LINE_LENGTH = 78  # compat32's max_line_length


def _sentinel(index: int) -> str:
    return f"{_MARK}or{index}<&>{_MARK}"


def _plain_value(value: Any) -> bool:
    """A value the sentinel can stand for: any non-empty, stripped text without control characters."""
    return (
        isinstance(value, str)
        and bool(value)
        and value == value.strip()
        and len(value) <= _MAX_VALUE_LENGTH
        and value.isprintable()
    )


@dataclass
class _Prepared:
    """One kind of message: its parts rendered with sentinels, and its MIME bytes cut into pieces."""

    keys: tuple[str, ...]
    subject: str
    text: str
    html: str | None
    verified: bool = False
    # The MIME bytes: header lines before the varying ones, then the body with sentinels.
    head: bytes | None = None
    body: bytes | None = None
    boundary: str | None = None
    longest_line: int = 0
    sentinels_per_line: int = 0

    def parts(self) -> tuple[str, str, str | None]:
        return self.subject, self.text, self.html


class _RawMIME:
    """What EmailMessage.message() returns for a prepared message: its bytes, built already."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def as_bytes(self, unixfrom: bool = False, linesep: str = "\n") -> bytes:
        return self._data if linesep == "\r\n" else self._data.replace(b"\r\n", linesep.encode())

    def as_string(self, unixfrom: bool = False, linesep: str = "\n") -> str:
        return self.as_bytes(linesep=linesep).decode("utf-8", "surrogateescape")

    def get_charset(self) -> None:
        return None

    def __getitem__(self, name: str) -> str | None:
        """A header, as a parsed message would give it (for tests and logging, not the send path)."""
        return BytesHeaderParser(policy=email_policy.compat32).parsebytes(self._data)[name]

    def __str__(self) -> str:
        return self.as_string()


class _PreparedEmail(EmailMultiAlternatives):
    """An ordinary EmailMultiAlternatives (any backend, mail.outbox in tests) whose bytes are ready."""

    raw: bytes | None = None

    def message(self):  # type: ignore[override]
        if self.raw is None:
            return super().message()
        return _RawMIME(self.raw)


def _build(message: OutboxMessage, subject: str, text: str, html: str | None, cls=EmailMultiAlternatives):
    email = cls(
        subject=f"[{settings.DEPARTMENT_SHORT_NAME}] {subject}",
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to],
        headers=message.headers or None,
    )
    if html:
        email.attach_alternative(html, "text/html")
    return email


def _render_parts(message: OutboxMessage, context: dict[str, Any]) -> tuple[str, str, str | None]:
    with translation.override(message.language):
        subject = " ".join(render_to_string(f"{message.template}_subject.txt", context).splitlines()).strip()
        text = render_to_string(f"{message.template}_message.txt", context).strip()
        try:
            html = render_to_string(f"{message.template}_message.html", context).strip()
        except TemplateDoesNotExist:
            html = None
    return subject, text, html


def _header_line(name: str, value: str) -> bytes:
    """The header line Django's SafeMIMEMultipart and the stdlib generator would write.

    The common case (plain ASCII: an address, a date, a message id, a link) is written directly,
    as compat32 writes it: on the line when it fits in 78 characters, else alone on the next line
    (one word, nothing to fold at); anything else goes through the stdlib.
    """
    if value.isascii() and value.isprintable() and value == value.strip() and "  " not in value:
        if len(name) + 2 + len(value) <= _HEADER_LINE_LENGTH:
            return f"{name}: {value}\r\n".encode("ascii")
        if not any(c in value for c in " ;,"):
            return f"{name}: \r\n {value}\r\n".encode("ascii")
    name, value = forbid_multi_line_headers(name, value, settings.DEFAULT_CHARSET)
    return _HEADER_POLICY.fold_binary(name, value)


_PLAIN_ADDRESS_RE = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"
)


def _envelope_address(address: str) -> str:
    """sanitize_address() of Django's SMTP backend; a plain address (the usual case) is itself."""
    if _PLAIN_ADDRESS_RE.fullmatch(address):
        return address
    return sanitize_address(address, settings.DEFAULT_CHARSET)


def _send(email: EmailMultiAlternatives, connection: Any, sender: str | None) -> None:
    """email.send(); a prepared message over Django's own SMTP backend goes straight to sendmail
    with the envelope it would use (saves parsing the From address again for every message)."""
    if sender is None or getattr(email, "raw", None) is None or type(connection) is not SMTPBackend:
        email.send()
        return
    if connection.connection is None:  # this call's own connection: no other thread uses it
        connection.open()
    connection.connection.sendmail(sender, [_envelope_address(email.to[0])], email.raw)


class _Preparer:
    """Builds the EmailMessage of each row, preparing each kind of message once (one outbox_deliver call)."""

    def __init__(self) -> None:
        self.kinds: dict[tuple, _Prepared | None] = {}

    def email(self, message: OutboxMessage) -> EmailMultiAlternatives:
        prepared, values = self._kind(message)
        if prepared is None or values is None:
            return outbox_render(message)
        subject, text, html = (_substitute(part, values) if part is not None else None for part in prepared.parts())
        if any(part is not None and _MARK in part for part in (subject, text, html)):
            return outbox_render(message)
        email = _build(message, subject, text, html, cls=_PreparedEmail)
        email.raw = self._bytes(prepared, message, values)
        if not prepared.verified:
            prepared.verified = True
            if not self._same_as_ordinary(message, email):
                logger.info("outbox: %s cannot be prepared once; rendering each message", message.template)
                self.kinds[self._key(message)] = None
                return outbox_render(message)
        return email

    @staticmethod
    def _key(message: OutboxMessage) -> tuple:
        keys = message.context.get(PER_RECIPIENT_KEYS) if isinstance(message.context, dict) else None
        if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
            return ()
        shared = {k: v for k, v in message.context.items() if k not in keys}
        headers = tuple(sorted((message.headers or {}).keys()))
        return (message.template, message.language, json.dumps(shared, sort_keys=True), headers)

    def _kind(self, message: OutboxMessage) -> tuple[_Prepared | None, list[str] | None]:
        key = self._key(message)
        if not key:
            return None, None
        if key not in self.kinds:
            self.kinds[key] = self._prepare(message)
        prepared = self.kinds[key]
        if prepared is None:
            return None, None
        context = message.context
        values = [message.to if k == "email" and "email" not in context else context.get(k) for k in prepared.keys]
        if not all(_plain_value(v) for v in values):
            return None, None
        return prepared, values

    def _prepare(self, message: OutboxMessage) -> _Prepared | None:
        declared = list(message.context[PER_RECIPIENT_KEYS])
        keys = tuple(dict.fromkeys([*declared, *([] if "email" in message.context else ["email"])]))
        context = _email_context(message)
        for index, key in enumerate(keys):
            context[key] = _sentinel(index)
        try:
            subject, text, html = _render_parts(message, context)
        except Exception:  # noqa: BLE001 — the ordinary path records what is wrong
            return None
        if _MARK in subject:
            return None  # a per-recipient value in the subject: the MIME bytes would differ per person
        if any(part and _MARK in _SENTINEL_RE.sub("", part) for part in (text, html)):
            return None  # a template changed a per-recipient value (a filter): render each message
        prepared = _Prepared(keys=keys, subject=subject, text=text, html=html)
        self._prepare_mime(prepared, message)
        return prepared

    @staticmethod
    def _prepare_mime(prepared: _Prepared, message: OutboxMessage) -> None:
        """Django's MIME bytes for this kind once, with the varying header lines cut out."""
        headers = {"Date": "sentinel-date", "Message-ID": "<sentinel@sentinel.invalid>"}
        headers.update(message.headers or {})
        email = EmailMultiAlternatives(
            subject=f"[{settings.DEPARTMENT_SHORT_NAME}] {prepared.subject}",
            body=prepared.text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[_TO_SENTINEL],
            headers=headers,
        )
        if prepared.html:
            email.attach_alternative(prepared.html, "text/html")
        mime = email.message()
        data = mime.as_bytes(linesep="\r\n")
        head, separator, body = data.partition(b"\r\n\r\n")
        varying = {name.lower() for name in (*_VARYING_HEADERS, *(message.headers or {}))}
        if not separator:
            return
        fields: list[bytes] = []  # one item per header, folded lines joined back
        for line in head.split(b"\r\n"):
            if line[:1] in (b" ", b"\t") and fields:
                fields[-1] += b"\r\n" + line
            else:
                fields.append(line)
        names = [field.split(b":", 1)[0].decode("ascii", "replace").lower() for field in fields]
        cut = [i for i, name in enumerate(names) if name in varying]
        # The varying headers must be the last ones (To, Date, Message-ID, then the row's headers).
        if not cut or cut != list(range(len(fields) - len(cut), len(fields))) or _MARK.encode() in head:
            return
        body_lines = body.split(b"\r\n")
        prepared.head = b"\r\n".join(fields[: cut[0]]) + b"\r\n"
        prepared.body = b"\r\n" + body
        prepared.boundary = mime.get_boundary()
        prepared.longest_line = max(len(line) for line in body_lines)
        prepared.sentinels_per_line = max(line.count(_MARK.encode()) for line in body_lines) // 2

    @staticmethod
    def _bytes(prepared: _Prepared, message: OutboxMessage, values: list[str]) -> bytes | None:
        if prepared.head is None or prepared.body is None:
            return None
        if not all(v.isascii() for v in values) or not message.to.isascii():
            return None
        growth = max(len(escape(v)) for v in values) * prepared.sentinels_per_line
        if prepared.longest_line + growth > RFC5322_EMAIL_LINE_LENGTH_LIMIT:
            return None  # Django would switch that part to quoted-printable
        if prepared.boundary and any(prepared.boundary in v for v in values):
            return None
        header_values = [
            ("To", message.to),
            ("Date", formatdate(localtime=settings.EMAIL_USE_LOCALTIME)),
            ("Message-ID", make_msgid(domain=DNS_NAME)),
            *(message.headers or {}).items(),
        ]
        try:
            head = b"".join(_header_line(name, value) for name, value in header_values)
        except ValueError:  # a bad header: the ordinary path raises it where it is recorded
            return None
        body = _substitute_bytes(prepared.body, values)
        if _MARK.encode() in body:
            return None
        return prepared.head + head + body

    @staticmethod
    def _same_as_ordinary(message: OutboxMessage, prepared: _PreparedEmail) -> bool:
        """The first message of a kind, built the ordinary way too: same parts, same bytes."""
        ordinary = outbox_render(message)
        if (ordinary.subject, ordinary.body, ordinary.alternatives, ordinary.extra_headers, ordinary.to) != (
            prepared.subject,
            prepared.body,
            prepared.alternatives,
            prepared.extra_headers,
            prepared.to,
        ):
            return False
        if prepared.raw is None:
            return True
        ours = prepared.raw
        head = ours.partition(b"\r\n\r\n")[0]
        found = {}
        for line in head.split(b"\r\n"):
            name, _colon, value = line.partition(b": ")
            if name in (b"Date", b"Message-ID"):
                found[name.decode()] = value.decode()
        ordinary.extra_headers = {**found, **ordinary.extra_headers}
        mime = ordinary.message()
        boundary = _boundary_of(ours)
        if boundary:
            mime.set_boundary(boundary)
        return mime.as_bytes(linesep="\r\n") == ours


def _boundary_of(data: bytes) -> str | None:
    match = re.search(rb'boundary="([^"]+)"', data.partition(b"\r\n\r\n")[0])
    return match.group(1).decode() if match else None


def _substitute(text: str, values: list[str]) -> str:
    def value(match: re.Match) -> str:
        index = int(match.group(1))
        if index >= len(values):
            return match.group(0)
        return values[index] if match.group(2) == "<&>" else str(escape(values[index]))

    return _SENTINEL_RE.sub(value, text)


_SENTINEL_BYTES_RE = re.compile(_SENTINEL_RE.pattern.encode())


def _substitute_bytes(data: bytes, values: list[str]) -> bytes:
    def value(match: re.Match) -> bytes:
        index = int(match.group(1))
        if index >= len(values):
            return match.group(0)
        plain = values[index] if match.group(2) == b"<&>" else str(escape(values[index]))
        return plain.encode("ascii")

    return _SENTINEL_BYTES_RE.sub(value, data)


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
        if permanent:
            outbox_failed_for_good.send(sender=OutboxMessage, message=message, permanent=_is_permanent(exc))
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


# --- Many at once (the transparency fan-out) ----------------------------------------------------


def outbox_enqueue_many(
    *,
    messages: Iterable[dict[str, Any]],
    template: str,
    batch_key: str = "",
    next_attempt_at: datetime | None = None,
    chunk_size: int = 1000,
) -> int:
    """Write many messages of one template with bulk inserts; no send task (the caller sends).

    Each item is a dict with `dedupe_key`, `to`, and optionally `context`, `language`, `headers`
    (encoded as `outbox_enqueue` does). A key that already exists is skipped, so planning the same
    fan-out twice writes nothing more. Returns how many items were offered; count the rows by
    `batch_key` for how many exist. Call it inside the transaction of the change that causes the mail.
    """
    due = next_attempt_at or timezone.now()
    default_language = translation.get_language() or settings.LANGUAGE_CODE
    offered = 0
    chunk: list[OutboxMessage] = []
    for item in messages:
        chunk.append(
            OutboxMessage(
                dedupe_key=_fit_dedupe_key(item["dedupe_key"]),
                to=item["to"],
                template=template,
                context=encode_context(item.get("context") or {}),
                language=item.get("language") or default_language,
                headers=item.get("headers") or {},
                batch_key=batch_key,
                next_attempt_at=due,
            )
        )
        if len(chunk) >= chunk_size:
            OutboxMessage.objects.bulk_create(chunk, ignore_conflicts=True)
            offered += len(chunk)
            chunk = []
    if chunk:
        OutboxMessage.objects.bulk_create(chunk, ignore_conflicts=True)
        offered += len(chunk)
    return offered
