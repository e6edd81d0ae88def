"""A due update is published once when scans and an administrator's click race (PostgreSQL only:
SQLite runs writers one at a time).

Run against PostgreSQL, for example:
    DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/portal \\
        .venv/bin/pytest tests/transparency/test_updates_concurrency.py
"""

from __future__ import annotations

import datetime
import threading
from concurrent.futures import ThreadPoolExecutor
from unittest import mock

import pytest
from django.db import connection
from django.utils import timezone

from tests.transparency.factories import UpdateFactory
from transparency.models import Update
from transparency.services import updates as services

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (set DATABASE_URL)"),
]

THREADS = 12


def test_it_publishes_a_due_update_once_under_concurrent_scans_and_clicks():
    now = timezone.now()
    update = UpdateFactory(status=Update.Status.SCHEDULED, publish_at=now - datetime.timedelta(seconds=1))
    plans: list[int] = []
    lock = threading.Lock()
    start = threading.Event()

    def plan(*, update):
        with lock:
            plans.append(update.pk)
        return 0

    def scan() -> int:
        start.wait()
        try:
            return services.publish_due_updates(now=now)
        finally:
            connection.close()

    def click() -> int:
        start.wait()
        try:
            services.update_publish(update_id=update.pk, actor=None, now=now)
            return 0
        finally:
            connection.close()

    with (
        mock.patch("transparency.services.fanout.fanout_plan", side_effect=plan),
        ThreadPoolExecutor(max_workers=THREADS) as pool,
    ):
        futures = [pool.submit(scan if number % 3 else click) for number in range(THREADS)]
        start.set()
        results = [future.result(timeout=60) for future in futures]
    update.refresh_from_db()
    assert update.status == Update.Status.PUBLISHED
    assert plans == [update.pk]
    assert sum(results) <= 1
