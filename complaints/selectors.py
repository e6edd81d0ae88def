"""Reads for the staff side. Every one starts from complaints.permissions.complaints_visible_to,
so a complaint that names the reader is never listed, counted, searched or exported.

The queue runs a fixed number of queries whatever the rows (tests/complaints/test_staff_views.py
asserts it): the page of complaints joined to district and assignee, one prefetch of their
allegations joined to categories, one count for the paginator and one aggregate for the counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from complaints import deadlines
from complaints.models import Allegation, AllegationCategory, Complaint, ComplaintMessage
from complaints.permissions import complaints_visible_to
from complaints.references import reference_normalize
from portal.models import District

ASSIGNED_ME = "me"
ASSIGNED_NOBODY = "nobody"
DEADLINE_OVERDUE = deadlines.OVERDUE
DEADLINE_DUE_SOON = deadlines.DUE_SOON
# The queue, its counts and the daily digest use the same deadline rules (complaints.deadlines).
overdue_q = deadlines.overdue_q
due_soon_q = deadlines.due_soon_q


@dataclass(frozen=True)
class QueueFilters:
    status: str = ""
    category: AllegationCategory | None = None
    district: District | None = None
    assigned: str = ""  # "me", "nobody", or "" for anyone
    deadline: str = ""  # "overdue", "due_soon", or ""
    reference: str = ""  # whole or part of a reference


def reference_q(raw: str) -> Q:
    normalized = reference_normalize(raw)
    if normalized.startswith("CP-") and normalized.count("-") == 2:
        return Q(reference=normalized)
    fragment = "".join(ch for ch in raw.upper() if ch.isalnum() or ch == "-").strip("-")
    return Q(reference__icontains=fragment) if fragment else Q()


def complaint_queue(
    *, user: Any, filters: QueueFilters | None = None, today: date | None = None
) -> QuerySet[Complaint]:
    """The complaints `user` may see, filtered, oldest deadline first within the newest received."""
    filters = filters or QueueFilters()
    today = today or timezone.localdate()
    complaints = complaints_visible_to(user=user)
    if filters.status:
        complaints = complaints.filter(status=filters.status)
    if filters.category is not None:
        complaints = complaints.filter(
            Exists(Allegation.objects.filter(complaint=OuterRef("pk"), category=filters.category))
        )
    if filters.district is not None:
        complaints = complaints.filter(district=filters.district)
    if filters.assigned == ASSIGNED_ME:
        complaints = complaints.filter(assigned_to=user)
    elif filters.assigned == ASSIGNED_NOBODY:
        complaints = complaints.filter(assigned_to__isnull=True)
    if filters.deadline == DEADLINE_OVERDUE:
        complaints = complaints.filter(overdue_q(today=today))
    elif filters.deadline == DEADLINE_DUE_SOON:
        complaints = complaints.filter(due_soon_q(today=today))
    if filters.reference.strip():
        complaints = complaints.filter(reference_q(filters.reference))
    unread = ComplaintMessage.objects.filter(complaint=OuterRef("pk"), from_complainant=True, read_at__isnull=True)
    return (
        complaints.select_related("district", "assigned_to")
        .annotate(has_unread_message=Exists(unread))
        .prefetch_related(
            Prefetch(
                "allegations",
                queryset=Allegation.objects.select_related("category").order_by("category__order", "category__pk"),
            )
        )
        .order_by("-received_at", "-pk")
    )


def complaint_categories(complaint: Complaint, *, language: str = "en") -> list[str]:
    """The distinct category names of a complaint's (prefetched) allegations."""
    names: list[str] = []
    for allegation in complaint.allegations.all():
        name = allegation.category.name_for(language)
        if name not in names:
            names.append(name)
    return names


def complaint_queue_counts(*, user: Any, today: date | None = None) -> dict[str, int]:
    """The queue's headline figures, over what `user` may see, in one query."""
    today = today or timezone.localdate()
    return complaints_visible_to(user=user).aggregate(
        open=Count("pk", filter=Q(status__in=Complaint.OPEN_STATUSES)),
        unassigned=Count("pk", filter=Q(status__in=Complaint.OPEN_STATUSES, assigned_to__isnull=True)),
        mine=Count("pk", filter=Q(status__in=Complaint.OPEN_STATUSES, assigned_to=user)),
        overdue=Count("pk", filter=overdue_q(today=today)),
        due_soon=Count("pk", filter=due_soon_q(today=today)),
        review=Count("pk", filter=Q(status=Complaint.Status.REVIEW_REQUESTED)),
    )


def complaint_for_staff(*, user: Any, reference: str) -> QuerySet[Complaint]:
    """The one complaint with this reference, if `user` may see it (else an empty queryset)."""
    return complaints_visible_to(user=user).filter(reference=reference_normalize(reference))
