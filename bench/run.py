"""Runs every benchmark in bench/ and prints one summary table.

    .venv/bin/python bench/run.py            # real sizes (minutes)
    .venv/bin/python bench/run.py --smoke    # tiny sizes, for CI (`make bench-smoke`)

Each benchmark runs in its own process (its own Django set-up and database) and measures its
subject next to a baseline in the same run. They work on SQLite with no service, and on
PostgreSQL (and Redis) when DATABASE_URL (and REDIS_URL) are set.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import JSON_PREFIX, print_table

BENCH_DIR = Path(__file__).resolve().parent

BENCHMARKS = [
    "http_load",
    "outbox_throughput",
    "reminder_scan",
    "events_load",
    "feedback_load",
    "fanout",
    "complaints_load",
    "dashboard_load",
]


def _page_rows(result: dict, *, baseline: str, versus: str) -> list[tuple[str, str, str, str]]:
    """One row a page of an HTTP benchmark, its req/s against the baseline page's."""
    pages = result["pages"]
    base = pages[baseline]["per_second"] or 1
    return [
        (
            f"{result['benchmark']} {path}",
            f"{page['per_second']:.0f} req/s",
            f"p50 {page['p50_ms']:.1f} ms, p95 {page['p95_ms']:.1f} ms",
            f"{page['per_second'] / base:.2f} x {versus}",
        )
        for path, page in pages.items()
    ]


def _summary_rows(result: dict) -> list[tuple[str, str, str, str]]:
    if result["benchmark"] == "http_load":
        return _page_rows(result, baseline="/healthz", versus="/healthz")
    if result["benchmark"] in ("events_load", "feedback_load", "complaints_load", "dashboard_load"):
        return _page_rows(result, baseline=result["baseline"], versus="bare view")
    if result["benchmark"] == "outbox_throughput":
        return [
            (
                "outbox_throughput",
                f"{result['outbox_per_second']:.0f} msg/s",
                f"{result['messages']} messages, batches of {result['batch_size']}",
                f"{result['outbox_per_second'] / result['baseline_per_second']:.2f} x send_messages "
                f"({result['baseline_per_second']:.0f} msg/s)",
            )
        ]
    if result["benchmark"] == "fanout":
        return [
            (
                "fanout",
                f"{result['fanout_per_second']:.0f} msg/s",
                f"{result['subscribers']:,} subscribers, {result['chains']} chains, batches of {result['batch_size']}",
                f"{result['ratio']:.2f} x plain smtplib ({result['baseline_per_second']:.0f} msg/s; goal >= 0.50)",
            )
        ]
    if result["benchmark"] == "reminder_scan":
        small, large = (result["results"][str(size)] for size in (result["small"], result["large"]))
        return [
            (
                "reminder_scan",
                f"{large['scan_ms']:.1f} ms/scan",
                f"{result['large']:,} RSVPs, {large['queued']} due; "
                f"{result['small']:,} RSVPs: {small['scan_ms']:.1f} ms",
                f"{result['ratio']['scan_ms']:.2f} x the small table (goal <= 2)",
            )
        ]
    return []


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, for CI")
    parser.add_argument("--only", choices=BENCHMARKS, action="append", help="run just this one (repeatable)")
    args = parser.parse_args()
    failures: list[str] = []
    rows: list[tuple[str, str, str, str]] = []
    for name in args.only or BENCHMARKS:
        print(f"\n==> bench/{name}.py{' --smoke' if args.smoke else ''}", flush=True)
        started = time.monotonic()
        completed = subprocess.run(
            [sys.executable, str(BENCH_DIR / f"{name}.py"), *(["--smoke"] if args.smoke else [])],
            capture_output=True,
            text=True,
            check=False,
        )
        sys.stdout.write(
            "".join(line for line in completed.stdout.splitlines(True) if not line.startswith(JSON_PREFIX))
        )
        sys.stderr.write(completed.stderr)
        results = [
            json.loads(line[len(JSON_PREFIX) :])
            for line in completed.stdout.splitlines()
            if line.startswith(JSON_PREFIX)
        ]
        if completed.returncode != 0 or not results:
            failures.append(f"{name} (exit {completed.returncode})")
            continue
        rows.extend(_summary_rows(results[0]))
        print(f"({name} took {time.monotonic() - started:.1f} s)", flush=True)
    print_table(
        "benchmarks" + (" (smoke sizes)" if args.smoke else ""), ["benchmark", "rate", "detail", "vs baseline"], rows
    )
    if failures:
        print(f"\nbench: FAILED: {', '.join(failures)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
