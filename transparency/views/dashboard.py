"""The statistics dashboard (/transparency/dashboard/) and each dataset as CSV and JSON.

Every figure comes from transparency.datasets (the same registry the API reads), already
suppressed for the filter chosen. Filters are fixed buckets: a district (or all) and a period
(the last 12 months by month, the last 8 quarters, the last 5 years); any other value is a 400
with a message, an unknown dataset a 404.

Speed (decision: cache, not pre-aggregation): the rendered sections — charts and tables — are
one fragment per filter choice under a versioned key (portal.fragments, scope
"transparency.dashboard", varying on the source apps' own versions, the date and the language: see
transparency.datasets), and each dataset's figures are cached on their own as well, so a warm
dashboard costs a few cache reads and no aggregate query, and a bump recomputes only the dataset
whose source changed. For visitors who are not signed in the whole page is a cached shell
(portal.page_shells, one cache round trip), as on the feedback wall: the filter form is a GET form
with no token, so it can be shared.
"""

from __future__ import annotations

import csv
import json
from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from complaints.statistics import PERIOD_LABELS, PERIODS
from portal import fragments, page_shells
from transparency import datasets
from transparency.charts import chart_svg
from transparency.datasets import DatasetFilterError, DatasetNotFound, DatasetResult, Hidden

TEMPLATE = "transparency/dashboard.html"
SECTION_TEMPLATE = "transparency/dashboard_section.html"


