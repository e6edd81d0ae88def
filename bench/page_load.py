"""What the HTTP benchmarks share: gunicorn serving a bench_site (bench/common.py) on loopback,
client threads sending interleaved rounds of GETs, and the per-page table, JSON and failure report.

A page counts as answered only with 200 and its `must_contain` text in the body, so a fast error
page is never mistaken for a fast page.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import os
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import ROOT, Site, percentile, port_is_free, prepare_database, wait_for_port

PAGE_HEADERS = ["requests", "req/s", "p50 ms", "p95 ms"]


@dataclass
class PageResult:
    path: str
    must_contain: str = ""
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

    def latency_ms(self, fraction: float) -> float:
        return percentile(self.latencies, fraction) * 1000


def add_load_arguments(
    parser: argparse.ArgumentParser, *, smoke_requests: int, port: int, ports: str = "", workers: bool = True
) -> None:
    """--requests, --concurrency, --rounds, --workers (unless `workers` is off) and --port."""
    parser.add_argument("--requests", type=int, help=f"requests per page (default 2000; {smoke_requests} with --smoke)")
    parser.add_argument("--concurrency", type=int, help="client threads (default 8; 4 with --smoke)")
    parser.add_argument("--rounds", type=int, help="interleaved rounds (default 4; 1 with --smoke)")
    if workers:
        parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2)")
    parser.add_argument(
        "--port", type=int, default=port, help=f"127.0.0.1 port, {ports} (default {port})" if ports else None
    )


@dataclass(frozen=True)
class LoadPlan:
    """Where and how hard to load: gunicorn's port and workers, and the client side's sizes."""

    port: int
    workers: int
    requests: int
    concurrency: int
    rounds: int

    def describe(self) -> str:
        return f"gunicorn {self.workers} workers, {self.concurrency} client threads"


def load_plan(args: argparse.Namespace, *, smoke_requests: int) -> LoadPlan:
    """The plan from add_load_arguments' options (2 workers where there is no --workers)."""
    return LoadPlan(
        port=args.port,
        workers=getattr(args, "workers", 2),
        requests=args.requests or (smoke_requests if args.smoke else 2000),
        concurrency=args.concurrency or (4 if args.smoke else 8),
        rounds=args.rounds or (1 if args.smoke else 4),
    )


def port_in_use(name: str, port: int) -> bool:
    """True (after saying so on stderr) when something already listens on `port`."""
    if port_is_free(port):
        return False
    print(f"{name}: port {port} is in use", file=sys.stderr)
    return True


def prepare_site(site: Site) -> None:
    """Migrate (with a cache table when there is no Redis) and collect the static files."""
    from django.core.management import call_command

    prepare_database(with_cache_table=not site.redis_url)
    call_command("collectstatic", interactive=False, verbosity=0)


def load(port: int, result: PageResult, *, requests: int, concurrency: int, record: bool = True) -> None:
    """`requests` GETs of one page from `concurrency` threads, each on its own connection."""
    tickets = itertools.count()
    lock = threading.Lock()
    expected = result.must_contain.encode()

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            while next(tickets) < requests:
                started = time.perf_counter()
                connection.request("GET", result.path)
                response = connection.getresponse()
                body = response.read()
                elapsed = time.perf_counter() - started
                ok = response.status == 200 and expected in body
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


def serve_and_load(site: Site, plan: LoadPlan, *, pages: Mapping[str, str], warm_up: int) -> dict[str, PageResult]:
    """Serve the site with gunicorn (`plan.workers` sync workers) on 127.0.0.1:`plan.port`, warm
    every page up with `warm_up` unrecorded requests, then send `plan.requests` to each page
    (path → text it must contain) in `plan.rounds` interleaved rounds from `plan.concurrency`
    threads, so drift hits every page alike. gunicorn's log tail goes to stderr when any answer
    was bad."""
    port, concurrency = plan.port, plan.concurrency
    results = {path: PageResult(path, must_contain) for path, must_contain in pages.items()}
    log = Path(site.var_dir) / "gunicorn.log"
    with log.open("w") as log_file:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "portal.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(plan.workers),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=os.environ.copy(),
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for_port(port, seconds=30, process=server)
            for result in results.values():  # warm-up: imports, connections, templates, fragments
                load(port, result, requests=warm_up, concurrency=concurrency, record=False)
            per_round = max(1, plan.requests // plan.rounds)
            for _ in range(plan.rounds):
                for result in results.values():
                    load(port, result, requests=per_round, concurrency=concurrency)
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        if any(result.errors for result in results.values()):
            print(log.read_text()[-3000:], file=sys.stderr)
    return results


def page_rows(
    results: Mapping[str, PageResult], *, baseline: str, labels: Mapping[str, str]
) -> list[tuple[object, ...]]:
    """Table rows: label, requests, req/s, p50 ms, p95 ms, share of the baseline's req/s, errors."""
    base = results[baseline].per_second
    return [
        (
            labels[path],
            result.requests,
            f"{result.per_second:.0f}",
            f"{result.latency_ms(0.50):.1f}",
            f"{result.latency_ms(0.95):.1f}",
            f"{result.per_second / base:.2f}" if base else "-",
            result.errors,
        )
        for path, result in results.items()
    ]


def pages_json(results: Mapping[str, PageResult]) -> dict[str, dict[str, float | int]]:
    """The per-page summary for the JSON line bench/run.py reads."""
    return {
        path: {
            "requests": result.requests,
            "per_second": round(result.per_second, 1),
            "p50_ms": round(result.latency_ms(0.50), 2),
            "p95_ms": round(result.latency_ms(0.95), 2),
            "errors": result.errors,
        }
        for path, result in results.items()
    }


def report_goal(results: Mapping[str, PageResult], *, page: str, baseline: str, goal: float) -> float:
    """Print whether `page` serves at least `goal` of the (bare view) baseline's req/s; the share."""
    base = results[baseline].per_second
    share = results[page].per_second / base if base else 0.0
    print(f"\ngoal: {page} at >= {goal:.0%} of the bare view: {share:.0%} ({'met' if share >= goal else 'NOT met'})")
    return share


def report_failures(name: str, results: Mapping[str, PageResult]) -> int:
    """The exit code: 1 (after listing every page with bad answers on stderr) or 0."""
    failed = [f"{r.path}: {r.errors} bad answers, first {r.first_error}" for r in results.values() if r.errors]
    if failed:
        print(f"{name}: FAILED: " + "; ".join(failed), file=sys.stderr)
        return 1
    return 0
