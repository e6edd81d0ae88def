"""Survey links: signed (tampering fails), single-use (the invitation's responded_at), expiring."""

from __future__ import annotations

from django.core import signing
from django.utils import timezone

from feedback.models import SurveyInvitation

SALT = "feedback.survey-invitation"


def survey_token(*, invitation: SurveyInvitation) -> str:
    return signing.dumps({"i": invitation.pk}, salt=SALT, compress=False)


def survey_invitation_from_token(*, token: str) -> SurveyInvitation | None:
    """The invitation a token opens, or None when it is tampered, unknown or expired.

    An invitation already answered is returned (the page says so); callers check `responded_at`.
    """
    try:
        payload = signing.loads(token, salt=SALT)
        invitation_id = int(payload["i"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    invitation = SurveyInvitation.objects.select_related("event", "district").filter(pk=invitation_id).first()
    if invitation is None or invitation.expires_at <= timezone.now():
        return None
    return invitation
