"""Fan-out of one update to many subscribers, side by side with plain smtplib to the same SMTP sink.

Both send the same number of messages over SMTP to a local aiosmtpd sink (a separate process on
127.0.0.1:8192 that accepts and drops them), in the same run:

- baseline: `smtplib.SMTP.sendmail` over one connection, the update email already rendered
  (one copy per language, only the recipient changes): the wire and the sink alone;
- fan-out: exactly what the Celery chain runs, `transparency.services.fanout.fanout_send_next`
  batch after batch (TRANSPARENCY_FANOUT_BATCH_SIZE rows a batch, one SMTP connection a batch),
  which claims the batch's rows, renders subject / text / HTML once per language (the outbox's
  per-recipient keys: each subscriber's own manage and one-click unsubscribe links and
  List-Unsubscribe header are filled in, and the MIME bytes built once and completed per message
  with To, Date and a unique Message-ID), sends each, and marks sent rows in groups
  (transparency.services.fanout.FANOUT_MARK_EVERY). The broker is left out (the chain's next task
  is the next loop turn here), so the gap is what the outbox's guarantees and per-person content
  cost. `--plain-outbox` sends the way it did before: every row rendered, built by Django and
  marked on its own.

Planning (one outbox row per subscriber, bulk-inserted in the publishing transaction) is timed
apart. At the end it checks every subscriber has exactly one row, sent once (attempts = 1).
The database is PostgreSQL when DATABASE_URL is set (a database of its own), else SQLite in a
temporary folder.

    .venv/bin/python bench/fanout.py               # 100,000 subscribers
    .venv/bin/python bench/fanout.py --smoke       # 2,000 subscribers, SQLite, under 30 s
    DATABASE_URL=postgres://u:p@127.0.0.1:5432/postgres .venv/bin/python bench/fanout.py \
        --database my_bench_fanout --port 8196       # PostgreSQL (a database made and dropped)
"""

from __future__ import annotations

import argparse
import smtplib
import subprocess
import sys
import time
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import bench_site, emit_json, port_is_free, prepare_database, print_table, wait_for_port

GOAL = 0.5  # the fan-out should reach at least half the plain smtplib rate


def _seed(count: int) -> int:
    """`count` confirmed subscribers (a quarter in Spanish, a tenth with a district) and one update."""
    from django.db import transaction
    from django.utils import timezone

    from portal import tokens
    from portal.models import District
    from transparency.models import Category, Subscriber, Subscription, Update
    from transparency.subscription_links import SUBSCRIBER_TOKEN_PURPOSE

    now = timezone.now()
    with transaction.atomic():
        north = District.objects.create(name="North District", slug="north")
        subscribers = Subscriber.objects.bulk_create(
            [
                Subscriber(
                    email=f"person{n}@example.org",
                    language="es" if n % 4 == 0 else "en",
                    token_hash=tokens.token_hash(f"bench-{n}", purpose=SUBSCRIBER_TOKEN_PURPOSE),
                    confirmed_at=now,
                )
                for n in range(count)
            ],
            batch_size=2000,
        )
        if not subscribers or subscribers[0].pk is None:  # backends that return no ids
            subscribers = list(Subscriber.objects.order_by("pk"))
        Subscription.objects.bulk_create(
            [Subscription(subscriber=s, category=Category.SAFETY_ALERT) for s in subscribers], batch_size=2000
        )
        through = Subscriber.districts.through
        through.objects.bulk_create(
            [through(subscriber_id=s.pk, district_id=north.pk) for s in subscribers[::10]], batch_size=2000
        )
        update = Update.objects.create(
            slug="flood-warning",
            category=Category.SAFETY_ALERT,
            title="Flood warning for the river district",
            summary="Water levels are rising. Move vehicles away from the riverbank before 6 pm today.",
            body="Water levels are rising.",
            title_es="Alerta de inundación en el distrito del río",
            summary_es="El nivel del agua sube. Retire los vehículos de la orilla antes de las 6 pm de hoy.",
            body_es="El nivel del agua sube.",
            status=Update.Status.PUBLISHED,
            published_at=now,
        )
        update.districts.add(north)
    return update.pk


