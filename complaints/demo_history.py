"""A year of demo complaints for `manage.py seed_demo` (registered from ComplaintsConfig.ready(), order 31).

complaints/demo.py makes a dozen complaints, one in every state, through the workflow services; that
is too few for the public dashboard, which hides every count below STATISTICS_MIN_CELL. This seeder
adds HISTORY_SIZE complaints spread over the last twelve months across the demo districts and the
allegation categories: most closed with final findings (a realistic mix), some with findings
issued, the recent ones still open, a few withdrawn or informally resolved. Each has officers from
the demo directory, its allegations and its timeline "filed" entry (plus a status entry when it
moved on).

Written with bulk_create (no services, no signals, no emails): the rows are what intake and the
workflow would have left. References come from a block reserved on each year's counter under its
row lock, so later filings continue after them. Idempotent: if any history complaint exists the
seeder does nothing. Deterministic (a fixed random seed), so the demo looks the same everywhere.
"""

from __future__ import annotations

import datetime
import random

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from complaints.models import (
    Allegation,
    AllegationCategory,
    Complaint,
    ComplaintCounter,
    ComplaintEvent,
    ComplaintOfficer,
)
from complaints.references import reference_format
from complaints.statistics import statistics_bump
from portal.demo import DemoReport
from portal.models import District, OfficerProfile

HISTORY_SIZE = 400
HISTORY_MARK = "[Demo history]"  # every history narrative starts with it: how a second run finds them
SEED = 20260101

S = Complaint.Status
F = Allegation.Finding

# Weights: a few categories and districts carry most complaints, as in real data.
CATEGORY_WEIGHTS = {
    "discourtesy": 30,
    "improper-stop-or-search": 18,
    "use-of-force": 15,
    "failure-to-act": 14,
    "discrimination-or-bias": 9,
    "property": 7,
    "other": 7,
}
DISTRICT_WEIGHTS = {"downtown": 35, "east": 28, "south": 22, "north": 15}
FINDING_WEIGHTS = {
    F.NOT_SUSTAINED: 34,
    F.EXONERATED: 20,
    F.UNFOUNDED: 18,
    F.SUSTAINED: 16,
    F.POLICY_FAILURE: 6,
    F.UNABLE: 6,
}
NARRATIVES = [
    "The officer was rude to me during a traffic stop.",
    "I was searched without being told why.",
    "An officer pushed me while I was filming an arrest.",
    "I called about a break-in and nobody came for hours.",
    "My phone was taken and never returned.",
    "I was treated differently because of where I am from.",
    "The officer refused to give me his name and badge number.",
]


def register_demo() -> None:
    from portal import demo

    demo.register("complaints-history", seed_complaint_history, order=31)


def _weighted(rng: random.Random, weights: dict) -> object:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _reserve(*, year: int, count: int) -> int:
    """Reserve `count` reference numbers in `year` under the counter's row lock; return the first."""
    ComplaintCounter.objects.get_or_create(year=year)
    counter = ComplaintCounter.objects.select_for_update().get(year=year)
    first = counter.last_number + 1
    counter.last_number += count
    counter.save(update_fields=["last_number"])
    return first


