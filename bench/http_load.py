"""HTTP load on the busiest public pages, side by side with /healthz as the baseline.

gunicorn (2 sync workers) on 127.0.0.1:8140 with the production settings (DEBUG off, manifest
static files) on the configured database (PostgreSQL when DATABASE_URL is set, in a database of
its own; else SQLite in a temporary folder), seeded with a directory of bulk-created officers.
Client threads (http.client) send the same number of requests to each page, in interleaved
rounds so drift hits every page alike; we report requests/s and p50/p95 latency per page and
each page's throughput as a share of the baseline's.

    .venv/bin/python bench/http_load.py                      # 2000 requests a page, 2000 officers
    .venv/bin/python bench/http_load.py --smoke              # tiny, for CI
"""

from __future__ import annotations

import argparse
import sys
import time
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
    serve_and_load,
)
from bench.seed import seed_directory

BASELINE = "/healthz"
PAGES = [BASELINE, "/", "/officers/"]
# What each page must contain, so a fast error page is never mistaken for a fast page.
MUST_CONTAIN = {BASELINE: '"database": "ok"', "/": "<html", "/officers/": "/officers/officer-"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, for CI")
    parser.add_argument("--officers", type=int, help="officers seeded (default 2000; 40 with --smoke)")
    parser.add_argument("--districts", type=int, help="districts seeded (default 12; 3 with --smoke)")
    add_load_arguments(parser, smoke_requests=50, port=8140, workers=False)
    args = parser.parse_args(argv)
    plan = load_plan(args, smoke_requests=50)
    officers = args.officers or (40 if args.smoke else 2000)
    districts = args.districts or (3 if args.smoke else 12)
    if port_in_use("http_load", plan.port):
        return 2

    with bench_site(
        database="portal_bench_http", var_prefix="portal-bench-http-", site_url=f"http://127.0.0.1:{plan.port}"
    ) as site:
        from django.db import connections

        started = time.perf_counter()
        prepare_site(site)
        seeded = seed_directory(districts=districts, officers=officers)
        connections.close_all()
        print(
            f"http_load: {site.database}, cache {site.cache}; seeded {seeded} in {time.perf_counter() - started:.1f} s"
        )

        results = serve_and_load(
            site, plan, pages={path: MUST_CONTAIN[path] for path in PAGES}, warm_up=max(10, plan.concurrency * 2)
        )

    print_table(
        f"http_load: {plan.describe()}, {officers} officers, {site.database}",
        ["page", *PAGE_HEADERS, "vs baseline", "errors"],
        page_rows(
            results,
            baseline=BASELINE,
            labels={path: path + (" (baseline)" if path == BASELINE else "") for path in PAGES},
        ),
    )
    emit_json(
        {
            "benchmark": "http_load",
            "database": site.database,
            "concurrency": plan.concurrency,
            "officers": officers,
            "pages": pages_json(results),
        }
    )
    return report_failures("http_load", results)


if __name__ == "__main__":
    sys.exit(main())