def _plan(update_id: int) -> tuple[float, int]:
    from django.db import transaction

    from transparency.models import Update
    from transparency.services import fanout

    started = time.perf_counter()
    # The chain tasks would be enqueued after commit; here the loop below plays the chain.
    with mock.patch.object(fanout, "enqueue_on_commit"), transaction.atomic():
        total = fanout.fanout_plan(update=Update.objects.get(pk=update_id))
    return time.perf_counter() - started, total


def _baseline(update_id: int, count: int, port: int) -> float:
    """Seconds for plain smtplib to send `count` copies of the update email over one connection."""
    from django.conf import settings

    from portal.models import OutboxMessage
    from portal.outbox import outbox_render

    rows = OutboxMessage.objects.filter(batch_key=f"update:{update_id}").order_by("pk")
    # The same email as the fan-out sends, one rendered copy per language, outside the timing.
    copies = {}
    for language in ("en", "es"):
        row = rows.filter(language=language).first()
        if row is not None:
            copies[language] = outbox_render(row).message().as_bytes(linesep="\r\n")
    languages = ["es" if n % 4 == 0 else "en" for n in range(count)]
    sender = settings.DEFAULT_FROM_EMAIL
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for n, language in enumerate(languages):
            smtp.sendmail(sender, [f"baseline{n}@example.org"], copies.get(language) or copies["en"])
    return time.perf_counter() - started


def _chain(update_id: int, results) -> None:
    """One chain of fan-out tasks, as a Celery worker runs it: a batch, then the next, until none is left."""
    from django.db import connections

    from transparency.services.fanout import fanout_send_next

    sent = failed = 0
    try:
        while True:
            result = fanout_send_next(update_id=update_id)
            sent += result.sent
            failed += result.failed
            if not result.more:
                break
    finally:
        connections.close_all()
    results.put((sent, failed))