@transaction.atomic
def seed_complaint_history(*, report: DemoReport) -> None:
    """HISTORY_SIZE complaints over the last year; nothing if they are already there."""
    if Complaint.objects.filter(narrative__startswith=HISTORY_MARK).exists():
        report.count("past complaints", 0)
        return
    districts = dict(District.objects.filter(slug__in=DISTRICT_WEIGHTS).values_list("slug", "pk"))
    categories = dict(AllegationCategory.objects.filter(slug__in=CATEGORY_WEIGHTS).values_list("slug", "pk"))
    officers: dict[int | None, list[int]] = {}
    for pk, district_id in OfficerProfile.objects.values_list("pk", "district_id"):
        officers.setdefault(district_id, []).append(pk)
    if not districts or not categories or not officers:
        report.notes.append("Demo complaint history skipped: the demo districts, officers or categories are missing.")
        return
    district_weights = {slug: w for slug, w in DISTRICT_WEIGHTS.items() if slug in districts}
    category_weights = {slug: w for slug, w in CATEGORY_WEIGHTS.items() if slug in categories}
    all_officers = [pk for pks in officers.values() for pk in pks]

    rng = random.Random(SEED)  # noqa: S311 - demo data, not security
    now = timezone.now()
    plans = []
    for index in range(HISTORY_SIZE):
        days_ago = rng.uniform(1, 364)
        received_at = now - datetime.timedelta(days=days_ago, hours=rng.randint(0, 10))
        district = _weighted(rng, district_weights)
        # Days to close: mostly one to three months, a few quick, a few long.
        to_close = max(3, min(int(rng.gammavariate(3.0, 18.0)), 200))
        plans.append((index, received_at, district, to_close))
    plans.sort(key=lambda plan: plan[1])

    # Reserve one block of reference numbers per year (the department's local year).
    per_year: dict[int, int] = {}
    for _index, received_at, _district, _to_close in plans:
        year = timezone.localtime(received_at).year
        per_year[year] = per_year.get(year, 0) + 1
    next_number = {year: _reserve(year=year, count=count) for year, count in sorted(per_year.items())}

    complaints: list[Complaint] = []
    details: list[tuple[str, list[tuple[int, int]], str]] = []  # officers and categories, final finding mix
    for index, received_at, district, to_close in plans:
        local = timezone.localtime(received_at)
        number = next_number[local.year]
        next_number[local.year] += 1
        acknowledged_at = received_at + datetime.timedelta(days=rng.uniform(0.5, 4))
        done_at = received_at + datetime.timedelta(days=to_close, hours=rng.randint(0, 8))
        status = S.INVESTIGATING
        findings_issued_at = closed_at = None
        roll = rng.random()
        if done_at >= now:
            status = S.ACKNOWLEDGED if (now - received_at).days < 14 else S.INVESTIGATING
        elif roll < 0.06:
            status, closed_at = S.WITHDRAWN, received_at + (done_at - received_at) / 3
        elif roll < 0.12:
            status, closed_at = S.INFORMALLY_RESOLVED, received_at + (done_at - received_at) / 2
        elif roll < 0.22:
            status, findings_issued_at = S.FINDINGS_ISSUED, done_at
        else:
            status, closed_at = S.CLOSED, done_at
            findings_issued_at = done_at - datetime.timedelta(days=min(20, to_close / 3))
        district_pk = districts[district]
        pool = officers.get(district_pk) or all_officers
        involved = rng.sample(pool, k=min(len(pool), 1 if rng.random() < 0.75 else 2))
        pairs = [(officer, categories[_weighted(rng, category_weights)]) for officer in involved]
        if rng.random() < 0.2:  # a second allegation against the first officer
            pairs.append((involved[0], categories[_weighted(rng, category_weights)]))
        pairs = list(dict.fromkeys(pairs))
        complaints.append(
            Complaint(
                reference=reference_format(year=local.year, number=number),
                year=local.year,
                number=number,
                status=status,
                channel=rng.choice([Complaint.Channel.ONLINE] * 4 + [Complaint.Channel.IN_PERSON]),
                contact_preference=Complaint.Contact.NONE,
                language=rng.choice(["en"] * 5 + ["es", "vi"]),
                incident_date=(local - datetime.timedelta(days=rng.randint(0, 6))).date(),
                incident_date_is_approximate=rng.random() < 0.2,
                district_id=district_pk,
                narrative=f"{HISTORY_MARK} {NARRATIVES[index % len(NARRATIVES)]}",
                received_at=received_at,
                acknowledge_by=(local + datetime.timedelta(days=settings.COMPLAINTS_ACKNOWLEDGE_DAYS)).date(),
                finish_by=(local + datetime.timedelta(days=settings.COMPLAINTS_FINISH_DAYS)).date(),
                acknowledged_at=acknowledged_at if acknowledged_at < now else None,
                findings_issued_at=findings_issued_at,
                closed_at=closed_at,
            )
        )
        details.append((status, pairs, ""))
    Complaint.objects.bulk_create(complaints, batch_size=200)
    by_reference = dict(
        Complaint.objects.filter(reference__in=[c.reference for c in complaints]).values_list("reference", "pk")
    )

    links = []
    for complaint, (_status, pairs, _mix) in zip(complaints, details, strict=True):
        for officer in dict.fromkeys(officer for officer, _category in pairs):
            links.append(ComplaintOfficer(complaint_id=by_reference[complaint.reference], officer_id=officer))
    ComplaintOfficer.objects.bulk_create(links, batch_size=200)
    link_pk = {
        (complaint_id, officer_id): pk
        for pk, complaint_id, officer_id in ComplaintOfficer.objects.filter(
            complaint_id__in=by_reference.values()
        ).values_list("pk", "complaint_id", "officer_id")
    }

    allegations = []
    events = []
    for complaint, (status, pairs, _mix) in zip(complaints, details, strict=True):
        complaint_pk = by_reference[complaint.reference]
        decided = status in (S.CLOSED, S.FINDINGS_ISSUED)
        for officer, category in pairs:
            finding = _weighted(rng, FINDING_WEIGHTS) if decided else ""
            allegations.append(
                Allegation(
                    complaint_id=complaint_pk,
                    officer_id=link_pk[(complaint_pk, officer)],
                    category_id=category,
                    recommended_finding=finding,
                    finding=finding,
                    unable_reason=Allegation.UnableReason.COMPLAINANT_UNAVAILABLE if finding == F.UNABLE else "",
                    discipline="Written reprimand and retraining." if finding == F.SUSTAINED else "",
                    decided_at=complaint.findings_issued_at if decided else None,
                )
            )
        events.append(
            ComplaintEvent(
                complaint_id=complaint_pk,
                kind=ComplaintEvent.Kind.FILED,
                to_status=S.RECEIVED,
                visible_to_complainant=True,
                created_at=complaint.received_at,
            )
        )
        if status != S.RECEIVED:
            when = complaint.closed_at or complaint.findings_issued_at or complaint.acknowledged_at or now
            events.append(
                ComplaintEvent(
                    complaint_id=complaint_pk,
                    kind=ComplaintEvent.Kind.TRANSITION,
                    from_status=S.RECEIVED,
                    to_status=status,
                    visible_to_complainant=True,
                    created_at=when,
                )
            )
    Allegation.objects.bulk_create(allegations, batch_size=500)
    ComplaintEvent.objects.bulk_create(events, batch_size=500)
    # bulk_create sends no signal: make the dashboard's cached figures stale by hand.
    transaction.on_commit(statistics_bump)
    report.count("past complaints", len(complaints))
    report.count("past allegations", len(allegations))
