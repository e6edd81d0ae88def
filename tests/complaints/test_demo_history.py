"""The year of demo history seed_demo adds (complaints, feedback, survey answers, past events): enough
that the public dashboard shows real figures for most months; idempotent and fast."""

from __future__ import annotations

import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from complaints import statistics
from complaints.demo_history import HISTORY_MARK, HISTORY_SIZE
from complaints.models import Allegation, Complaint, ComplaintCounter, ComplaintEvent
from events.demo_history import HISTORY_SLUG
from events.models import RSVP, Event
from feedback.demo_history import HISTORY_MARK as FEEDBACK_MARK
from feedback.models import Feedback, SurveyResponse
from portal import demo
from transparency import datasets


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


@pytest.fixture
def seeded(db, settings):
    settings.DEBUG = True
    return seed()


def history() -> dict[str, int]:
    return {
        "complaints": Complaint.objects.filter(narrative__startswith=HISTORY_MARK).count(),
        "allegations": Allegation.objects.filter(complaint__narrative__startswith=HISTORY_MARK).count(),
        "events": ComplaintEvent.objects.filter(complaint__narrative__startswith=HISTORY_MARK).count(),
        "feedback": Feedback.objects.filter(message__startswith=FEEDBACK_MARK).count(),
        "surveys": SurveyResponse.objects.count(),
        "past events": Event.objects.filter(slug__startswith=HISTORY_SLUG).count(),
        "rsvps": RSVP.objects.count(),
    }


def test_it_registers_the_history_seeders_after_their_apps_demo():
    orders = {name: order for name, (order, _seeder) in demo._seeders.items()}
    assert orders["events"] < orders["events-history"] < orders["feedback"]
    assert orders["feedback"] < orders["feedback-history"] < orders["complaints"]
    assert orders["complaints"] < orders["complaints-history"] < orders["transparency"]
    assert orders["transparency-subscribers"] < orders["transparency"]


def test_it_adds_a_year_of_history_once(seeded):
    counts = history()
    assert counts["complaints"] == HISTORY_SIZE
    assert counts["feedback"] > 100
    assert counts["past events"] >= 24
    assert "400 past complaints" in seeded
    output = seed()
    assert history() == counts
    assert "nothing new to add" in output


def test_it_spreads_complaints_over_the_year_with_findings_and_timelines(seeded):
    now = timezone.now()
    mine = Complaint.objects.filter(narrative__startswith=HISTORY_MARK)
    assert not mine.filter(received_at__lt=now - timezone.timedelta(days=366)).exists()
    assert not mine.filter(received_at__gt=now).exists()
    assert mine.values("district").distinct().count() == 4
    assert mine.filter(status=Complaint.Status.CLOSED).count() > HISTORY_SIZE / 2
    assert mine.filter(status=Complaint.Status.FINDINGS_ISSUED).exists()
    assert mine.filter(status__in=Complaint.OPEN_STATUSES).exclude(status=Complaint.Status.FINDINGS_ISSUED).exists()
    for complaint in mine.filter(closed_at__isnull=False):
        assert complaint.received_at < complaint.closed_at <= now
    closed = Allegation.objects.filter(complaint__in=mine.filter(status=Complaint.Status.CLOSED))
    assert not closed.filter(finding="").exists()
    assert closed.values("finding").distinct().count() == len(Allegation.Finding)
    assert (
        not Allegation.objects.filter(complaint__in=mine.filter(status__in=Complaint.OPEN_STATUSES[:3]))
        .exclude(finding="")
        .exists()
    )
    assert ComplaintEvent.objects.filter(complaint__in=mine, kind=ComplaintEvent.Kind.FILED).count() == HISTORY_SIZE
    # References come from the year's counter: the next filing goes after all of them, none reused.
    assert Complaint.objects.values("reference").distinct().count() == Complaint.objects.count()
    for counter in ComplaintCounter.objects.all():
        assert counter.last_number == Complaint.objects.filter(year=counter.year).count()


@pytest.mark.parametrize(
    "slug",
    [
        "complaints-by-category",
        "complaints-by-finding",
        "complaints-by-month",
        "complaints-days-to-close",
        "feedback-replies",
        "events-attendance",
        "trust-index",
    ],
)
def test_it_gives_the_dashboard_real_figures_for_most_months(seeded, slug):
    result = datasets.dataset_result(slug, district=None, period="month")

    def counted(value: object) -> bool:
        return isinstance(value, int | float) and not isinstance(value, bool) and value > 0

    values = [value for row in result.rows for key, value in row.items() if key not in ("period", "key", "name")]
    hidden = [value for value in values if isinstance(value, datasets.Hidden)]
    assert sum(1 for value in values if counted(value)) > len(hidden)
    if "period" in result.rows[0]:  # a row per month: most of the year's months have figures
        with_figures = [row for row in result.rows if any(counted(v) for k, v in row.items() if k != "key")]
        assert len(with_figures) >= len(statistics.period_buckets(period="month")) * 3 // 4


def test_it_is_fast(db, settings):
    settings.DEBUG = True
    started = time.monotonic()
    seed()
    assert time.monotonic() - started < 15  # the whole demo; the history is bulk-created
