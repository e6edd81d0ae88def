"""A year of past demo events for `manage.py seed_demo` (registered from EventsConfig.ready(), order 11).

events/demo.py makes the current season's events (a month or so back and the weeks ahead), so the
public dashboard's attendance figures were empty for most of the year. This seeder adds a few past,
published community events per month over the last twelve months in the demo districts, each with
confirmed guest RSVPs (most marked attended, some no-shows) and a handful of walk-ins.

Written with bulk_create (no services, no emails). Idempotent: the events' slugs start with
HISTORY_SLUG; if any exists the seeder does nothing. Deterministic (a fixed random seed).
"""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.utils import timezone

from events.caching import event_fragments_bump
from events.models import RSVP, Event
from portal.demo import DemoReport
from portal.models import District

HISTORY_SLUG = "demo-history-"
SEED = 20260111
TITLES = {
    "north": "North District community meeting",
    "downtown": "Coffee with a Cop, Downtown",
    "east": "Eastside neighbourhood meeting",
    "south": "Southview youth and police forum",
}


def register_demo() -> None:
    from portal import demo

    demo.register("events-history", seed_event_history, order=11)


@transaction.atomic
def seed_event_history(*, report: DemoReport) -> None:
    """Past events with attendance, two or three a month for the last year; nothing if already there."""
    if Event.objects.filter(slug__startswith=HISTORY_SLUG).exists():
        report.count("past events", 0)
        return
    districts = dict(District.objects.filter(slug__in=TITLES).values_list("slug", "pk"))
    if not districts:
        report.notes.append("Demo event history skipped: the demo districts are missing.")
        return
    rng = random.Random(SEED)  # noqa: S311 - demo data, not security
    now = timezone.localtime()
    events = []
    for months_back in range(1, 13):
        # Events in the month `months_back` months ago, well before the current season's.
        for number, slug in enumerate(rng.sample(sorted(districts), k=3 if months_back % 2 else 2)):
            starts_at = (now - datetime.timedelta(days=30 * months_back + 3 + 7 * number)).replace(
                hour=18, minute=30, second=0, microsecond=0
            )
            events.append(
                Event(
                    slug=f"{HISTORY_SLUG}{slug}-{starts_at:%Y-%m-%d}",
                    title=TITLES[slug],
                    summary="A past meeting: residents and officers talked about the neighbourhood.",
                    kind=Event.Kind.COMMUNITY_MEETING,
                    district_id=districts[slug],
                    starts_at=starts_at,
                    ends_at=starts_at + datetime.timedelta(hours=2),
                    venue_name="District community room",
                    capacity=60,
                    status=Event.Status.PUBLISHED,
                    walk_ins=rng.randint(2, 12),
                    published_at=starts_at - datetime.timedelta(days=21),
                )
            )
    Event.objects.bulk_create(events)
    by_slug = dict(Event.objects.filter(slug__startswith=HISTORY_SLUG).values_list("slug", "pk"))
    rsvps = []
    for event in events:
        seats = 0
        for guest in range(rng.randint(12, 35)):
            party_size = rng.choice([1, 1, 1, 2, 2, 3])
            if seats + party_size > event.capacity:
                break  # never overbooked, like the real RSVP service
            seats += party_size
            created_at = event.starts_at - datetime.timedelta(days=rng.randint(1, 20))
            rsvps.append(
                RSVP(
                    event_id=by_slug[event.slug],
                    guest_name=f"Guest {guest + 1}",
                    guest_email=f"guest{guest + 1}.{event.slug}@example.org",
                    party_size=party_size,
                    status=RSVP.Status.CONFIRMED,
                    seat_code=f"H-{len(rsvps):06d}",  # a dash: never a generated code
                    reminders=False,
                    created_at=created_at,
                    confirmed_at=created_at,
                    attendance=RSVP.Attendance.ATTENDED if rng.random() < 0.8 else RSVP.Attendance.NO_SHOW,
                )
            )
    RSVP.objects.bulk_create(rsvps, batch_size=500)
    # bulk_create sends no signal: make the cached event pages and lists stale by hand.
    transaction.on_commit(lambda: event_fragments_bump(event_id=None))
    report.count("past events", len(events))
    report.count("past RSVPs", len(rsvps))
