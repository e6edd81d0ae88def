"""Seats are never overbooked under concurrent requests (PostgreSQL only: SQLite serialises writers).

Run against PostgreSQL, for example:
    DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/portal .venv/bin/pytest tests/events/test_concurrency.py

Each attempt runs in its own thread with its own connection, which it closes when done, so at most
THREADS connections are open at once (PostgreSQL allows 100 here).
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

from events import selectors
from events.models import RSVP
from events.services.rsvp import rsvp_cancel, rsvp_create
from portal.models import User
from tests.events.factories import EventFactory
from tests.factories import ResidentFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (set DATABASE_URL)"),
]

ATTEMPTS = 200
SEATS = 50
THREADS = 64

Status = RSVP.Status


def _run_at_once(calls: list[Callable[[], str]]) -> list[str]:
    """Run every call from a pool of THREADS threads, released together; each closes its connection.

    Returns each call's outcome; any exception other than a ValidationError fails the test.
    """
    start = threading.Event()

    def run(call: Callable[[], str]) -> str:
        start.wait()
        try:
            return call()
        except ValidationError as exc:
            return f"refused:{exc.code}"
        finally:
            connection.close()

    # Sending mail is not under test here: keep the outbox rows, skip the send tasks.
    with mock.patch("portal.outbox.enqueue_on_commit"), ThreadPoolExecutor(max_workers=THREADS) as pool:
        futures = [pool.submit(run, call) for call in calls]
        start.set()
        return [future.result() for future in futures]


def _attempt(event_id: int, user_id: int) -> Callable[[], str]:
    def call() -> str:
        return rsvp_create(event_id=event_id, user=User.objects.get(pk=user_id), party_size=1).status

    return call


def test_it_seats_exactly_capacity_and_queues_the_rest_in_order_under_concurrent_rsvps():
    event = EventFactory(capacity=SEATS)
    user_ids = [user.pk for user in ResidentFactory.create_batch(ATTEMPTS)]

    outcomes = _run_at_once([_attempt(event.pk, user_id) for user_id in user_ids])

    assert Counter(outcomes) == {Status.CONFIRMED: SEATS, Status.WAITLISTED: ATTEMPTS - SEATS}
    assert selectors.event_seats_taken(event=event) == SEATS
    confirmed = list(RSVP.objects.filter(event=event, status=Status.CONFIRMED).order_by("pk"))
    waiting = list(RSVP.objects.filter(event=event, status=Status.WAITLISTED).order_by("queued_at", "pk"))
    assert len(confirmed) == SEATS
    assert len(waiting) == ATTEMPTS - SEATS
    # First come, first served: every seat went to a request served before any that waits, and the
    # queue's order (queued_at, then id) is the order in which requests held the event's lock.
    assert max(rsvp.pk for rsvp in confirmed) < min(rsvp.pk for rsvp in waiting)
    assert max(rsvp.confirmed_at for rsvp in confirmed) <= min(rsvp.queued_at for rsvp in waiting)
    assert [rsvp.pk for rsvp in waiting] == sorted(rsvp.pk for rsvp in waiting)
    assert [selectors.waitlist_position(rsvp=rsvp) for rsvp in waiting] == list(range(1, ATTEMPTS - SEATS + 1))
    assert len({rsvp.seat_code for rsvp in [*confirmed, *waiting]}) == ATTEMPTS


def test_it_promotes_strictly_from_the_head_under_concurrent_cancellations():
    event = EventFactory(capacity=SEATS)
    people = ResidentFactory.create_batch(SEATS + 40)
    rsvps = [rsvp_create(event_id=event.pk, user=person, party_size=1) for person in people]
    seated, waiting = rsvps[:SEATS], rsvps[SEATS:]
    leaving = seated[:30]

    def cancel(rsvp: RSVP) -> Callable[[], str]:
        return lambda: rsvp_cancel(rsvp_id=rsvp.pk, actor=User.objects.get(pk=rsvp.user_id)).status

    outcomes = _run_at_once([cancel(rsvp) for rsvp in leaving])

    assert Counter(outcomes) == {Status.CANCELLED: 30}
    assert selectors.event_seats_taken(event=event) == SEATS
    statuses = {rsvp.pk: rsvp.status for rsvp in RSVP.objects.filter(event=event)}
    assert [statuses[rsvp.pk] for rsvp in waiting] == [Status.CONFIRMED] * 30 + [Status.WAITLISTED] * 10
