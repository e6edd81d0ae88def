"""HTTP load on the public feedback wall, side by side with a bare Django view on the same gunicorn.

Seeds (bulk inserts only: COPY on PostgreSQL, bulk_create in chunks on SQLite, through
bench.seed.bulk_insert) a directory, 200k feedback items over the last year (about half
published, most answered, with public and private replies), then serves the bench settings
(production settings plus a bare view at /bench/bare/, see bench/events_settings.py) with gunicorn
(2 sync workers) on 127.0.0.1:8180, and measures, in interleaved rounds from client threads:

- /bench/bare/              the baseline: a view that returns a few bytes through the same middleware
- /feedback/                the wall's first page and the figures (both from cached fragments)
- /feedback/?district=...   a single-filter page (cached as well)
- /feedback/<pk>/           one published item with its public replies (not cached)

Goal (issue 4): /feedback/ serves at least 50 % of the bare view's requests per second.

    DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/0 \
        .venv/bin/python bench/feedback_load.py            # full size, in a database "bench_feedback"
    .venv/bin/python bench/feedback_load.py --smoke        # 2k items; SQLite
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
from bench.seed import analyze, bulk_insert, seed_directory

BARE = "/bench/bare/"
WALL = "/feedback/"
GOAL_SHARE_OF_BARE = 0.5
DATABASE_NAME = "bench_feedback"
KINDS = ["compliment", "suggestion", "concern", "question"]
MESSAGE = (
    "Thank you to the officers who came to our block meeting. They listened to everyone and "
    "explained what happens next.\n\nPlease keep coming."
)


def seed_feedback(*, items: int) -> dict[str, int]:
    """Feedback (deterministic, bulk only) with replies; returns the counts."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from feedback.caching import feedback_fragments_bump
    from feedback.models import Feedback, Reply
    from portal.models import District, OfficerProfile, User

    rng = random.Random(11)
    now = timezone.now().replace(microsecond=0)
    with transaction.atomic():
        bulk_insert(
            User,
            [
                {
                    "email": f"staff{n}@example.org",
                    "password": make_password(None),
                    "first_name": "Staff",
                    "last_name": str(n),
                    "is_active": True,
                    "date_joined": now,
                    "language": "en",
                }
                for n in range(5)
            ],
        )
        staff_ids = list(User.objects.filter(email__startswith="staff").values_list("pk", flat=True))
        district_ids = list(District.objects.order_by("pk").values_list("pk", flat=True))
        officer_ids = list(OfficerProfile.objects.filter(is_public=True).values_list("pk", flat=True))
        rows = []
        for n in range(items):
            created = now - timedelta(minutes=rng.randrange(365 * 24 * 60))
            answered = n % 10 < 7
            published = n % 2 == 0
            kind = KINDS[n % len(KINDS)]
            about_officer = kind == "compliment" and n % 3 == 0
            rows.append(
                {
                    "kind": kind,
                    "about": "officer" if about_officer else "district",
                    "district_id": district_ids[n % len(district_ids)],
                    "officer_id": officer_ids[n % len(officer_ids)] if about_officer else None,
                    "event_id": None,
                    "message": MESSAGE,
                    "language": "es" if n % 5 == 0 else "en",
                    "may_publish": published or n % 3 == 0,
                    "author_id": None,
                    "contact_email": f"resident{n}@example.org" if n % 4 == 0 else "",
                    "reader_token_hash": "",
                    "status": "answered" if answered else "new",
                    "assigned_to_id": None,
                    "created_at": created,
                    "first_reply_at": created + timedelta(hours=rng.randrange(1, 24 * 14)) if answered else None,
                    "closed_at": None,
                    "publication": "published" if published else "private",
                    "public_message": MESSAGE if published else "",
                    "published_at": created + timedelta(days=15) if published else None,
                    "decline_reason": "",
                    "moderated_by_id": None,
                    "rating": None,
                    "rated_at": None,
                    "follow_up": "",
                    "follow_up_at": None,
                    "complaint_reference": "",
                }
            )
        bulk_insert(Feedback, rows)
        answered_items = Feedback.objects.filter(first_reply_at__isnull=False).values_list("pk", "first_reply_at")
        replies = [
            {
                "feedback_id": pk,
                "author_id": staff_ids[pk % len(staff_ids)],
                "body": "Thank you for telling us. We have shared this with the district commander.",
                "is_public": pk % 4 != 0,
                "signature": "officer" if pk % 3 == 0 else "department",
                "created_at": first,
            }
            for pk, first in answered_items.iterator()
        ]
        bulk_insert(Reply, replies)
        transaction.on_commit(feedback_fragments_bump)  # bulk inserts send no signal
    analyze(postgresql_only=True)
    return {"feedback": items, "replies": len(replies)}


