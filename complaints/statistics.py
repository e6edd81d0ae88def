"""Public figures about complaints: the ONLY way numbers about complaints leave this app.

Everything here is an aggregate over fixed buckets — a period (month, quarter or year, in the
department's time zone), a district, an allegation category, a final finding — never a row. Small
counts are suppressed: a count from 1 to STATISTICS_MIN_CELL - 1 is shown as "fewer than N"
(zero is shown: it describes nobody).

Complementary suppression, and why subtracting views reveals nothing
--------------------------------------------------------------------
Totals are published, so hiding a small cell alone is not enough: a row total minus the cells shown
would give it back. Each figure is therefore computed as ONE cube over every dimension a visitor can
see or filter by — district (including "no district recorded", which is never shown on its own) x
the table's rows x its columns — with every margin ("all districts", row totals, column totals,
the grand total) computed from the same counts. Suppression then runs on the whole cube:

1. primary: every count (inner cell or margin) from 1 to N - 1 is hidden;
2. complementary: every line of the cube (the cells along one dimension with the others fixed,
   plus that line's total) where a hidden entry could be worked out — exactly ONE hidden entry,
   or hidden entries whose ranges ("fewer than N": 1 to N - 1; "hidden": N or more) leave one of
   them a single possible value, like two "fewer than 5" adding up to a shown 2 — gets one more:
   its smallest non-zero visible inner entry (or, when there is none, its total). Repeat until
   nothing changes.

When it is stable every line has zero or at least two hidden entries, and no line's equation
(inner entries add up to the total) pins a hidden value. What a visitor sees
is always a SLICE of that one cube: the unfiltered dashboard is the slice "all districts", a
district filter is that district's slice — with its own totals, which are entries of the cube and
suppressed by the same rule. Subtracting a district's view from the all-districts view (or adding
up every district's view) only moves along the cube's district lines, which were protected in step
2 exactly like rows and columns; the periods are fixed buckets too (no free date range), so no two
filters can overlap in a way that isolates one complaint. Cells hidden only to protect another are
shown as "hidden" (they are N or more).

Deliberately not handled: each line is checked on its own, not a full linear-programming audit
of every line together (a determined reader combining a row, a column and a district line could
sometimes narrow a hidden count to a range). Raising STATISTICS_MIN_CELL widens every range; a
full audit would be the next step if the department needs more.

De-identified complaints (retention) still count: it removes contact details, narrative and files,
and keeps the category, district, dates and findings that everything here reads.
"""

from __future__ import annotations

import datetime
import itertools
import math
import statistics as pystatistics
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.db.models import Aggregate, Count, DateTimeField, F, FloatField, QuerySet
from django.db.models.functions import Coalesce, TruncMonth, TruncQuarter, TruncYear
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from complaints.models import Allegation, AllegationCategory, Complaint
from portal.models import District

PERIODS = ("month", "quarter", "year")
# How many buckets each period shows (the current one included): fixed, never a free date range.
PERIOD_BUCKETS = {"month": 12, "quarter": 8, "year": 5}
PERIOD_LABELS = {
    "month": gettext_lazy("Last 12 months, by month"),
    "quarter": gettext_lazy("Last 8 quarters, by quarter"),
    "year": gettext_lazy("Last 5 years, by year"),
}
ALL: Hashable = "__all__"  # the margin along a dimension ("all districts", a row's total, ...)
NO_DISTRICT: Hashable = "__none__"  # complaints without a district: counted, never shown on their own

# The fragments scope of every cached figure about complaints (portal.fragments).
STATISTICS_SCOPE = "complaints.statistics"
SMALL = "small"
COMPLEMENT = "complement"


def min_cell() -> int:
    return int(getattr(settings, "STATISTICS_MIN_CELL", 5))


