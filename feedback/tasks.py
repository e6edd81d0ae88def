"""Celery wrappers for feedback: plain arguments in, one service call."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from feedback.services.surveys import survey_invitations_queue


@shared_task(name="feedback.tasks.survey_invitations_scan_task", ignore_result=True)
def survey_invitations_scan_task() -> int:
    """Beat, every SURVEY_SCAN_SECONDS: invite the attendees of events that ended a while ago (once each)."""
    return survey_invitations_queue(now=timezone.now())
