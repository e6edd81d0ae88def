"""HTTP load on the statistics dashboard, side by side with a bare Django view on the same gunicorn.

Seeds (bulk inserts only, through bench.seed.bulk_insert: COPY on PostgreSQL, bulk_create in
chunks on SQLite) a directory, 100k complaints over five years (about 70 % closed, one or two
allegations each, findings on the closed ones, some de-identified), 200k feedback items with
replies (bench.feedback_load's seeder), 10k events with 500k RSVPs (bench.events_load's seeder)
and trust survey responses; then serves the bench settings (production settings plus a bare view
at /bench/bare/, see bench/events_settings.py) with gunicorn on 127.0.0.1:8194 and measures, in
interleaved rounds from client threads:

- /bench/bare/                                    the baseline
- /transparency/dashboard/                        every dataset, all districts, by month
- /transparency/dashboard/?district=...&period=quarter
- /transparency/dashboard/complaints-by-category.csv

The dashboard's sections are cached fragments under versioned keys (see
transparency/views/dashboard.py); the warm-up renders them once, as the first visitor would.
The uncached cost of every dataset (what a visitor pays right after a bump) is timed and printed
too.

Goal (issue 6): the dashboard's p95 within 4x the bare view's p95.

    DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/dashboard_load.py          # full size, in a database "bench_dashboard"
    .venv/bin/python bench/dashboard_load.py --smoke      # 1k complaints, 1k feedback, 2k RSVPs; SQLite
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
from bench.events_load import seed_events
from bench.feedback_load import seed_feedback
from bench.page_load import (
    PAGE_HEADERS,
    add_load_arguments,
    load_plan,
    page_rows,
    pages_json,
    port_in_use,
    prepare_site,
    report_failures,
    serve_and_load,
)
from bench.seed import analyze, bulk_insert, seed_directory

BARE = "/bench/bare/"
DASHBOARD = "/transparency/dashboard/"
CSV = "/transparency/dashboard/complaints-by-category.csv"
GOAL_P95_TIMES_BARE = 4.0
DATABASE_NAME = "bench_dashboard"


def seed_complaints(*, complaints: int) -> dict[str, int]:
    """Complaints with an officer and one or two allegations each (deterministic, bulk only)."""
    from django.db import transaction
    from django.utils import timezone

    from complaints.models import Allegation, AllegationCategory, Complaint, ComplaintOfficer
    from complaints.statistics import statistics_bump
    from portal.models import District

    rng = random.Random(5)
    now = timezone.now().replace(microsecond=0)
    findings = [value for value, _label in Allegation.Finding.choices]
    with transaction.atomic():
        district_ids = list(District.objects.order_by("pk").values_list("pk", flat=True))
        category_ids = list(AllegationCategory.objects.order_by("pk").values_list("pk", flat=True))
        rows = []
        numbers: dict[int, int] = {}
        for n in range(complaints):
            received = now - timedelta(minutes=rng.randrange(5 * 365 * 24 * 60))
            year = received.year
            numbers[year] = numbers.get(year, 0) + 1
            closed = n % 10 < 7 and received < now - timedelta(days=20)
            closed_at = received + timedelta(hours=rng.randrange(24, 24 * 120)) if closed else None
            if closed_at and closed_at > now:
                closed_at = now
            rows.append(
                {
                    "reference": f"CP-{year}-{numbers[year]:05d}",
                    "year": year,
                    "number": numbers[year],
                    "status": "closed" if closed else "investigating",
                    "channel": "online",
                    "filer": "self",
                    "contact_preference": "none",
                    "consent_to_contact": False,
                    "language": "en",
                    "incident_date": (received - timedelta(days=2)).date(),
                    "district_id": district_ids[n % len(district_ids)] if n % 50 else None,
                    "narrative": "" if closed and n % 7 == 0 else "What happened, in the complainant's words.",
                    "received_at": received,
                    "acknowledge_by": (received + timedelta(days=5)).date(),
                    "finish_by": (received + timedelta(days=90)).date(),
                    "closed_at": closed_at,
                    "findings_issued_at": closed_at,
                    "deidentified_at": now if closed and n % 7 == 0 else None,
                    "updated_at": now,
                }
            )
        bulk_insert(Complaint, rows)
        ids = list(Complaint.objects.order_by("pk").values_list("pk", "closed_at"))
        bulk_insert(ComplaintOfficer, [{"complaint_id": pk, "described_name": "Officer"} for pk, _closed in ids])
        officer_of = dict(ComplaintOfficer.objects.values_list("complaint_id", "pk"))
        allegations = []
        for index, (pk, closed_at) in enumerate(ids):
            for k in range(1 + (index % 3 == 0)):
                allegations.append(
                    {
                        "complaint_id": pk,
                        "officer_id": officer_of[pk],
                        "category_id": category_ids[(index + k * 3) % len(category_ids)],
                        "finding": findings[(index + k) % len(findings)] if closed_at else "",
                        "recommended_finding": "",
                        "unable_reason": "",
                        "discipline": "",
                        "decided_at": closed_at,
                    }
                )
        bulk_insert(Allegation, allegations)
        transaction.on_commit(statistics_bump)  # bulk inserts send no signal
    analyze(postgresql_only=True)
    return {"complaints": complaints, "allegations": len(allegations)}


def seed_surveys(*, per_district_month: int) -> int:
    from datetime import date

    from django.db import transaction
    from django.utils import timezone

    from feedback.caching import trust_fragments_bump
    from feedback.models import SurveyResponse
    from portal.models import District

    rng = random.Random(3)
    today = timezone.localdate()
    rows = []
    for district_id in District.objects.values_list("pk", flat=True):
        for back in range(60):
            index = today.year * 12 + today.month - 1 - back
            month = date(index // 12, index % 12 + 1, 1)
            for _ in range(per_district_month):
                rows.append(
                    {
                        "district_id": district_id,
                        "month": month,
                        "trust": rng.randint(2, 5),
                        "respect": rng.randint(2, 5),
                        "listened": rng.randint(1, 5),
                        "comment": "",
                    }
                )
    with transaction.atomic():
        bulk_insert(SurveyResponse, rows)
        transaction.on_commit(trust_fragments_bump)
    return len(rows)


def time_uncached(*, repeat: int) -> list[tuple[str, float]]:
    """What each dataset costs without the cache (best of `repeat`, ms), all districts, by month."""
    from django.core.cache import cache

    from transparency import datasets

    timings = []
    for slug in datasets.DATASETS:
        best = float("inf")
        for _ in range(repeat):
            cache.clear()
            started = time.perf_counter()
            datasets.dataset_result(slug)
            best = min(best, time.perf_counter() - started)
        timings.append((slug, best * 1000))
    cache.clear()
    return timings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, for CI")
    parser.add_argument("--complaints", type=int, help="complaints seeded (default 100000; 1000 with --smoke)")
    parser.add_argument("--feedback", type=int, help="feedback items seeded (default 200000; 1000 with --smoke)")
    parser.add_argument("--rsvps", type=int, help="RSVPs seeded (default 500000; 2000 with --smoke)")
    add_load_arguments(parser, smoke_requests=60, port=8194, ports="8194")
    args = parser.parse_args(argv)
    plan = load_plan(args, smoke_requests=60)
    complaints = args.complaints or (1_000 if args.smoke else 100_000)
    feedback = args.feedback or (1_000 if args.smoke else 200_000)
    rsvps = args.rsvps or (2_000 if args.smoke else 500_000)
    if port_in_use("dashboard_load", plan.port):
        return 2

    with bench_site(
        database=DATABASE_NAME,
        var_prefix="portal-bench-dashboard-",
        site_url=f"http://127.0.0.1:{plan.port}",
        settings_module="bench.events_settings",
    ) as site:
        from django.db import connections

        started = time.perf_counter()
        prepare_site(site)
        seed_directory(districts=12, officers=40 if args.smoke else 400)
        seeded = seed_events(
            events=100 if args.smoke else 10_000, residents=500 if args.smoke else 100_000, rsvps=rsvps
        )
        seeded.update(seed_feedback(items=feedback))
        seeded.update(seed_complaints(complaints=complaints))
        seeded["survey_responses"] = seed_surveys(per_district_month=1 if args.smoke else 12)
        query_timings = time_uncached(repeat=1 if args.smoke else 3)
        connections.close_all()
        seed_seconds = time.perf_counter() - started
        print(f"dashboard_load: {site.database}, cache {site.cache}; seeded {seeded} in {seed_seconds:.1f} s")

        filtered = f"{DASHBOARD}?district=district-1&period=quarter"
        must_contain = {
            BARE: "bare view ok",
            DASHBOARD: 'id="dataset-trust-index"',
            filtered: 'id="dataset-trust-index"',
            CSV: "Allegation category",
        }
        results = serve_and_load(site, plan, pages=must_contain, warm_up=max(20, plan.concurrency * 4))

    labels = {BARE: f"{BARE} (baseline)", DASHBOARD: DASHBOARD, filtered: filtered, CSV: CSV}
    print_table(
        f"dashboard_load: {plan.describe()}, {seeded}, {site.database}",
        ["page", *PAGE_HEADERS, "vs bare", "errors"],
        page_rows(results, baseline=BARE, labels=labels),
    )
    print_table(
        "uncached datasets (best run)", ["dataset", "ms"], [(label, f"{ms:.1f}") for label, ms in query_timings]
    )
    bare_p95 = results[BARE].latency_ms(0.95)
    ratio = results[DASHBOARD].latency_ms(0.95) / bare_p95 if bare_p95 else float("inf")
    met = ratio <= GOAL_P95_TIMES_BARE
    print(
        f"\ngoal: {DASHBOARD} p95 within {GOAL_P95_TIMES_BARE:.0f}x the bare view's p95: "
        f"{ratio:.2f}x ({'met' if met else 'NOT met'})"
    )
    emit_json(
        {
            "benchmark": "dashboard_load",
            "database": site.database,
            "cache": site.cache,
            "concurrency": plan.concurrency,
            "workers": plan.workers,
            "seeded": seeded,
            "seed_seconds": round(seed_seconds, 1),
            "baseline": BARE,
            "dashboard": DASHBOARD,
            "dashboard_p95_times_bare": round(ratio, 2),
            "goal_met": met,
            "uncached_datasets_ms": {label: round(ms, 2) for label, ms in query_timings},
            "pages": pages_json(results),
        }
    )
    return report_failures("dashboard_load", results)


if __name__ == "__main__":
    sys.exit(main())
