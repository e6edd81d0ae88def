"""Celery wrappers for complaints: plain arguments in, one service call."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from complaints.services.digest import deadline_digest_queue
from complaints.services.retention import complaints_deidentify


@shared_task(name="complaints.tasks.deadline_digest_task", ignore_result=True)
def deadline_digest_task() -> int:
    """Beat, daily at COMPLAINTS_DIGEST_HOUR: one digest per investigator and administrator (once a day)."""
    return deadline_digest_queue(now=timezone.now())


@shared_task(name="complaints.tasks.retention_task", ignore_result=True)
def retention_task() -> int:
    """Beat, monthly: de-identify complaints that ended more than COMPLAINTS_RETENTION_YEARS ago."""
    return complaints_deidentify(now=timezone.now()).complaints


@shared_task(name="complaints.tasks.drafts_purge_task", ignore_result=True)
def drafts_purge_task() -> int:
    """Beat, daily: delete complaint drafts abandoned for COMPLAINTS_DRAFT_DAYS, and their files."""
    from complaints.drafts import drafts_purge_expired

    return drafts_purge_expired()
