"""Overdue and due-soon: acknowledging while received, finishing while the complaint is worked."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from complaints import deadlines
from complaints.models import Complaint
from tests.complaints.factories import ComplaintFactory

S = Complaint.Status

pytestmark = pytest.mark.django_db


def make(status: str, *, ack_in: int = 30, finish_in: int = 60) -> Complaint:
    today = timezone.localdate()
    return ComplaintFactory(
        status=status, acknowledge_by=today + timedelta(days=ack_in), finish_by=today + timedelta(days=finish_in)
    )


def overdue() -> set[int]:
    return set(deadlines.complaints_overdue(queryset=Complaint.objects.all()).values_list("pk", flat=True))


def due_soon() -> set[int]:
    return set(deadlines.complaints_due_soon(queryset=Complaint.objects.all()).values_list("pk", flat=True))


def test_it_finds_an_unacknowledged_complaint_past_its_date():
    late = make(S.RECEIVED, ack_in=-1)
    on_the_day = make(S.RECEIVED, ack_in=0)
    acknowledged = make(S.ACKNOWLEDGED, ack_in=-1)
    assert overdue() == {late.pk}
    assert on_the_day.pk in due_soon()
    assert acknowledged.pk not in due_soon()


@pytest.mark.parametrize("status", list(deadlines.AWAITING_FINDINGS))
def test_it_finds_a_complaint_being_worked_past_its_finish_date(status):
    late = make(status, finish_in=-1)
    assert late.pk in overdue()
    assert deadlines.deadline_state(late) == deadlines.OVERDUE


@pytest.mark.parametrize("status", [S.FINDINGS_ISSUED, S.CLOSED, S.WITHDRAWN, S.REFERRED, S.INFORMALLY_RESOLVED])
def test_it_never_calls_a_complaint_with_findings_or_ended_overdue(status):
    done = make(status, ack_in=-40, finish_in=-10)
    assert overdue() == set()
    assert due_soon() == set()
    assert deadlines.deadline_state(done) == ""
    assert deadlines.next_deadline(done) is None


def test_it_counts_due_soon_within_the_setting_and_not_beyond(settings):
    settings.COMPLAINTS_DUE_SOON_DAYS = 7
    soon = make(S.INVESTIGATING, finish_in=7)
    later = make(S.INVESTIGATING, finish_in=8)
    assert due_soon() == {soon.pk}
    assert deadlines.deadline_state(soon) == deadlines.DUE_SOON
    assert deadlines.deadline_state(later) == ""


def test_it_never_lists_a_complaint_both_overdue_and_due_soon():
    both = make(S.RECEIVED, ack_in=-1, finish_in=3)
    assert both.pk in overdue()
    assert both.pk not in due_soon()


def test_it_gives_the_next_date_to_work_to():
    received = make(S.RECEIVED, ack_in=2, finish_in=50)
    investigating = make(S.INVESTIGATING, ack_in=2, finish_in=50)
    assert deadlines.next_deadline(received) == received.acknowledge_by
    assert deadlines.next_deadline(investigating) == investigating.finish_by


def test_it_filters_in_one_query(django_assert_num_queries):
    for _ in range(5):
        make(S.RECEIVED, ack_in=-2)
    with django_assert_num_queries(1):
        assert len(list(deadlines.complaints_overdue(queryset=Complaint.objects.all()))) == 5
