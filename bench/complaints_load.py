"""Complaints under load: filing (the intake's final submit) and following one (the tracking page),
side by side with a bare Django view on the same gunicorn.

Seeds (bulk inserts only, through bench.seed.bulk_insert) a directory and 100k complaints over the
last two years in every state, each with an officer, an allegation, two timeline entries and (every
other one) a message, plus a few access-log entries; one complaint (the one tracked) gets a longer
history and issued findings. Then serves the bench settings (production settings plus a bare view at
/bench/bare/, without the complaint forms' rate limits: see bench/complaints_settings.py) with
gunicorn (2 sync workers) on 127.0.0.1:8190 and measures, in interleaved rounds from client threads:

- GET  /bench/bare/                     the baseline
- GET  /complaints/track/               the tracking form (a plain template page, for scale)
- GET  /complaints/track/<reference>/   the status page, with a session that opened it with the code
- POST /complaints/track/               reference + access code → the status page (lock + HMAC)
- POST /complaints/new/check/           filing: one finished draft per request (its cookie), through
                                        complaint_file (reference counter, complaint, allegations,
                                        timeline, outbox row) → the confirmation page

    DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/0 \
        .venv/bin/python bench/complaints_load.py          # full size, in a database "bench_complaints"
    .venv/bin/python bench/complaints_load.py --smoke      # 1k complaints; SQLite; well under 30 s
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import os
import random
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, Site, bench_site, emit_json, prepare_database, print_table, wait_for_port
from bench.page_load import (
    PAGE_HEADERS,
    PageResult,
    add_load_arguments,
    load_plan,
    page_rows,
    pages_json,
    port_in_use,
    report_failures,
    report_goal,
)
from bench.seed import analyze, bulk_insert, seed_directory

BARE = "/bench/bare/"
TRACK = "/complaints/track/"
CHECK = "/complaints/new/check/"
DATABASE_NAME = "bench_complaints"
# The tracking page is personal (never cached): a plain template page, which serves about a tenth
# of a bare view's requests per second (shared/DESIGN.md, "Fast").
GOAL_SHARE_OF_BARE = 0.10
STATUSES = [
    "received", "acknowledged", "investigating", "investigating", "findings_issued",
    "closed", "closed", "withdrawn", "referred", "informally_resolved",
]  # fmt: skip
NARRATIVE = (
    "I was stopped on my way home from work. The officer would not say why, searched my bag and "
    "spoke to me rudely in front of my neighbours."
)
CSRF_SECRET = "b" * 32  # the cookie and the form field carry the same (unmasked) secret


# --- Seeding -----------------------------------------------------------------------------------


def seed_complaints(*, complaints: int) -> dict[str, int]:
    """Complaints in every state with officers, allegations, timeline, messages (bulk only)."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from complaints.models import (
        AccessLogEntry,
        Allegation,
        AllegationCategory,
        Complaint,
        ComplaintCounter,
        ComplaintEvent,
        ComplaintMessage,
        ComplaintOfficer,
    )
    from complaints.references import access_code_hash, reference_format
    from portal.models import District, OfficerProfile, User

    rng = random.Random(5)
    now = timezone.now().replace(microsecond=0)
    year = timezone.localtime(now).year
    category_ids = list(AllegationCategory.objects.order_by("pk").values_list("pk", flat=True))
    district_ids = list(District.objects.order_by("pk").values_list("pk", flat=True))
    officer_ids = list(OfficerProfile.objects.order_by("pk").values_list("pk", flat=True))
    with transaction.atomic():
        bulk_insert(
            User,
            [
                {
                    "email": f"investigator{n}@example.org",
                    "password": make_password(None),
                    "first_name": "Investigator",
                    "last_name": str(n),
                    "is_active": True,
                    "date_joined": now,
                    "language": "en",
                }
                for n in range(5)
            ],
        )
        staff_ids = list(User.objects.filter(email__startswith="investigator").values_list("pk", flat=True))
        code_hash = access_code_hash("BENCH-CODE")  # one HMAC: the other rows are never opened
        rows = []
        for n in range(complaints):
            received = now - timedelta(minutes=rng.randrange(2 * 365 * 24 * 60))
            status = STATUSES[n % len(STATUSES)]
            final = status in ("closed", "withdrawn", "referred", "informally_resolved")
            findings = status in ("findings_issued", "closed")
            rows.append(
                {
                    "reference": reference_format(year=year, number=n + 1),
                    "year": year,
                    "number": n + 1,
                    "status": status,
                    "channel": "online",
                    "access_code_hash": code_hash,
                    "complainant_name": "Resident",
                    "complainant_email": f"resident{n}@example.org",
                    "contact_preference": "email",
                    "consent_to_contact": True,
                    "language": "es" if n % 5 == 0 else "en",
                    "incident_date": (received - timedelta(days=2)).date(),
                    "incident_place": "Main Street and 5th Avenue",
                    "district_id": district_ids[n % len(district_ids)],
                    "narrative": NARRATIVE,
                    "assigned_to_id": staff_ids[n % len(staff_ids)] if status != "received" else None,
                    "received_at": received,
                    "acknowledge_by": (received + timedelta(days=5)).date(),
                    "finish_by": (received + timedelta(days=90)).date(),
                    "acknowledged_at": received + timedelta(days=2) if status != "received" else None,
                    "findings_issued_at": received + timedelta(days=60) if findings else None,
                    "closed_at": received + timedelta(days=70) if final else None,
                    "updated_at": now,
                }
            )
        bulk_insert(Complaint, rows)
        ComplaintCounter.objects.update_or_create(year=year, defaults={"last_number": complaints})
        ids = list(Complaint.objects.order_by("number").values_list("pk", "received_at", "status"))
        bulk_insert(
            ComplaintOfficer,
            [
                {"complaint_id": pk, "officer_id": officer_ids[index % len(officer_ids)], "described_name": ""}
                for index, (pk, _received, _status) in enumerate(ids)
            ],
        )
        involved = dict(ComplaintOfficer.objects.values_list("complaint_id", "pk"))
        bulk_insert(
            Allegation,
            [
                {
                    "complaint_id": pk,
                    "officer_id": involved[pk],
                    "category_id": category_ids[index % len(category_ids)],
                    "finding": "not_sustained" if status in ("findings_issued", "closed") else "",
                }
                for index, (pk, _received, status) in enumerate(ids)
            ],
        )
        events = []
        for pk, received, status in ids:
            events.append(
                {
                    "complaint_id": pk,
                    "kind": "filed",
                    "to_status": "received",
                    "note": "We received your complaint through the online form.",
                    "visible_to_complainant": True,
                    "created_at": received,
                }
            )
            events.append(
                {
                    "complaint_id": pk,
                    "kind": "transition",
                    "from_status": "received",
                    "to_status": status,
                    "note": "",
                    "visible_to_complainant": True,
                    "created_at": received + timedelta(days=2),
                }
            )
        bulk_insert(ComplaintEvent, events)
        bulk_insert(
            ComplaintMessage,
            [
                {
                    "complaint_id": pk,
                    "from_complainant": False,
                    "body": "Thank you. Could you tell us the time of day once more?",
                    "created_at": received + timedelta(days=3),
                }
                for index, (pk, received, _status) in enumerate(ids)
                if index % 2 == 0
            ],
        )
        bulk_insert(
            AccessLogEntry,
            [
                {
                    "complaint_id": pk,
                    "actor_id": staff_ids[index % len(staff_ids)],
                    "action": "view",
                    "ip_address": "127.0.0.1",
                    "created_at": received + timedelta(days=4),
                }
                for index, (pk, received, _status) in enumerate(ids)
                if index % 3 == 0
            ],
        )
    analyze(postgresql_only=True)
    return {"complaints": complaints, "timeline": len(events)}


