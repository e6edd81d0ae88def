"""The statistics dashboard page and the CSV/JSON downloads."""

from __future__ import annotations

import csv
import datetime
import io
import json

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from tests.complaints.factories import AllegationFactory, ComplaintFactory, category
from tests.factories import DistrictFactory, ResidentFactory
from transparency import datasets

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 6, 15, 17, 0, tzinfo=datetime.UTC)
DASHBOARD = reverse("transparency:dashboard")


def _complaints(n: int, *, district, slug: str = "use-of-force", day: datetime.date) -> None:
    for _ in range(n):
        complaint = ComplaintFactory(
            district=district, received_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))
        )
        AllegationFactory(officer__complaint=complaint, complaint=complaint, category=category(slug))


@pytest.fixture
def figures():
    north = DistrictFactory(name="North", slug="north")
    south = DistrictFactory(name="South", slug="south")
    _complaints(3, district=north, day=datetime.date(2026, 6, 2))
    _complaints(20, district=south, day=datetime.date(2026, 6, 2))
    _complaints(11, district=north, slug="discourtesy", day=datetime.date(2026, 6, 2))
    _complaints(7, district=south, slug="discourtesy", day=datetime.date(2026, 5, 2))
    return north, south


@time_machine.travel(NOW, tick=False)
def test_it_shows_every_dataset_as_a_chart_and_a_table(client, figures):
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    html = response.content.decode()
    for slug, dataset in datasets.DATASETS.items():
        assert f'id="dataset-{slug}"' in html
        assert f'aria-labelledby="chart-{slug}-title" aria-describedby="chart-{slug}-desc"' in html
        assert f'id="dataset-{slug}-caption"' in html
        assert str(dataset.title) in html
        assert reverse("transparency:dataset-csv", kwargs={"dataset": slug}) in html
    assert 'role="img"' in html
    assert '<th scope="col"' in html
    assert '<th scope="row"' in html
    assert " style=" not in html
    assert "<script>" not in html


@time_machine.travel(NOW, tick=False)
def test_it_applies_suppression_after_filtering_by_district(client, figures):
    html = client.get(DASHBOARD, {"district": "north"}).content.decode()
    assert "Showing North" in html
    assert "fewer than 5" in html
    # North's 3 is hidden; its table never prints the number in its cell.
    assert '<td class="portal-dashboard__number">3</td>' not in html


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("period", ["month", "quarter", "year"])
def test_it_offers_the_fixed_periods(client, figures, period):
    response = client.get(DASHBOARD, {"period": period})
    assert response.status_code == 200
    assert str(datasets.statistics.PERIOD_LABELS[period]) in response.content.decode()


@pytest.mark.parametrize("query", [{"district": "atlantis"}, {"period": "week"}, {"period": "month'--"}])
def test_it_answers_bad_filters_with_400_and_a_message(client, query):
    response = client.get(DASHBOARD, query)
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Choose a" in html
    assert "dataset-complaints-by-category" not in html


@time_machine.travel(NOW, tick=False)
def test_it_downloads_a_dataset_as_csv(client, figures):
    url = reverse("transparency:dataset-csv", kwargs={"dataset": "complaints-by-category"})
    response = client.get(url, {"district": "north", "period": "month"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="complaints-by-category-north-month.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][0] == "Allegation category"
    assert rows[0][-1] == "Total"
    force = next(row for row in rows if row[0] == "Use of force")
    assert "fewer than 5" in force
    assert "3" not in force


@time_machine.travel(NOW, tick=False)
def test_it_downloads_a_dataset_as_json(client, figures):
    url = reverse("transparency:dataset-json", kwargs={"dataset": "complaints-by-month"})
    response = client.get(url, {"period": "quarter"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="complaints-by-month-quarter.json"'
    payload = json.loads(response.content)
    assert payload["dataset"] == "complaints-by-month"
    assert payload["filters"] == {"district": None, "period": "quarter"}
    assert [c["key"] for c in payload["columns"]] == ["period", "received", "closed"]
    assert len(payload["rows"]) == 8
    assert payload["total"]["received"] == 41


@pytest.mark.parametrize("view", ["transparency:dataset-csv", "transparency:dataset-json"])
def test_it_answers_an_unknown_dataset_with_404(client, view):
    response = client.get(reverse(view, kwargs={"dataset": "complaints-by-officer"}))
    assert response.status_code == 404


def test_it_answers_a_bad_download_filter_with_400_and_a_message(client):
    csv_response = client.get(
        reverse("transparency:dataset-csv", kwargs={"dataset": "trust-index"}), {"period": "fortnight"}
    )
    assert csv_response.status_code == 400
    assert "Choose a period" in csv_response.content.decode()
    json_response = client.get(
        reverse("transparency:dataset-json", kwargs={"dataset": "trust-index"}), {"district": "atlantis"}
    )
    assert json_response.status_code == 400
    assert "district" in json_response.json()["error"]


def test_it_answers_in_spanish_under_the_prefix(client):
    response = client.get("/es" + DASHBOARD)
    assert response.status_code == 200
    assert 'lang="es"' in response.content.decode()


@time_machine.travel(NOW, tick=False)
def test_it_runs_a_fixed_number_of_queries_cold_and_warm(
    client, figures, settings, django_assert_max_num_queries, django_assert_num_queries
):
    # A cache outside the database (as Redis is in production), so the counts are the page's own.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "dash"}}
    with django_assert_max_num_queries(120):  # cold: every aggregate, and the cache writes
        client.get(DASHBOARD)
    counts = []
    for more in (1, 30):  # a complaint changes: its datasets are recomputed, whatever the rows
        _complaints(more, district=figures[0], day=datetime.date(2026, 4, 2))
        with django_assert_max_num_queries(120) as recomputed:
            client.get(DASHBOARD)
        counts.append(len(recomputed.captured_queries))
    assert counts[0] == counts[1]
    # Warm, not signed in: the whole page is one cached shell, read with its versions at once.
    with django_assert_num_queries(0):
        response = client.get(DASHBOARD)
    assert response.status_code == 200
    # Warm, signed in: session, user and what the layout reads, the districts for the form; no aggregate.
    client.force_login(ResidentFactory())
    client.get(DASHBOARD)
    with django_assert_num_queries(4) as warm:
        response = client.get(DASHBOARD)
    assert response.status_code == 200
    assert not [q for q in warm.captured_queries if "complaints_" in q["sql"]]
