"""Trust surveys after events: invitations (one per attendee, emailed once) and answers (one per
invitation). Answers keep only the district, the month and the scores (see SurveyResponse)."""

from __future__ import annotations

import datetime
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from events.selectors import event_attendance_for_survey
from feedback.models import SurveyInvitation, SurveyResponse
from feedback.survey_links import survey_token
from portal.outbox import outbox_enqueue

SCORE_FIELDS = ("trust", "respect", "listened")
COMMENT_MAX_LENGTH = 2000


def survey_dedupe_key(*, rsvp_id: int) -> str:
    return f"feedback.survey:{rsvp_id}"


def _language_of(rsvp) -> str:
    language = rsvp.user.language if rsvp.user_id else rsvp.language
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def survey_url(*, invitation: SurveyInvitation) -> str:
    with translation.override(invitation.language):
        return settings.SITE_URL + reverse("feedback:survey", kwargs={"token": survey_token(invitation=invitation)})


@transaction.atomic
def survey_invitations_queue(*, now: datetime.datetime) -> int:
    """Invite every attendee of an event that ended at least SURVEY_INVITE_AFTER_HOURS ago (and
    not more than SURVEY_LINK_DAYS ago: the first scan after deployment must not mail everyone who
    ever attended). One invitation per RSVP, ever; returns how many were queued."""
    ended_before = now - timedelta(hours=settings.SURVEY_INVITE_AFTER_HOURS)
    ended_after = now - timedelta(days=settings.SURVEY_LINK_DAYS)
    rsvps = (
        event_attendance_for_survey(ended_before=ended_before)
        .filter(event__ends_at__gte=ended_after)
        .exclude(pk__in=SurveyInvitation.objects.values("rsvp_id"))
    )
    queued = 0
    for rsvp in rsvps:
        email = rsvp.email
        if not email:
            continue
        language = _language_of(rsvp)
        try:
            with transaction.atomic():  # a savepoint: a concurrent scan's row makes this one a no-op
                invitation = SurveyInvitation.objects.create(
                    rsvp_id=rsvp.pk,
                    event=rsvp.event,
                    district_id=rsvp.event.district_id,
                    email=email,
                    language=language,
                    created_at=now,
                    expires_at=now + timedelta(days=settings.SURVEY_LINK_DAYS),
                )
        except IntegrityError:
            continue
        message = outbox_enqueue(
            dedupe_key=survey_dedupe_key(rsvp_id=rsvp.pk),
            to=email,
            template="feedback/email/survey_invitation",
            language=language,
            context={
                "event": rsvp.event,
                "survey_url": survey_url(invitation=invitation),
                "action_url": survey_url(invitation=invitation),
                "expires_at": invitation.expires_at,
                "valid_days": settings.SURVEY_LINK_DAYS,
            },
        )
        if message is not None:
            queued += 1
    return queued


def _event_month(starts_at: datetime.datetime) -> datetime.date:
    return timezone.localtime(starts_at).date().replace(day=1)


@transaction.atomic
def survey_respond(*, invitation_id: int, trust: int, respect: int, listened: int, comment: str = "") -> SurveyResponse:
    """Store one answer. The invitation is claimed with a conditional UPDATE (responded_at is null,
    not expired), so a double submit or a race stores exactly one response; the loser gets a
    ValidationError with code "already_answered" (or "expired")."""
    scores = {"trust": trust, "respect": respect, "listened": listened}
    for name, value in scores.items():
        if not isinstance(value, int) or not 1 <= value <= 5:
            raise ValidationError(_("Choose an answer from 1 to 5."), code="invalid_score", params={"field": name})
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX_LENGTH:
        raise ValidationError(
            _("The comment can be at most %(max)d characters long."),
            code="comment_too_long",
            params={"max": COMMENT_MAX_LENGTH},
        )
    now = timezone.now()
    claimed = SurveyInvitation.objects.filter(pk=invitation_id, responded_at__isnull=True, expires_at__gt=now).update(
        responded_at=now
    )
    if not claimed:
        invitation = SurveyInvitation.objects.filter(pk=invitation_id).only("responded_at", "expires_at").first()
        if invitation is not None and invitation.responded_at is not None:
            raise ValidationError(_("You have already answered this survey."), code="already_answered")
        raise ValidationError(_("This survey link has expired."), code="expired")
    invitation = SurveyInvitation.objects.select_related("event").get(pk=invitation_id)
    return SurveyResponse.objects.create(
        district_id=invitation.district_id, month=_event_month(invitation.event.starts_at), comment=comment, **scores
    )
