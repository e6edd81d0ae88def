"""The trust index per district and month: mean of the three items' means scaled 0-100, with the
number of responses, suppressed below TRUST_INDEX_MIN_RESPONSES."""

from __future__ import annotations

import datetime

import pytest

from feedback import selectors
from feedback.models import SurveyResponse
from tests.factories import DistrictFactory

TODAY = datetime.date(2026, 11, 26)
NOVEMBER, OCTOBER = datetime.date(2026, 11, 1), datetime.date(2026, 10, 1)


def responses(district, month, scores, times=1):
    for _ in range(times):
        for trust, respect, listened in scores:
            SurveyResponse.objects.create(
                district=district, month=month, trust=trust, respect=respect, listened=listened
            )


def test_it_scales_the_mean_of_the_item_means_to_0_100(db, settings):
    settings.TRUST_INDEX_MIN_RESPONSES = 2
    north = DistrictFactory(name="North")
    # trust mean 4, respect mean 5, listened mean 3 -> mean 4 -> (4 - 1) / 4 * 100 = 75
    responses(north, NOVEMBER, [(3, 5, 2), (5, 5, 4)])
    (row,) = selectors.trust_index(today=TODAY)
    assert (row.district_name, row.month, row.responses, row.index) == ("North", NOVEMBER, 2, 75.0)
    assert not row.suppressed


def test_it_gives_0_and_100_at_the_ends(db, settings):
    settings.TRUST_INDEX_MIN_RESPONSES = 1
    low, high = DistrictFactory(name="A"), DistrictFactory(name="B")
    responses(low, NOVEMBER, [(1, 1, 1)])
    responses(high, NOVEMBER, [(5, 5, 5)])
    assert [row.index for row in selectors.trust_index(today=TODAY)] == [0.0, 100.0]


def test_it_suppresses_rows_below_the_minimum(db, settings, client):
    settings.TRUST_INDEX_MIN_RESPONSES = 10
    north = DistrictFactory(name="North")
    responses(north, NOVEMBER, [(5, 5, 5)], times=9)
    responses(north, OCTOBER, [(5, 5, 5)], times=10)
    november, october = selectors.trust_index(district=north, today=TODAY)
    assert (november.month, november.responses, november.index, november.suppressed) == (NOVEMBER, 9, None, True)
    assert (october.responses, october.index) == (10, 100.0)


def test_it_shows_the_index_and_suppression_on_the_district_page(db, settings, client):
    settings.TRUST_INDEX_MIN_RESPONSES = 10
    north = DistrictFactory(name="North")
    from django.utils import timezone

    this_month = timezone.localdate().replace(day=1)
    responses(north, this_month, [(5, 5, 5)], times=3)
    content = client.get(north.get_absolute_url()).content.decode()
    assert "Trust index" in content
    assert "Not shown: fewer than 10 responses" in content
    assert "100.0" not in content


def test_it_keeps_to_recent_months_and_one_district(db, settings):
    settings.TRUST_INDEX_MIN_RESPONSES = 1
    north, south = DistrictFactory(name="North"), DistrictFactory(name="South")
    responses(north, NOVEMBER, [(3, 3, 3)])
    responses(north, datetime.date(2026, 1, 1), [(3, 3, 3)])  # older than 6 months
    responses(south, OCTOBER, [(4, 4, 4)])
    rows = selectors.trust_index(today=TODAY, months=6)
    assert [(row.district_name, row.month) for row in rows] == [("North", NOVEMBER), ("South", OCTOBER)]
    assert [row.month for row in selectors.trust_index(district=north, today=TODAY, months=12)] == [
        NOVEMBER,
        datetime.date(2026, 1, 1),
    ]
    assert selectors.trust_index(district=south, today=TODAY, months=1) == []


@pytest.mark.parametrize("districts", [1, 5])
def test_it_reads_the_index_in_one_query(db, settings, django_assert_num_queries, districts):
    for _ in range(districts):
        responses(DistrictFactory(), NOVEMBER, [(4, 4, 4)], times=3)
    with django_assert_num_queries(1):
        assert len(selectors.trust_index(today=TODAY)) == districts