class DashboardFilterForm(forms.Form):
    district = forms.ChoiceField(label=gettext_lazy("District"), required=False)
    period = forms.ChoiceField(
        label=gettext_lazy("Period"),
        required=False,
        choices=[(value, PERIOD_LABELS[value]) for value in PERIODS],
        error_messages={"invalid_choice": gettext_lazy("Choose a period from the list.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].choices = [("", _("All districts")), *datasets.district_choices()]
        self.fields["district"].error_messages["invalid_choice"] = _("Choose a district from the list.")
        for field in self.fields.values():
            field.widget.attrs["class"] = "usa-select"


def _display(value: Any) -> tuple[str, bool]:
    """A table cell's text and whether it is suppressed."""
    if isinstance(value, Hidden):
        return value.text, True
    if value is None:
        return "\N{EN DASH}", False
    if isinstance(value, float):
        return (str(int(value)) if value.is_integer() else f"{value:.1f}"), False
    return str(value), False


def _query(district: str, period: str) -> str:
    params = {key: value for key, value in (("district", district), ("period", period)) if value}
    return f"?{urlencode(params)}" if params else ""


def _section_html(*, slug: str, district: Any, period: str, versions: dict[str, int]) -> str:
    """One dataset's section: heading, chart, table, notes and download links (not cached alone:
    `_sections_html` caches every section of a page together)."""
    result = datasets.dataset_result(slug, district=district, period=period, versions=versions)
    query = _query(result.district, period if period != datasets.DEFAULT_PERIOD else "")
    rows = [
        {"cells": [_display(row.get(column.key)) for column in result.columns], "is_total": False}
        for row in result.rows
    ]
    if result.total_row:
        rows.append(
            {"cells": [_display(result.total_row.get(column.key)) for column in result.columns], "is_total": True}
        )
    return render_to_string(
        SECTION_TEMPLATE,
        {
            "result": result,
            "slug": slug,
            "chart": chart_svg(result, chart_id=f"chart-{slug}"),
            "rows": rows,
            "period_label": PERIOD_LABELS[period],
            "district_name": district.name if district else _("All districts"),
            "csv_url": reverse("transparency:dataset-csv", kwargs={"dataset": slug}) + query,
            "json_url": reverse("transparency:dataset-json", kwargs={"dataset": slug}) + query,
        },
    )


def _sections_html(*, district: Any, period: str) -> str:
    """Every section of the dashboard for these filters, as one cached fragment. A warm page costs
    the source versions, the fragment's own version and one read; after a bump only the dataset
    whose source changed is recomputed (each dataset's figures are cached on their own too)."""
    versions = datasets.source_versions()
    slugs = list(datasets.DATASETS)

    def render_sections() -> str:
        return "".join(_section_html(slug=slug, district=district, period=period, versions=versions) for slug in slugs)

    return fragments.fragment_get_or_render(
        scope=datasets.SCOPE,
        name="sections",
        vary_on=datasets.cache_vary_on(slugs=slugs, district=district, period=period, versions=versions),
        render=render_sections,
    )


PARAMETERS = frozenset({"district", "period"})


def _dashboard_context(request: HttpRequest) -> tuple[dict[str, Any], int]:
    form = DashboardFilterForm(request.GET or None)
    context: dict[str, Any] = {"form": form, "sections_html": None}
    if request.GET and not form.is_valid():
        return context, 400
    data = form.cleaned_data if request.GET else {}
    district, period = datasets.parse_filters(district=data.get("district"), period=data.get("period"))
    context["sections_html"] = SafeString(_sections_html(district=district, period=period))
    context["district"] = district
    context["period_label"] = PERIOD_LABELS[period]
    return context, 200


@require_GET
def dashboard_view(request: HttpRequest) -> HttpResponse:
    """The dashboard. Visitors who are not signed in get the whole page from a cached shell
    (portal.page_shells, keyed by the full path, valid while the dashboard's and the sources'
    versions hold); signed-in people get it rendered around the cached sections."""
    if not (page_shells.shell_allowed(request) and set(request.GET) <= PARAMETERS):
        context, status = _dashboard_context(request)
        return render(request, TEMPLATE, context, status=status)

    def render_page() -> dict[str, Any]:
        context, status = _dashboard_context(request)
        if status != 200:
            raise page_shells.NotShared(render(request, TEMPLATE, context, status=status))
        return {"html": page_shells.render_shell(request, TEMPLATE, context, [])}

    try:
        shell = page_shells.shell_get_or_render(
            name="transparency-dashboard",
            vary_on=[
                request.get_full_path(),
                page_shells.offers_spanish(request),
                timezone.localdate().isoformat(),
                statistics_settings_key(),
            ],
            scopes=(datasets.SCOPE, *datasets.SOURCE_SCOPES),
            render=render_page,
        )
    except page_shells.NotShared as not_shared:
        return not_shared.response
    return page_shells.fill_shell(request, shell["html"], {})


def statistics_settings_key() -> str:
    from django.conf import settings

    return f"{settings.STATISTICS_MIN_CELL}:{settings.TRUST_INDEX_MIN_RESPONSES}"


def _result_or_error(request: HttpRequest, dataset: str, *, as_json: bool) -> DatasetResult | HttpResponse:
    try:
        return datasets.dataset_result(dataset, district=request.GET.get("district"), period=request.GET.get("period"))
    except DatasetNotFound as exc:
        if as_json:
            return JsonResponse({"error": str(exc)}, status=404)
        raise Http404(str(exc)) from exc
    except DatasetFilterError as exc:
        if as_json:
            return JsonResponse({"error": str(exc)}, status=400)
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")


def _filename(result: DatasetResult, extension: str) -> str:
    parts = [result.slug, result.district, result.period]
    return "-".join(part for part in parts if part) + f".{extension}"


def _csv_safe(text: str) -> str:
    # A spreadsheet would run a cell starting with one of these as a formula.
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _is_number(text) else text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@require_GET
def dataset_csv_view(request: HttpRequest, dataset: str) -> HttpResponse:
    result = _result_or_error(request, dataset, as_json=False)
    if isinstance(result, HttpResponse):
        return result
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(result, "csv")}"'
    writer = csv.writer(response)
    for row in result.as_csv_rows():
        writer.writerow([_csv_safe(cell) for cell in row])
    return response


@require_GET
def dataset_json_view(request: HttpRequest, dataset: str) -> HttpResponse:
    result = _result_or_error(request, dataset, as_json=True)
    if isinstance(result, HttpResponse):
        return result
    response = HttpResponse(
        json.dumps(result.as_json(), ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(result, "json")}"'
    return response
