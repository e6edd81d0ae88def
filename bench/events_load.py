"""HTTP load on the events pages, side by side with a bare Django view on the same gunicorn.

Seeds (bulk inserts only: COPY on PostgreSQL, bulk_create in chunks on SQLite) a directory,
10k events, 100k residents (unusable passwords, no hashing) and 500k RSVPs (seats up to each
event's capacity, then a waitlist), then serves the bench settings (production settings plus a
bare view at /bench/bare/, see bench/events_settings.py) with gunicorn (2 sync workers) on
127.0.0.1:8160, and measures, in interleaved rounds from client threads:

- /bench/bare/            the baseline: a view that returns a few bytes through the same middleware
- /events/                the upcoming list, first page (its rows come from a cached fragment)
- /events/?district=...   a single-filter page (cached as well)
- /events/<slug>/         one event's page (its public part comes from a cached fragment)

Goal (issue 3): /events/ serves at least 50 % of the bare view's requests per second.

    DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/0 \
        .venv/bin/python bench/events_load.py              # full size, in a database "bench_events"
    .venv/bin/python bench/events_load.py --smoke          # 200 events, 1k residents, 5k RSVPs; SQLite
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import bench_site, emit_json, print_table
from bench.page_load import (
    PAGE_HEADERS,
    add_load_arguments,
    load_plan,
    page_rows,
    pages_json,
    port_in_use,
    prepare_site,
    report_failures,
    report_goal,
    serve_and_load,
)
from bench.seed import analyze, bulk_insert, seat_code, seed_directory

BARE = "/bench/bare/"
LIST = "/events/"
GOAL_SHARE_OF_BARE = 0.5
DATABASE_NAME = "bench_events"
KINDS = [
    "community_meeting",
    "coffee_with_a_cop",
    "school_program",
    "safety_workshop",
    "citizen_academy",
    "youth_activity",
    "other",
]
CAPACITIES = [20, 30, 40, 60, 80, 120, None]
STREETS = ["Main Street", "Oak Avenue", "River Road", "Elm Street", "Park Lane", "Lincoln Way", "Cedar Court"]


def seed_events(*, events: int, residents: int, rsvps: int) -> dict[str, int]:
    """Residents, events (with hosts and languages) and RSVPs, deterministic and bulk only."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from events.caching import event_fragments_bump
    from events.models import RSVP, Event
    from portal.models import District, Language, OfficerProfile, User

    rng = random.Random(7)
    now = timezone.now().replace(microsecond=0)
    unusable = make_password(None)  # "!" + random: nobody can sign in with it, and no hashing cost
    with transaction.atomic():
        bulk_insert(
            User,
            [
                {
                    "email": f"resident{n}@example.org",
                    "password": unusable,
                    "first_name": "Resident",
                    "last_name": str(n),
                    "is_active": True,
                    "date_joined": now,
                    "language": "es" if n % 4 == 0 else "en",
                }
                for n in range(residents)
            ],
        )
        user_ids = list(User.objects.filter(email__startswith="resident").order_by("pk").values_list("pk", flat=True))
        district_ids = list(District.objects.order_by("pk").values_list("pk", flat=True))
        officer_ids = list(OfficerProfile.objects.filter(is_public=True).values_list("pk", flat=True))
        language_ids = list(Language.objects.order_by("pk").values_list("pk", flat=True))

        # Events from 60 days ago to about a year ahead; a few drafts and cancellations.
        span = timedelta(days=425)
        event_rows = []
        for n in range(events):
            day = now - timedelta(days=60) + span * n / events
            starts = day.replace(hour=14 + n % 10, minute=(n % 2) * 30, second=0)
            status = "draft" if n % 37 == 5 else "cancelled" if n % 29 == 3 else "published"
            event_rows.append(
                {
                    "slug": f"event-{n + 1}",
                    "title": f"{KINDS[n % len(KINDS)].replace('_', ' ').capitalize()} {n + 1}",
                    "summary": "Meet the officers who serve your neighbourhood and ask your questions.",
                    "description": "Coffee, questions and answers.\n\nEveryone is welcome; bring a neighbour.",
                    "kind": KINDS[rng.randrange(len(KINDS))],
                    "district_id": district_ids[n % len(district_ids)],
                    "starts_at": starts,
                    "ends_at": starts + timedelta(hours=2),
                    "venue_name": f"Community hall {n % 40 + 1}",
                    "address": f"{100 + n % 900} {STREETS[n % len(STREETS)]}, Riverside",
                    "online_url": f"https://meet.example.org/room-{n}" if n % 11 == 0 else "",
                    "capacity": CAPACITIES[rng.randrange(len(CAPACITIES))],
                    "step_free_access": n % 2 == 0,
                    "interpreter": n % 5 == 0,
                    "childcare": n % 7 == 0,
                    "captioning": n % 9 == 0,
                    "accessibility_notes": "",
                    "status": status,
                    "cancellation_reason": "The hall is closed for repairs." if status == "cancelled" else "",
                    "sequence": 0,
                    "walk_ins": 0,
                    "created_at": now - timedelta(days=90),
                    "updated_at": now - timedelta(days=90),
                    "published_at": None if status == "draft" else now - timedelta(days=90),
                    "cancelled_at": now - timedelta(days=1) if status == "cancelled" else None,
                }
            )
        bulk_insert(Event, event_rows)
        seeded = list(Event.objects.order_by("pk").values_list("pk", "capacity", "status", "starts_at"))
        bulk_insert(
            Event.hosts.through,
            [
                {"event_id": pk, "officerprofile_id": officer_id}
                for pk, *_rest in seeded
                for officer_id in rng.sample(officer_ids, k=1 + rng.randrange(2))
            ],
        )
        bulk_insert(
            Event.languages.through,
            [
                {"event_id": pk, "language_id": language_id}
                for pk, *_rest in seeded
                for language_id in rng.sample(language_ids, k=1 + rng.randrange(2))
            ],
        )

        # RSVPs: spread over the public events; seats first come, first served up to capacity,
        # then the waitlist (a newcomer joins the queue while anyone waits); a few cancelled.
        public = [row for row in seeded if row[2] != "draft"]
        per_event, extra = divmod(rsvps, len(public))
        rsvp_rows = []
        code = 0
        for index, (pk, capacity, _status, starts) in enumerate(public):
            count = min(per_event + (1 if index < extra else 0), len(user_ids))
            taken, waiting = 0, False
            created = starts - timedelta(days=20)
            for position, user_id in enumerate(rng.sample(user_ids, k=count)):
                party = rng.choice((1, 1, 1, 2, 2, 3, 4))
                moment = created + timedelta(minutes=position)
                if position % 20 == 19:
                    status, confirmed_at, queued_at = "cancelled", None, None
                elif capacity is None or (not waiting and taken + party <= capacity):
                    status, confirmed_at, queued_at = "confirmed", moment, None
                    taken += party
                else:
                    status, confirmed_at, queued_at, waiting = "waitlisted", None, moment, True
                rsvp_rows.append(
                    {
                        "event_id": pk,
                        "user_id": user_id,
                        "guest_name": "",
                        "guest_email": "",
                        "manage_token_hash": "",
                        "language": "en",
                        "party_size": party,
                        "status": status,
                        "seat_code": seat_code(code),
                        "reminders": True,
                        "queued_at": queued_at,
                        "created_at": moment,
                        "confirmed_at": confirmed_at,
                        "cancelled_at": moment + timedelta(hours=1) if status == "cancelled" else None,
                        "attendance": "unknown",
                    }
                )
                code += 1
        bulk_insert(RSVP, rsvp_rows)
        # Bulk inserts send no signal: make any cached events fragment stale by hand.
        transaction.on_commit(event_fragments_bump)
    analyze(postgresql_only=True)
    return {"events": len(seeded), "residents": len(user_ids), "rsvps": len(rsvp_rows)}


