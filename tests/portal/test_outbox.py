"""The outbox: one row per message, sent once, retried with backoff, swept after outages."""

from __future__ import annotations

import smtplib
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.utils import timezone

from portal.models import OutboxMessage
from portal.outbox import (
    _fit_dedupe_key,
    backoff,
    outbox_deliver,
    outbox_due_ids,
    outbox_enqueue,
    outbox_render,
    outbox_sweep,
)
from tests.factories import DistrictFactory, ResidentFactory

Status = OutboxMessage.Status
TEMPLATES_DIR = Path(__file__).resolve().parents[1] / "templates"
SCRIPTED_BACKEND = "tests.portal.test_outbox.ScriptedBackend"


class ScriptedBackend(BaseEmailBackend):
    """Raises the queued errors one message at a time, then delivers into mail.outbox."""

    failures: list[Exception] = []
    opened = 0

    def open(self) -> bool:
        type(self).opened += 1
        return True

    def send_messages(self, email_messages) -> int:
        for message in email_messages:
            if ScriptedBackend.failures:
                raise ScriptedBackend.failures.pop(0)
            mail.outbox.append(message)
        return len(email_messages)


@pytest.fixture
def scripted_mail(settings):
    settings.EMAIL_BACKEND = SCRIPTED_BACKEND
    ScriptedBackend.failures = []
    ScriptedBackend.opened = 0
    yield ScriptedBackend
    ScriptedBackend.failures = []


@pytest.fixture
def sample_templates(settings):
    """A feature-app style email (tests/templates/outbox_test/email/) on the shared layout."""
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], TEMPLATES_DIR]}]


def _message(**overrides) -> OutboxMessage:
    """A pending, due message as a send task would find it."""
    fields = {
        "dedupe_key": f"test:{OutboxMessage.objects.count()}",
        "to": "resident@example.org",
        "template": "account/email/password_reset_key",
        "context": {"password_reset_url": "https://example.org/reset/abc/"},
        "language": "en",
        "next_attempt_at": timezone.now(),
    }
    fields.update(overrides)
    return OutboxMessage.objects.create(**fields)


# --- Writing -----------------------------------------------------------------------------------


def test_it_creates_a_message_only_once_per_dedupe_key(db):
    first = outbox_enqueue(dedupe_key="event-reminder:1:24h", to="a@example.org", template="t", send=False)
    second = outbox_enqueue(dedupe_key="event-reminder:1:24h", to="a@example.org", template="t", send=False)
    assert first is not None
    assert second is None
    assert OutboxMessage.objects.filter(dedupe_key="event-reminder:1:24h").count() == 1


def test_it_keeps_the_callers_transaction_usable_after_a_duplicate_key(db):
    with transaction.atomic():
        outbox_enqueue(dedupe_key="dup", to="a@example.org", template="t", send=False)
        assert outbox_enqueue(dedupe_key="dup", to="a@example.org", template="t", send=False) is None
        DistrictFactory()  # the transaction still works
    assert OutboxMessage.objects.count() == 1


def test_it_leaves_nothing_when_the_transaction_rolls_back(db):
    class Boom(Exception):
        pass

    def enqueue_then_fail() -> None:
        with transaction.atomic():
            outbox_enqueue(dedupe_key="rolled-back", to="a@example.org", template="t")
            raise Boom

    with pytest.raises(Boom):
        enqueue_then_fail()
    assert not OutboxMessage.objects.exists()


def test_it_enqueues_the_send_task_only_after_commit(db, django_capture_on_commit_callbacks):
    with mock.patch("portal.tasks.outbox_send_task.apply_async") as apply_async:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            message = outbox_enqueue(dedupe_key="on-commit", to="a@example.org", template="t")
            assert not apply_async.called
        assert len(callbacks) == 1
        callbacks[0]()
    apply_async.assert_called_once_with(kwargs={"message_ids": [message.pk]})


