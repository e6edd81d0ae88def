"""HTTP checks for .ci/smoke-production, standard library only (urllib + http.cookiejar).

    smoke.py up                      GET / and /healthz: 200, database ok, broker ok
    smoke.py signup EMAIL            sign up over HTTP: the answer is a redirect, never a 500
    smoke.py mail EMAIL [--verify]   the verification mail reaches the sink within the deadline;
                                     --verify then confirms the address over HTTP
    smoke.py outage EMAIL            with Redis stopped: /healthz 200 with the broker down, a sign-up
                                     still redirects, and its mail waits in the outbox as a row

Environment: SMOKE_URL (http://127.0.0.1:8123), SMOKE_MAIL_DIR (the sink's folder), and the
portal's own settings (DATABASE_URL ...) for `manage.py shell`. Exits non-zero on the first failure.
"""

# ruff: noqa: T201, S105, S108, S310, S603

from __future__ import annotations

import argparse
import datetime
import email
import email.policy
import http.cookiejar
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

BASE_URL = os.environ.get("SMOKE_URL", "http://127.0.0.1:8123").rstrip("/")
MAIL_DIR = Path(os.environ.get("SMOKE_MAIL_DIR", "/tmp/smoke-mail"))
ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "smoke-test-passphrase-42"
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CONFIRM_LINK = re.compile(r"https?://\S+/accounts/confirm-email/[^\s/]+/")


class SmokeFailure(Exception):
    pass


def step(text: str) -> None:
    print(f"smoke: {text}", flush=True)


def check(condition: bool, text: str) -> None:
    if not condition:
        raise SmokeFailure(text)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # the caller wants to see the 302 itself