def time_list_queries(*, repeat: int) -> list[tuple[str, float, int]]:
    """What an uncached list page costs the database: the count and the first page's rows (with
    their seat counts and languages), per kind of filter, best of `repeat` (milliseconds)."""
    from datetime import date

    from events.selectors import EventFilters, events_past, events_upcoming

    today = date.today()
    cases = [
        ("upcoming, no filter", events_upcoming, EventFilters()),
        ("upcoming, district", events_upcoming, EventFilters(district="district-3")),
        ("upcoming, kind", events_upcoming, EventFilters(kind="safety_workshop")),
        ("upcoming, language", events_upcoming, EventFilters(language="vi")),
        ("upcoming, accessibility", events_upcoming, EventFilters(accessibility=("childcare",))),
        ("upcoming, next 30 days", events_upcoming, EventFilters(date_from=today, date_to=today + timedelta(days=30))),
        ("upcoming, all filters", events_upcoming,
         EventFilters(district="district-3", kind="other", language="es", accessibility=("step_free_access",))),
        ("past, no filter", events_past, EventFilters()),
    ]  # fmt: skip
    timings = []
    for label, selector, filters in cases:
        best, count = float("inf"), 0
        for _ in range(repeat):
            started = time.perf_counter()
            events = selector(filters=filters)
            count = events.count()
            list(events[:20])
            best = min(best, time.perf_counter() - started)
        timings.append((label, best * 1000, count))
    return timings


