"""The statistics datasets: THE registry the dashboard, the CSV/JSON downloads and the API read.

Each dataset turns one app's aggregate selectors into a table (columns and rows of plain values):
complaints through complaints.statistics (suppressed there, complementary suppression included),
feedback and the trust index through feedback.selectors, events through events.selectors. Nothing
here queries another app's tables.

`dataset_result(slug, district=..., period=...)` validates its filters (an unknown slug raises
`DatasetNotFound`, a bad filter `DatasetFilterError`, both with a message a person can read) and
caches the result.

Caching (decision): versioned keys through portal.fragments, not pre-aggregation. A result is
cached under the scope "transparency.dashboard" and varies on the versions of the scopes the
source apps already bump when their rows change ("complaints.statistics" bumped by the complaint
and allegation signals of complaints.statistics.connect_signals, the feedback wall and trust scopes, the
events list scope, the directory), on today's date (the buckets move at midnight), on the
suppression threshold and on the language. Anything that escapes a bump (a bulk update, a check-in
that does not bump the events scope) is at most FRAGMENT_TIMEOUT_SECONDS (10 minutes) old: public
statistics over months and years do not need to be fresher, and a busy RSVP hour does not turn
every dashboard view into a full recount.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from complaints import statistics
from portal import fragments
from portal.models import District

SCOPE = "transparency.dashboard"
COMPLAINTS_SCOPE = statistics.STATISTICS_SCOPE
DEFAULT_PERIOD = "month"


class DatasetNotFound(LookupError):
    """No dataset has this slug (a 404)."""


class DatasetFilterError(ValueError):
    """A filter value that is not one of the fixed choices (a 400); str(exc) is the message."""


@dataclass(frozen=True)
class Hidden:
    """A suppressed value: shown as its text ("fewer than 5", "hidden", ...); null in JSON."""

    text: str

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "count"  # "label" (the row's name), "count", "number" (a median, a share, an index)


@dataclass(frozen=True)
class Chart:
    """What the chart draws: a bar per row of `value_column`, or a line per column over the rows."""

    kind: str  # "bar" or "line"
    label_column: str
    value_columns: tuple[str, ...]
    unit: str = ""


@dataclass(frozen=True)
class DatasetResult:
    slug: str
    title: str
    columns: list[Column]
    rows: list[dict[str, Any]]  # values: str, int, float, None (no value) or Hidden (suppressed)
    notes: list[str]
    total_row: dict[str, Any] | None = None
    chart: Chart | None = None
    description: str = ""
    period: str = DEFAULT_PERIOD
    district: str = ""  # slug, "" for every district

    def all_rows(self) -> list[dict[str, Any]]:
        return [*self.rows, self.total_row] if self.total_row else list(self.rows)

    def as_json(self) -> dict[str, Any]:
        """Plain JSON: suppressed values are null and named in the row's "suppressed" object."""

        def row_json(row: dict[str, Any]) -> dict[str, Any]:
            out: dict[str, Any] = {}
            suppressed: dict[str, str] = {}
            for column in self.columns:
                value = row.get(column.key)
                if isinstance(value, Hidden):
                    suppressed[column.key] = value.text
                    value = None
                out[column.key] = value
            if suppressed:
                out["suppressed"] = suppressed
            return out

        return {
            "dataset": self.slug,
            "title": self.title,
            "description": self.description,
            "filters": {"district": self.district or None, "period": self.period},
            "columns": [{"key": c.key, "label": c.label, "kind": c.kind} for c in self.columns],
            "rows": [row_json(row) for row in self.rows],
            "total": row_json(self.total_row) if self.total_row else None,
            "notes": self.notes,
        }

    def as_csv_rows(self) -> list[list[str]]:
        """The header (column labels) and every row with suppressed values as their text."""

        def text(value: Any) -> str:
            return "" if value is None else str(value)

        return [[c.label for c in self.columns]] + [
            [text(row.get(c.key)) for c in self.columns] for row in self.all_rows()
        ]


