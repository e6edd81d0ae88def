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
import http.client
import itertools
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    ROOT,
    bench_database,
    bench_redis,
    database_label,
    emit_json,
    percentile,
    port_is_free,
    print_table,
    production_env,
    setup_django,
    wait_for_port,
)

BASELINE = "/healthz"
PAGES = [BASELINE, "/", "/officers/"]
# What each page must contain, so a fast error page is never mistaken for a fast page.
MUST_CONTAIN = {BASELINE: '"database": "ok"', "/": "<html", "/officers/": "/officers/officer-"}


@dataclass
class PageResult:
    path: str
    latencies: list[float] = field(default_factory=list)
    wall_seconds: float = 0.0
    errors: int = 0
    first_error: str = ""

    @property
    def requests(self) -> int:
        return len(self.latencies)

    @property
    def per_second(self) -> float:
        return self.requests / self.wall_seconds if self.wall_seconds else 0.0


def _load(port: int, result: PageResult, *, requests: int, concurrency: int, record: bool = True) -> None:
    """`requests` GETs of one page from `concurrency` threads, each on its own connection."""
    tickets = itertools.count()
    lock = threading.Lock()

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            while next(tickets) < requests:
                started = time.perf_counter()
                connection.request("GET", result.path)
                response = connection.getresponse()
                body = response.read()
                elapsed = time.perf_counter() - started
                ok = response.status == 200 and MUST_CONTAIN[result.path].encode() in body
                if response.will_close:
                    connection.close()  # sync workers close after each response; reconnects next time
                if not record:
                    continue
                with lock:
                    result.latencies.append(elapsed)
                    if not ok:
                        result.errors += 1
                        result.first_error = result.first_error or f"{response.status}: {body[:200]!r}"
        finally:
            connection.close()

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if record:
        result.wall_seconds += time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, for CI")
    parser.add_argument("--requests", type=int, help="requests per page (default 2000; 50 with --smoke)")
    parser.add_argument("--concurrency", type=int, help="client threads (default 8; 4 with --smoke)")
    parser.add_argument("--officers", type=int, help="officers seeded (default 2000; 40 with --smoke)")
    parser.add_argument("--districts", type=int, help="districts seeded (default 12; 3 with --smoke)")
    parser.add_argument("--rounds", type=int, help="interleaved rounds (default 4; 1 with --smoke)")
    parser.add_argument("--port", type=int, default=8140)
    args = parser.parse_args(argv)
    requests = args.requests or (50 if args.smoke else 2000)
    concurrency = args.concurrency or (4 if args.smoke else 8)
    officers = args.officers or (40 if args.smoke else 2000)
    districts = args.districts or (3 if args.smoke else 12)
    rounds = args.rounds or (1 if args.smoke else 4)
    if not port_is_free(args.port):
        print(f"http_load: port {args.port} is in use", file=sys.stderr)
        return 2

    results = {path: PageResult(path) for path in PAGES}
    with (
        bench_database("portal_bench_http") as database_url,
        bench_redis() as redis_url,
        tempfile.TemporaryDirectory(prefix="portal-bench-http-") as var_dir,
    ):
        env = production_env(
            database_url=database_url, redis_url=redis_url, var_dir=var_dir, site_url=f"http://127.0.0.1:{args.port}"
        )
        setup_django(env)
        from django.core.management import call_command
        from django.db import connections

        from bench.common import prepare_database
        from bench.seed import seed_directory

        started = time.perf_counter()
        prepare_database(with_cache_table=not redis_url)
        call_command("collectstatic", interactive=False, verbosity=0)
        seeded = seed_directory(districts=districts, officers=officers)
        connections.close_all()
        print(f"http_load: {database_label(database_url)}, cache {'Redis' if redis_url else 'database'}; "
              f"seeded {seeded} in {time.perf_counter() - started:.1f} s")  # fmt: skip

        log = Path(var_dir) / "gunicorn.log"
        with log.open("w") as log_file:
            server = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "portal.wsgi:application",
                    "--bind",
                    f"127.0.0.1:{args.port}",
                    "--workers",
                    "2",
                    "--log-level",
                    "warning",
                ],
                cwd=ROOT,
                env=os.environ.copy(),
                stdout=log_file,
                stderr=subprocess.STDOUT,
            )
            try:
                wait_for_port(args.port, seconds=30, process=server)
                for path in PAGES:  # warm-up: imports, connections, template and fragment caches
                    _load(
                        args.port,
                        results[path],
                        requests=max(10, concurrency * 2),
                        concurrency=concurrency,
                        record=False,
                    )
                per_round = max(1, requests // rounds)
                for _ in range(rounds):
                    for path in PAGES:
                        _load(args.port, results[path], requests=per_round, concurrency=concurrency)
            finally:
                server.terminate()
                try:
                    server.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait()
            if any(r.errors for r in results.values()):
                print(log.read_text()[-3000:], file=sys.stderr)

    baseline = results[BASELINE].per_second
    rows = [
        (
            path + (" (baseline)" if path == BASELINE else ""),
            r.requests,
            f"{r.per_second:.0f}",
            f"{percentile(r.latencies, 0.50) * 1000:.1f}",
            f"{percentile(r.latencies, 0.95) * 1000:.1f}",
            f"{r.per_second / baseline:.2f}" if baseline else "-",
            r.errors,
        )
        for path, r in results.items()
    ]
    print_table(
        f"http_load: gunicorn 2 workers, {concurrency} client threads, {officers} officers, "
        f"{database_label(database_url)}",
        ["page", "requests", "req/s", "p50 ms", "p95 ms", "vs baseline", "errors"],
        rows,
    )
    emit_json(
        {
            "benchmark": "http_load",
            "database": database_label(database_url),
            "concurrency": concurrency,
            "officers": officers,
            "pages": {
                path: {
                    "requests": r.requests,
                    "per_second": round(r.per_second, 1),
                    "p50_ms": round(percentile(r.latencies, 0.50) * 1000, 2),
                    "p95_ms": round(percentile(r.latencies, 0.95) * 1000, 2),
                    "errors": r.errors,
                }
                for path, r in results.items()
            },
        }
    )
    failed = [f"{r.path}: {r.errors} bad answers, first {r.first_error}" for r in results.values() if r.errors]
    if failed:
        print("http_load: FAILED: " + "; ".join(failed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
