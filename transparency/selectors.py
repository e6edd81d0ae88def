"""Reads for updates: the public list (published only, filters), one published update, feeds,
district sections, and the staff list.

The public list runs a fixed number of queries whatever the rows: the updates with their districts
and attachments come in three queries (updates, then districts and attachments prefetched), plus
the paginator's count.

Other areas add their own reads at the END of this file, under a comment heading with their area.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import BooleanField, Case, Count, Prefetch, Q, QuerySet, When
from django.db.models.functions import ExtractYear
from django.utils import timezone

from portal.models import District
from transparency.models import Update, UpdateAttachment

Status = Update.Status


@dataclass(frozen=True)
class UpdateFilters:
    category: str = ""
    district: District | None = None
    year: int | None = None

    @property
    def active_count(self) -> int:
        return sum(bool(value) for value in (self.category, self.district, self.year))


def _public_prefetches() -> list[Prefetch]:
    return [
        Prefetch("districts", queryset=District.objects.order_by("name").only("pk", "slug", "name")),
        Prefetch(
            "attachments",
            queryset=UpdateAttachment.objects.order_by("pk").only("pk", "update_id", "title", "size", "sha256"),
        ),
    ]


def updates_published() -> QuerySet[Update]:
    """Published updates, newest first, with their districts and attachments (3 queries)."""
    return (
        Update.objects.filter(status=Status.PUBLISHED)
        .defer("body", "body_es", "created_by")
        # Update.has_spanish() without loading the Spanish text (deferred) row by row.
        .annotate(
            spanish_ready=Case(
                When(~Q(title_es="") & ~Q(body_es=""), then=True), default=False, output_field=BooleanField()
            )
        )
        .prefetch_related(*_public_prefetches())
        .order_by("-published_at", "-pk")
    )


def updates_public_list(*, filters: UpdateFilters | None = None) -> QuerySet[Update]:
    updates = updates_published().defer("body_html", "body_es_html")
    filters = filters or UpdateFilters()
    if filters.category:
        updates = updates.filter(category=filters.category)
    if filters.district is not None:
        updates = updates.filter(districts=filters.district)
    if filters.year:
        start = timezone.make_aware(datetime.datetime(filters.year, 1, 1))
        end = timezone.make_aware(datetime.datetime(filters.year + 1, 1, 1))
        updates = updates.filter(published_at__gte=start, published_at__lt=end)
    return updates


def update_published_get(*, slug: str) -> Update | None:
    """A published update by its address, with the linked event, districts and attachments."""
    return updates_published().select_related("event").filter(slug=slug).first()


def attachment_published_get(*, slug: str, pk: int) -> UpdateAttachment | None:
    """An attachment of a published update (None for a draft's or a scheduled one's)."""
    return (
        UpdateAttachment.objects.filter(pk=pk, update__slug=slug, update__status=Status.PUBLISHED)
        .select_related("update")
        .first()
    )


def update_years() -> list[int]:
    """The years with published updates, newest first (the list's year filter)."""
    years = (
        Update.objects.filter(status=Status.PUBLISHED, published_at__isnull=False)
        .annotate(year=ExtractYear("published_at"))
        .values_list("year", flat=True)
        .distinct()
        .order_by("-year")
    )
    return [year for year in years if year]


def updates_for_feed(*, category: str = "", district: District | None = None, limit: int = 30) -> list[Update]:
    updates = updates_published().defer(None).only(
        "pk", "slug", "title", "summary", "title_es", "summary_es", "category", "published_at",
        "corrected_at", "updated_at",
    )  # fmt: skip
    updates = updates.prefetch_related(None)
    if category:
        updates = updates.filter(category=category)
    if district is not None:
        updates = updates.filter(districts=district)
    return list(updates[:limit])


def updates_in_district(*, district: District, limit: int = 5) -> list[Update]:
    """The district page's section: its latest published updates (updates naming no district are
    for the whole city and are not repeated on every district's page)."""
    updates = updates_public_list().prefetch_related(None).filter(districts=district)
    return list(updates[:limit])


def updates_for_staff() -> QuerySet[Update]:
    """Every update for the staff list (any state), newest change first, with attachment counts."""
    return (
        Update.objects.defer("body", "body_es", "body_html", "body_es_html")
        .annotate(attachment_count=Count("attachments"))
        .order_by("-updated_at", "-pk")
    )


def update_for_staff(*, pk: int) -> Update | None:
    return (
        Update.objects.select_related("event", "created_by")
        .prefetch_related("districts", Prefetch("attachments", queryset=UpdateAttachment.objects.order_by("pk")))
        .filter(pk=pk)
        .first()
    )
