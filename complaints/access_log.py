"""The staff access log: every staff read of a complaint, its evidence, or an export is written
here (who, when, what, from where). Rows are only ever added: the model, its queryset and (on
PostgreSQL) a trigger refuse to change or delete them. Administrators read it at
/staff/complaints/access-log/; the complainant's tracking page shows `staff_view_count`.

"From where" is REMOTE_ADDR, not X-Forwarded-For: a header the client controls would let anyone
write any address into the log. A deployment behind a proxy sets REMOTE_ADDR in the proxy layer.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest

from complaints.models import AccessLogEntry, Complaint

USER_AGENT_MAX_LENGTH = AccessLogEntry._meta.get_field("user_agent").max_length
TARGET_MAX_LENGTH = AccessLogEntry._meta.get_field("target").max_length


def _client_address(request: HttpRequest) -> str | None:
    raw = (request.META.get("REMOTE_ADDR") or "").strip()
    try:
        return str(ipaddress.ip_address(raw))
    except ValueError:
        return None


def _user_agent(request: HttpRequest) -> str:
    return (request.META.get("HTTP_USER_AGENT") or "")[:USER_AGENT_MAX_LENGTH]


def _entry(*, request: HttpRequest, complaint: Complaint | int, action: str, target: str = "") -> AccessLogEntry:
    complaint_id = complaint if isinstance(complaint, int) else complaint.pk
    return AccessLogEntry(
        complaint_id=complaint_id,
        actor=request.user,
        action=AccessLogEntry.Action(action),
        target=(target or "")[:TARGET_MAX_LENGTH],
        ip_address=_client_address(request),
        user_agent=_user_agent(request),
    )


def access_log_record(*, request: HttpRequest, complaint: Complaint, action: str, target: str = "") -> AccessLogEntry:
    """Write one entry for this request's user reading `complaint` (action: view, evidence, export)."""
    entry = _entry(request=request, complaint=complaint, action=action, target=target)
    entry.save(force_insert=True)
    return entry


def access_log_record_many(*, request: HttpRequest, complaints: Iterable[Complaint | int], action: str) -> int:
    """One entry per complaint (an export), in one insert per 500 rows; returns how many."""
    entries = [_entry(request=request, complaint=complaint, action=action) for complaint in complaints]
    AccessLogEntry.objects.bulk_create(entries, batch_size=500)
    return len(entries)


def staff_view_count(*, complaint: Complaint) -> int:
    """How many times staff opened the complaint (what the complainant's tracking page shows)."""
    return AccessLogEntry.objects.filter(complaint=complaint, action=AccessLogEntry.Action.VIEW).count()


def access_log_entries(*, complaints: Any) -> Any:
    """Entries about these complaints (a queryset already scoped by complaints_visible_to)."""
    return AccessLogEntry.objects.filter(complaint__in=complaints.values("pk")).select_related("actor", "complaint")