def time_uncached(*, repeat: int) -> list[tuple[str, float]]:
    """What an uncached wall page and the figures cost the database (best of `repeat`, ms)."""
    from django.core.paginator import Paginator

    from feedback import selectors

    cases = [
        ("wall page 1 (count + rows + replies)", lambda: Paginator(selectors.feedback_wall(), 20).page(1).object_list),
        ("figures (90 days, one query + median)", lambda: selectors.feedback_figures(since=selectors.figures_since())),
    ]
    timings = []
    for label, run in cases:
        best = float("inf")
        for _ in range(repeat):
            started = time.perf_counter()
            result = run()
            list(result) if not hasattr(result, "overall") else None
            best = min(best, time.perf_counter() - started)
        timings.append((label, best * 1000))
    return timings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, for CI")
    parser.add_argument("--items", type=int, help="feedback items seeded (default 200000; 2000 with --smoke)")
    add_load_arguments(parser, smoke_requests=60, port=8180, ports="8180-8189")
    args = parser.parse_args(argv)
    plan = load_plan(args, smoke_requests=60)
    items = args.items or (2_000 if args.smoke else 200_000)
    if port_in_use("feedback_load", plan.port):
        return 2

    with bench_site(
        database=DATABASE_NAME,
        var_prefix="portal-bench-feedback-",
        site_url=f"http://127.0.0.1:{plan.port}",
        settings_module="bench.events_settings",
    ) as site:
        from django.db import connections

        from feedback.models import Feedback

        started = time.perf_counter()
        prepare_site(site)
        seed_directory(districts=12, officers=40 if args.smoke else 400)
        seeded = seed_feedback(items=items)
        item_page = (
            Feedback.objects.filter(publication="published", replies__is_public=True)
            .order_by("-published_at")
            .first()
            .get_absolute_url()
        )
        query_timings = time_uncached(repeat=3)
        connections.close_all()
        seed_seconds = time.perf_counter() - started
        print(f"feedback_load: {site.database}, cache {site.cache}; seeded {seeded} in {seed_seconds:.1f} s")

        filtered = f"{WALL}?district=district-1"
        # What each answer must contain, so a fast error page is never mistaken for a fast page.
        must_contain = {
            BARE: "bare view ok",
            WALL: "portal-feedback-item",
            filtered: "portal-feedback-item",
            item_page: 'id="feedback-title"',
        }
        results = serve_and_load(site, plan, pages=must_contain, warm_up=max(20, plan.concurrency * 4))

    labels = {BARE: f"{BARE} (baseline)", WALL: WALL, filtered: filtered, item_page: f"{item_page} (one item)"}
    print_table(
        f"feedback_load: {plan.describe()}, {seeded['feedback']} items, {seeded['replies']} replies, {site.database}",
        ["page", *PAGE_HEADERS, "vs bare", "errors"],
        page_rows(results, baseline=BARE, labels=labels),
    )
    print_table("uncached reads (best of 3)", ["read", "ms"], [(label, f"{ms:.1f}") for label, ms in query_timings])
    share = report_goal(results, page=WALL, baseline=BARE, goal=GOAL_SHARE_OF_BARE)
    emit_json(
        {
            "benchmark": "feedback_load",
            "database": site.database,
            "cache": site.cache,
            "concurrency": plan.concurrency,
            "workers": plan.workers,
            "seeded": seeded,
            "seed_seconds": round(seed_seconds, 1),
            "baseline": BARE,
            "wall": WALL,
            "item_page": item_page,
            "wall_share_of_bare": round(share, 3),
            "uncached_reads_ms": {label: round(ms, 2) for label, ms in query_timings},
            "pages": pages_json(results),
        }
    )
    return report_failures("feedback_load", results)


if __name__ == "__main__":
    sys.exit(main())
