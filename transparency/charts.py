"""Server-rendered SVG charts for the statistics datasets: no JavaScript, no inline styles.

Each chart is an `<svg role="img">` named by its own `<title>` (aria-labelledby) and described by
its `<desc>` (aria-describedby), so a screen reader announces one image with a summary; the
figures themselves are in the accessible table the template puts below every chart. Colours, fonts
and sizes come from classes in static/css/dashboard.css (the CSP allows no style attributes). The
drawing is 360 units wide, the width of a small phone, so at 360 px its text is drawn at about its
nominal size; wider screens scale it up to the CSS max-width.

Suppressed values (transparency.datasets.Hidden) are never drawn as a bar or a point: a bar chart
writes their text ("fewer than 5") where the bar would be, a line chart leaves a gap.
"""

from __future__ import annotations

import math
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from transparency.datasets import DatasetResult, Hidden

WIDTH = 360
BAR_ROW = 42
LINE_HEIGHT = 250


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _format(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude  # pragma: no cover


def _svg(*, chart_id: str, height: int, title: str, desc: str, body: list[str]) -> SafeString:
    return mark_safe(  # every text below is escaped
        f'<svg class="portal-chart__svg" viewBox="0 0 {WIDTH} {height}" role="img" focusable="false" '
        f'aria-labelledby="{chart_id}-title" aria-describedby="{chart_id}-desc" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>' + "".join(body) + "</svg>"
    )


def _summary(result: DatasetResult, points: list[tuple[str, float]], unit: str) -> str:
    parts = [result.description]
    if points:
        label, value = max(points, key=lambda p: p[1])
        parts.append(
            _("Highest: %(label)s, %(value)s %(unit)s.") % {"label": label, "value": _format(value), "unit": unit}
        )
    else:
        parts.append(_("There are no figures to draw for this choice."))
    parts.append(_("The table after the chart has every figure."))
    return " ".join(str(p) for p in parts if p)


def bar_chart(result: DatasetResult, *, chart_id: str) -> SafeString:
    """One horizontal bar per row: the label above it, the value at its end."""
    chart = result.chart
    assert chart is not None
    column = chart.value_columns[0]
    rows = result.rows
    values = [_number(row.get(column)) for row in rows]
    top = _nice_max(max((v for v in values if v is not None), default=0))
    room = WIDTH - 80
    body: list[str] = []
    points: list[tuple[str, float]] = []
    for index, row in enumerate(rows):
        y = 4 + index * BAR_ROW
        label = str(row.get(chart.label_column, ""))
        body.append(f'<text class="portal-chart__label" x="0" y="{y + 13}">{escape(label)}</text>')
        value = values[index]
        raw = row.get(column)
        if value is None:
            text = raw.text if isinstance(raw, Hidden) else _("no data")
            body.append(f'<text class="portal-chart__hidden" x="0" y="{y + 32}">{escape(text)}</text>')
            continue
        points.append((label, value))
        width = max(round(value / top * room, 1), 1.0 if value > 0 else 0.0)
        body.append(f'<rect class="portal-chart__bar" x="0" y="{y + 19}" width="{width}" height="16" rx="2"></rect>')
        body.append(f'<text class="portal-chart__value" x="{width + 6}" y="{y + 32}">{escape(_format(value))}</text>')
    height = 8 + max(len(rows), 1) * BAR_ROW
    return _svg(
        chart_id=chart_id,
        height=height,
        title=result.title,
        desc=_summary(result, points, chart.unit),
        body=body,
    )


def line_chart(result: DatasetResult, *, chart_id: str) -> SafeString:
    """One line per value column over the rows (periods), with a gap where a value is hidden."""
    chart = result.chart
    assert chart is not None
    rows = result.rows
    left, right, top_y, bottom_y = 40, WIDTH - 10, 14, 190
    series = [[_number(row.get(column)) for row in rows] for column in chart.value_columns]
    found = [v for values in series for v in values if v is not None]
    highest = _nice_max(max(found, default=0))
    if all(float(v).is_integer() for v in found):
        highest = max(4.0, math.ceil(highest / 4) * 4)  # whole numbers on every grid line
    step = (right - left) / max(len(rows) - 1, 1)

    def x_of(index: int) -> float:
        return round(left + index * step, 1)

    def y_of(value: float) -> float:
        return round(bottom_y - value / highest * (bottom_y - top_y), 1)

    body: list[str] = []
    for tick in range(5):
        value = highest * tick / 4
        y = y_of(value)
        body.append(f'<line class="portal-chart__grid" x1="{left}" x2="{right}" y1="{y}" y2="{y}"></line>')
        body.append(
            f'<text class="portal-chart__axis" x="{left - 4}" y="{y + 4}" text-anchor="end">{_format(value)}</text>'
        )
    every = max(1, math.ceil(len(rows) / 4))
    for index, row in enumerate(rows):
        last = index == len(rows) - 1
        if not last and (index % every or len(rows) - 1 - index < every):
            continue  # every `every`-th label, never one crowding the last
        label = escape(str(row.get(chart.label_column, "")))
        anchor = "end" if index == len(rows) - 1 else ("start" if index == 0 else "middle")
        body.append(
            f'<text class="portal-chart__axis" x="{x_of(index)}" y="{bottom_y + 18}" '
            f'text-anchor="{anchor}">{label}</text>'
        )
    labels = {column.key: column.label for column in result.columns}
    points: list[tuple[str, float]] = []
    for number, values in enumerate(series):
        segment: list[str] = []
        segments: list[list[str]] = []
        for index, value in enumerate(values):
            if value is None:
                if segment:
                    segments.append(segment)
                segment = []
                continue
            segment.append(f"{x_of(index)},{y_of(value)}")
            points.append((f"{rows[index].get(chart.label_column, '')}", value))
        if segment:
            segments.append(segment)
        for part in segments:
            if len(part) > 1:
                body.append(
                    f'<polyline class="portal-chart__line portal-chart__line--{number}" '
                    f'points="{" ".join(part)}"></polyline>'
                )
        for index, value in enumerate(values):
            if value is None:
                continue
            x, y = x_of(index), y_of(value)
            if number % 2:
                body.append(
                    f'<rect class="portal-chart__point portal-chart__point--{number}" '
                    f'x="{x - 3.5}" y="{y - 3.5}" width="7" height="7"></rect>'
                )
            else:
                body.append(
                    f'<circle class="portal-chart__point portal-chart__point--{number}" '
                    f'cx="{x}" cy="{y}" r="3.5"></circle>'
                )
    height = bottom_y + 28
    if len(series) > 1:
        height += 16
        for number, column in enumerate(chart.value_columns):
            x = left + number * 130
            body.append(
                f'<rect class="portal-chart__point portal-chart__point--{number}" '
                f'x="{x}" y="{height - 6}" width="14" height="4"></rect>'
            )
            body.append(
                f'<text class="portal-chart__label" x="{x + 20}" y="{height}">'
                f"{escape(str(labels.get(column, column)))}</text>"
            )
        height += 12
    return _svg(
        chart_id=chart_id,
        height=height,
        title=result.title,
        desc=_summary(result, points, chart.unit),
        body=body,
    )


def chart_svg(result: DatasetResult, *, chart_id: str) -> SafeString:
    if result.chart is None:
        return mark_safe("")
    if result.chart.kind == "line":
        return line_chart(result, chart_id=chart_id)
    return bar_chart(result, chart_id=chart_id)