def _event_page() -> str:
    """An upcoming published event with a capacity and a waitlist: the busiest kind of page."""
    from django.utils import timezone

    from events.models import Event
    from events.selectors import with_seat_counts

    candidates = with_seat_counts(
        Event.objects.filter(status="published", starts_at__gt=timezone.now(), capacity__isnull=False)
    ).order_by("starts_at")[:50]
    chosen = max(candidates, key=lambda event: (event.waitlist_length, event.seats_taken))
    return chosen.get_absolute_url()


# --- The run ----------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, for CI")
    parser.add_argument("--events", type=int, help="events seeded (default 10000; 200 with --smoke)")
    parser.add_argument("--residents", type=int, help="residents seeded (default 100000; 1000 with --smoke)")
    parser.add_argument("--rsvps", type=int, help="RSVPs seeded (default 500000; 5000 with --smoke)")
    add_load_arguments(parser, smoke_requests=60, port=8160, ports="8160-8169")
    args = parser.parse_args(argv)
    plan = load_plan(args, smoke_requests=60)
    events = args.events or (200 if args.smoke else 10_000)
    residents = args.residents or (1_000 if args.smoke else 100_000)
    rsvps = args.rsvps or (5_000 if args.smoke else 500_000)
    if port_in_use("events_load", plan.port):
        return 2

    with bench_site(
        database=DATABASE_NAME,
        var_prefix="portal-bench-events-",
        site_url=f"http://127.0.0.1:{plan.port}",
        settings_module="bench.events_settings",
    ) as site:
        from django.db import connections

        started = time.perf_counter()
        prepare_site(site)
        seed_directory(districts=12, officers=40 if args.smoke else 400)
        seeded = seed_events(events=events, residents=residents, rsvps=rsvps)
        event_page = _event_page()
        query_timings = time_list_queries(repeat=3)
        connections.close_all()
        seed_seconds = time.perf_counter() - started
        print(f"events_load: {site.database}, cache {site.cache}; seeded {seeded} in {seed_seconds:.1f} s")

        filtered = f"{LIST}?district=district-1"
        # What each answer must contain, so a fast error page is never mistaken for a fast page.
        must_contain = {
            BARE: "bare view ok",
            LIST: 'class="usa-card',
            filtered: 'class="usa-card',
            event_page: 'id="event-title"',
        }
        results = serve_and_load(site, plan, pages=must_contain, warm_up=max(20, plan.concurrency * 4))

    labels = {BARE: f"{BARE} (baseline)", LIST: LIST, filtered: filtered, event_page: f"{event_page} (event page)"}
    print_table(
        f"events_load: {plan.describe()}, {seeded['events']} events, "
        f"{seeded['residents']} residents, {seeded['rsvps']} RSVPs, {site.database}",
        ["page", *PAGE_HEADERS, "vs bare", "errors"],
        page_rows(results, baseline=BARE, labels=labels),
    )
    print_table(
        "uncached list queries (count + first page with seat counts and languages, best of 3)",
        ["filter", "ms", "events"],
        [(label, f"{ms:.1f}", count) for label, ms, count in query_timings],
    )
    share = report_goal(results, page=LIST, baseline=BARE, goal=GOAL_SHARE_OF_BARE)
    emit_json(
        {
            "benchmark": "events_load",
            "database": site.database,
            "cache": site.cache,
            "concurrency": plan.concurrency,
            "workers": plan.workers,
            "seeded": seeded,
            "seed_seconds": round(seed_seconds, 1),
            "baseline": BARE,
            "list": LIST,
            "event_page": event_page,
            "list_share_of_bare": round(share, 3),
            "uncached_list_queries_ms": {label: round(ms, 2) for label, ms, _count in query_timings},
            "pages": pages_json(results),
        }
    )
    return report_failures("events_load", results)


if __name__ == "__main__":
    sys.exit(main())