@dataclass(frozen=True)
class Dataset:
    slug: str
    title: Any  # lazy
    description: Any  # lazy
    build: Callable[..., DatasetResult] = field(repr=False)
    sources: tuple[str, ...] = ()


# --- Helpers ----------------------------------------------------------------------------------------


def _figure(figure: statistics.Figure | None) -> int | Hidden | None:
    if figure is None:
        return None
    if figure.is_suppressed:
        return Hidden(figure.text)
    return figure.value


def _suppression_notes() -> list[str]:
    n = statistics.min_cell()
    return [
        _("Counts from 1 to %(last)s are shown as “fewer than %(n)s” so that nobody can be singled out.")
        % {"last": n - 1, "n": n},
        _(
            "A few other counts are “hidden” as well, so that a hidden count cannot be worked out from "
            "the totals or by comparing districts."
        ),
    ]


def _cross_table_result(
    *, slug: str, title: str, description: str, table: statistics.SuppressedTable, row_label: str, notes: list[str]
) -> DatasetResult:
    columns = [Column("name", row_label, "label")]
    columns += [Column(key, label) for key, label in zip(table.column_keys, table.column_labels, strict=True)]
    columns.append(Column("total", _("Total")))
    rows = []
    for key, label, cells, total in zip(table.row_keys, table.row_labels, table.cells, table.row_totals, strict=True):
        row: dict[str, Any] = {"name": label, "key": key}
        for column_key, cell in zip(table.column_keys, cells, strict=True):
            row[column_key] = _figure(cell)
        row["total"] = _figure(total)
        rows.append(row)
    total_row: dict[str, Any] = {"name": _("Total"), "key": "total"}
    for column_key, cell in zip(table.column_keys, table.column_totals, strict=True):
        total_row[column_key] = _figure(cell)
    total_row["total"] = _figure(table.total)
    return DatasetResult(
        slug=slug,
        title=title,
        description=description,
        columns=columns,
        rows=rows,
        total_row=total_row,
        notes=notes,
        chart=Chart(kind="bar", label_column="name", value_columns=("total",), unit=_("complaints")),
    )


def _window(period: str) -> tuple[list[statistics.Bucket], datetime.datetime, datetime.datetime]:
    buckets = statistics.period_buckets(period=period)
    start, end = statistics.period_window(buckets)
    return buckets, start, end


# --- The datasets -----------------------------------------------------------------------------------


def _complaints_by_category(*, district: District | None, period: str) -> DatasetResult:
    table = statistics.complaints_by_category(period=period, district=district)
    return _cross_table_result(
        slug="complaints-by-category",
        title=str(DATASETS["complaints-by-category"].title),
        description=str(DATASETS["complaints-by-category"].description),
        table=table,
        row_label=_("Allegation category"),
        notes=[
            _("By the date the complaint was received. A complaint alleging more than one category counts in each."),
            *_suppression_notes(),
        ],
    )


def _complaints_by_finding(*, district: District | None, period: str) -> DatasetResult:
    table = statistics.complaints_by_finding(period=period, district=district)
    result = _cross_table_result(
        slug="complaints-by-finding",
        title=str(DATASETS["complaints-by-finding"].title),
        description=str(DATASETS["complaints-by-finding"].description),
        table=table,
        row_label=_("Final finding"),
        notes=[
            _("One finding per officer and allegation, by the date it was decided."),
            *_suppression_notes(),
        ],
    )
    return _with_chart(result, Chart(kind="bar", label_column="name", value_columns=("total",), unit=_("findings")))


def _with_chart(result: DatasetResult, chart: Chart) -> DatasetResult:
    from dataclasses import replace

    return replace(result, chart=chart)