# --- Figures and tables -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """One published count: its value, or None when suppressed (and why)."""

    value: int | None
    suppressed: str = ""  # "", SMALL or COMPLEMENT

    @property
    def is_suppressed(self) -> bool:
        return bool(self.suppressed)

    @property
    def text(self) -> str:
        if self.suppressed == SMALL:
            return _("fewer than %(n)s") % {"n": min_cell()}
        if self.suppressed == COMPLEMENT:
            return _("hidden")
        return str(self.value)

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Bucket:
    start: datetime.date
    period: str

    @property
    def label(self) -> str:
        if self.period == "year":
            return str(self.start.year)
        if self.period == "quarter":
            return _("Q%(q)s %(year)s") % {"q": (self.start.month - 1) // 3 + 1, "year": self.start.year}
        return self.start.strftime("%Y-%m")

    @property
    def key(self) -> str:
        return self.start.isoformat()


@dataclass(frozen=True)
class SuppressedTable:
    """A two-way table (rows x columns) with its totals, all already suppressed."""

    row_keys: list[str]
    row_labels: list[str]
    column_keys: list[str]
    column_labels: list[str]
    cells: list[list[Figure]]  # [row][column]
    row_totals: list[Figure]  # empty when the columns are separate measures (no row total)
    column_totals: list[Figure]
    total: Figure | None


@dataclass(frozen=True)
class DaysToCloseRow:
    bucket: Bucket
    closed: Figure  # complaints closed in the period (the same suppressed figure as "complaints-by-month")
    median_days: float | None  # None when fewer than N complaints closed (or none)


@dataclass
class Cube:
    """Counts over dimensions (each a list of member keys), with every margin and its suppression."""

    dimensions: list[list[Hashable]]
    figures: dict[tuple, Figure] = field(default_factory=dict)

    def get(self, *coordinates: Hashable) -> Figure:
        return self.figures.get(tuple(coordinates), Figure(0))


def suppress_cube(counts: dict[tuple, int], dimensions: Sequence[Sequence[Hashable]], *, minimum: int) -> Cube:
    """Margins, primary and complementary suppression over a cube of counts (see the module doc).

    `counts` maps inner coordinates (one member per dimension) to a count; missing ones are 0.
    """
    dims = [list(members) for members in dimensions]
    axes = [[*members, ALL] for members in dims]
    values: dict[tuple, int] = {}
    for coordinates in itertools.product(*axes):
        values[coordinates] = 0
    for coordinates, count in counts.items():
        if count <= 0:
            continue
        # Add to the cell and to every margin it belongs to.
        for mask in itertools.product((False, True), repeat=len(dims)):
            key = tuple(ALL if use_all else part for part, use_all in zip(coordinates, mask, strict=True))
            values[key] += count
    hidden: dict[tuple, str] = {key: SMALL for key, value in values.items() if 0 < value < minimum}

    lines: list[tuple[list[tuple], tuple]] = []
    for axis, members in enumerate(dims):
        others = [axes[k] if k != axis else [None] for k in range(len(dims))]
        for fixed in itertools.product(*others):
            inner = [(*fixed[:axis], member, *fixed[axis + 1 :]) for member in members]
            total = (*fixed[:axis], ALL, *fixed[axis + 1 :])
            lines.append((inner, total))

    changed = True
    while changed:
        changed = False
        for inner, total in lines:
            if not _line_pins_a_hidden_entry(inner, total, values=values, hidden=hidden, minimum=minimum):
                continue
            candidates = [key for key in inner if key not in hidden and values[key] > 0]
            if candidates:
                # The smallest visible count loses least; ties go to the first in the line.
                choice = min(candidates, key=lambda key: values[key])
            elif total not in hidden and values[total] > 0:
                choice = total
            else:  # pragma: no cover - a single hidden entry always leaves a non-zero one visible
                continue
            hidden[choice] = COMPLEMENT
            changed = True

    figures = {key: Figure(None, hidden[key]) if key in hidden else Figure(value) for key, value in values.items()}
    return Cube(dimensions=dims, figures=figures)


def _line_pins_a_hidden_entry(
    inner: list[tuple], total: tuple, *, values: dict[tuple, int], hidden: dict[tuple, str], minimum: int
) -> bool:
    """Whether a reader could work out one hidden entry of this line exactly.

    The line says: its inner entries add up to its total. A reader knows every shown value, and
    the range of every hidden one from its label: "fewer than N" is 1 to N - 1, "hidden" is N or
    more. For each hidden entry, the others' ranges bound it; when that leaves a single value it is
    pinned (one hidden entry alone always is; two "fewer than 5" cells adding up to 2 are both 1).
    This looks at one line at a time, not at every line together.
    """
    entries = [(key, 1) for key in inner] + [(total, -1)]
    known = sum(sign * values[key] for key, sign in entries if key not in hidden)
    unknown = [(key, sign) for key, sign in entries if key in hidden]
    if not unknown:
        return False

    def bounds(key: tuple) -> tuple[float, float]:
        return (1, minimum - 1) if hidden[key] == SMALL else (minimum, math.inf)

    for index, (key, sign) in enumerate(unknown):
        rest_low = rest_high = 0.0
        for other_index, (other, other_sign) in enumerate(unknown):
            if other_index == index:
                continue
            low, high = bounds(other)
            rest_low += low if other_sign > 0 else -high
            rest_high += high if other_sign > 0 else -low
        # sign * x = -(known + rest), with rest in [rest_low, rest_high]
        if sign > 0:
            low, high = -known - rest_high, -known - rest_low
        else:
            low, high = known + rest_low, known + rest_high
        own_low, own_high = bounds(key)
        if max(low, own_low) == min(high, own_high):
            return True
    return False


def cube_table(
    cube: Cube,
    *,
    district_key: Hashable,
    rows: Sequence[tuple[Hashable, str]],
    columns: Sequence[tuple[Hashable, str]],
) -> SuppressedTable:
    """The slice of a district x rows x columns cube for one district (or ALL)."""
    row_keys = [key for key, _label in rows]
    column_keys = [key for key, _label in columns]
    return SuppressedTable(
        row_keys=[str(key) for key in row_keys],
        row_labels=[label for _key, label in rows],
        column_keys=[str(key) for key in column_keys],
        column_labels=[label for _key, label in columns],
        cells=[[cube.get(district_key, row, column) for column in column_keys] for row in row_keys],
        row_totals=[cube.get(district_key, row, ALL) for row in row_keys],
        column_totals=[cube.get(district_key, ALL, column) for column in column_keys],
        total=cube.get(district_key, ALL, ALL),
    )


# --- Buckets --------------------------------------------------------------------------------------


def _month_index(day: datetime.date) -> int:
    return day.year * 12 + day.month - 1


def _from_month_index(index: int) -> datetime.date:
    return datetime.date(index // 12, index % 12 + 1, 1)


def period_buckets(*, period: str, today: datetime.date | None = None) -> list[Bucket]:
    """The fixed buckets of a period, oldest first, ending with the one `today` is in."""
    if period not in PERIODS:
        raise ValueError(f"unknown period {period!r}")
    today = today or timezone.localdate()
    count = PERIOD_BUCKETS[period]
    if period == "year":
        return [Bucket(datetime.date(today.year - back, 1, 1), period) for back in range(count - 1, -1, -1)]
    step = 3 if period == "quarter" else 1
    current = _month_index(today)
    current -= current % step
    return [Bucket(_from_month_index(current - back * step), period) for back in range(count - 1, -1, -1)]


def period_window(buckets: Sequence[Bucket]) -> tuple[datetime.datetime, datetime.datetime]:
    """The aware datetimes [start of the first bucket, start of the bucket after the last)."""
    first, last = buckets[0], buckets[-1]
    if last.period == "year":
        end = datetime.date(last.start.year + 1, 1, 1)
    else:
        end = _from_month_index(_month_index(last.start) + (3 if last.period == "quarter" else 1))
    zone = timezone.get_current_timezone()
    return (
        timezone.make_aware(datetime.datetime.combine(first.start, datetime.time.min), zone),
        timezone.make_aware(datetime.datetime.combine(end, datetime.time.min), zone),
    )


TRUNCS = {"month": TruncMonth, "quarter": TruncQuarter, "year": TruncYear}


def trunc_for(period: str, expression: str | F) -> TruncMonth | TruncQuarter | TruncYear:
    """The database truncation of a datetime to its bucket, in the department's time zone."""
    return TRUNCS[period](expression, tzinfo=timezone.get_current_timezone())


def bucket_start(value: datetime.datetime | datetime.date | None) -> datetime.date | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.date()
    return value


def _district_key(district_id: int | None) -> Hashable:
    return NO_DISTRICT if district_id is None else district_id


def _district_dimension(found: set[Hashable]) -> list[Hashable]:
    """Every district (shown or not) plus "no district" when some complaint has none."""
    members: list[Hashable] = list(District.objects.order_by("pk").values_list("pk", flat=True))
    extra = sorted((key for key in found if key not in members and key != NO_DISTRICT), key=str)
    members += extra
    if NO_DISTRICT in found:
        members.append(NO_DISTRICT)
    return members


def _slice_key(district: District | None) -> Hashable:
    return ALL if district is None else district.pk


# --- Complaints by category -------------------------------------------------------------------------


def _categories() -> list[AllegationCategory]:
    return list(AllegationCategory.objects.order_by("order", "pk"))


def complaints_by_category(
    *, period: str = "month", district: District | None = None, today: datetime.date | None = None
) -> SuppressedTable:
    """Complaints received per allegation category (rows) and period (columns).

    A complaint alleging several categories counts once in each (so a column's total counts
    complaint-category pairs). One query over the allegations, grouped in the database.
    """
    buckets = period_buckets(period=period, today=today)
    start, end = period_window(buckets)
    grouped = (
        Allegation.objects.filter(complaint__received_at__gte=start, complaint__received_at__lt=end)
        .order_by()
        .annotate(bucket=trunc_for(period, "complaint__received_at"))
        .values("complaint__district_id", "category_id", "bucket")
        .annotate(n=Count("complaint_id", distinct=True))
    )
    counts: dict[tuple, int] = {}
    found: set[Hashable] = set()
    for group in grouped:
        district_key = _district_key(group["complaint__district_id"])
        found.add(district_key)
        key = (district_key, group["category_id"], bucket_start(group["bucket"]))
        counts[key] = counts.get(key, 0) + group["n"]
    categories = _categories()
    language = _language()
    cube = suppress_cube(
        counts,
        [_district_dimension(found), [c.pk for c in categories], [b.start for b in buckets]],
        minimum=min_cell(),
    )
    return cube_table(
        cube,
        district_key=_slice_key(district),
        rows=[(c.pk, c.name_for(language)) for c in categories],
        columns=[(b.start, b.label) for b in buckets],
    )


def _language() -> str:
    from django.utils import translation

    return (translation.get_language() or "en")[:2]


# --- Complaints by finding --------------------------------------------------------------------------


def complaints_by_finding(
    *, period: str = "month", district: District | None = None, today: datetime.date | None = None
) -> SuppressedTable:
    """Final findings (one per officer-allegation pair) per finding (rows) and the period the finding
    was made (columns; when the decision time was not recorded, the complaint's findings date)."""
    buckets = period_buckets(period=period, today=today)
    start, end = period_window(buckets)
    decided = Coalesce(
        "decided_at", "complaint__findings_issued_at", "complaint__closed_at", output_field=DateTimeField()
    )
    grouped = (
        Allegation.objects.exclude(finding="")
        .annotate(decided_when=decided)
        .filter(decided_when__gte=start, decided_when__lt=end)
        .order_by()
        .annotate(bucket=trunc_for(period, "decided_when"))
        .values("complaint__district_id", "finding", "bucket")
        .annotate(n=Count("pk"))
    )
    counts: dict[tuple, int] = {}
    found: set[Hashable] = set()
    for group in grouped:
        district_key = _district_key(group["complaint__district_id"])
        found.add(district_key)
        key = (district_key, group["finding"], bucket_start(group["bucket"]))
        counts[key] = counts.get(key, 0) + group["n"]
    findings = list(Allegation.Finding.choices)
    cube = suppress_cube(
        counts,
        [_district_dimension(found), [value for value, _label in findings], [b.start for b in buckets]],
        minimum=min_cell(),
    )
    return cube_table(
        cube,
        district_key=_slice_key(district),
        rows=[(value, str(label)) for value, label in findings],
        columns=[(b.start, b.label) for b in buckets],
    )


# --- Complaints received and closed per period -------------------------------------------------------

RECEIVED = "received"
CLOSED = "closed"


def _per_period_cube(*, field_name: str, period: str, buckets: list[Bucket]) -> Cube:
    start, end = period_window(buckets)
    grouped = (
        Complaint.objects.filter(**{f"{field_name}__gte": start, f"{field_name}__lt": end})
        .order_by()
        .annotate(bucket=trunc_for(period, field_name))
        .values("district_id", "bucket")
        .annotate(n=Count("pk"))
    )
    counts: dict[tuple, int] = {}
    found: set[Hashable] = set()
    for group in grouped:
        district_key = _district_key(group["district_id"])
        found.add(district_key)
        key = (district_key, bucket_start(group["bucket"]))
        counts[key] = counts.get(key, 0) + group["n"]
    return suppress_cube(counts, [_district_dimension(found), [b.start for b in buckets]], minimum=min_cell())


def complaints_by_period(
    *, period: str = "month", district: District | None = None, today: datetime.date | None = None
) -> SuppressedTable:
    """Complaints received and complaints closed (any final state) per period: rows are the periods,
    columns "received" and "closed". Each measure is its own district x period cube (the two are
    not parts of one total, so the table's "total" column is not shown: it is the period's sum)."""
    buckets = period_buckets(period=period, today=today)
    received = _per_period_cube(field_name="received_at", period=period, buckets=buckets)
    closed = _per_period_cube(field_name="closed_at", period=period, buckets=buckets)
    key = _slice_key(district)
    return SuppressedTable(
        row_keys=[b.key for b in buckets],
        row_labels=[b.label for b in buckets],
        column_keys=[RECEIVED, CLOSED],
        column_labels=[_("Received"), _("Closed")],
        cells=[[received.get(key, b.start), closed.get(key, b.start)] for b in buckets],
        row_totals=[],  # two measures: a period's "total" would mean nothing
        column_totals=[received.get(key, ALL), closed.get(key, ALL)],
        total=None,
    )


# --- Days from received to closed -------------------------------------------------------------------


class Median(Aggregate):
    """PostgreSQL's percentile_cont(0.5) over a duration, in seconds."""

    function = "percentile_cont"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM (%(expressions)s)))"
    output_field = FloatField()


