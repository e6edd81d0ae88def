"""Two staff members acting on one complaint at the same instant: the row lock makes one of them
wait and then see the new status (PostgreSQL only: SQLite serialises writers).

Run against PostgreSQL, for example:
    DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/portal \
        .venv/bin/pytest tests/complaints/test_workflow_concurrency.py
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from complaints.models import Complaint, ComplaintEvent
from complaints.services import workflow
from portal.models import User
from tests.complaints.factories import ComplaintFactory
from tests.factories import InvestigatorFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (set DATABASE_URL)"),
]

THREADS = 8
S = Complaint.Status


def _run_at_once(calls: list[Callable[[], str]]) -> list[str]:
    start = threading.Event()

    def run(call: Callable[[], str]) -> str:
        start.wait()
        try:
            return call()
        except ValidationError as exc:
            return f"refused:{exc.code}"
        finally:
            connection.close()

    with mock.patch("portal.outbox.enqueue_on_commit"), ThreadPoolExecutor(max_workers=THREADS) as pool:
        futures = [pool.submit(run, call) for call in calls]
        start.set()
        return [future.result() for future in futures]


def test_it_moves_a_complaint_once_when_several_staff_acknowledge_it_together():
    complaint = ComplaintFactory()
    staff_ids = [user.pk for user in InvestigatorFactory.create_batch(THREADS)]

    def acknowledge(user_id: int) -> Callable[[], str]:
        def call() -> str:
            actor = User.objects.get(pk=user_id)
            return workflow.complaint_transition(
                complaint_id=complaint.pk, to_status=S.ACKNOWLEDGED, actor=actor
            ).status

        return call

    outcomes = _run_at_once([acknowledge(user_id) for user_id in staff_ids])

    assert Counter(outcomes) == {S.ACKNOWLEDGED: 1, "refused:not_allowed": THREADS - 1}
    assert ComplaintEvent.objects.filter(complaint=complaint, kind=ComplaintEvent.Kind.TRANSITION).count() == 1
