"""The figures that hold the department to account: share answered and median days to first reply."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from feedback import selectors
from tests.factories import DistrictFactory
from tests.feedback.factories import FeedbackFactory, ReplyFactory

NOW = timezone.now()


def item(*, district, days_ago: float, reply_after_days: float | None = None, record_first_reply: bool = True):
    created = NOW - timedelta(days=days_ago)
    first = created + timedelta(days=reply_after_days) if reply_after_days is not None else None
    feedback = FeedbackFactory(
        district=district, created_at=created, first_reply_at=first if record_first_reply else None
    )
    if first is not None:
        ReplyFactory(feedback=feedback, created_at=first, is_public=False)
    return feedback


@pytest.fixture
def hand_made(db):
    north, south = DistrictFactory(name="North"), DistrictFactory(name="South")
    # North: 4 received, 3 answered after 1, 2 and 6 days -> 75 %, median 2 days
    item(district=north, days_ago=10, reply_after_days=1)
    item(district=north, days_ago=10, reply_after_days=2)
    item(district=north, days_ago=20, reply_after_days=6)
    item(district=north, days_ago=5)
    # South: 2 received, both answered after 1 and 4 days -> 100 %, median 2.5 days
    item(district=south, days_ago=3, reply_after_days=1)
    item(district=south, days_ago=3, reply_after_days=4, record_first_reply=False)  # from the reply itself
    # Too old: outside the window
    item(district=south, days_ago=200, reply_after_days=100)
    # No district: counted overall only
    item(district=None, days_ago=1)
    return north, south


def test_it_computes_share_answered_and_median_per_district_and_overall(hand_made):
    figures = selectors.feedback_figures(since=NOW - timedelta(days=90))
    by_name = {row.district_name: row for row in figures.districts}
    assert list(by_name) == ["North", "South"]
    north, south = by_name["North"], by_name["South"]
    assert (north.received, north.answered, north.answered_share, north.median_days) == (4, 3, 75.0, 2.0)
    assert (south.received, south.answered, south.answered_share, south.median_days) == (2, 2, 100.0, 2.5)
    overall = figures.overall
    # 7 received, 5 answered after 1, 2, 6, 1, 4 days -> median 2
    assert (overall.received, overall.answered, overall.median_days, overall.replied_count) == (7, 5, 2.0, 5)
    assert overall.answered_share == round(100 * 5 / 7, 1)


def test_it_narrows_to_one_district(hand_made):
    north, _ = hand_made
    figures = selectors.feedback_figures(since=NOW - timedelta(days=90), district=north)
    assert figures.overall.received == 4
    assert [row.district_name for row in figures.districts] == ["North"]


def test_it_has_no_share_or_median_without_items(db):
    figures = selectors.feedback_figures(since=NOW - timedelta(days=90))
    assert figures.overall.received == 0
    assert figures.overall.answered_share is None
    assert figures.overall.median_days is None
    assert figures.districts == []


def test_it_reads_the_figures_in_one_query(hand_made, django_assert_num_queries):
    with django_assert_num_queries(1):
        selectors.feedback_figures(since=NOW - timedelta(days=90))


def test_it_shows_the_figures_as_a_table_on_the_wall(hand_made, client):
    content = client.get("/feedback/").content.decode()
    assert "How quickly we answer" in content
    assert '<th scope="row">North</th>' in content
    assert "75.0% (3 of 4)" in content
    assert "2.0 (over 3 answered items)" in content
    assert "All districts" in content


def test_it_counts_every_item_not_only_published_ones(db):
    FeedbackFactory(created_at=NOW - timedelta(days=1))  # private, never published
    assert selectors.feedback_figures(since=NOW - timedelta(days=90)).overall.received == 1
