"""The beat task that invites attendees to the trust survey."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from events.models import RSVP
from feedback.models import SurveyInvitation
from feedback.tasks import survey_invitations_scan_task
from tests.events.factories import EventFactory, RSVPFactory


def test_it_queues_invitations_from_the_beat_task_once(db, settings):
    assert "feedback.tasks.survey_invitations_scan_task" in {
        entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }
    ends_at = timezone.now() - timedelta(hours=settings.SURVEY_INVITE_AFTER_HOURS + 1)
    event = EventFactory(starts_at=ends_at - timedelta(hours=1), ends_at=ends_at)
    RSVPFactory(event=event, attendance=RSVP.Attendance.ATTENDED)
    assert survey_invitations_scan_task.delay().get() == 1
    assert survey_invitations_scan_task.delay().get() == 0
    assert SurveyInvitation.objects.count() == 1
