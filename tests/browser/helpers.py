"""Shared steps for the browser tests: axe, the 360 px check, reading the outbox, TOTP codes."""

from __future__ import annotations

import re
from typing import Any

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from portal.models import OutboxMessage
from portal.outbox import outbox_render

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]},
    "resultTypes": ["violations"],
}
PHONE_WIDTH = 360
_axe = Axe()


def axe_violations(page: Page) -> list[dict[str, Any]]:
    return _axe.run(page, options=AXE_OPTIONS).response["violations"]


def describe_violations(violations: list[dict[str, Any]], *, where: str) -> str:
    lines = [f"{len(violations)} axe violation(s) on {where}:"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation.get('impact')}): {violation['help']}")
        for node in violation["nodes"]:
            lines.append(f"    at {' '.join(map(str, node['target']))}: {node.get('failureSummary', '').strip()}")
            lines.append(f"       {node.get('html', '')[:200]}")
    return "\n".join(lines)


def assert_no_axe_violations(page: Page, *, where: str | None = None) -> None:
    """axe-core with the WCAG 2.0 to 2.2 A/AA and best-practice tags finds nothing on this page."""
    violations = axe_violations(page)
    assert not violations, describe_violations(violations, where=where or page.url)


def horizontal_overflow_at_phone_width(page: Page) -> int:
    """Pixels the page is wider than a 360 px phone (0 when it fits). Restores the viewport."""
    previous = page.viewport_size
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 740})
    try:
        width = page.evaluate("document.documentElement.scrollWidth")
    finally:
        if previous:
            page.set_viewport_size(previous)
    return max(0, width - PHONE_WIDTH)


def assert_fits_a_phone(page: Page) -> None:
    overflow = horizontal_overflow_at_phone_width(page)
    assert overflow == 0, f"{page.url} is {overflow}px wider than a {PHONE_WIDTH}px viewport (horizontal scrolling)"


# --- Mail --------------------------------------------------------------------------------------


def latest_mail_to(address: str) -> tuple[str, str]:
    """(subject, text) of the newest outbox message to `address`, rendered as it is sent."""
    message = OutboxMessage.objects.filter(to__iexact=address).order_by("-pk").first()
    assert message is not None, f"no message to {address} in the outbox"
    email = outbox_render(message)
    return email.subject, email.body


URL_RE = re.compile(r"https?://\S+")
# A code stands on a line of its own: "QKFC-PCTH", "A3K9ZQ".
CODE_RE = re.compile(r"^\s*([A-Z0-9]{4,}(?:-[A-Z0-9]{4,})*)\s*$", re.MULTILINE)


def link_in(text: str, *, containing: str) -> str | None:
    for url in URL_RE.findall(text):
        url = url.rstrip(".,;)>\"'")
        if containing in url:
            return url
    return None


def code_in(text: str) -> str | None:
    match = CODE_RE.search(text)
    return match.group(1) if match else None


# --- Two-factor --------------------------------------------------------------------------------


def totp_code(secret: str) -> str:
    """The current time-based code for a base32 secret, as an authenticator app shows it."""
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))