def tracked_complaint() -> tuple[str, str]:
    """The complaint the tracking page shows: findings issued, a longer history; (reference, code)."""
    from django.utils import timezone

    from complaints.models import Complaint, ComplaintEvent, ComplaintMessage
    from complaints.references import access_code_hash, access_code_new

    complaint = Complaint.objects.filter(status="findings_issued").order_by("number").last()
    code = access_code_new()
    Complaint.objects.filter(pk=complaint.pk).update(
        access_code_hash=access_code_hash(code), findings_issued_at=timezone.now() - timedelta(days=1)
    )
    for n in range(8):
        ComplaintEvent.objects.create(
            complaint=complaint, kind="note", note=f"Update {n}: we spoke to a witness.", visible_to_complainant=True
        )
        ComplaintMessage.objects.create(complaint=complaint, from_complainant=n % 2 == 0, body=f"Message {n}.")
    return complaint.reference, code


def granted_session(*, complaint_reference: str) -> str:
    """A session that opened the complaint with its code (as the tracking form leaves it)."""
    from django.contrib.sessions.backends.db import SessionStore

    from complaints.models import Complaint
    from complaints.tracking import SESSION_KEY

    session = SessionStore()
    session[SESSION_KEY] = [Complaint.objects.get(reference=complaint_reference).pk]
    session.create()
    return session.session_key


