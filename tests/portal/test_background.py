"""A Redis outage never becomes a 500: enqueue errors are logged, cache errors count as misses."""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
import redis.exceptions
import time_machine
from django.core import mail
from django.core.cache import cache
from django.utils import timezone
from kombu.exceptions import OperationalError

from portal.background import enqueue, enqueue_on_commit
from portal.celery import app as celery_app
from portal.models import OutboxMessage, User
from portal.outbox import outbox_sweep
from portal.tasks import outbox_send_task, outbox_sweep_task

BASE_DIR = Path(__file__).resolve().parents[2]
BROKER_DOWN = [
    OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused."),
    redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused."),
]


def _dead_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _sign_up(client, email: str):
    return client.post(
        "/accounts/signup/",
        {"email": email, "password1": "a-long-enough-passphrase", "password2": "a-long-enough-passphrase"},
    )


@pytest.mark.parametrize("error", BROKER_DOWN, ids=["kombu", "redis"])
def test_it_accepts_a_sign_up_while_the_broker_is_down_and_sends_the_mail_later(
    db, client, django_capture_on_commit_callbacks, caplog, error
):
    with (
        mock.patch.object(outbox_send_task, "apply_async", side_effect=error) as apply_async,
        django_capture_on_commit_callbacks(execute=True),
        caplog.at_level(logging.WARNING, logger="portal.background"),
    ):
        response = _sign_up(client, "new.person@example.org")
    assert response.status_code == 302
    assert apply_async.called
    assert "the sweep will retry" in caplog.text
    assert User.objects.filter(email="new.person@example.org").exists()
    message = OutboxMessage.objects.get(to="new.person@example.org")
    assert message.status == OutboxMessage.Status.PENDING
    assert mail.outbox == []

    # The broker is back (tasks run eagerly again); the next sweep after the grace period sends it.
    with (
        time_machine.travel(timezone.now() + timedelta(minutes=2), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert outbox_sweep() == 1
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    [email] = mail.outbox
    assert email.to == ["new.person@example.org"]
    assert "/accounts/confirm-email/" in email.body


@pytest.mark.parametrize("error", [*BROKER_DOWN, ConnectionRefusedError(111, "Connection refused")])
def test_it_logs_and_swallows_a_broker_error(caplog, error):
    with mock.patch.object(outbox_sweep_task, "apply_async", side_effect=error):
        assert enqueue(outbox_sweep_task) is False
    assert "enqueue portal.tasks.outbox_sweep_task failed, the sweep will retry" in caplog.text


def test_it_lets_an_eager_tasks_own_error_fail_the_test():
    with (
        mock.patch.object(outbox_sweep_task, "apply_async", side_effect=ZeroDivisionError),
        pytest.raises(ZeroDivisionError),
    ):
        enqueue(outbox_sweep_task)


def test_it_swallows_an_unexpected_publish_error_in_production(caplog, settings):
    # Celery reads the Django settings lazily: never patch celery_app.conf itself, the restore
    # would freeze every setting in Celery's own map for the rest of the run.
    settings.CELERY_TASK_ALWAYS_EAGER = False
    assert celery_app.conf.task_always_eager is False
    with mock.patch.object(outbox_sweep_task, "apply_async", side_effect=ValueError("odd")):
        assert enqueue(outbox_sweep_task) is False
    assert "failed unexpectedly" in caplog.text


def test_it_publishes_only_after_commit(db, django_capture_on_commit_callbacks):
    with mock.patch.object(outbox_sweep_task, "apply_async") as apply_async:
        with django_capture_on_commit_callbacks(execute=True):
            enqueue_on_commit(outbox_sweep_task)
            assert not apply_async.called
        apply_async.assert_called_once_with(kwargs={})


# --- The cache while Redis is down -------------------------------------------------------------


@pytest.fixture
def dead_redis_cache(settings):
    """The production cache configuration, pointed at a port where no Redis answers."""
    from portal import settings as portal_settings

    location = f"redis://127.0.0.1:{_dead_port()}/0"
    settings.CACHES = {"default": {**portal_settings.redis_cache(location)}}
    settings.DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    return location


def test_it_counts_cache_errors_as_misses(dead_redis_cache, caplog):
    assert cache.get("anything") is None
    assert cache.get("anything", "fallback") == "fallback"
    cache.set("anything", 1)  # no error
    assert cache.get_many(["a", "b"]) == {}
    assert cache.add("lock", True) is True  # allauth's rate-limit lock is "taken"
    assert "Exception ignored" in caplog.text


def test_it_keeps_sign_up_open_while_the_rate_limit_cache_is_down(
    db, client, settings, dead_redis_cache, django_capture_on_commit_callbacks, caplog
):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "1/m/ip"}
    with django_capture_on_commit_callbacks(execute=True):
        responses = [_sign_up(client, f"person{n}@example.org") for n in range(3)]
        client.logout()
    # Rate limits fail open (see the CACHES comment in portal/settings.py), with a log line.
    assert [r.status_code for r in responses] == [302, 302, 302]
    assert User.objects.count() == 3
    assert "Exception ignored" in caplog.text


def test_it_still_limits_sign_ups_when_the_cache_works(db, client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "1/m/ip"}
    assert _sign_up(client, "first@example.org").status_code == 302
    client.logout()
    assert _sign_up(client, "second@example.org").status_code == 429


# --- The real settings against a dead Redis: nothing waits ------------------------------------

PROBE = """
import json, logging, time
import django
django.setup()
from django.core.cache import cache
from portal.background import enqueue
from portal.tasks import outbox_sweep_task
from portal.views.site import _broker_state

logging.disable(logging.CRITICAL)
result = {}
start = time.monotonic()
result["enqueued"] = enqueue(outbox_sweep_task)
result["enqueue_seconds"] = time.monotonic() - start
start = time.monotonic()
result["cached"] = cache.get("probe", "miss")
cache.set("probe", 1)
result["added"] = cache.add("probe-lock", 1)
result["cache_seconds"] = time.monotonic() - start
start = time.monotonic()
result["broker"] = _broker_state()
result["health_seconds"] = time.monotonic() - start
print(json.dumps(result))
"""


def test_it_gives_up_on_a_dead_redis_at_once(tmp_path):
    """With the production settings and REDIS_URL at a dead port: publish, cache and health all fail fast."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DEBUG": "1",
        "REDIS_URL": f"redis://127.0.0.1:{_dead_port()}/0",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'probe.sqlite3'}",
        "VAR_DIR": str(tmp_path),
        "PYTHONPATH": str(BASE_DIR),
    }
    completed = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, cwd=BASE_DIR, capture_output=True, text=True, timeout=60, check=True
    )
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    assert result["enqueued"] is False
    assert result["enqueue_seconds"] < 2
    assert result["cached"] == "miss"
    assert result["added"] is True
    assert result["cache_seconds"] < 2
    assert result["broker"] == "down"
    assert result["health_seconds"] < 2
