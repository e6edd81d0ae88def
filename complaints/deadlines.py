"""Deadlines: which complaints are overdue or due soon (selectors; nothing here writes).

Two dates are set at intake from settings: `acknowledge_by` (COMPLAINTS_ACKNOWLEDGE_DAYS) and
`finish_by` (COMPLAINTS_FINISH_DAYS).

- Acknowledging is due while a complaint is still "received".
- Finishing is due while it is being worked: received, acknowledged, investigating, and a review
  the complainant asked for (an administrator's decision is still outstanding). Once findings
  are issued the finish date has been met; a closed or otherwise ended complaint has no deadline.

"Overdue" means the date has passed (the day itself is still in time); "due soon" means it falls
within COMPLAINTS_DUE_SOON_DAYS from today (today included) and is not overdue. Days are the
department's local days (settings.TIME_ZONE). Both rules are Q objects so the staff queue, its
counts and the daily digest filter with exactly the same words (indexed: acknowledge_by,
finish_by, status).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from complaints.models import Complaint

S = Complaint.Status

AWAITING_ACKNOWLEDGEMENT = (S.RECEIVED,)
AWAITING_FINDINGS = (S.RECEIVED, S.ACKNOWLEDGED, S.INVESTIGATING, S.REVIEW_REQUESTED)

OVERDUE = "overdue"
DUE_SOON = "due_soon"


def _today(today: date | None) -> date:
    return today or timezone.localdate()


def acknowledge_overdue_q(*, today: date) -> Q:
    return Q(status__in=AWAITING_ACKNOWLEDGEMENT, acknowledge_by__lt=today)


def finish_overdue_q(*, today: date) -> Q:
    return Q(status__in=AWAITING_FINDINGS, finish_by__lt=today)


def overdue_q(*, today: date) -> Q:
    return acknowledge_overdue_q(today=today) | finish_overdue_q(today=today)


def due_soon_q(*, today: date) -> Q:
    until = today + timedelta(days=settings.COMPLAINTS_DUE_SOON_DAYS)
    soon = Q(status__in=AWAITING_ACKNOWLEDGEMENT, acknowledge_by__range=(today, until)) | Q(
        status__in=AWAITING_FINDINGS, finish_by__range=(today, until)
    )
    return soon & ~overdue_q(today=today)


def complaints_overdue(*, queryset: QuerySet[Complaint], today: date | None = None) -> QuerySet[Complaint]:
    """Overdue complaints among `queryset` (start from complaints_visible_to(user=...) for staff)."""
    return queryset.filter(overdue_q(today=_today(today)))


def complaints_due_soon(*, queryset: QuerySet[Complaint], today: date | None = None) -> QuerySet[Complaint]:
    return queryset.filter(due_soon_q(today=_today(today)))


def deadline_state(complaint: Complaint, *, today: date | None = None) -> str:
    """ "overdue", "due_soon" or "" for one complaint already in memory (no query)."""
    today = _today(today)
    until = today + timedelta(days=settings.COMPLAINTS_DUE_SOON_DAYS)
    dates = []
    if complaint.status in AWAITING_ACKNOWLEDGEMENT:
        dates.append(complaint.acknowledge_by)
    if complaint.status in AWAITING_FINDINGS:
        dates.append(complaint.finish_by)
    if any(due < today for due in dates):
        return OVERDUE
    if any(today <= due <= until for due in dates):
        return DUE_SOON
    return ""


def next_deadline(complaint: Complaint) -> date | None:
    """The date the department is working to next (acknowledging, then finishing), if any."""
    if complaint.status in AWAITING_ACKNOWLEDGEMENT:
        return complaint.acknowledge_by
    if complaint.status in AWAITING_FINDINGS:
        return complaint.finish_by
    return None