def _complaints_by_month(*, district: District | None, period: str) -> DatasetResult:
    table = statistics.complaints_by_period(period=period, district=district)
    columns = [Column("period", _("Period"), "label"), Column("received", _("Received")), Column("closed", _("Closed"))]
    rows = [
        {"period": label, "key": key, "received": _figure(cells[0]), "closed": _figure(cells[1])}
        for key, label, cells in zip(table.row_keys, table.row_labels, table.cells, strict=True)
    ]
    total_row = {
        "period": _("Total"),
        "key": "total",
        "received": _figure(table.column_totals[0]),
        "closed": _figure(table.column_totals[1]),
    }
    return DatasetResult(
        slug="complaints-by-month",
        title=str(DATASETS["complaints-by-month"].title),
        description=str(DATASETS["complaints-by-month"].description),
        columns=columns,
        rows=rows,
        total_row=total_row,
        notes=[
            _("Received: by the date the complaint was received. Closed: by the date it reached a final state."),
            *_suppression_notes(),
        ],
        chart=Chart(kind="line", label_column="period", value_columns=("received", "closed"), unit=_("complaints")),
    )


def _complaints_days_to_close(*, district: District | None, period: str) -> DatasetResult:
    rows_in = statistics.complaints_days_to_close(period=period, district=district)
    n = statistics.min_cell()
    too_few = Hidden(_("fewer than %(n)s closed") % {"n": n})
    rows = []
    for row in rows_in:
        median: float | Hidden | None = row.median_days
        if median is None:
            median = too_few if row.closed.is_suppressed or (row.closed.value or 0) > 0 else None
        rows.append(
            {"period": row.bucket.label, "key": row.bucket.key, "closed": _figure(row.closed), "median_days": median}
        )
    return DatasetResult(
        slug="complaints-days-to-close",
        title=str(DATASETS["complaints-days-to-close"].title),
        description=str(DATASETS["complaints-days-to-close"].description),
        columns=[
            Column("period", _("Period"), "label"),
            Column("closed", _("Complaints closed")),
            Column("median_days", _("Median days from received to closed"), "number"),
        ],
        rows=rows,
        notes=[
            _("For complaints that reached a final state in the period."),
            _("No median is shown for a period with fewer than %(n)s closed complaints.") % {"n": n},
            *_suppression_notes(),
        ],
        chart=Chart(kind="bar", label_column="period", value_columns=("median_days",), unit=_("days")),
    )


def _feedback_replies(*, district: District | None, period: str) -> DatasetResult:
    from feedback import selectors as feedback_selectors

    buckets, start, end = _window(period)
    found = {
        row.period: row
        for row in feedback_selectors.feedback_replies_by_period(
            start=start, end=end, trunc=statistics.TRUNCS[period], district=district
        )
    }
    n = statistics.min_cell()
    rows = []
    for bucket in buckets:
        row = found.get(bucket.start)
        received = row.received if row else 0
        median: float | Hidden | None = None
        if row and row.replied:
            median = row.median_days if row.replied >= n else Hidden(_("fewer than %(n)s answered") % {"n": n})
        rows.append(
            {
                "period": bucket.label,
                "key": bucket.key,
                "received": received,
                "answered": row.answered if row else 0,
                "answered_share": row.answered_share if row else None,
                "median_days": median,
            }
        )
    return DatasetResult(
        slug="feedback-replies",
        title=str(DATASETS["feedback-replies"].title),
        description=str(DATASETS["feedback-replies"].description),
        columns=[
            Column("period", _("Period"), "label"),
            Column("received", _("Feedback received")),
            Column("answered", _("Answered")),
            Column("answered_share", _("Share answered (%)"), "number"),
            Column("median_days", _("Median days to the first reply"), "number"),
        ],
        rows=rows,
        notes=[
            _("By the date the feedback was sent; answered means it has at least one reply."),
            _("No median is shown for a period with fewer than %(n)s answered items.") % {"n": n},
        ],
        chart=Chart(kind="bar", label_column="period", value_columns=("answered_share",), unit="%"),
    )


