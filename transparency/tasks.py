"""Celery wrappers for transparency: plain arguments in, one service call.

The fan-out part adds its tasks at the END of this file, under its own heading.
"""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from transparency.services.updates import publish_due_updates

# --- Scheduled publishing (updates part) -------------------------------------------------------


@shared_task(name="transparency.tasks.publish_due_task", ignore_result=True)
def publish_due_task() -> int:
    """Beat, every TRANSPARENCY_PUBLISH_SCAN_SECONDS: publish the scheduled updates now due, each once."""
    return publish_due_updates(now=timezone.now())


# --- Fan-out (subscriptions + fan-out part) --------------------------------------------------------


@shared_task(name="transparency.tasks.fanout_send_task", ignore_result=True)
def fanout_send_task(*, update_id: int) -> tuple[int, int]:
    """One batch of a fan-out (a waiting safety alert's first), then the next task of the chain.

    No Celery retry: a failed row is retried by the outbox sweep with backoff, and a task lost
    with its worker leaves its rows for the sweep (see transparency/services/fanout.py).
    """
    from portal.background import enqueue
    from transparency.services.fanout import fanout_send_next

    result = fanout_send_next(update_id=update_id)
    if result.more:
        enqueue(fanout_send_task, update_id=update_id)
    return result.sent, result.failed
