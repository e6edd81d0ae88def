"""The complainant's side: who may open a complaint's tracking pages, and the access-code check.

Two ways in:
- the signed-in owner (the account that filed it) needs no code;
- anyone else types the reference and the access code into the tracking form; a right pair puts
  the complaint's id in this browser's session (the "grant"), so the pages that follow need no
  code again until the session ends.

Brute force: the form is rate-limited per IP and per reference (allauth's "complaints_track"
limits, in the view), and a reference is locked for COMPLAINTS_CODE_LOCKOUT_MINUTES after
COMPLAINTS_CODE_MAX_FAILURES wrong codes in a row. An unknown reference, a wrong code and a locked
reference all get the same answer (`None`), and the keyed hash is computed in every case, so the
form tells nobody whether a reference exists.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from complaints.models import Complaint
from complaints.references import access_code_hash, access_code_matches, reference_normalize

SESSION_KEY = "complaints_tracking"  # list of complaint ids this browser opened with a code
SESSION_MAX_GRANTS = 20  # a shared computer should not collect an unbounded list
# Compared against when the reference is unknown, so both paths cost one HMAC.
_DUMMY_HASH = access_code_hash("NOT-A-REAL-CODE-EVER")


# --- The grant ---------------------------------------------------------------------------------


def _granted_ids(request: HttpRequest) -> list[int]:
    value = request.session.get(SESSION_KEY)
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, int)]


def tracking_grant(request: HttpRequest, complaint: Complaint) -> None:
    """Let this browser open `complaint` without the code again (until the session ends).

    The session key is cycled first: a right code raises the session's rights, like a sign-in,
    so a session id planted before it must not carry them.
    """
    ids = [pk for pk in _granted_ids(request) if pk != complaint.pk]
    ids.append(complaint.pk)
    request.session.cycle_key()
    request.session[SESSION_KEY] = ids[-SESSION_MAX_GRANTS:]


def tracking_forget(request: HttpRequest) -> None:
    """Close every complaint this browser opened with a code ("I am done, close it")."""
    request.session.pop(SESSION_KEY, None)


def is_owner(user: Any, complaint: Complaint) -> bool:
    return bool(user is not None and user.is_authenticated and complaint.filed_by_id == user.pk)


def complainant_may_open(request: HttpRequest, complaint: Complaint) -> bool:
    """The browser opened it with the code, or the signed-in account filed it."""
    return complaint.pk in _granted_ids(request) or is_owner(request.user, complaint)


def complaint_for_complainant(request: HttpRequest, reference: str) -> Complaint | None:
    """The complaint this request may follow, or None (unknown and not-yours look the same)."""
    normalized = reference_normalize(reference)
    complaint = Complaint.objects.select_related("district").filter(reference=normalized).first()
    if complaint is None or not complainant_may_open(request, complaint):
        return None
    return complaint


# --- The code check ----------------------------------------------------------------------------


def tracking_open(*, reference: str, code: str, now: Any = None) -> Complaint | None:
    """The complaint for this reference and access code, or None for ANY refusal (unknown
    reference, wrong code, locked reference): the caller gives one answer for all of them.

    A wrong code counts against the reference; after COMPLAINTS_CODE_MAX_FAILURES in a row the
    reference is locked for COMPLAINTS_CODE_LOCKOUT_MINUTES, during which even the right code is
    refused. A right code clears the count.
    """
    now = now or timezone.now()
    normalized = reference_normalize(reference)
    with transaction.atomic():
        complaint = Complaint.objects.select_for_update(of=("self",)).filter(reference=normalized).first()
        if complaint is None:
            # The same work as a wrong code for a real reference: one HMAC, one counting UPDATE
            # (which finds no row), so neither the answer nor its timing tells them apart.
            access_code_matches(code, _DUMMY_HASH)
            Complaint.objects.filter(reference=normalized).update(code_failures=F("code_failures") + 1)
            return None
        matches = access_code_matches(code, complaint.access_code_hash)
        if complaint.code_locked_until and complaint.code_locked_until > now:
            return None
        if matches:
            if complaint.code_failures or complaint.code_locked_until:
                Complaint.objects.filter(pk=complaint.pk).update(code_failures=0, code_locked_until=None)
                complaint.code_failures, complaint.code_locked_until = 0, None
            return complaint
        failures = complaint.code_failures + 1
        if failures >= settings.COMPLAINTS_CODE_MAX_FAILURES:
            locked_until = now + timedelta(minutes=settings.COMPLAINTS_CODE_LOCKOUT_MINUTES)
            Complaint.objects.filter(pk=complaint.pk).update(code_failures=0, code_locked_until=locked_until)
        else:
            Complaint.objects.filter(reference=normalized).update(code_failures=F("code_failures") + 1)
        return None