def _closed_in(*, start: datetime.datetime, end: datetime.datetime, district: District | None) -> QuerySet:
    closed = Complaint.objects.filter(closed_at__gte=start, closed_at__lt=end).order_by()
    if district is not None:
        closed = closed.filter(district=district)
    return closed


def complaints_days_to_close(
    *, period: str = "month", district: District | None = None, today: datetime.date | None = None
) -> list[DaysToCloseRow]:
    """Median days from received to closed for complaints closed in each period.

    Computed in the database on PostgreSQL (percentile_cont); elsewhere (SQLite) the durations of
    the window are read and the median taken here. A period with fewer than N closed complaints has
    no median (a median of two or three cases says too much about each). The count shown is the
    same suppressed figure as in "complaints by period".
    """
    buckets = period_buckets(period=period, today=today)
    start, end = period_window(buckets)
    minimum = min_cell()
    closed_cube = _per_period_cube(field_name="closed_at", period=period, buckets=buckets)
    closed = _closed_in(start=start, end=end, district=district).annotate(bucket=trunc_for(period, "closed_at"))
    medians: dict[datetime.date, tuple[int, float | None]] = {}
    if connection.vendor == "postgresql":
        for group in closed.values("bucket").annotate(
            n=Count("pk"), median_seconds=Median(F("closed_at") - F("received_at"))
        ):
            medians[bucket_start(group["bucket"])] = (group["n"], group["median_seconds"])
    else:
        durations: dict[datetime.date, list[float]] = {}
        for bucket, received_at, closed_at in closed.values_list("bucket", "received_at", "closed_at"):
            durations.setdefault(bucket_start(bucket), []).append((closed_at - received_at).total_seconds())
        for bucket, seconds in durations.items():
            medians[bucket] = (len(seconds), pystatistics.median(seconds))
    rows = []
    key = _slice_key(district)
    for bucket in buckets:
        n, median_seconds = medians.get(bucket.start, (0, None))
        median_days = None
        if n >= minimum and median_seconds is not None:
            median_days = round(median_seconds / 86400, 1)
        rows.append(DaysToCloseRow(bucket=bucket, closed=closed_cube.get(key, bucket.start), median_days=median_days))
    return rows


# --- Staleness ----------------------------------------------------------------------------------------


def statistics_bump(**kwargs: object) -> None:
    """Make every cached figure about complaints stale (the dashboard's datasets vary on this)."""
    from portal import fragments

    fragments.fragment_version_bump(scope=STATISTICS_SCOPE)


def connect_signals() -> None:
    """From ComplaintsConfig.ready(): any saved or deleted complaint or allegation bumps the scope,
    so the services that change them (intake, workflow, retention) need not know the dashboard.
    Bulk writes send no signal: code writing that way calls `statistics_bump()` itself."""
    from django.db.models.signals import post_delete, post_save

    for model in (Complaint, Allegation):
        uid = f"complaints.statistics.{model.__name__}"
        post_save.connect(statistics_bump, sender=model, dispatch_uid=f"{uid}.save")
        post_delete.connect(statistics_bump, sender=model, dispatch_uid=f"{uid}.delete")