def _events_attendance(*, district: District | None, period: str) -> DatasetResult:
    from events import selectors as events_selectors

    buckets, start, end = _window(period)
    found = {
        row.period: row
        for row in events_selectors.event_attendance_by_period(
            start=start, end=end, trunc=statistics.TRUNCS[period], district=district
        )
    }
    rows = []
    for bucket in buckets:
        row = found.get(bucket.start)
        rows.append(
            {
                "period": bucket.label,
                "key": bucket.key,
                "events": row.events if row else 0,
                "booked": row.booked if row else 0,
                "attended": row.attended if row else 0,
            }
        )
    return DatasetResult(
        slug="events-attendance",
        title=str(DATASETS["events-attendance"].title),
        description=str(DATASETS["events-attendance"].description),
        columns=[
            Column("period", _("Period"), "label"),
            Column("events", _("Events held")),
            Column("booked", _("Seats booked")),
            Column("attended", _("People who came")),
        ],
        rows=rows,
        total_row={
            "period": _("Total"),
            "key": "total",
            "events": sum(r["events"] for r in rows),
            "booked": sum(r["booked"] for r in rows),
            "attended": sum(r["attended"] for r in rows),
        },
        notes=[
            _("Published events by the date they started (cancelled events are not counted)."),
            _("People who came: those marked as attended or checked in, with their party, plus walk-ins."),
        ],
        chart=Chart(kind="bar", label_column="period", value_columns=("attended",), unit=_("people")),
    )


def _trust_index(*, district: District | None, period: str) -> DatasetResult:
    from feedback import selectors as feedback_selectors

    buckets, _start, _end = _window(period)
    rows_in = feedback_selectors.trust_index_by_period(start=buckets[0].start, period=period, district=district)
    minimum = settings.TRUST_INDEX_MIN_RESPONSES
    too_few = Hidden(_("fewer than %(n)s responses") % {"n": minimum})
    if district is None:
        series = [("all", _("All districts"), None)]
        districts = sorted({(r.district_slug, r.district_name) for r in rows_in if r.district_slug}, key=lambda d: d[1])
        series += [(slug, name, slug) for slug, name in districts]
    else:
        series = [(district.slug, district.name, district.slug)]
    by_key = {(r.district_slug, r.period): r for r in rows_in}
    rows = []
    for bucket in buckets:
        row: dict[str, Any] = {"period": bucket.label, "key": bucket.key}
        for key, _label, slug in series:
            found = by_key.get((slug, bucket.start))
            if found is None:
                row[key] = None
            elif found.index is None:
                row[key] = too_few
            else:
                row[key] = found.index
        rows.append(row)
    columns = [Column("period", _("Period"), "label")]
    columns += [Column(key, label, "number") for key, label, _slug in series]
    return DatasetResult(
        slug="trust-index",
        title=str(DATASETS["trust-index"].title),
        description=str(DATASETS["trust-index"].description),
        columns=columns,
        rows=rows,
        notes=[
            _(
                "From the short surveys after events: the average of three questions on a 1 to 5 scale, "
                "shown from 0 (lowest) to 100 (highest)."
            ),
            _("No index is shown for fewer than %(n)s responses.") % {"n": minimum},
        ],
        chart=Chart(kind="line", label_column="period", value_columns=(series[0][0],), unit=_("index")),
    )


