"""Outbox delivery throughput, side by side with raw Django sending to the same SMTP sink.

Both send the same number of messages over SMTP to a local aiosmtpd sink (a separate process,
127.0.0.1:8141, which accepts and drops them):

- baseline: Django's `send_messages` over one connection, the messages already built;
- outbox: `outbox_deliver` in batches of OUTBOX_BATCH_SIZE, one connection a batch, which per
  message claims the row, renders subject/text/HTML (a feature-style email on the shared layout,
  with a model in its context), sends, and marks the row sent.

So the gap is what the outbox's guarantees cost. The database is PostgreSQL when DATABASE_URL is
set (a database of its own), else SQLite in a temporary folder.

    .venv/bin/python bench/outbox_throughput.py              # 2000 messages
    .venv/bin/python bench/outbox_throughput.py --smoke      # 50 messages, for CI
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    bench_site,
    emit_json,
    port_is_free,
    prepare_database,
    print_table,
    wait_for_port,
)


def _outbox_rows(count: int) -> list[int]:
    from django.utils import timezone

    from portal.models import District, OutboxMessage

    district = District.objects.create(name="Northside", slug="northside")
    now = timezone.now()
    OutboxMessage.objects.bulk_create(
        [
            OutboxMessage(
                dedupe_key=f"bench:{n}",
                to=f"person{n}@example.org",
                language="es" if n % 4 == 0 else "en",
                template="bench/email/notice",
                context={
                    "event_title": "Coffee with a Cop",
                    "district": {"__model__": "portal.District", "pk": district.pk},
                    "starts": "9:00",
                    "action_url": f"https://portal.example.org/events/coffee/{n}/",
                    "unsubscribe_url": f"https://portal.example.org/unsubscribe/{n}/",
                },
                next_attempt_at=now,
            )
            for n in range(count)
        ],
        batch_size=1000,
    )
    return list(OutboxMessage.objects.order_by("pk").values_list("pk", flat=True))


def _baseline(count: int) -> float:
    """Seconds to send `count` pre-built messages with Django over one connection."""
    from django.core.mail import get_connection

    from portal.models import OutboxMessage
    from portal.outbox import outbox_render

    # The same email as the outbox sends, rendered once, outside the timing.
    template = outbox_render(OutboxMessage.objects.order_by("pk").first())
    messages = []
    for n in range(count):
        email = type(template)(template.subject, template.body, template.from_email, [f"baseline{n}@example.org"])
        email.alternatives = list(template.alternatives)
        messages.append(email)
    connection = get_connection(fail_silently=False)
    started = time.perf_counter()
    sent = connection.send_messages(messages)
    elapsed = time.perf_counter() - started
    if sent != count:
        raise RuntimeError(f"the baseline sent {sent} of {count}")
    return elapsed


def _outbox(ids: list[int], batch_size: int) -> float:
    """Seconds for outbox_deliver to send every row, batch by batch."""
    from portal.models import OutboxMessage
    from portal.outbox import outbox_deliver

    started = time.perf_counter()
    sent = 0
    for start in range(0, len(ids), batch_size):
        batch_sent, failed = outbox_deliver(message_ids=ids[start : start + batch_size])
        if failed:
            errors = list(OutboxMessage.objects.exclude(last_error="").values_list("last_error", flat=True)[:1])
            raise RuntimeError(f"the outbox failed {failed} message(s), for example: {errors}")
        sent += batch_sent
    elapsed = time.perf_counter() - started
    if sent != len(ids) or OutboxMessage.objects.filter(status=OutboxMessage.Status.SENT).count() != len(ids):
        raise RuntimeError(f"the outbox sent {sent} of {len(ids)}")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, for CI")
    parser.add_argument("--messages", type=int, help="messages each way (default 2000; 50 with --smoke)")
    parser.add_argument("--batch-size", type=int, default=500, help="outbox batch size (OUTBOX_BATCH_SIZE)")
    parser.add_argument("--port", type=int, default=8141)
    args = parser.parse_args(argv)
    count = args.messages or (50 if args.smoke else 2000)
    if not port_is_free(args.port):
        print(f"outbox_throughput: port {args.port} is in use", file=sys.stderr)
        return 2

    sink = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{args.port}", "-c", "aiosmtpd.handlers.Sink"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for_port(args.port, seconds=20, process=sink)
        with bench_site(
            database="portal_bench_outbox",
            var_prefix="portal-bench-outbox-",
            site_url="https://portal.example.org",
            settings_module="bench.settings",
            redis=False,
            extra_env={"EMAIL_URL": f"smtp://127.0.0.1:{args.port}", "OUTBOX_BATCH_SIZE": str(args.batch_size)},
        ) as site:
            from django.db import connections

            prepare_database(with_cache_table=True)
            ids = _outbox_rows(count)
            baseline_seconds = _baseline(count)
            outbox_seconds = _outbox(ids, args.batch_size)
            label = site.database
            connections.close_all()
    finally:
        sink.terminate()
        sink.wait(timeout=10)

    baseline_rate, outbox_rate = count / baseline_seconds, count / outbox_seconds
    print_table(
        f"outbox_throughput: {count} messages to an aiosmtpd sink, {label}",
        ["sender", "messages", "seconds", "messages/s", "vs baseline"],
        [
            (
                "Django send_messages, one connection (baseline)",
                count,
                f"{baseline_seconds:.2f}",
                f"{baseline_rate:.0f}",
                "1.00",
            ),
            (
                f"outbox_deliver, batches of {args.batch_size}",
                count,
                f"{outbox_seconds:.2f}",
                f"{outbox_rate:.0f}",
                f"{outbox_rate / baseline_rate:.2f}",
            ),
        ],
    )
    emit_json(
        {
            "benchmark": "outbox_throughput",
            "database": label,
            "messages": count,
            "batch_size": args.batch_size,
            "baseline_per_second": round(baseline_rate, 1),
            "outbox_per_second": round(outbox_rate, 1),
        }
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