def _fanout(update_id: int, chains: int, *, plain_outbox: bool = False) -> tuple[float, int, int]:
    """Seconds for `chains` chains (worker processes, like FANOUT_CHAINS) to send every row."""
    import multiprocessing

    from django.db import connections

    if plain_outbox:  # the children inherit these: every row rendered and marked on its own
        from portal import outbox
        from transparency.services import fanout

        mock.patch.object(outbox, "PER_RECIPIENT_KEYS", "bench-plain-outbox").start()
        mock.patch.object(fanout, "FANOUT_MARK_EVERY", 1).start()

    connections.close_all()  # each process opens its own
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    started = time.perf_counter()
    if chains == 1:
        _chain(update_id, results)
    else:
        workers = [context.Process(target=_chain, args=(update_id, results)) for _ in range(chains)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
    elapsed = time.perf_counter() - started
    totals = [results.get(timeout=10) for _ in range(chains)]
    mock.patch.stopall()
    return elapsed, sum(t[0] for t in totals), sum(t[1] for t in totals)


def _check_exactly_once(update_id: int, count: int) -> None:
    from django.db.models import Count, Max, Sum

    from portal.models import OutboxMessage
    from transparency.models import Update

    rows = OutboxMessage.objects.filter(batch_key=f"update:{update_id}")
    figures = rows.aggregate(n=Count("pk"), tries=Sum("attempts"), most=Max("attempts"))
    sent = rows.filter(status=OutboxMessage.Status.SENT).count()
    distinct = rows.values("to").distinct().count()
    if not (figures["n"] == sent == distinct == count and figures["tries"] == count and figures["most"] == 1):
        raise RuntimeError(f"not exactly once: {figures}, sent {sent}, distinct {distinct}, expected {count}")
    if Update.objects.get(pk=update_id).fanout_finished_at is None:
        raise RuntimeError("the fan-out did not record its end")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true", help="2,000 subscribers on SQLite, for CI")
    parser.add_argument("--subscribers", type=int, help="default 100,000 (2,000 with --smoke)")
    parser.add_argument("--batch-size", type=int, default=500, help="TRANSPARENCY_FANOUT_BATCH_SIZE")
    parser.add_argument("--port", type=int, default=8192)
    parser.add_argument("--chains", type=int, default=2, help="send chains (worker processes); FANOUT_CHAINS is 2")
    parser.add_argument(
        "--plain-outbox",
        action="store_true",
        help="render, build and mark every row on its own (the outbox before batching), to compare",
    )
    parser.add_argument(
        "--database", default="portal_bench_fanout", help="name of the PostgreSQL database to make and drop"
    )
    args = parser.parse_args(argv)
    count = args.subscribers or (2000 if args.smoke else 100_000)
    if not port_is_free(args.port):
        print(f"fanout: port {args.port} is in use", file=sys.stderr)
        return 2
    extra_env = {
        "EMAIL_URL": f"smtp://127.0.0.1:{args.port}",
        "TRANSPARENCY_FANOUT_BATCH_SIZE": str(args.batch_size),
    }
    if args.smoke:
        import os

        os.environ.pop("DATABASE_URL", None)  # smoke: always SQLite

    sink = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{args.port}", "-c", "aiosmtpd.handlers.Sink"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for_port(args.port, seconds=20, process=sink)
        with bench_site(
            database=args.database,
            var_prefix="portal-bench-fanout-",
            site_url="https://portal.example.org",
            redis=False,
            extra_env=extra_env,
        ) as site:
            from django.db import connections

            prepare_database(with_cache_table=True)
            update_id = _seed(count)
            plan_seconds, planned = _plan(update_id)
            if planned != count:
                raise RuntimeError(f"planned {planned} of {count}")
            baseline_seconds = _baseline(update_id, count, args.port)
            fanout_seconds, sent, failed = _fanout(update_id, args.chains, plain_outbox=args.plain_outbox)
            if failed or sent != count:
                raise RuntimeError(f"the fan-out sent {sent} and failed {failed} of {count}")
            _check_exactly_once(update_id, count)
            label = site.database
            connections.close_all()
    finally:
        sink.terminate()
        sink.wait(timeout=10)

    baseline_rate, fanout_rate = count / baseline_seconds, count / fanout_seconds
    ratio = fanout_rate / baseline_rate
    print_table(
        f"fanout: one update to {count} subscribers through an aiosmtpd sink, {label}",
        ["sender", "messages", "seconds", "messages/s", "vs baseline"],
        [
            (
                "plain smtplib, one connection (baseline)",
                count,
                f"{baseline_seconds:.2f}",
                f"{baseline_rate:.0f}",
                "1.00",
            ),
            (
                f"fan-out, {args.chains} chain(s), batches of {args.batch_size}"
                + (", plain outbox" if args.plain_outbox else ""),
                count,
                f"{fanout_seconds:.2f}",
                f"{fanout_rate:.0f}",
                f"{ratio:.2f}",
            ),
        ],
    )
    print(f"planning {count} rows in the publishing transaction: {plan_seconds:.2f} s")
    print(f"every subscriber exactly once: yes; goal ≥ {GOAL:.0%} of baseline: {'met' if ratio >= GOAL else 'NOT met'}")
    emit_json(
        {
            "benchmark": "fanout",
            "database": label,
            "subscribers": count,
            "batch_size": args.batch_size,
            "chains": args.chains,
            "plain_outbox": args.plain_outbox,
            "plan_seconds": round(plan_seconds, 2),
            "baseline_per_second": round(baseline_rate, 1),
            "fanout_per_second": round(fanout_rate, 1),
            "ratio": round(ratio, 3),
            "goal_met": ratio >= GOAL,
        }
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
