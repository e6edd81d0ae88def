"""The daily deadline digest for investigators and administrators.

One email a day per active investigator or administrator (with an address) who has something to
look at: counts (acknowledgements and finishes overdue, due soon, not yet assigned, assigned to
them, reviews waiting for an administrator) and the references of the complaints behind the
overdue and due-soon figures, each with the date it was due and a link into the staff pages.
Never a complainant's name, contact, narrative or anything else they wrote: a reference, a status
and a date are all a digest carries, whoever reads the mailbox.

Each reader's figures leave out the complaints that name them (the conflict-of-interest rule holds
in mail too). Deduplicated per person per day through the outbox's dedupe key, so a retried task
or a second beat on the same day sends nothing twice. A person with nothing to report gets no mail.

Queries: a fixed handful whatever the number of staff and complaints (the open complaints' deadline
columns, who each names, the staff and their roles), then figures in memory.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode

from complaints import deadlines
from complaints.models import Complaint, ComplaintOfficer
from portal.models import User
from portal.outbox import outbox_enqueue
from portal.roles import Role

S = Complaint.Status
LANGUAGES = {code for code, _name in settings.LANGUAGES}
MAX_REFERENCES = 25  # per list in one email; the rest are counted ("and 12 more")


@dataclass(frozen=True)
class _Row:
    pk: int
    reference: str
    status: str
    acknowledge_by: date
    finish_by: date
    assigned_to_id: int | None


@dataclass
class DigestFigures:
    acknowledge_overdue: int = 0
    finish_overdue: int = 0
    due_soon: int = 0
    unassigned: int = 0
    assigned_to_me: int = 0
    reviews_waiting: int = 0
    # (reference, what is due: "acknowledge" | "finish", the date), most overdue first
    overdue: list[tuple[str, str, date]] = field(default_factory=list)
    soon: list[tuple[str, str, date]] = field(default_factory=list)

    @property
    def anything(self) -> bool:
        return bool(
            self.acknowledge_overdue or self.finish_overdue or self.due_soon or self.assigned_to_me
            or self.reviews_waiting or self.unassigned
        )  # fmt: skip


def _due(row: _Row, *, today: date, until: date) -> tuple[str, str, date] | None:
    """(state, what, date) of the row's next deadline: overdue, due soon, or None."""
    candidates = []
    if row.status in deadlines.AWAITING_ACKNOWLEDGEMENT:
        candidates.append(("acknowledge", row.acknowledge_by))
    if row.status in deadlines.AWAITING_FINDINGS:
        candidates.append(("finish", row.finish_by))
    for what, due in candidates:
        if due < today:
            return deadlines.OVERDUE, what, due
    for what, due in candidates:
        if today <= due <= until:
            return deadlines.DUE_SOON, what, due
    return None


def digest_figures(
    *, user_id: int, is_admin: bool, rows: list[_Row], named: dict[int, set[int]], today: date
) -> DigestFigures:
    until = today + timedelta(days=settings.COMPLAINTS_DUE_SOON_DAYS)
    figures = DigestFigures()
    for row in rows:
        if user_id in named.get(row.pk, ()):
            continue  # a complaint that names this reader does not exist for them
        if row.assigned_to_id is None and row.status in deadlines.AWAITING_FINDINGS:
            figures.unassigned += 1
        if row.assigned_to_id == user_id:
            figures.assigned_to_me += 1
        if is_admin and row.status == S.REVIEW_REQUESTED:
            figures.reviews_waiting += 1
        due = _due(row, today=today, until=until)
        if due is None:
            continue
        state, what, when = due
        if state == deadlines.OVERDUE:
            if what == "acknowledge":
                figures.acknowledge_overdue += 1
            else:
                figures.finish_overdue += 1
            figures.overdue.append((row.reference, what, when))
        else:
            figures.due_soon += 1
            figures.soon.append((row.reference, what, when))
    figures.overdue.sort(key=lambda item: (item[2], item[0]))
    figures.soon.sort(key=lambda item: (item[2], item[0]))
    return figures


