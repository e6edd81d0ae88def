"""A real Celery worker on the configured broker sends an outbox message and marks it sent.

The broker is whatever the settings say: kombu's filesystem transport in the test run's temporary
VAR_DIR when REDIS_URL is unset (`make test` with no service), Redis when it is set (.ci/run).
The worker runs in a thread of this process (celery.contrib.testing), so it shares the test
database, SQLite in memory included; the test waits for the task with a deadline, never a sleep.
"""

from __future__ import annotations

import os
import threading
from typing import Any
from unittest import mock

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.core import mail
from django.db import connections
from django.test import override_settings

from portal.celery import app as celery_app
from portal.models import OutboxMessage
from portal.outbox import outbox_enqueue, outbox_sweep
from portal.tasks import outbox_send_task

pytestmark = pytest.mark.services

DEADLINE_SECONDS = 30


class TaskWatcher:
    """Collects the outcome of every send task the worker finishes (in the worker's thread)."""

    def __init__(self, expected: int) -> None:
        self.expected = expected
        self.outcomes: list[tuple[str, Any]] = []
        self.done = threading.Event()

    def __call__(self, sender: Any = None, task: Any = None, retval: Any = None, state: str = "", **kwargs: Any):
        if task is None or task.name != outbox_send_task.name:
            return
        # The worker thread's database connection must not outlive the test (PostgreSQL would
        # refuse to flush or drop the test database while it is open).
        connections.close_all()
        self.outcomes.append((state, retval))
        if len(self.outcomes) >= self.expected:
            self.done.set()


@pytest.fixture(scope="module")
def real_worker(django_db_blocker):
    """One worker for this module, on the configured broker, with tasks published for real.

    Module-scoped because stopping a worker takes seconds (its loop drains the broker in 2 s
    steps); each test still gets a fresh, flushed database from transactional_db.
    """
    no_eager = override_settings(CELERY_TASK_ALWAYS_EAGER=False, CELERY_WORKER_HIJACK_ROOT_LOGGER=False)
    no_eager.enable()
    try:
        assert celery_app.conf.task_always_eager is False
        with (
            django_db_blocker.unblock(),
            start_worker(celery_app, perform_ping_check=False, shutdown_timeout=DEADLINE_SECONDS) as worker,
        ):
            yield worker
    finally:
        no_eager.disable()


@pytest.fixture
def watch_sends():
    watchers: list[TaskWatcher] = []

    def watch(expected: int) -> TaskWatcher:
        watcher = TaskWatcher(expected=expected)
        task_postrun.connect(watcher, weak=False)
        watchers.append(watcher)
        return watcher

    yield watch
    for watcher in watchers:
        task_postrun.disconnect(watcher)


def _wait_for(watcher: TaskWatcher) -> None:
    assert watcher.done.wait(DEADLINE_SECONDS), (
        f"the worker finished {len(watcher.outcomes)} of {watcher.expected} send task(s) within {DEADLINE_SECONDS} s"
    )


def test_it_sends_an_outbox_message_through_a_real_worker(real_worker, transactional_db, watch_sends):
    watcher = watch_sends(expected=1)
    # Outside any transaction the send task is published at once, to the real broker.
    message = outbox_enqueue(
        dedupe_key="worker-test:1",
        to="resident@example.org",
        template="account/email/password_reset_key",
        context={"password_reset_url": "https://example.org/reset/abc/"},
        language="en",
    )
    _wait_for(watcher)

    assert watcher.outcomes == [("SUCCESS", (1, 0))]
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    assert message.sent_at is not None
    [email] = mail.outbox
    assert email.to == ["resident@example.org"]
    assert "https://example.org/reset/abc/" in email.body


def test_it_delivers_what_the_sweep_offers_through_a_real_worker(real_worker, transactional_db, watch_sends, settings):
    settings.OUTBOX_BATCH_SIZE = 2
    ids = [
        outbox_enqueue(
            dedupe_key=f"worker-sweep:{n}",
            to=f"person{n}@example.org",
            template="account/email/password_reset_key",
            context={"password_reset_url": f"https://example.org/reset/{n}/"},
            send=False,  # as fan-out does: the sweep offers them
        ).pk
        for n in range(3)
    ]
    watcher = watch_sends(expected=2)  # two batches: 2 + 1
    assert outbox_sweep() == 3
    _wait_for(watcher)

    assert sorted(retval for _state, retval in watcher.outcomes) == [(1, 0), (2, 0)]
    assert set(OutboxMessage.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"sent"}
    assert sorted(m.to[0] for m in mail.outbox) == [f"person{n}@example.org" for n in range(3)]


def test_it_never_shows_a_half_written_message_to_the_embedded_brokers_readers(tmp_path):
    """kombu's filesystem transport wrote messages in place; a poll in between lost the task."""
    from kombu import Connection
    from kombu.transport.virtual import Empty

    from portal.celery import EmbeddedBrokerTransport

    options = {"data_folder_in": str(tmp_path), "data_folder_out": str(tmp_path), "store_processed": False}
    with Connection("filesystem://", transport=EmbeddedBrokerTransport, transport_options=options) as connection:
        channel = connection.default_channel
        seen_while_writing: list[object] = []
        real_replace = os.replace

        def replace_after_a_poll(source: str, target: str) -> None:
            try:
                seen_while_writing.append(channel._get("celery"))
            except Empty:
                seen_while_writing.append("nothing")
            real_replace(source, target)

        with mock.patch("portal.celery.os.replace", replace_after_a_poll):
            channel._put("celery", {"body": "hello"})
        assert seen_while_writing == ["nothing"]
        assert channel._get("celery") == {"body": "hello"}
        assert list(tmp_path.iterdir()) == []
