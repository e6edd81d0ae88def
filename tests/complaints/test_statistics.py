"""Public complaint statistics: fixed buckets, suppression of small counts, complementary
suppression (rows, columns, districts), totals, de-identified complaints and the median."""

from __future__ import annotations

import datetime
import itertools
import random

import pytest
import time_machine
from django.utils import timezone

from complaints import statistics
from complaints.models import Allegation, Complaint
from complaints.statistics import ALL, COMPLEMENT, SMALL, suppress_cube
from tests.complaints.factories import AllegationFactory, ComplaintFactory, category
from tests.factories import DistrictFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 6, 15, 12, 0, tzinfo=datetime.UTC)


def _at(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _complaints(n: int, *, district, slug: str = "use-of-force", day: datetime.date, **extra) -> list[Complaint]:
    made = []
    for _ in range(n):
        complaint = ComplaintFactory(district=district, received_at=_at(day), **extra)
        AllegationFactory(officer__complaint=complaint, complaint=complaint, category=category(slug))
        made.append(complaint)
    return made


def _lines_ok(cube: statistics.Cube) -> None:
    """Every line of the cube has no hidden entry or at least two."""
    dims = cube.dimensions
    axes = [[*members, ALL] for members in dims]
    for axis, members in enumerate(dims):
        others = [axes[k] if k != axis else [None] for k in range(len(dims))]
        for fixed in itertools.product(*others):
            entries = [(*fixed[:axis], m, *fixed[axis + 1 :]) for m in [*members, ALL]]
            hidden = sum(1 for key in entries if cube.figures[key].is_suppressed)
            assert hidden != 1, (axis, fixed)


# --- Buckets ------------------------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_it_uses_fixed_buckets_for_each_period():
    months = statistics.period_buckets(period="month")
    quarters = statistics.period_buckets(period="quarter")
    years = statistics.period_buckets(period="year")
    assert [len(months), len(quarters), len(years)] == [12, 8, 5]
    assert months[0].start == datetime.date(2025, 7, 1)
    assert months[-1].start == datetime.date(2026, 6, 1)
    assert quarters[0].start == datetime.date(2024, 7, 1)
    assert quarters[-1].start == datetime.date(2026, 4, 1)
    assert years[0].start == datetime.date(2022, 1, 1)
    assert years[-1].start == datetime.date(2026, 1, 1)
    assert quarters[-1].label == "Q2 2026"


def test_it_refuses_an_unknown_period():
    with pytest.raises(ValueError, match="unknown period"):
        statistics.period_buckets(period="week")


@time_machine.travel(NOW, tick=False)
def test_it_counts_a_complaint_in_the_month_of_the_department_time_zone():
    district = DistrictFactory()
    # Late on 31 May in the department's time zone is already June in UTC.
    _complaints(5, district=district, day=datetime.date(2026, 5, 31))
    for complaint in Complaint.objects.all():
        complaint.received_at = timezone.make_aware(datetime.datetime(2026, 5, 31, 23, 30))
        complaint.save(update_fields=["received_at"])
    table = statistics.complaints_by_category(period="month")
    may = table.column_keys.index("2026-05-01")
    row = table.row_keys.index(str(category("use-of-force").pk))
    assert table.cells[row][may].value == 5
    assert table.column_totals[may].value == 5


@time_machine.travel(NOW, tick=False)
def test_it_leaves_out_complaints_older_than_the_window():
    district = DistrictFactory()
    _complaints(6, district=district, day=datetime.date(2025, 5, 1))
    assert statistics.complaints_by_category(period="month").total.value == 0
    assert statistics.complaints_by_category(period="year").total.value == 6


# --- Suppression --------------------------------------------------------------------------------------


def test_it_hides_counts_below_the_threshold_and_shows_zero():
    cube = suppress_cube(
        {("a", "x"): 3, ("a", "y"): 12, ("b", "x"): 0, ("b", "y"): 20}, [["a", "b"], ["x", "y"]], minimum=5
    )
    assert cube.get("a", "x") == statistics.Figure(None, SMALL)
    assert cube.get("a", "x").text == "fewer than 5"
    assert cube.get("b", "x").value == 0


def test_it_suppresses_a_second_cell_in_the_row_and_the_column():
    # rows a, b; columns x, y, z. (a, x) = 2 is small.
    counts = {("a", "x"): 2, ("a", "y"): 9, ("a", "z"): 30, ("b", "x"): 7, ("b", "y"): 8, ("b", "z"): 40}
    cube = suppress_cube(counts, [["a", "b"], ["x", "y", "z"]], minimum=5)
    assert cube.get("a", "x").suppressed == SMALL
    # The row's smallest other cell (9) and the column's (7) are hidden too...
    assert cube.get("a", "y").suppressed == COMPLEMENT
    assert cube.get("b", "x").suppressed == COMPLEMENT
    assert cube.get("a", "y").text == "hidden"
    # ...and so, to protect those, is (b, y): iterated until every line is safe.
    assert cube.get("b", "y").suppressed == COMPLEMENT
    assert cube.get("a", "z").value == 30
    assert cube.get("b", "z").value == 40
    _lines_ok(cube)


def test_it_never_leaves_a_line_with_a_single_hidden_cell():
    rng = random.Random(7)
    for _ in range(40):
        dims = [list(range(rng.randint(1, 4))), list(range(rng.randint(1, 5))), list(range(rng.randint(1, 4)))]
        counts = {key: rng.choice([0, 0, 1, 2, 3, 4, 5, 6, 9, 15, 40]) for key in itertools.product(*dims)}
        cube = suppress_cube(counts, dims, minimum=5)
        _lines_ok(cube)
        for key, figure in cube.figures.items():
            if not figure.is_suppressed:
                assert not 0 < figure.value < 5, key


def test_it_hides_one_more_when_two_small_cells_would_give_each_other_away():
    # (a, x) = 1 and (a, y) = 1 are both "fewer than 5"; with the row total 2 + 20 = 22 and the
    # 20 shown, they add up to 2, so each is 1: a third cell in the row must be hidden.
    counts = {("a", "x"): 1, ("a", "y"): 1, ("a", "z"): 20, ("b", "x"): 9, ("b", "y"): 9, ("b", "z"): 30}
    cube = suppress_cube(counts, [["a", "b"], ["x", "y", "z"]], minimum=5)
    assert cube.get("a", "x").suppressed == SMALL
    assert cube.get("a", "y").suppressed == SMALL
    assert cube.get("a", "z").is_suppressed or cube.get("a", ALL).is_suppressed
    _lines_ok(cube)


def test_it_does_not_let_the_labels_pin_a_one_next_to_a_five():
    # Hidden: 1 ("fewer than 5") and 5 ("hidden", so 5 or more); a shown row total of 6 + 30 with
    # the 30 shown would pin both. Another cell is hidden instead.
    counts = {("a", "x"): 1, ("a", "y"): 5, ("a", "z"): 30, ("b", "x"): 20, ("b", "y"): 20, ("b", "z"): 20}
    cube = suppress_cube(counts, [["a", "b"], ["x", "y", "z"]], minimum=5)
    row_hidden = [cube.get("a", column).is_suppressed for column in ("x", "y", "z", ALL)]
    assert sum(row_hidden) >= 3
    _lines_ok(cube)


def test_it_hides_a_small_total_and_its_cells():
    cube = suppress_cube(
        {("a", "x"): 2, ("a", "y"): 1, ("b", "x"): 10, ("b", "y"): 12}, [["a", "b"], ["x", "y"]], minimum=5
    )
    assert cube.get("a", ALL).suppressed == SMALL  # 3
    assert cube.get("a", "x").is_suppressed
    assert cube.get("a", "y").is_suppressed
    _lines_ok(cube)


@time_machine.travel(NOW, tick=False)
def test_it_computes_totals_from_the_same_table_so_they_reveal_nothing():
    district = DistrictFactory()
    day = datetime.date(2026, 6, 2)
    _complaints(3, district=district, slug="use-of-force", day=day)
    _complaints(8, district=district, slug="discourtesy", day=day)
    _complaints(6, district=district, slug="discourtesy", day=datetime.date(2026, 5, 2))
    _complaints(9, district=district, slug="use-of-force", day=datetime.date(2026, 5, 2))
    table = statistics.complaints_by_category(period="month")
    force = table.row_keys.index(str(category("use-of-force").pk))
    june = table.column_keys.index("2026-06-01")
    assert table.cells[force][june].suppressed == SMALL
    # In the row (with its total) and in the column (with its total) at least one more is hidden.
    row_hidden = sum(c.is_suppressed for c in table.cells[force]) + table.row_totals[force].is_suppressed
    column_hidden = sum(row[june].is_suppressed for row in table.cells) + table.column_totals[june].is_suppressed
    assert row_hidden >= 2
    assert column_hidden >= 2
    # Shown totals are the true totals (computed before suppression, published only when safe).
    for figure, expected in ((table.total, 26),):
        assert figure.is_suppressed or figure.value == expected


@time_machine.travel(NOW, tick=False)
def test_it_does_not_reveal_a_hidden_district_cell_by_subtracting_views():
    north, south = DistrictFactory(name="North"), DistrictFactory(name="South")
    day = datetime.date(2026, 6, 2)
    _complaints(3, district=north, slug="use-of-force", day=day)
    _complaints(20, district=south, slug="use-of-force", day=day)
    _complaints(12, district=north, slug="discourtesy", day=day)
    _complaints(15, district=south, slug="discourtesy", day=day)
    _complaints(7, district=north, slug="use-of-force", day=datetime.date(2026, 5, 3))
    _complaints(9, district=south, slug="use-of-force", day=datetime.date(2026, 5, 3))
    views = {
        "all": statistics.complaints_by_category(period="month"),
        "north": statistics.complaints_by_category(period="month", district=north),
        "south": statistics.complaints_by_category(period="month", district=south),
    }
    force = views["all"].row_keys.index(str(category("use-of-force").pk))
    june = views["all"].column_keys.index("2026-06-01")
    assert views["north"].cells[force][june].suppressed == SMALL
    # all - south would give north's 3: so at least one of them must be hidden too.
    assert views["all"].cells[force][june].is_suppressed or views["south"].cells[force][june].is_suppressed
    # The same holds for every cell and margin of every view: along districts, never one hidden alone.
    for r, c in itertools.product(range(len(views["all"].row_keys)), range(len(views["all"].column_keys))):
        hidden = [views[name].cells[r][c].is_suppressed for name in ("all", "north", "south")]
        assert sum(hidden) != 1
    for c in range(len(views["all"].column_keys)):
        hidden = [views[name].column_totals[c].is_suppressed for name in ("all", "north", "south")]
        assert sum(hidden) != 1
    # The district's own totals are suppressed by the same rule.
    row_hidden = (
        sum(cell.is_suppressed for cell in views["north"].cells[force]) + views["north"].row_totals[force].is_suppressed
    )
    assert row_hidden >= 2


@time_machine.travel(NOW, tick=False)
def test_it_still_counts_de_identified_complaints():
    district = DistrictFactory()
    made = _complaints(6, district=district, day=datetime.date(2026, 3, 10))
    Complaint.objects.filter(pk__in=[c.pk for c in made]).update(
        deidentified_at=timezone.now(), narrative="", complainant_name="", complainant_email="", witnesses=""
    )
    table = statistics.complaints_by_category(period="quarter")
    assert table.total.value == 6


@time_machine.travel(NOW, tick=False)
def test_it_counts_final_findings_by_when_they_were_decided():
    district = DistrictFactory()
    made = _complaints(6, district=district, day=datetime.date(2026, 2, 1))
    Allegation.objects.filter(complaint__in=made).update(
        finding=Allegation.Finding.SUSTAINED, decided_at=_at(datetime.date(2026, 4, 20))
    )
    table = statistics.complaints_by_finding(period="month")
    sustained = table.row_keys.index("sustained")
    april = table.column_keys.index("2026-04-01")
    assert table.cells[sustained][april].value == 6
    assert table.row_labels[sustained] == "Sustained"


@time_machine.travel(NOW, tick=False)
def test_it_counts_received_and_closed_per_period():
    district = DistrictFactory()
    made = _complaints(7, district=district, day=datetime.date(2026, 1, 5))
    Complaint.objects.filter(pk__in=[c.pk for c in made[:5]]).update(
        status=Complaint.Status.CLOSED, closed_at=_at(datetime.date(2026, 3, 1))
    )
    table = statistics.complaints_by_period(period="quarter")
    q1 = table.row_keys.index("2026-01-01")
    assert [cell.value for cell in table.cells[q1]] == [7, 5]
    assert table.row_totals == []
    assert table.total is None


@time_machine.travel(NOW, tick=False)
def test_it_gives_the_median_days_to_close_and_hides_it_for_few_cases():
    district = DistrictFactory()
    received = datetime.date(2026, 4, 1)
    made = _complaints(5, district=district, day=received)
    for days, complaint in zip((2, 4, 6, 8, 20), made, strict=True):
        complaint.closed_at = _at(received) + datetime.timedelta(days=days)
        complaint.status = Complaint.Status.CLOSED
        complaint.save(update_fields=["closed_at", "status"])
    # Fewer than 5 closed in May: no median.
    late = _complaints(2, district=district, day=datetime.date(2026, 5, 1))
    Complaint.objects.filter(pk__in=[c.pk for c in late]).update(closed_at=_at(datetime.date(2026, 5, 20)))
    rows = {row.bucket.key: row for row in statistics.complaints_days_to_close(period="month")}
    assert rows["2026-04-01"].median_days == 6.0
    # April's 5 is hidden only to protect May's 2 (the closed counts add up to a shown total).
    assert rows["2026-04-01"].closed.suppressed == COMPLEMENT
    assert rows["2026-05-01"].median_days is None
    assert rows["2026-05-01"].closed.suppressed == SMALL
    assert statistics.complaints_days_to_close(period="month", district=DistrictFactory())[-3].median_days is None


def test_it_uses_the_setting_for_the_threshold(settings):
    settings.STATISTICS_MIN_CELL = 10
    cube = suppress_cube({("a",): 7, ("b",): 30}, [["a", "b"]], minimum=statistics.min_cell())
    assert cube.get("a").suppressed == SMALL
    assert cube.get("a").text == "fewer than 10"