def finished_drafts(*, count: int) -> list[str]:
    """`count` drafts with every step answered, as the intake form leaves them; their cookie keys."""
    from django.utils import timezone

    from complaints import drafts
    from complaints.models import AllegationCategory

    categories = [str(pk) for pk in AllegationCategory.objects.order_by("pk").values_list("pk", flat=True)[:2]]
    answers = {
        "about-you": {"filer": "self"},
        "when": {"incident_date": (timezone.localdate() - timedelta(days=2)).isoformat(), "incident_time": "21:15"},
        "where": {"incident_place": "Main Street and 5th Avenue", "district": ""},
        "what-happened": {"narrative": NARRATIVE},
        "officers": {"officers": []},
        "allegations": {"categories": categories},
        "witnesses": {"witnesses": ""},
        "evidence": {},
        "contact": {
            "complainant_name": "Resident",
            "complainant_email": "resident@example.org",
            "complainant_phone": "",
            "contact_preference": "email",
            "language": "en",
            "consent_to_contact": "on",
        },
    }
    keys = []
    for _ in range(count):
        draft, key = drafts.draft_start(user=None, entered_by=None, channel="online")
        for step, values in answers.items():
            drafts.draft_save_step(draft_id=draft.pk, step=step, answers=values)
        keys.append(key)
    return keys


# --- Load --------------------------------------------------------------------------------------


Request = Callable[[int], tuple[str, str, dict[str, str], str]]  # ticket → method, path, headers, body