def _staff() -> list[tuple[User, bool]]:
    """Active investigators and administrators with an address, and whether each administers."""
    roles = [Role.INVESTIGATOR.value, Role.ADMINISTRATOR.value]
    memberships = defaultdict(set)
    for user_id, group in User.groups.through.objects.filter(group__name__in=roles, user__is_active=True).values_list(
        "user_id", "group__name"
    ):
        memberships[user_id].add(group)
    users = User.objects.filter(pk__in=memberships).exclude(email="").order_by("pk")
    return [(user, Role.ADMINISTRATOR.value in memberships[user.pk]) for user in users]


def _links(language: str) -> dict[str, str]:
    with translation.override(language):
        queue = reverse("complaints:staff-queue")
        detail = reverse("complaints:staff-detail", kwargs={"reference": "REFERENCE"})
    return {
        "queue_url": f"{settings.SITE_URL}{queue}",
        "overdue_url": f"{settings.SITE_URL}{queue}?{urlencode({'deadline': deadlines.OVERDUE})}",
        "due_soon_url": f"{settings.SITE_URL}{queue}?{urlencode({'deadline': deadlines.DUE_SOON})}",
        "detail_pattern": f"{settings.SITE_URL}{detail}",
    }


def _listed(items: list[tuple[str, str, date]], pattern: str) -> list[dict[str, Any]]:
    return [
        {"reference": reference, "what": what, "due": due, "url": pattern.replace("REFERENCE", reference)}
        for reference, what, due in items[:MAX_REFERENCES]
    ]


def deadline_digest_queue(*, now: datetime | None = None) -> int:
    """Queue today's digest for every investigator and administrator with something to report;
    returns how many were queued (0 for the people who already have today's)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    rows = [
        _Row(*values)
        for values in Complaint.objects.filter(status__in=Complaint.OPEN_STATUSES, deidentified_at__isnull=True)
        .order_by("pk")
        .values_list("pk", "reference", "status", "acknowledge_by", "finish_by", "assigned_to_id")
    ]
    named: dict[int, set[int]] = defaultdict(set)
    for complaint_id, user_id in ComplaintOfficer.objects.filter(
        complaint__status__in=Complaint.OPEN_STATUSES, officer__user__isnull=False
    ).values_list("complaint_id", "officer__user_id"):
        named[complaint_id].add(user_id)

    queued = 0
    for user, is_admin in _staff():
        figures = digest_figures(user_id=user.pk, is_admin=is_admin, rows=rows, named=named, today=today)
        if not figures.anything:
            continue
        language = user.language if user.language in LANGUAGES else settings.LANGUAGE_CODE
        links = _links(language)
        message = outbox_enqueue(
            dedupe_key=f"complaints.digest:{user.pk}:{today.isoformat()}",
            to=user.email,
            template="complaints/email/deadline_digest",
            language=language,
            context={
                "today": today,
                "acknowledge_overdue": figures.acknowledge_overdue,
                "finish_overdue": figures.finish_overdue,
                "overdue_total": figures.acknowledge_overdue + figures.finish_overdue,
                "due_soon": figures.due_soon,
                "due_soon_days": settings.COMPLAINTS_DUE_SOON_DAYS,
                "unassigned": figures.unassigned,
                "assigned_to_me": figures.assigned_to_me,
                "reviews_waiting": figures.reviews_waiting,
                "is_admin": is_admin,
                "overdue": _listed(figures.overdue, links["detail_pattern"]),
                "overdue_more": max(0, len(figures.overdue) - MAX_REFERENCES),
                "soon": _listed(figures.soon, links["detail_pattern"]),
                "soon_more": max(0, len(figures.soon) - MAX_REFERENCES),
                "queue_url": links["queue_url"],
                "overdue_url": links["overdue_url"],
                "due_soon_url": links["due_soon_url"],
            },
        )
        queued += message is not None
    return queued