def test_it_enqueues_no_task_when_the_caller_sends_in_batches(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        message = outbox_enqueue(dedupe_key="fan-out:1", to="a@example.org", template="t", send=False)
    assert callbacks == []
    assert message.next_attempt_at <= timezone.now()  # the sweep may take it at once


def test_it_leaves_a_message_with_a_task_on_its_way_to_that_task_for_a_while(db, settings):
    settings.OUTBOX_TASK_GRACE_SECONDS = 60
    message = outbox_enqueue(dedupe_key="grace", to="a@example.org", template="t")
    assert message.pk not in outbox_due_ids(now=timezone.now(), limit=10)
    assert message.pk in outbox_due_ids(now=timezone.now() + timedelta(seconds=61), limit=10)


def test_it_stores_model_instances_and_dates_as_references(db):
    district = DistrictFactory()
    when = timezone.now().replace(microsecond=0)
    message = outbox_enqueue(
        dedupe_key="context",
        to="a@example.org",
        template="t",
        context={"district": district, "when": when, "day": when.date(), "request": object()},
        send=False,
    )
    message.refresh_from_db()
    assert message.context["district"] == {"__model__": "portal.District", "pk": district.pk}
    assert "request" not in message.context


def test_it_never_lets_two_long_dedupe_keys_collide(db):
    prefix = "x" * 250
    first, second = _fit_dedupe_key(prefix + "a"), _fit_dedupe_key(prefix + "b")
    assert first != second
    assert len(first) == len(second) == 200
    assert outbox_enqueue(dedupe_key=prefix + "a", to="a@example.org", template="t", send=False)
    assert outbox_enqueue(dedupe_key=prefix + "b", to="a@example.org", template="t", send=False)


# --- Rendering ---------------------------------------------------------------------------------


def test_it_renders_in_the_recipients_language(db):
    user = ResidentFactory(language="es")
    message = _message(
        template="account/email/email_confirmation_signup",
        language="es",
        context={"user": {"__model__": "portal.User", "pk": user.pk}, "activate_url": "https://x/confirm/k/"},
    )
    email = outbox_render(message)
    assert "confirme su dirección de correo electrónico" in email.subject
    assert email.subject.startswith("[Riverside PD] ")
    assert "¡Hola de parte de Riverside Police Department!" in email.body
    assert "https://x/confirm/k/" in email.body


def test_it_renders_subject_text_and_html_parts_on_the_shared_layout(db, sample_templates):
    district = DistrictFactory(name="Northside")
    message = _message(
        template="outbox_test/email/sample",
        language="es",
        context={
            "district": {"__model__": "portal.District", "pk": district.pk},
            "action_url": "https://example.org/events/1/",
            "action_label": "See the event",
            "unsubscribe_url": "https://example.org/unsubscribe/abc/",
        },
    )
    email = outbox_render(message)
    assert email.subject == "[Riverside PD] News for Northside"
    assert "Northside has a new event." in email.body
    assert "https://example.org/events/1/" in email.body
    assert "https://example.org/unsubscribe/abc/" in email.body
    assert "911" in email.body
    [(html, mimetype)] = email.alternatives
    assert mimetype == "text/html"
    assert '<html lang="es">' in html
    assert "<p>Northside has a new event.</p>" in html
    assert 'href="https://example.org/events/1/"' in html
    assert "resident@example.org" in html


def test_it_sends_text_only_when_there_is_no_html_template(db):
    email = outbox_render(_message())
    assert email.alternatives == []
    assert "https://example.org/reset/abc/" in email.body


# --- Delivering --------------------------------------------------------------------------------


def test_it_marks_a_delivered_message_sent(db, scripted_mail):
    message = _message()
    assert outbox_deliver(message_ids=[message.pk]) == (1, 0)
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert message.sent_at is not None
    assert message.attempts == 1
    assert [m.to for m in mail.outbox] == [["resident@example.org"]]


def test_it_sends_a_batch_over_one_connection(db, scripted_mail):
    ids = [_message().pk for _ in range(5)]
    assert outbox_deliver(message_ids=ids) == (5, 0)
    assert scripted_mail.opened == 1
    assert len(mail.outbox) == 5


def test_it_sends_once_when_delivered_twice(db, scripted_mail):
    message = _message()
    assert outbox_deliver(message_ids=[message.pk]) == (1, 0)
    assert outbox_deliver(message_ids=[message.pk]) == (0, 0)
    assert len(mail.outbox) == 1


@time_machine.travel("2026-03-02 10:00:00+00:00", tick=False)
def test_it_retries_a_transient_failure_with_backoff(db, scripted_mail):
    scripted_mail.failures = [smtplib.SMTPServerDisconnected("Connection unexpectedly closed")]
    message = _message()
    assert outbox_deliver(message_ids=[message.pk]) == (0, 1)
    message.refresh_from_db()
    assert message.status == Status.PENDING
    assert message.attempts == 1
    assert message.next_attempt_at == timezone.now() + timedelta(minutes=1)
    assert message.last_error.startswith("SMTPServerDisconnected")
    assert mail.outbox == []


def test_it_fails_a_permanently_refused_recipient_at_once(db, scripted_mail):
    scripted_mail.failures = [smtplib.SMTPRecipientsRefused({"resident@example.org": (550, b"No such user")})]
    message = _message()
    assert outbox_deliver(message_ids=[message.pk]) == (0, 1)
    message.refresh_from_db()
    assert message.status == Status.FAILED
    assert message.attempts == 1
    assert "550" in message.last_error


def test_it_retries_a_temporarily_refused_recipient(db, scripted_mail):
    scripted_mail.failures = [smtplib.SMTPRecipientsRefused({"resident@example.org": (451, b"Try again later")})]
    message = _message()
    outbox_deliver(message_ids=[message.pk])
    message.refresh_from_db()
    assert message.status == Status.PENDING


def test_it_gives_up_after_the_last_attempt(db, scripted_mail, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    message = _message(attempts=2)
    scripted_mail.failures = [smtplib.SMTPServerDisconnected("gone")]
    outbox_deliver(message_ids=[message.pk])
    message.refresh_from_db()
    assert message.status == Status.FAILED
    assert message.attempts == 3


def test_it_fails_a_message_whose_template_is_missing_at_once(db, scripted_mail):
    message = _message(template="nowhere/email/missing")
    assert outbox_deliver(message_ids=[message.pk]) == (0, 1)
    message.refresh_from_db()
    assert message.status == Status.FAILED


def test_it_keeps_sending_the_batch_after_one_refused_recipient(db, scripted_mail):
    first, second = _message(), _message()
    scripted_mail.failures = [smtplib.SMTPRecipientsRefused({"resident@example.org": (550, b"No such user")})]
    assert outbox_deliver(message_ids=[first.pk, second.pk]) == (1, 1)
    assert OutboxMessage.objects.get(pk=first.pk).status == Status.FAILED
    assert OutboxMessage.objects.get(pk=second.pk).status == Status.SENT


def test_it_retries_the_rest_of_the_batch_when_the_connection_is_lost(db, scripted_mail):
    first, second, third = _message(), _message(), _message()
    scripted_mail.failures = []
    with mock.patch.object(
        ScriptedBackend,
        "send_messages",
        side_effect=[1, smtplib.SMTPServerDisconnected("Connection unexpectedly closed"), 1],
    ):
        assert outbox_deliver(message_ids=[first.pk, second.pk, third.pk]) == (1, 2)
    statuses = dict(OutboxMessage.objects.values_list("pk", "status"))
    assert statuses == {first.pk: Status.SENT, second.pk: Status.PENDING, third.pk: Status.PENDING}
    assert OutboxMessage.objects.get(pk=third.pk).attempts == 1


def test_it_retries_every_message_when_the_server_cannot_be_reached(db, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 1
    ids = [_message().pk, _message().pk]
    assert outbox_deliver(message_ids=ids) == (0, 2)
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {Status.PENDING}


def test_it_never_reopens_a_message_another_sender_has_taken_over(db, scripted_mail):
    message = _message()

    def taken_over_then_fails(self, email_messages):
        # While this sender was slow, its claim went stale and another sender sent the row.
        OutboxMessage.objects.filter(pk=message.pk).update(status=Status.SENT, claim_token="other")
        raise smtplib.SMTPServerDisconnected("gone")

    with mock.patch.object(ScriptedBackend, "send_messages", taken_over_then_fails):
        assert outbox_deliver(message_ids=[message.pk]) == (0, 0)
    assert OutboxMessage.objects.get(pk=message.pk).status == Status.SENT


# --- Sweeping ----------------------------------------------------------------------------------


def test_it_offers_a_message_stuck_in_sending_again_after_the_claim_timeout(db, scripted_mail, settings):
    settings.OUTBOX_CLAIM_TIMEOUT_SECONDS = 300
    now = timezone.now()
    stuck = _message(status=Status.SENDING, claimed_at=now - timedelta(seconds=301), claim_token="dead")
    busy = _message(status=Status.SENDING, claimed_at=now - timedelta(seconds=30), claim_token="alive")
    assert outbox_due_ids(now=now, limit=10) == [stuck.pk]
    assert outbox_deliver(message_ids=[stuck.pk, busy.pk], now=now) == (1, 0)
    assert OutboxMessage.objects.get(pk=stuck.pk).status == Status.SENT
    assert OutboxMessage.objects.get(pk=busy.pk).status == Status.SENDING


def test_it_sweeps_due_messages_in_batches(db, settings, django_capture_on_commit_callbacks):
    settings.OUTBOX_TASK_GRACE_SECONDS = 60
    now = timezone.now()
    due = [_message(next_attempt_at=now - timedelta(minutes=5 - i)).pk for i in range(5)]
    _message(next_attempt_at=now + timedelta(minutes=5))  # backing off
    _message(status=Status.SENT)
    _message(status=Status.FAILED)
    with (
        mock.patch("portal.tasks.outbox_send_task.apply_async") as apply_async,
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert outbox_sweep(now=now, batch_size=2) == 5
    batches = [call.kwargs["kwargs"]["message_ids"] for call in apply_async.call_args_list]
    assert batches == [due[0:2], due[2:4], due[4:5]]
    # Offered rows wait for their task before the next sweep offers them again.
    assert outbox_due_ids(now=now + timedelta(seconds=59), limit=10) == []
    assert outbox_due_ids(now=now + timedelta(seconds=61), limit=10) == due


def test_it_sends_what_is_due_when_the_sweep_runs_the_tasks(db, scripted_mail, django_capture_on_commit_callbacks):
    ids = [_message().pk for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox_sweep() == 3  # tasks run eagerly in tests
    assert set(OutboxMessage.objects.filter(pk__in=ids).values_list("status", flat=True)) == {Status.SENT}
    assert len(mail.outbox) == 3


def test_it_sends_a_failed_attempt_again_only_after_its_backoff(db, scripted_mail, django_capture_on_commit_callbacks):
    message = _message()
    with time_machine.travel("2026-03-02 10:00:00+00:00", tick=False):
        scripted_mail.failures = [smtplib.SMTPServerDisconnected("gone")]
        outbox_deliver(message_ids=[message.pk])
    with time_machine.travel("2026-03-02 10:00:30+00:00", tick=False):
        assert outbox_sweep() == 0
    with (
        time_machine.travel("2026-03-02 10:01:00+00:00", tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert outbox_sweep() == 1
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert message.attempts == 2


def test_it_backs_off_exponentially_up_to_a_day():
    assert [backoff(n) for n in (1, 2, 3, 4)] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert backoff(30) == timedelta(days=1)
