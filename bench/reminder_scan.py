"""The reminder scan's cost at a small and a large RSVP table, with the same RSVPs inside the
reminder windows: it must follow the window, not the table (goal: large within 2x of small).

One database of its own (PostgreSQL when DATABASE_URL is set, else SQLite in a temporary folder),
seeded with bulk inserts: accounts, events, and RSVPs. The RSVPs due a reminder (confirmed seats
at events starting within the next 24 hours, plus cancelled and waitlisted ones there that are
not due) are seeded first; the rest of the table is history and future events outside every
window. The same database is measured at the small size, then grown to the large size.

Per size, the median of several runs of:

- scan: `reminders_queue_due(now=...)` queuing every reminder due (a transaction rolled back
  after each run, so every run does the full work: the two window queries and the outbox rows);
- repeat scan: the same call right after, when everything is already queued (what beat runs
  every few minutes: the two queries find nothing new);
- queries: just the two window queries (`reminders_due` for 24 h and 2 h).

The outbox grows with the table too (the sent reminders of past seats), since the scan probes
its unique key to skip what is already queued.

On PostgreSQL it also prints EXPLAIN ANALYZE of the 24-hour window's query at the large size,
to show it is index-bound (index scans of events by status and start, of RSVPs by event and
status, and of the outbox by its unique key; no sequential scan of RSVPs).

    .venv/bin/python bench/reminder_scan.py                 # 10k vs 1M RSVPs
    .venv/bin/python bench/reminder_scan.py --smoke         # 1k vs 10k, for CI
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    bench_site,
    emit_json,
    is_postgres,
    prepare_database,
    print_table,
)
from bench.seed import analyze, seat_code

RSVPS_PER_EVENT = 100
USERS = 20_000
CHUNK = 20_000


class Seeder:
    """Bulk inserts only; deterministic, so runs compare."""

    def __init__(self, *, now: datetime, users: int) -> None:
        self.now = now
        self.rng = random.Random(7)
        self.rsvps = 0
        self.events = 0
        self.user_ids: list[int] = []
        self.users = users

    def seed_people(self) -> None:
        from django.contrib.auth.hashers import make_password

        from portal.models import District, User

        unusable = make_password(None)  # nobody signs in as these; no hashing cost
        District.objects.bulk_create(
            [District(name=f"District {n + 1}", slug=f"district-{n + 1}") for n in range(8)], ignore_conflicts=True
        )
        User.objects.bulk_create(
            [
                User(
                    email=f"bench{n}@example.org",
                    password=unusable,
                    first_name="Bench",
                    last_name=f"Person {n}",
                    language="es" if n % 4 == 0 else "en",
                    email_event_reminders=n % 10 != 9,
                )
                for n in range(self.users)
            ],
            batch_size=5000,
        )
        self.user_ids = list(User.objects.order_by("pk").values_list("pk", flat=True))
        self.district_ids = list(District.objects.order_by("pk").values_list("pk", flat=True))

    def _events(self, starts: list[datetime]) -> list[int]:
        from events.models import Event

        first = self.events
        Event.objects.bulk_create(
            [
                Event(
                    slug=f"bench-event-{first + n}",
                    title=f"Community meeting {first + n}",
                    starts_at=start,
                    ends_at=start + timedelta(hours=2),
                    venue_name="Riverside Library",
                    address="100 Main Street",
                    capacity=RSVPS_PER_EVENT * 3,
                    status=Event.Status.PUBLISHED,
                    published_at=start - timedelta(days=30),
                    district_id=self.district_ids[(first + n) % len(self.district_ids)],
                )
                for n, start in enumerate(starts)
            ],
            batch_size=2000,
        )
        self.events += len(starts)
        slugs = [f"bench-event-{first + n}" for n in range(len(starts))]
        by_slug = dict(Event.objects.filter(slug__in=slugs).values_list("slug", "pk"))
        return [by_slug[slug] for slug in slugs]

    def _rsvp(self, *, event_id: int, index: int, start: datetime, status: str):
        from events.models import RSVP

        number = self.rsvps
        self.rsvps += 1
        confirmed_at = start - timedelta(days=3 + number % 20)
        user_id = self.user_ids[(event_id * 7919 + index) % len(self.user_ids)]
        guest = index % 5 == 4
        return RSVP(
            event_id=event_id,
            user_id=None if guest else user_id,
            guest_name=f"Guest {number}" if guest else "",
            guest_email=f"guest{number}@example.org" if guest else "",
            language="es" if number % 3 == 0 else "en",
            party_size=1 + number % 3,
            status=status,
            seat_code=seat_code(number),
            reminders=number % 17 != 0,
            created_at=confirmed_at,
            queued_at=confirmed_at if status == RSVP.Status.WAITLISTED else None,
            confirmed_at=confirmed_at if status == RSVP.Status.CONFIRMED else None,
            cancelled_at=start - timedelta(days=1) if status == RSVP.Status.CANCELLED else None,
        )

    def seed_window(self, *, events: int, per_event: int) -> int:
        """Events starting within the next 24 hours (some inside 2 hours), with seats due a reminder
        and some cancelled and waitlisted RSVPs that are not."""
        from events.models import RSVP

        starts = [self.now + timedelta(minutes=30 + n * (23 * 60) // max(events, 1)) for n in range(events)]
        rows = []
        for event_id, start in zip(self._events(starts), starts, strict=True):
            for index in range(per_event):
                rows.append(self._rsvp(event_id=event_id, index=index, start=start, status=RSVP.Status.CONFIRMED))
            for index in range(per_event, per_event + max(per_event // 5, 1)):
                status = RSVP.Status.CANCELLED if index % 2 else RSVP.Status.WAITLISTED
                rows.append(self._rsvp(event_id=event_id, index=index, start=start, status=status))
        RSVP.objects.bulk_create(rows, batch_size=5000)
        return len(rows)

    def grow_to(self, total: int) -> None:
        """Add events outside every window (two years of history, six months ahead) until the RSVP
        table holds `total` rows."""
        from events.models import RSVP

        statuses = [RSVP.Status.CONFIRMED] * 8 + [RSVP.Status.CANCELLED, RSVP.Status.WAITLISTED]
        while self.rsvps < total:
            count = min(CHUNK, total - self.rsvps)
            event_count = -(-count // RSVPS_PER_EVENT)
            starts = []
            for _ in range(event_count):
                if self.rng.random() < 0.8:
                    starts.append(self.now - timedelta(days=1 + self.rng.random() * 730))
                else:
                    starts.append(self.now + timedelta(days=2 + self.rng.random() * 180))
            rows = []
            for event_id, start in zip(self._events(starts), starts, strict=True):
                for index in range(min(RSVPS_PER_EVENT, count - len(rows))):
                    rows.append(
                        self._rsvp(event_id=event_id, index=index, start=start, status=statuses[index % len(statuses)])
                    )
            created = RSVP.objects.bulk_create(rows, batch_size=5000)
            self._outbox_history([rsvp for rsvp in created if rsvp.confirmed_at and rsvp.confirmed_at < self.now])

    def _outbox_history(self, rsvps: list) -> None:
        """The mail a long-running portal has sent: the reminders of past seats, so the outbox (whose
        unique key the scan probes) grows with the RSVP table."""
        from portal.models import OutboxMessage

        OutboxMessage.objects.bulk_create(
            [
                OutboxMessage(
                    dedupe_key=f"events.reminder:{rsvp.pk}:{hours}h",
                    to=rsvp.guest_email or "someone@example.org",
                    template="events/email/reminder",
                    status=OutboxMessage.Status.SENT,
                    next_attempt_at=self.now,
                    sent_at=self.now,
                )
                for rsvp in rsvps
                if rsvp.pk is not None
                for hours in (24, 2)
            ],
            batch_size=5000,
        )


def _measure(*, now: datetime, runs: int) -> dict[str, float | int]:
    from django.db import transaction

    from events.services.reminders import reminder_windows, reminders_due, reminders_queue_due

    scans, repeats, queries, queued = [], [], [], set()
    for run in range(runs + 1):
        with transaction.atomic():
            started = time.perf_counter()
            queued.add(reminders_queue_due(now=now))
            scans.append(time.perf_counter() - started)
            started = time.perf_counter()
            again = reminders_queue_due(now=now)
            repeats.append(time.perf_counter() - started)
            if again:
                raise RuntimeError(f"a repeat scan queued {again} reminder(s) again")
            transaction.set_rollback(True)  # nothing is kept: every run does the full work
        started = time.perf_counter()
        for window in reminder_windows():
            list(reminders_due(now=now, window=window))
        queries.append(time.perf_counter() - started)
        if run == 0:  # a warm-up run: caches and connections, not measured
            scans, repeats, queries = [], [], []
    if len(queued) != 1:
        raise RuntimeError(f"runs queued different numbers of reminders: {sorted(queued)}")
    return {
        "queued": queued.pop(),
        "scan_ms": round(statistics.median(scans) * 1000, 2),
        "repeat_scan_ms": round(statistics.median(repeats) * 1000, 2),
        "queries_ms": round(statistics.median(queries) * 1000, 2),
    }


def _explain(*, now: datetime) -> str:
    from events.services.reminders import reminder_windows, reminders_due

    return reminders_due(now=now, window=reminder_windows()[0]).explain(analyze=True, buffers=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, for CI")
    parser.add_argument("--small", type=int, help="RSVPs in the small table (default 10000; 1000 with --smoke)")
    parser.add_argument("--large", type=int, help="RSVPs in the large table (default 1000000; 10000 with --smoke)")
    parser.add_argument("--window-events", type=int, help="events inside the windows (default 20; 4 with --smoke)")
    parser.add_argument("--per-event", type=int, help="seats due per window event (default 25; 10 with --smoke)")
    parser.add_argument("--runs", type=int, help="runs per size, median reported (default 7; 3 with --smoke)")
    args = parser.parse_args(argv)
    small = args.small or (1_000 if args.smoke else 10_000)
    large = args.large or (10_000 if args.smoke else 1_000_000)
    window_events = args.window_events or (4 if args.smoke else 20)
    per_event = args.per_event or (10 if args.smoke else 25)
    runs = args.runs or (3 if args.smoke else 7)

    with bench_site(
        database="bench_reminders",
        var_prefix="portal-bench-reminders-",
        site_url="https://portal.example.org",
        redis=False,
    ) as site:
        from django.db import connections
        from django.utils import timezone

        prepare_database(with_cache_table=True)
        now = timezone.now().replace(microsecond=0)
        seeder = Seeder(now=now, users=min(USERS, max(small // 2, 500)))
        started = time.perf_counter()
        seeder.seed_people()
        in_window = seeder.seed_window(events=window_events, per_event=per_event)
        if in_window > small:
            raise SystemExit(f"--small ({small}) must hold the {in_window} RSVPs inside the windows")
        seeder.grow_to(small)
        analyze()
        print(f"seeded {seeder.rsvps} RSVPs in {time.perf_counter() - started:.1f} s", flush=True)
        results = {small: _measure(now=now, runs=runs)}

        started = time.perf_counter()
        seeder.grow_to(large)
        analyze()
        print(f"grew to {seeder.rsvps} RSVPs in {time.perf_counter() - started:.1f} s", flush=True)
        results[large] = _measure(now=now, runs=runs)
        plan = _explain(now=now) if is_postgres(site.database_url) else ""
        label = site.database
        connections.close_all()

    if plan:
        print("\nEXPLAIN ANALYZE of the 24-hour window's query at the large size:\n")
        print(plan)
    ratio = {key: results[large][key] / (results[small][key] or 1e-9) for key in ("scan_ms", "repeat_scan_ms")}
    ratio["queries_ms"] = results[large]["queries_ms"] / (results[small]["queries_ms"] or 1e-9)
    print_table(
        f"reminder_scan: {in_window} RSVPs inside the windows ({window_events} events), {label}, median of {runs} runs",
        ["RSVPs in the table", "reminders queued", "scan ms", "repeat scan ms", "queries ms"],
        [
            (f"{size:,}", r["queued"], f"{r['scan_ms']:.1f}", f"{r['repeat_scan_ms']:.1f}", f"{r['queries_ms']:.1f}")
            for size, r in results.items()
        ]
        + [
            (
                f"ratio {large:,} / {small:,}",
                "",
                f"{ratio['scan_ms']:.2f}x",
                f"{ratio['repeat_scan_ms']:.2f}x",
                f"{ratio['queries_ms']:.2f}x",
            )
        ],
    )
    goal = ratio["scan_ms"] <= 2.0
    print(f"\ngoal (the large table's scan within 2x of the small one's): {'met' if goal else 'NOT met'}")
    if plan:
        seq_scan = "Seq Scan on events_rsvp" in plan
        print(f"sequential scan of the RSVP table in the plan: {'YES' if seq_scan else 'no'}")
    emit_json(
        {
            "benchmark": "reminder_scan",
            "database": label,
            "in_window": in_window,
            "small": small,
            "large": large,
            "runs": runs,
            "results": {str(size): r for size, r in results.items()},
            "ratio": {key: round(value, 3) for key, value in ratio.items()},
            "goal_met": goal,
            "rsvp_seq_scan": ("Seq Scan on events_rsvp" in plan) if plan else None,
        }
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
