"""Enqueueing Celery tasks so that a broker outage never becomes an error for the person.

Tasks are enqueued after the surrounding transaction commits (a task started earlier would read
rows that do not exist yet). If the broker is unreachable the error is logged and swallowed: the
rows are in the database and the beat sweeps pick them up when the broker is back.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import Task
from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue(task: Task, **kwargs: Any) -> bool:
    """Publish now; False (and a log line) if the broker refused."""
    try:
        task.apply_async(kwargs=kwargs)
    except Exception as exc:  # noqa: BLE001 — kombu/redis raise many kinds; all mean "not now"
        logger.warning("enqueue %s failed, the sweep will retry: %s: %s", task.name, type(exc).__name__, exc)
        return False
    return True


def enqueue_on_commit(task: Task, **kwargs: Any) -> None:
    """Publish after the current transaction commits (at once when there is none)."""
    transaction.on_commit(lambda: enqueue(task, **kwargs))
