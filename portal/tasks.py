"""Celery wrappers: ids in, one service call.

Neither task retries on its own: a failed delivery is recorded on the row and the beat sweep
offers it again with backoff, so the database, not the broker, holds what is left to do.
"""

from celery import shared_task

from portal import outbox


@shared_task(name="portal.tasks.outbox_send_task", ignore_result=True)
def outbox_send_task(*, message_ids: list[int]) -> tuple[int, int]:
    return outbox.outbox_deliver(message_ids=message_ids)


@shared_task(name="portal.tasks.outbox_sweep_task", ignore_result=True)
def outbox_sweep_task() -> int:
    return outbox.outbox_sweep()
