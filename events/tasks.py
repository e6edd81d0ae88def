"""Celery wrappers for events: plain arguments in, one service call."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from events.services.reminders import reminders_queue_due


@shared_task(name="events.tasks.reminders_scan_task", ignore_result=True)
def reminders_scan_task() -> int:
    """Beat, every EVENTS_REMINDER_SCAN_SECONDS: queue the reminders due now (each at most once)."""
    return reminders_queue_due(now=timezone.now())
