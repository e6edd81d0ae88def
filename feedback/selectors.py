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


# --- Statistics for the transparency dashboard (dashboard helper) --------------------------------


@dataclass(frozen=True)
class ReplyPeriod:
    period: datetime.date  # the first day of the bucket, in the department's time zone
    received: int
    answered: int  # items answered (their first reply time is recorded)
    replied: int  # items with a recorded first reply time (what the median is over)
    median_days: float | None  # days from sending to the first reply; None when none

    @property
    def answered_share(self) -> float | None:
        return None if not self.received else round(100 * self.answered / self.received, 1)


def feedback_replies_by_period(
    *, start: datetime.datetime, end: datetime.datetime, trunc: type, district: District | None = None
) -> list[ReplyPeriod]:
    """Feedback received per period (by when it was sent), how many were answered, and the median
    days to the first reply. Counts are grouped in the database; the median too on PostgreSQL
    (percentile_cont), while elsewhere the reply delays of the window are read and the median taken
    here. Only figures leave this function."""
    from django.db import connection
    from django.db.models import Aggregate, F, FloatField, Q

    class _Median(Aggregate):
        function = "percentile_cont"
        name = "Median"
        template = "%(function)s(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM (%(expressions)s)))"
        output_field = FloatField()

    zone = timezone.get_current_timezone()
    items = Feedback.objects.filter(created_at__gte=start, created_at__lt=end).order_by()
    if district is not None:
        items = items.filter(district=district)
    items = items.annotate(bucket=trunc("created_at", tzinfo=zone))

    def day(value: datetime.datetime | datetime.date) -> datetime.date:
        if isinstance(value, datetime.datetime):
            return (timezone.localtime(value) if timezone.is_aware(value) else value).date()
        return value

    # Answered: the first reply's time is recorded (the answering service sets it with the first
    # reply). Counting replies through a join or an EXISTS per row costs far more on 200k items.
    counted: dict[datetime.date, dict] = {}
    grouped = items.values("bucket").annotate(
        n=Count("pk"),
        answered=Count("pk", filter=Q(first_reply_at__isnull=False)),
        replied=Count("pk", filter=Q(first_reply_at__isnull=False)),
    )
    for group in grouped:
        row = counted.setdefault(day(group["bucket"]), {"received": 0, "answered": 0, "replied": 0})
        row["received"] += group["n"]
        row["answered"] += group["answered"]
        row["replied"] += group["replied"]
    medians: dict[datetime.date, float | None] = {}
    replied = items.filter(first_reply_at__isnull=False)
    if connection.vendor == "postgresql":
        for group in replied.values("bucket").annotate(seconds=_Median(F("first_reply_at") - F("created_at"))):
            medians[day(group["bucket"])] = group["seconds"]
    else:
        delays: dict[datetime.date, list[float]] = {}
        for bucket, created, first in replied.values_list("bucket", "created_at", "first_reply_at"):
            delays.setdefault(day(bucket), []).append((first - created).total_seconds())
        medians = {key: statistics.median(values) for key, values in delays.items()}
    return [
        ReplyPeriod(
            period=key,
            received=value["received"],
            answered=value["answered"],
            replied=value["replied"],
            median_days=None if medians.get(key) is None else round(medians[key] / 86400, 1),
        )
        for key, value in sorted(counted.items())
    ]


@dataclass(frozen=True)
class TrustPeriod:
    district_name: str | None  # None: every district together
    district_slug: str | None
    period: datetime.date
    responses: int
    index: float | None  # 0-100; None below TRUST_INDEX_MIN_RESPONSES
    min_responses: int


def trust_index_by_period(*, start: datetime.date, period: str, district: District | None = None) -> list[TrustPeriod]:
    """The trust index (as in `trust_index`) per district and per bucket of months ("month",
    "quarter" or "year") from `start`, plus a row per bucket for every district together (or, with a
    district, only that district). Suppressed below TRUST_INDEX_MIN_RESPONSES. One query."""
    minimum = settings.TRUST_INDEX_MIN_RESPONSES
    responses = SurveyResponse.objects.filter(month__gte=start).order_by()
    if district is not None:
        responses = responses.filter(district=district)
    from django.db.models import Sum

    grouped = responses.values("district__name", "district__slug", "month").annotate(
        n=Count("pk"), trust=Sum("trust"), respect=Sum("respect"), listened=Sum("listened")
    )

    def bucket_of(month: datetime.date) -> datetime.date:
        if period == "year":
            return datetime.date(month.year, 1, 1)
        if period == "quarter":
            return datetime.date(month.year, (month.month - 1) // 3 * 3 + 1, 1)
        return datetime.date(month.year, month.month, 1)

    sums: dict[tuple, list[int]] = {}
    for group in grouped:
        bucket = bucket_of(group["month"])
        keys = []
        if group["district__slug"] is not None:
            keys.append((group["district__name"], group["district__slug"], bucket))
        if district is None:
            keys.append((None, None, bucket))  # every district together (and those with none)
        for key in keys:
            total = sums.setdefault(key, [0, 0])
            total[0] += group["n"]
            total[1] += group["trust"] + group["respect"] + group["listened"]
    rows = []
    for (name, slug, bucket), (n, score_sum) in sums.items():
        index = None
        if n >= minimum:
            mean = score_sum / (3 * n)
            index = round((mean - 1) / 4 * 100, 1)
        rows.append(
            TrustPeriod(
                district_name=name, district_slug=slug, period=bucket, responses=n, index=index, min_responses=minimum
            )
        )
    rows.sort(key=lambda row: (row.period, row.district_name is not None, row.district_name or ""))
    return rows
