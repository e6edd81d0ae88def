"""Celery wrappers: ids in, one service call."""

from celery import shared_task

from portal import outbox


@shared_task(name="portal.tasks.outbox_send_task")
def outbox_send_task(*, message_ids: list[int]) -> tuple[int, int]:
    return outbox.outbox_deliver(message_ids=message_ids)


@shared_task(name="portal.tasks.outbox_sweep_task")
def outbox_sweep_task() -> int:
    return outbox.outbox_sweep()
