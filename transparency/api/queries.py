"""What each open data endpoint reads: public rows only, with everything a page of them shows
loaded in a fixed number of queries (joins and prefetches, never a query per row).

Reads go through the owning apps' public selectors (the directory, events_public,
feedback_published), so the API can never show more than the public pages do.
"""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from events.models import Event
from events.selectors import events_public, with_seat_counts
from feedback.models import Feedback
from feedback.selectors import feedback_published
from portal.directory import district_list_with_counts, officers_public
from portal.models import District, Language, OfficerProfile, TrainingRecord
from transparency.models import Update, UpdateAttachment


def districts() -> QuerySet[District]:
    return district_list_with_counts()


def officers() -> QuerySet[OfficerProfile]:
    return officers_public()


def officer_details() -> QuerySet[OfficerProfile]:
    return officers_public().prefetch_related(
        Prefetch("training_records", queryset=TrainingRecord.objects.order_by("-completed_on", "course"))
    )


def events() -> QuerySet[Event]:
    """Published and cancelled events (never drafts), soonest first, with public hosts only."""
    return with_seat_counts(
        events_public()
        .select_related("district")
        .prefetch_related(
            Prefetch(
                "hosts",
                queryset=OfficerProfile.objects.filter(is_public=True).order_by("last_name", "first_name", "pk"),
                to_attr="public_hosts",
            ),
            Prefetch("languages", queryset=Language.objects.order_by("code")),
        )
        .order_by("starts_at", "pk")
    )


def feedback() -> QuerySet[Feedback]:
    """Published items (public text and public replies only), newest first."""
    return feedback_published()


def updates() -> QuerySet[Update]:
    """Published updates, newest first, with their districts, attachments and linked event."""
    return (
        Update.objects.filter(status=Update.Status.PUBLISHED)
        .select_related("event")
        .prefetch_related(
            Prefetch("districts", queryset=District.objects.order_by("name")),
            Prefetch("attachments", queryset=UpdateAttachment.objects.order_by("pk")),
        )
        .order_by("-published_at", "-pk")
    )