@contextmanager
def gunicorn(site: Site, *, port: int, workers: int) -> Iterator[None]:
    log = Path(site.var_dir) / "gunicorn.log"
    with log.open("w") as log_file:
        server = subprocess.Popen(
            [
                *(sys.executable, "-m", "gunicorn", "portal.wsgi:application"),
                *("--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--log-level", "warning"),
            ],
            cwd=ROOT,
            env=os.environ.copy(),
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for_port(port, seconds=30, process=server)
            yield
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    if log.stat().st_size:
        print(log.read_text()[-3000:], file=sys.stderr)


def load(
    port: int,
    result: PageResult,
    request: Request,
    *,
    tickets: Iterator[int],
    requests: int,
    concurrency: int,
    ok: Callable[[int, dict[str, str], bytes], bool],
    record: bool = True,
) -> None:
    """`requests` requests (built per ticket by `request`) from `concurrency` threads."""
    lock = threading.Lock()
    sent = itertools.count()

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            while next(sent) < requests:
                with lock:
                    ticket = next(tickets)
                method, path, headers, body = request(ticket)
                started = time.perf_counter()
                connection.request(method, path, body=body or None, headers=headers)
                response = connection.getresponse()
                content = response.read()
                elapsed = time.perf_counter() - started
                good = ok(response.status, dict(response.getheaders()), content)
                if response.will_close:
                    connection.close()
                if not record:
                    continue
                with lock:
                    result.latencies.append(elapsed)
                    if not good:
                        result.errors += 1
                        result.first_error = result.first_error or f"{response.status}: {content[:200]!r}"
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
    parser.add_argument("--complaints", type=int, help="complaints seeded (default 100000; 1000 with --smoke)")
    parser.add_argument("--filings", type=int, help="filings sent (default 1000; 20 with --smoke)")
    add_load_arguments(parser, smoke_requests=30, port=8190, ports="8190-8199")
    args = parser.parse_args(argv)
    plan = load_plan(args, smoke_requests=30)
    complaints = args.complaints or (1_000 if args.smoke else 100_000)
    filings = args.filings or (20 if args.smoke else 1_000)
    if port_in_use("complaints_load", plan.port):
        return 2

    with bench_site(
        database=DATABASE_NAME,
        var_prefix="portal-bench-complaints-",
        site_url=f"http://127.0.0.1:{plan.port}",
        settings_module="bench.complaints_settings",
    ) as site:
        from django.db import connections

        started = time.perf_counter()
        prepare_database(with_cache_table=not site.redis_url)  # no collectstatic: see complaints_settings
        seed_directory(districts=12, officers=40 if args.smoke else 400)
        seeded = seed_complaints(complaints=complaints)
        reference, code = tracked_complaint()
        session_key = granted_session(complaint_reference=reference)
        warm_up = plan.concurrency if args.smoke else max(20, plan.concurrency * 4)
        draft_keys = finished_drafts(count=filings + warm_up)
        connections.close_all()
        seed_seconds = time.perf_counter() - started
        print(f"complaints_load: {site.database}, cache {site.cache}; seeded {seeded} in {seed_seconds:.1f} s")

        from django.conf import settings

        status_path = f"{TRACK}{reference}/"
        session_cookie = f"{settings.SESSION_COOKIE_NAME}={session_key}"
        form_headers = {"Content-Type": "application/x-www-form-urlencoded"}
        track_body = urlencode({"reference": reference, "code": code, "csrfmiddlewaretoken": CSRF_SECRET})

        def bare(_ticket: int) -> tuple[str, str, dict[str, str], str]:
            return "GET", BARE, {}, ""

        def status_page(_ticket: int) -> tuple[str, str, dict[str, str], str]:
            return "GET", status_path, {"Cookie": session_cookie}, ""

        def track_post(_ticket: int) -> tuple[str, str, dict[str, str], str]:
            return "POST", TRACK, {**form_headers, "Cookie": f"csrftoken={CSRF_SECRET}"}, track_body

        def file_post(ticket: int) -> tuple[str, str, dict[str, str], str]:
            cookie = f"csrftoken={CSRF_SECRET}; complaint_draft={draft_keys[ticket]}"
            return "POST", CHECK, {**form_headers, "Cookie": cookie}, urlencode({"csrfmiddlewaretoken": CSRF_SECRET})

        def answered(text: bytes) -> Callable[[int, dict[str, str], bytes], bool]:
            return lambda status, _headers, body: status == 200 and text in body

        def redirected(to: str) -> Callable[[int, dict[str, str], bytes], bool]:
            return lambda status, headers, _body: status == 302 and to in headers.get("Location", "")

        def track_form(_ticket: int) -> tuple[str, str, dict[str, str], str]:
            return "GET", TRACK, {}, ""

        cases = {
            BARE: (bare, answered(b"bare view ok")),
            TRACK: (track_form, answered(b'name="code"')),
            status_path: (status_page, answered(b'id="timeline-heading"')),
            f"POST {TRACK}": (track_post, redirected(status_path)),
        }
        results = {name: PageResult(name) for name in [*cases, f"POST {CHECK}"]}
        filed_ok = redirected("/complaints/new/done/")
        draft_tickets = itertools.count()

        def run(name: str, request: Request, ok: Callable, *, requests: int, record: bool = True) -> None:
            tickets = draft_tickets if request is file_post else itertools.count()
            load(plan.port, results[name], request, tickets=tickets, requests=requests, concurrency=plan.concurrency, ok=ok, record=record)  # fmt: skip  # noqa: E501

        with gunicorn(site, port=plan.port, workers=plan.workers):
            for name, (request, ok) in cases.items():  # warm-up: imports, connections, templates
                run(name, request, ok, requests=warm_up, record=False)
            run(f"POST {CHECK}", file_post, filed_ok, requests=warm_up, record=False)
            per_round = max(1, plan.requests // plan.rounds)
            filings_per_round = max(1, filings // plan.rounds)
            for _ in range(plan.rounds):  # interleaved, so drift hits every request alike
                for name, (request, ok) in cases.items():
                    run(name, request, ok, requests=per_round)
                run(f"POST {CHECK}", file_post, filed_ok, requests=filings_per_round)

        from complaints.models import Complaint

        filed = Complaint.objects.filter(channel="online", number__gt=complaints).count()

    labels = {
        BARE: f"GET {BARE} (baseline)",
        TRACK: f"GET {TRACK} (the form: a plain page)",
        status_path: f"GET {status_path} (tracking page)",
        f"POST {TRACK}": f"POST {TRACK} (reference + code)",
        f"POST {CHECK}": f"POST {CHECK} (filing)",
    }
    print_table(
        f"complaints_load: {plan.describe()}, {seeded['complaints']} complaints, {site.database}",
        ["request", *PAGE_HEADERS, "vs bare", "errors"],
        page_rows(results, baseline=BARE, labels=labels),
    )
    print(f"\nfilings stored: {filed} of {results[f'POST {CHECK}'].requests + warm_up} sent")
    share = report_goal(results, page=status_path, baseline=BARE, goal=GOAL_SHARE_OF_BARE)
    emit_json(
        {
            "benchmark": "complaints_load",
            "database": site.database,
            "cache": site.cache,
            "concurrency": plan.concurrency,
            "workers": plan.workers,
            "seeded": seeded,
            "seed_seconds": round(seed_seconds, 1),
            "baseline": BARE,
            "tracking_page": status_path,
            "tracking_share_of_bare": round(share, 3),
            "filings_per_second": round(results[f"POST {CHECK}"].per_second, 1),
            "filings_stored": filed,
            "pages": pages_json(results),
        }
    )
    return report_failures("complaints_load", results)


if __name__ == "__main__":
    sys.exit(main())
