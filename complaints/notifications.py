"""Emails to complainants (and the "new message" note to the investigator).

What an email about a complaint may say, whoever reads the mailbox: that there is news, and
where to read it. Never the narrative, a message's text, a finding, a name or a note — the
tracking page, behind the access code or the owner's sign-in, is where those are read.

- Only when `complaint.may_email` (an address, consent, email chosen, not de-identified): "don't
  email me" is respected here, for every kind, whoever calls.
- In the complaint's language (the outbox renders with `language=`).
- Every row has a dedupe key, so a retried task or a second call for the same change never
  sends a second mail.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode

from complaints.models import Complaint, ComplaintEvent, ComplaintMessage
from portal.models import OutboxMessage
from portal.outbox import outbox_enqueue

KINDS = ("received", "status", "message", "findings", "review")
LANGUAGES = {code for code, _name in settings.LANGUAGES}


def complaint_language(complaint: Complaint) -> str:
    return complaint.language if complaint.language in LANGUAGES else settings.LANGUAGE_CODE


def tracking_url(*, complaint: Complaint, language: str) -> str:
    """The tracking form in `language`, with the reference filled in (the code is never in a link)."""
    with translation.override(language):
        path = reverse("complaints:track")
    return f"{settings.SITE_URL}{path}?{urlencode({'reference': complaint.reference})}"


def _default_dedupe(complaint: Complaint, kind: str) -> str:
    """One mail per timeline entry: the latest entry's id (the change that caused the call)."""
    if kind == "received":
        return "once"
    latest = ComplaintEvent.objects.filter(complaint=complaint).order_by("-created_at", "-pk").values("pk").first()
    return f"event-{latest['pk']}" if latest else "once"


def notify_complainant(*, complaint: Complaint, kind: str, dedupe: str = "") -> OutboxMessage | None:
    """Queue one email saying there is news on `complaint` (kind: received, status, message,
    findings, review). Returns the outbox row, or None when nothing is sent: the complainant
    does not want email, or this mail was already queued (same dedupe key).

    `dedupe` names the change the mail is about (a message's or timeline entry's id); without
    it, the complaint's latest timeline entry is used, so two calls for one change send once.
    Call it inside the transaction of the change.
    """
    if kind not in KINDS:
        raise ValueError(f"Unknown complaint notification kind: {kind!r}")
    if not complaint.may_email:
        return None
    language = complaint_language(complaint)
    key = dedupe or _default_dedupe(complaint, kind)
    return outbox_enqueue(
        dedupe_key=f"complaints.{kind}:{complaint.pk}:{key}",
        to=complaint.complainant_email,
        template=f"complaints/email/{kind}",
        language=language,
        # Plain values only: the reference, dates and the link. Nothing the complainant wrote.
        context={
            "reference": complaint.reference,
            "acknowledge_by": complaint.acknowledge_by,
            "finish_by": complaint.finish_by,
            "review_days": settings.COMPLAINTS_REVIEW_DAYS,
            "has_account": complaint.filed_by_id is not None,
            "tracking_url": tracking_url(complaint=complaint, language=language),
        },
    )


def notify_investigator_of_message(*, complaint: Complaint, message: ComplaintMessage) -> OutboxMessage | None:
    """Tell the assigned investigator that the complainant wrote (the reference and a link only).

    Nobody assigned yet: no mail; the queue shows unread messages to whoever picks it up.
    """
    assignee: Any = complaint.assigned_to
    if assignee is None or not assignee.email or not assignee.is_active:
        return None
    language = assignee.language if getattr(assignee, "language", "") in LANGUAGES else settings.LANGUAGE_CODE
    with translation.override(language):
        path = reverse("complaints:staff-detail", kwargs={"reference": complaint.reference})
    return outbox_enqueue(
        dedupe_key=f"complaints.staff-message:{complaint.pk}:{message.pk}:{assignee.pk}",
        to=assignee.email,
        template="complaints/email/staff_message",
        language=language,
        context={"reference": complaint.reference, "staff_url": f"{settings.SITE_URL}{path}"},
    )