class Browser:
    """One person: a cookie jar, no automatic redirects."""

    def __init__(self) -> None:
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirects()
        )

    def request(self, path: str, data: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
        url = path if path.startswith("http") else BASE_URL + path
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        request = urllib.request.Request(url, data=body, headers={"Referer": url, "User-Agent": "smoke"})
        started = time.monotonic()
        try:
            with self.opener.open(request, timeout=30) as response:
                status, headers, text = response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as exc:
            status, headers, text = exc.code, dict(exc.headers), exc.read().decode(errors="replace")
        step(f"{'POST' if data is not None else 'GET'} {path} -> {status} ({time.monotonic() - started:.2f} s)")
        return status, headers, text

    def form_post(self, path: str, fields: dict[str, str]) -> tuple[int, dict[str, str], str]:
        status, _headers, page = self.request(path)
        check(status == 200, f"GET {path} answered {status}")
        token = CSRF_FIELD.search(page)
        check(token is not None, f"no CSRF token in {path}")
        return self.request(path, {"csrfmiddlewaretoken": token.group(1), **fields})


def health() -> dict[str, str]:
    status, _headers, text = Browser().request("/healthz")
    check(status == 200, f"/healthz answered {status}: {text[:300]}")
    state = json.loads(text)
    step(f"/healthz says {state}")
    return state


def sign_up(address: str) -> None:
    status, headers, text = Browser().form_post(
        "/accounts/signup/", {"email": address, "password1": PASSWORD, "password2": PASSWORD}
    )
    check(status == 302, f"sign-up answered {status} instead of a redirect: {text[:500]}")
    check("/accounts/confirm-email/" in headers.get("Location", ""), f"sign-up redirected to {headers.get('Location')}")


def find_mail(address: str, deadline: float) -> email.message.EmailMessage:
    """The newest message to `address` in the sink, waiting up to `deadline` seconds."""
    started = time.monotonic()
    while True:
        for path in sorted(MAIL_DIR.glob("*.eml")):
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if address in str(message["To"]):
                step(f"mail to {address} arrived after {time.monotonic() - started:.1f} s: {message['Subject']!r}")
                return message
        if time.monotonic() - started > deadline:
            raise SmokeFailure(f"no mail to {address} in {MAIL_DIR} within {deadline:.0f} s")
        time.sleep(0.5)  # polling the sink's folder; the deadline above is the assertion


def verify(message: email.message.EmailMessage) -> None:
    text = message.get_body(preferencelist=("plain",)).get_content()
    link = CONFIRM_LINK.search(text)
    check(link is not None, f"no confirmation link in the mail:\n{text}")
    path = urllib.parse.urlsplit(link.group(0)).path
    status, headers, _text = Browser().form_post(path, {})
    check(status == 302, f"confirming the address answered {status}")
    step(f"address confirmed over HTTP, redirected to {headers.get('Location')}")


COMPLAINT_REFERENCE = re.compile(r'id="complaint-reference">(CP-\d{4}-\d{5,})<')
COMPLAINT_CODE = re.compile(r'id="complaint-code">([A-Z0-9-]+)<')
CATEGORY_VALUE = re.compile(r'<input[^>]*name="categories"[^>]*value="(\d+)"')
NARRATIVE = "Smoke test: the officer shouted at me outside the library."


def file_complaint(address: str) -> str:
    """File a complaint anonymously through every step of the form; returns its reference."""
    browser = Browser()
    status, headers, _text = browser.form_post("/complaints/new/", {})
    check(status == 302, f"starting a complaint answered {status}")
    day = (datetime.date.today() - datetime.timedelta(days=2)).isoformat()
    steps: list[tuple[str, dict[str, Any] | None]] = [
        ("about-you", {"filer": "self"}),
        ("when", {"incident_date": day}),
        ("where", {"incident_place": "Main Street and 5th Avenue", "district": ""}),
        ("what-happened", {"narrative": NARRATIVE}),
        ("officers", {"action": "continue"}),
        ("allegations", None),  # the first category offered on the page
        ("witnesses", {"witnesses": ""}),
        ("evidence", {"action": "continue"}),
        (
            "contact",
            {
                "complainant_name": "Smoke Test",
                "complainant_email": address,
                "contact_preference": "email",
                "language": "en",
                "consent_to_contact": "on",
            },
        ),
    ]
    for slug, fields in steps:
        path = f"/complaints/new/{slug}/"
        status, _headers, page = browser.request(path)
        check(status == 200, f"GET {path} answered {status}")
        token = CSRF_FIELD.search(page)
        check(token is not None, f"no CSRF token in {path}")
        if fields is None:
            categories = CATEGORY_VALUE.findall(page)
            check(bool(categories), f"no allegation category offered on {path}")
            fields = {"categories": categories[:1]}
        status, headers, text = browser.request(path, {"csrfmiddlewaretoken": token.group(1), **fields})
        check(status == 302, f"POST {path} answered {status}: {text[:500]}")
    status, headers, text = browser.form_post("/complaints/new/check/", {})
    check(status == 302, f"sending the complaint answered {status}: {text[:500]}")
    status, _headers, page = browser.request(headers.get("Location", "/complaints/new/done/"))
    reference, code = COMPLAINT_REFERENCE.search(page), COMPLAINT_CODE.search(page)
    check(status == 200 and reference is not None and code is not None, "no reference and code on the done page")
    step(f"complaint {reference.group(1)} filed; the access code was shown once")
    return reference.group(1)


def outbox_statuses(address: str) -> list[str]:
    code = (
        "import os\n"
        "from portal.models import OutboxMessage\n"
        "print(','.join(OutboxMessage.objects.filter(to=os.environ['SMOKE_EMAIL']).values_list('status', flat=True)))\n"
    )
    completed = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env={**os.environ, "SMOKE_EMAIL": address, "LOG_LEVEL": "ERROR"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    check(completed.returncode == 0, f"manage.py shell failed:\n{completed.stderr}")
    lines = completed.stdout.strip().splitlines()
    return [s for s in (lines[-1] if lines else "").split(",") if s]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["up", "signup", "mail", "outage", "complaint-outage", "complaint-mail"])
    parser.add_argument("email", nargs="?")
    parser.add_argument("--deadline", type=float, default=30)
    parser.add_argument("--verify", action="store_true")
    args = parser.parse_args()
    try:
        if args.command == "up":
            status, _headers, page = Browser().request("/")
            check(status == 200, f"/ answered {status}")
            check("<html" in page, "/ is not an HTML page")
            state = health()
            check(state.get("database") == "ok" and state.get("broker") == "ok", f"/healthz: {state}")
        elif args.command == "signup":
            sign_up(args.email)
        elif args.command == "mail":
            message = find_mail(args.email, args.deadline)
            if args.verify:
                verify(message)
        elif args.command == "outage":
            state = health()
            check(state.get("database") == "ok", f"/healthz: {state}")
            check(state.get("broker") == "down", f"/healthz should report the broker down: {state}")
            sign_up(args.email)
            statuses = outbox_statuses(args.email)
            step(f"outbox rows for {args.email}: {statuses}")
            check(statuses == ["pending"], f"expected one pending outbox row, found {statuses}")
        elif args.command == "complaint-outage":
            check(health().get("broker") == "down", "the broker should be down")
            file_complaint(args.email)
            statuses = outbox_statuses(args.email)
            step(f"outbox rows for {args.email}: {statuses}")
            check(statuses == ["pending"], f"expected one pending outbox row, found {statuses}")
        elif args.command == "complaint-mail":
            message = find_mail(args.email, args.deadline)
            body = message.get_body(preferencelist=("plain",)).get_content()
            check(NARRATIVE not in body, "the complaint's narrative is in the email")
    except SmokeFailure as exc:
        print(f"smoke: FAILED: {exc}", file=sys.stderr, flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
