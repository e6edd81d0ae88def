"""events.tasks: the beat's reminder scan calls the service; and, with a real worker on the
configured broker, a reminder the scan produced is sent."""

from __future__ import annotations

import logging
from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.conf import settings
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from events.tasks import reminders_scan_task
from portal.celery import app as celery_app
from portal.models import OutboxMessage
from tests.events.factories import EventFactory, RSVPFactory
from tests.portal import test_worker


def test_it_is_the_task_the_beat_schedule_names():
    entry = settings.CELERY_BEAT_SCHEDULE["events-reminder-scan"]

    assert entry["task"] == reminders_scan_task.name == "events.tasks.reminders_scan_task"
    assert entry["schedule"] == settings.EVENTS_REMINDER_SCAN_SECONDS


def test_it_calls_the_scan_with_the_current_time():
    moment = timezone.now().replace(microsecond=0)
    with (
        time_machine.travel(moment, tick=False),
        mock.patch("events.tasks.reminders_queue_due", return_value=3) as scan,
    ):
        assert reminders_scan_task() == 3

    scan.assert_called_once_with(now=moment)


@pytest.mark.django_db
def test_it_queues_the_due_reminders_when_run():
    event = EventFactory(starts_at=timezone.now() + timedelta(hours=20), ends_at=timezone.now() + timedelta(hours=21))
    rsvp = RSVPFactory(event=event, confirmed_at=timezone.now() - timedelta(days=2))

    reminders_scan_task.apply()

    assert OutboxMessage.objects.filter(dedupe_key=f"events.reminder:{rsvp.pk}:24h").exists()


# --- With a real worker (the pattern of tests/portal/test_worker.py) ------------------------------


@pytest.fixture
def real_worker(django_db_blocker):
    """A worker on the configured broker, with tasks published for real (not eagerly).

    Function-scoped, and it leaves Celery as it found it: starting a worker sets the root logger
    to ERROR, which only the first worker of a process undoes (Celery's Django fixup runs
    django.setup() once per process). Without the reset below, tests/portal/test_worker.py's
    worker, started after this one, would leave warnings uncaptured for the rest of the run.
    """
    root_level = logging.getLogger().level
    no_eager = override_settings(CELERY_TASK_ALWAYS_EAGER=False, CELERY_WORKER_HIJACK_ROOT_LOGGER=False)
    no_eager.enable()
    try:
        with (
            django_db_blocker.unblock(),
            start_worker(celery_app, perform_ping_check=False, shutdown_timeout=test_worker.DEADLINE_SECONDS) as worker,
        ):
            yield worker
    finally:
        no_eager.disable()
        celery_app.loader.worker_initialized = False
        logging.getLogger().setLevel(root_level)


@pytest.mark.services
def test_it_sends_a_reminder_from_the_scan_through_a_real_worker(real_worker, transactional_db):
    event = EventFactory(starts_at=timezone.now() + timedelta(hours=20), ends_at=timezone.now() + timedelta(hours=21))
    rsvp = RSVPFactory(event=event, confirmed_at=timezone.now() - timedelta(days=2))
    watcher = test_worker.TaskWatcher(expected=1)
    task_postrun.connect(watcher, weak=False)
    try:
        # Outside any transaction: the scan commits, then its send task goes to the real broker.
        assert reminders_scan_task() == 1
        test_worker._wait_for(watcher)
    finally:
        task_postrun.disconnect(watcher)

    assert watcher.outcomes == [("SUCCESS", (1, 0))]
    message = OutboxMessage.objects.get(dedupe_key=f"events.reminder:{rsvp.pk}:24h")
    assert message.status == OutboxMessage.Status.SENT
    [email] = mail.outbox
    assert email.to == [rsvp.user.email]
    assert event.title in email.subject