DATASETS: dict[str, Dataset] = {
    dataset.slug: dataset
    for dataset in (
        Dataset(
            "complaints-by-category",
            gettext_lazy("Complaints by allegation category"),
            gettext_lazy("How many complaints alleged each kind of misconduct."),
            _complaints_by_category,
            (COMPLAINTS_SCOPE,),
        ),
        Dataset(
            "complaints-by-finding",
            gettext_lazy("Findings"),
            gettext_lazy("The final finding for each officer and allegation investigated."),
            _complaints_by_finding,
            (COMPLAINTS_SCOPE,),
        ),
        Dataset(
            "complaints-by-month",
            gettext_lazy("Complaints received and closed"),
            gettext_lazy("How many complaints came in and how many were closed in each period."),
            _complaints_by_month,
            (COMPLAINTS_SCOPE,),
        ),
        Dataset(
            "complaints-days-to-close",
            gettext_lazy("Time to close a complaint"),
            gettext_lazy("The median number of days from receiving a complaint to closing it."),
            _complaints_days_to_close,
            (COMPLAINTS_SCOPE,),
        ),
        Dataset(
            "feedback-replies",
            gettext_lazy("Answers to feedback"),
            gettext_lazy("The share of feedback we answered and the median days to our first reply."),
            _feedback_replies,
            ("feedback.wall",),
        ),
        Dataset(
            "events-attendance",
            gettext_lazy("Community events and attendance"),
            gettext_lazy("How many events we held and how many people came."),
            _events_attendance,
            ("events.list",),
        ),
        Dataset(
            "trust-index",
            gettext_lazy("Trust index"),
            gettext_lazy("What people told us after events, by district and period (0 to 100)."),
            _trust_index,
            ("feedback.trust",),
        ),
    )
}


# --- Filters and the cached entry point ---------------------------------------------------------------


def district_choices() -> list[tuple[str, str]]:
    return list(District.objects.order_by("name").values_list("slug", "name"))


def parse_filters(*, district: str | District | None, period: str | None) -> tuple[District | None, str]:
    """The filters' values, or DatasetFilterError with a message. Empty means the default."""
    period = period or DEFAULT_PERIOD
    if period not in statistics.PERIODS:
        raise DatasetFilterError(_("Choose a period: month, quarter or year."))
    if isinstance(district, District) or district is None or district == "":
        return (district or None), period
    found = District.objects.filter(slug=district).first()
    if found is None:
        raise DatasetFilterError(_("There is no district with that name. Choose one from the list."))
    return found, period


SOURCE_SCOPES = (fragments.DIRECTORY, COMPLAINTS_SCOPE, "feedback.wall", "feedback.trust", "events.list")


def source_versions(scopes: tuple[str, ...] = SOURCE_SCOPES) -> dict[str, int]:
    """The current versions of the source apps' fragment scopes (read once per request)."""
    return {scope: fragments.fragment_version(scope=scope) for scope in scopes}


def cache_vary_on(
    *, slugs: list[str], district: District | None, period: str, versions: dict[str, int] | None = None
) -> list[Any]:
    """What cached datasets (or their rendered sections) depend on besides their own scope."""
    scopes = tuple(dict.fromkeys([fragments.DIRECTORY, *(s for slug in slugs for s in DATASETS[slug].sources)]))
    if versions is None:
        versions = source_versions(scopes)
    return [
        *slugs,
        district.pk if district else "",
        period,
        timezone.localdate().isoformat(),
        statistics.min_cell(),
        settings.TRUST_INDEX_MIN_RESPONSES,
        *(f"{scope}={versions[scope]}" for scope in scopes),
    ]


def dataset_result(
    slug: str,
    *,
    district: str | District | None = None,
    period: str | None = DEFAULT_PERIOD,
    versions: dict[str, int] | None = None,
) -> DatasetResult:
    """The dataset `slug` for one district (or all) and period, suppressed and cached.

    `versions` (from `source_versions()`) saves the version reads when a caller asks for several."""
    if slug not in DATASETS:
        raise DatasetNotFound(_("There is no dataset with that name."))
    district_obj, period = parse_filters(district=district, period=period)
    dataset = DATASETS[slug]

    def build() -> DatasetResult:
        from dataclasses import replace

        result = dataset.build(district=district_obj, period=period)
        return replace(result, period=period, district=district_obj.slug if district_obj else "")

    return fragments.fragment_get_or_render(
        scope=SCOPE,
        name=f"dataset:{slug}",
        vary_on=cache_vary_on(slugs=[slug], district=district_obj, period=period, versions=versions),
        render=build,
    )
