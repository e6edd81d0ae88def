"""Reads for feedback: the public wall, its figures, and the trust index.

Other areas add their own reads at the END of this file, under a comment heading with their area.
"""

from __future__ import annotations

import datetime
import statistics
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Avg, Count, Min, Prefetch, QuerySet
from django.utils import timezone

from feedback.caching import feedback_fragments_bump, trust_fragments_bump  # noqa: F401 (re-exported)
from feedback.models import Feedback, Reply, SurveyResponse
from portal.models import District, OfficerProfile

# --- Public wall (public-wall helper) -------------------------------------------------------------


def public_replies_prefetch() -> Prefetch:
    """An item's public replies, oldest first, with what their signature needs (one query)."""
    return Prefetch(
        "replies",
        queryset=Reply.objects.filter(is_public=True)
        .select_related("author__officer_profile")
        .order_by("created_at", "pk"),
        to_attr="public_replies",
    )


def feedback_published() -> QuerySet[Feedback]:
    """Published items, newest first, with what the wall shows (never the original message or the
    author): two queries however many rows (the items, then their public replies)."""
    return (
        Feedback.objects.filter(publication=Feedback.Publication.PUBLISHED)
        .select_related("district", "officer")
        .only(
            "pk",
            "kind",
            "about",
            "public_message",
            "published_at",
            "created_at",
            "district__name",
            "district__slug",
            "officer__slug",
            "officer__first_name",
            "officer__last_name",
            "officer__is_public",
        )
        .prefetch_related(public_replies_prefetch())
        .order_by("-published_at", "-pk")
    )


def feedback_wall(
    *, kind: str = "", district: District | None = None, officer: OfficerProfile | None = None
) -> QuerySet[Feedback]:
    items = feedback_published()
    if kind:
        items = items.filter(kind=kind)
    if district is not None:
        items = items.filter(district=district)
    if officer is not None:
        items = items.filter(officer=officer)
    return items


def feedback_published_get(*, pk: int) -> Feedback | None:
    return feedback_published().filter(pk=pk).first()


def reply_signature(reply: Reply) -> str:
    """Who signed a public reply: the officer's public name, or the department."""
    if reply.signature == Reply.Signature.OFFICER:
        profile = getattr(reply.author, "officer_profile", None)
        if profile is not None:
            return profile.full_name
        name = reply.author.get_full_name()
        if name:
            return name
    return settings.DEPARTMENT_NAME


def with_signatures(items: list[Feedback]) -> list[Feedback]:
    """Give each prefetched public reply its `signed_by` text (no queries)."""
    for item in items:
        for reply in item.public_replies:
            reply.signed_by = reply_signature(reply)
    return items


# --- Figures that hold the department to account --------------------------------------------------


@dataclass(frozen=True)
class FigureRow:
    district_name: str | None  # None: every district together
    district_slug: str | None
    received: int
    answered: int
    median_days: float | None  # None: nothing answered yet
    replied_count: int  # how many items the median is over

    @property
    def answered_share(self) -> float | None:
        """Percent (0-100) of the items received that have at least one reply; None when none received."""
        return None if not self.received else round(100 * self.answered / self.received, 1)


@dataclass(frozen=True)
class Figures:
    since: datetime.datetime
    overall: FigureRow
    districts: list[FigureRow]


def figures_since(*, now: datetime.datetime | None = None) -> datetime.datetime:
    return (now or timezone.now()) - datetime.timedelta(days=settings.FEEDBACK_FIGURES_DAYS)


def _figure_row(name: str | None, slug: str | None, rows: list[tuple]) -> FigureRow:
    answered = [(created, first) for created, first, has_reply in rows if has_reply]
    delays = [(first - created).total_seconds() / 86400 for created, first in answered if first is not None]
    return FigureRow(
        district_name=name,
        district_slug=slug,
        received=len(rows),
        answered=len(answered),
        median_days=round(statistics.median(delays), 1) if delays else None,
        replied_count=len(delays),
    )


def feedback_figures(*, since: datetime.datetime, district: District | None = None) -> Figures:
    """Share of feedback answered and median days to first reply, for items received since `since`,
    overall and per district (all feedback, published or not: only counts leave this function).

    One query; the median is computed here, so it is the same on SQLite and PostgreSQL. An item
    counts as answered when it has a reply; its first reply time is `first_reply_at`, or the
    earliest reply when that was not recorded.
    """
    items = Feedback.objects.filter(created_at__gte=since).order_by()
    if district is not None:
        items = items.filter(district=district)
    rows = items.annotate(earliest_reply=Min("replies__created_at")).values_list(
        "district__name", "district__slug", "created_at", "first_reply_at", "earliest_reply"
    )
    by_district: dict[tuple[str | None, str | None], list[tuple]] = {}
    everything: list[tuple] = []
    for name, slug, created, first_reply_at, earliest_reply in rows:
        pair = (created, first_reply_at or earliest_reply, earliest_reply is not None)
        everything.append(pair)
        by_district.setdefault((name, slug), []).append(pair)
    districts = [
        _figure_row(name, slug, pairs)
        for (name, slug), pairs in sorted(by_district.items(), key=lambda item: (item[0][0] is None, item[0][0] or ""))
        if name is not None
    ]
    return Figures(since=since, overall=_figure_row(None, None, everything), districts=districts)


# --- Trust index ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrustRow:
    district_name: str | None
    district_slug: str | None
    month: datetime.date
    responses: int
    index: float | None  # 0-100; None when suppressed
    min_responses: int

    @property
    def suppressed(self) -> bool:
        return self.index is None


def _month_start(day: datetime.date, months_back: int) -> datetime.date:
    month_number = day.year * 12 + (day.month - 1) - months_back
    return datetime.date(month_number // 12, month_number % 12 + 1, 1)


def trust_index(
    *, district: District | None = None, months: int = 6, today: datetime.date | None = None
) -> list[TrustRow]:
    """The trust index per district and month over the last `months` months (this one included),
    newest month first: the mean of the three items' means, scaled 0-100 ((mean - 1) / 4 * 100),
    with the number of responses. Below TRUST_INDEX_MIN_RESPONSES the row has no index (so no small
    group is exposed). One query."""
    today = today or timezone.localdate()
    minimum = settings.TRUST_INDEX_MIN_RESPONSES
    responses = SurveyResponse.objects.filter(month__gte=_month_start(today, months - 1)).order_by()
    if district is not None:
        responses = responses.filter(district=district)
    grouped = (
        responses.values("district__name", "district__slug", "month")
        .annotate(n=Count("pk"), trust=Avg("trust"), respect=Avg("respect"), listened=Avg("listened"))
        .order_by("-month", "district__name")
    )
    rows = []
    for group in grouped:
        index = None
        if group["n"] >= minimum:
            mean = (group["trust"] + group["respect"] + group["listened"]) / 3
            index = round((mean - 1) / 4 * 100, 1)
        rows.append(
            TrustRow(
                district_name=group["district__name"],
                district_slug=group["district__slug"],
                month=group["month"],
                responses=group["n"],
                index=index,
                min_responses=minimum,
            )
        )
    return rows
