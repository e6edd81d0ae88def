"""The datasets registry: every slug, its filters, suppression carried through, JSON/CSV shapes, caching."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils import timezone

from complaints.models import Complaint
from events.models import RSVP, Event
from feedback.models import Feedback, Reply, SurveyResponse
from tests.complaints.factories import AllegationFactory, ComplaintFactory, category
from tests.factories import DistrictFactory, ResidentFactory
from transparency import datasets
from transparency.datasets import DatasetFilterError, DatasetNotFound, Hidden, dataset_result

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 6, 15, 17, 0, tzinfo=datetime.UTC)
SLUGS = {
    "complaints-by-category",
    "complaints-by-finding",
    "complaints-by-month",
    "complaints-days-to-close",
    "feedback-replies",
    "events-attendance",
    "trust-index",
}


def _at(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _complaints(n: int, *, district, slug: str = "use-of-force", day: datetime.date) -> None:
    for _ in range(n):
        complaint = ComplaintFactory(district=district, received_at=_at(day))
        AllegationFactory(officer__complaint=complaint, complaint=complaint, category=category(slug))


def test_it_registers_every_dataset_the_dashboard_and_the_api_read():
    assert set(datasets.DATASETS) == SLUGS


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("slug", sorted(SLUGS))
@pytest.mark.parametrize("period", ["month", "quarter", "year"])
def test_it_builds_every_dataset_for_every_period_even_when_empty(slug, period):
    result = dataset_result(slug, period=period)
    assert result.slug == slug
    assert result.title
    assert result.columns[0].kind == "label"
    expected_rows = {"month": 12, "quarter": 8, "year": 5}[period]
    if slug not in ("complaints-by-category", "complaints-by-finding"):
        assert len(result.rows) == expected_rows
    payload = result.as_json()
    assert payload["filters"] == {"district": None, "period": period}
    assert result.as_csv_rows()[0] == [c.label for c in result.columns]


def test_it_refuses_an_unknown_dataset():
    with pytest.raises(DatasetNotFound):
        dataset_result("complaints-by-officer")


@pytest.mark.parametrize(("district", "period"), [("nowhere", "month"), ("", "week"), (None, "1; DROP")])
def test_it_refuses_filters_outside_the_fixed_choices(district, period):
    with pytest.raises(DatasetFilterError) as exc:
        dataset_result("complaints-by-category", district=district, period=period)
    assert str(exc.value)


@time_machine.travel(NOW, tick=False)
def test_it_carries_suppression_into_json_and_csv():
    north = DistrictFactory(name="North", slug="north")
    _complaints(3, district=north, slug="use-of-force", day=datetime.date(2026, 6, 2))
    _complaints(12, district=north, slug="discourtesy", day=datetime.date(2026, 6, 2))
    _complaints(9, district=north, slug="use-of-force", day=datetime.date(2026, 5, 2))
    result = dataset_result("complaints-by-category", district="north")
    force = next(row for row in result.rows if row["name"] == "Use of force")
    assert force["2026-06-01"] == Hidden("fewer than 5")
    payload = result.as_json()
    force_json = next(row for row in payload["rows"] if row["name"] == "Use of force")
    assert force_json["2026-06-01"] is None
    assert force_json["suppressed"]["2026-06-01"] == "fewer than 5"
    assert payload["filters"]["district"] == "north"
    csv_rows = result.as_csv_rows()
    june = csv_rows[0].index("2026-06")
    force_csv = next(row for row in csv_rows if row[0] == "Use of force")
    assert force_csv[june] == "fewer than 5"
    assert csv_rows[-1][0] == "Total"
    assert "3" not in [str(v) for v in force_json.values()]


@time_machine.travel(NOW, tick=False)
def test_it_gives_feedback_answered_share_and_median_reply_time():
    district = DistrictFactory()
    for index in range(6):
        created = _at(datetime.date(2026, 6, 1))
        item = Feedback.objects.create(kind="question", district=district, created_at=created)
        if index < 5:
            Reply.objects.create(
                feedback=item, author=ResidentFactory(), created_at=created + datetime.timedelta(days=2)
            )
            Feedback.objects.filter(pk=item.pk).update(first_reply_at=created + datetime.timedelta(days=index + 1))
    result = dataset_result("feedback-replies")
    june = result.rows[-1]
    assert june["received"] == 6
    assert june["answered"] == 5
    assert june["answered_share"] == 83.3
    assert june["median_days"] == 3.0


@time_machine.travel(NOW, tick=False)
def test_it_hides_the_feedback_median_for_few_answers():
    created = _at(datetime.date(2026, 6, 1))
    item = Feedback.objects.create(kind="question", created_at=created, first_reply_at=created)
    Reply.objects.create(feedback=item, author=ResidentFactory(), created_at=created)
    assert isinstance(dataset_result("feedback-replies").rows[-1]["median_days"], Hidden)


@time_machine.travel(NOW, tick=False)
def test_it_counts_events_and_the_people_who_came():
    district = DistrictFactory()
    event = Event.objects.create(
        slug="meeting",
        title="Meeting",
        district=district,
        starts_at=_at(datetime.date(2026, 5, 10), 18),
        ends_at=_at(datetime.date(2026, 5, 10), 20),
        status=Event.Status.PUBLISHED,
        walk_ins=4,
    )
    Event.objects.create(
        slug="draft",
        title="Draft",
        district=district,
        starts_at=_at(datetime.date(2026, 5, 11), 18),
        ends_at=_at(datetime.date(2026, 5, 11), 20),
    )
    for index, attendance in enumerate([RSVP.Attendance.ATTENDED, RSVP.Attendance.NO_SHOW, RSVP.Attendance.UNKNOWN]):
        RSVP.objects.create(
            event=event,
            user=ResidentFactory(),
            party_size=2,
            status=RSVP.Status.CONFIRMED,
            seat_code=f"SEAT{index}",
            attendance=attendance,
            checked_in_at=_at(datetime.date(2026, 5, 10), 18) if index == 2 else None,
        )
    may = next(row for row in dataset_result("events-attendance").rows if row["key"] == "2026-05-01")
    assert may["events"] == 1
    assert may["booked"] == 6
    assert may["attended"] == 2 + 2 + 4
    other = DistrictFactory(slug="elsewhere")
    assert dataset_result("events-attendance", district=other).total_row["events"] == 0


@time_machine.travel(NOW, tick=False)
def test_it_gives_the_trust_index_by_district_and_hides_small_groups(settings):
    settings.TRUST_INDEX_MIN_RESPONSES = 3
    north = DistrictFactory(name="North", slug="north")
    south = DistrictFactory(name="South", slug="south")
    month = datetime.date(2026, 5, 1)
    for _ in range(3):
        SurveyResponse.objects.create(district=north, month=month, trust=5, respect=5, listened=5)
    SurveyResponse.objects.create(district=south, month=month, trust=1, respect=1, listened=1)
    result = dataset_result("trust-index")
    may = next(row for row in result.rows if row["key"] == "2026-05-01")
    assert may["north"] == 100.0
    assert isinstance(may["south"], Hidden)
    assert may["all"] == 75.0
    only_north = dataset_result("trust-index", district="north")
    assert [c.key for c in only_north.columns] == ["period", "north"]


@time_machine.travel(NOW, tick=False)
def test_it_caches_a_result_until_a_complaint_changes(django_assert_num_queries):
    district = DistrictFactory()
    _complaints(6, district=district, day=datetime.date(2026, 6, 2))
    first = dataset_result("complaints-by-category")
    assert first.total_row["total"] == 6
    again = dataset_result("complaints-by-category")
    assert again == first
    _complaints(1, district=district, day=datetime.date(2026, 6, 3))  # the signals bump the version
    assert dataset_result("complaints-by-category").total_row["total"] == 7
    Complaint.objects.filter(district=district).delete()
    assert dataset_result("complaints-by-category").total_row["total"] == 0
