"""Enqueueing Celery tasks so that a broker outage never becomes an error for the person.

Tasks are enqueued after the surrounding transaction commits (a task started earlier would read
rows that do not exist yet). If the broker is unreachable the error is logged and swallowed: the
rows are in the database and the beat sweeps pick them up when the broker is back. Publishing
gives up at once when Redis is down (settings: CELERY_TASK_PUBLISH_RETRY and the transport's
max_retries), so a request never waits on a dead broker.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from celery import Task
from django.db import transaction
from kombu.exceptions import KombuError

logger = logging.getLogger(__name__)

try:
    from redis.exceptions import RedisError
except ImportError:  # pragma: no cover — redis is installed with celery[redis]
    RedisError = KombuError  # type: ignore[assignment,misc]

# What an unreachable or failing broker raises: kombu wraps most connection errors in its
# OperationalError, but socket and redis errors can surface as they are.
BROKER_ERRORS: tuple[type[BaseException], ...] = (KombuError, RedisError, OSError)


def enqueue(task: Task, **kwargs: Any) -> bool:
    """Publish now; False (and a log line) if the broker refused."""
    try:
        task.apply_async(kwargs=kwargs)
    except BROKER_ERRORS as exc:
        logger.warning("enqueue %s failed, the sweep will retry: %s: %s", task.name, type(exc).__name__, exc)
        return False
    except Exception:
        if task.app.conf.task_always_eager:
            # Tests run tasks inline: a bug in the task must fail the test, not become a warning.
            raise
        logger.exception("enqueue %s failed unexpectedly, the sweep will retry", task.name)
        return False
    return True


def enqueue_on_commit(task: Task, **kwargs: Any) -> None:
    """Publish after the current transaction commits (at once when there is none)."""
    transaction.on_commit(partial(enqueue, task, **kwargs))
