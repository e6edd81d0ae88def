"""Demo complaints for `manage.py seed_demo` (registered from ComplaintsConfig.ready(), order 30).

Complaints in every state — received (one of them overdue), acknowledged, under investigation (one
past its finish date), findings issued, review requested, closed (one after an upheld review),
withdrawn, referred to another agency, informally resolved — about officers of the demo
directory, with allegations, recommended and final findings (one sustained with discipline, one
"unable to investigate"), messages both ways, timeline entries and staff access-log entries.
The demo resident (resident@example.org) filed two of them ("My complaints"); the others came
from people without an account. The demo officer (Sergeant Ana Ruiz) is named in one: as an
officer she never sees complaints at all.

How it is made: the complaint row is written directly (as intake would: reference from the year's
counter, due dates from settings), then every change goes through the workflow services
(complaints.services.workflow), so the table, the timestamps, the timeline and the notifications
are the real ones; afterwards each step's rows are moved back in time, so the demo reads like
weeks of work. The mail the services queued is marked sent, never delivered.

Tracking: one anonymous complaint gets a fresh access code on every run (only its keyed hash is
stored, so the code cannot be shown again), printed with its reference.

Idempotent: a complaint is identified by its narrative; one that exists is left alone.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from complaints.models import (
    AccessLogEntry,
    Allegation,
    AllegationCategory,
    Complaint,
    ComplaintEvent,
    ComplaintMessage,
    ComplaintOfficer,
)
from complaints.references import access_code_hash, access_code_new, reference_next
from complaints.services import workflow
from portal.models import District, OfficerProfile, OutboxMessage, User

if TYPE_CHECKING:
    from portal.demo import DemoReport

RESIDENT_EMAIL = "resident@example.org"
INVESTIGATOR_EMAIL = "investigator@example.org"
ADMIN_EMAIL = "admin@example.org"

S = Complaint.Status
F = Allegation.Finding


@dataclass(frozen=True)
class PairSpec:
    officer: str  # an officer slug from portal.demo.OFFICERS
    category: str  # an AllegationCategory slug
    recommended: str = ""
    final: str = ""
    unable_reason: str = ""
    discipline: str = ""


@dataclass(frozen=True)
class ComplaintSpec:
    narrative: str
    district: str
    days_ago: int
    steps: tuple[str, ...]  # "ack", "investigate", "findings", "close", "review", "uphold", "reopen",
    # "withdraw", "refer", "informal"
    pairs: tuple[PairSpec, ...]
    place: str = ""
    filer: str = "anonymous"  # or "resident"
    name: str = ""
    email: str = ""
    phone: str = ""
    contact: str = Complaint.Contact.EMAIL
    language: str = "en"
    channel: str = Complaint.Channel.ONLINE
    witnesses: str = ""
    assigned: str = ""  # "investigator" or "admin"
    messages: tuple[tuple[bool, str], ...] = ()  # (from the complainant, text)
    reason: str = ""  # the complainant's words for "withdraw" / "review"
    referred_to: str = ""
    public_notes: dict[str, str] = field(default_factory=dict)  # by step
    tracking: bool = False  # the one printed with a fresh access code


COMPLAINTS = [
    ComplaintSpec(
        "An officer outside the Eastside market told my son to 'get lost' and pushed his bicycle over when he "
        "asked for directions to the bus station.",
        "east",
        3,
        (),
        (PairSpec("carlos-mendez", "discourtesy"), PairSpec("carlos-mendez", "property")),
        place="Market Square, by the fruit stalls",
        name="Lucía Fernández",
        email="lucia.fernandez@example.org",
        language="es",
    ),
    ComplaintSpec(
        "I called about a break-in next door at 2 am and nobody came until the morning. When an officer "
        "came he said it was not a priority.",
        "south",
        12,  # past its acknowledge-by date: the overdue one
        (),
        (PairSpec("samuel-brooks", "failure-to-act"),),
        place="Southview apartments, building C",
        name="Harold Jenkins",
        phone="555-0134",
        contact=Complaint.Contact.PHONE,
        channel=Complaint.Channel.PHONE,
    ),
    ComplaintSpec(
        "During a traffic stop on Fifth Street the officer searched my car without asking and left my "
        "papers all over the back seat.",
        "downtown",
        8,
        ("ack",),
        (PairSpec("daniel-cho", "improper-stop-or-search"),),
        place="Fifth Street near the library",
        filer="resident",
        assigned="investigator",
        public_notes={"ack": "We have your complaint. An investigator will contact you within two weeks."},
    ),
    ComplaintSpec(
        "Two officers held my arm behind my back while they checked my ID at the bus terminal, although I "
        "was not resisting. My wrist was bruised for a week.",
        "downtown",
        34,
        ("ack", "investigate"),
        (PairSpec("grace-okafor", "use-of-force"), PairSpec("michael-oconnor", "use-of-force")),
        place="Bus terminal, platform 4",
        name="Devon Marsh",
        email="devon.marsh@example.org",
        witnesses="A bus driver saw it happen (route 12).",
        assigned="investigator",
        messages=(
            (False, "Thank you for your complaint. Could you tell us the time you arrived at the terminal?"),
            (True, "About 6:40 in the evening. I had just come off the route 12 bus."),
            (False, "Thank you. We have asked the transit authority for the platform camera recording."),
        ),
        public_notes={"investigate": "An investigator is now looking into your complaint."},
        tracking=True,
    ),
    ComplaintSpec(
        "The officer at the front desk of the North station refused to take my report because my English "
        "was not good enough, and laughed with a colleague.",
        "north",
        110,  # past its finish-by date while still under investigation
        ("ack", "investigate"),
        (PairSpec("wei-lin", "discrimination-or-bias"), PairSpec("wei-lin", "discourtesy")),
        place="North District station, front desk",
        name="Amira Haddad",
        email="amira.haddad@example.org",
        language="en",
        assigned="admin",
    ),
    ComplaintSpec(
        "At the market on Saturday an officer spoke to my daughter very sharply when she asked where the "
        "lost-and-found was.",
        "east",
        50,
        ("ack", "investigate", "findings"),
        (PairSpec("ana-ruiz", "discourtesy", recommended=F.NOT_SUSTAINED, final=F.NOT_SUSTAINED),),
        place="Eastside market",
        name="Tuan Pham",
        email="tuan.pham@example.org",
        assigned="investigator",
        public_notes={
            "findings": "We spoke to the officer and two stallholders who were there. We could not confirm what "
            "was said, so the finding is 'not sustained'."
        },
    ),
    ComplaintSpec(
        "An officer took my phone while I was filming an arrest from the pavement and gave it back with the "
        "video deleted.",
        "downtown",
        40,
        ("ack", "investigate", "findings", "review"),
        (
            PairSpec("michael-oconnor", "property", recommended=F.EXONERATED, final=F.EXONERATED),
            PairSpec("michael-oconnor", "improper-stop-or-search", recommended=F.UNFOUNDED, final=F.UNFOUNDED),
        ),
        place="Riverfront park entrance",
        filer="resident",
        assigned="investigator",
        reason="The finding says the video was never deleted, but my phone's recently-deleted folder shows it "
        "was. Please look at the screenshot I can send.",
        messages=((True, "Can I send a screenshot of the deleted-items folder?"),),
    ),
    ComplaintSpec(
        "The officer who arrested my brother used a chokehold although he was already on the ground.",
        "south",
        140,
        ("ack", "investigate", "findings", "close"),
        (
            PairSpec(
                "rosa-delgado",
                "use-of-force",
                recommended=F.SUSTAINED,
                final=F.SUSTAINED,
                discipline="Suspension without pay, 5 days; retraining in use of force.",
            ),
        ),
        place="Southview recreation centre car park",
        name="Marcus Bell",
        email="marcus.bell@example.org",
        witnesses="Two neighbours filmed part of it.",
        assigned="admin",
        public_notes={"findings": "The allegation of excessive force was sustained and the officer disciplined."},
    ),
    ComplaintSpec(
        "An officer parked across my driveway for an hour and, when I asked him to move, said he would ticket my car.",
        "north",
        45,  # the review has to be asked for within COMPLAINTS_REVIEW_DAYS of the findings
        ("ack", "investigate", "findings", "review", "uphold"),
        (PairSpec("james-whitfield", "discourtesy", recommended=F.NOT_SUSTAINED, final=F.NOT_SUSTAINED),),
        place="Birch Road",
        name="Eleanor Voss",
        email="eleanor.voss@example.org",
        assigned="investigator",
        reason="Nobody asked my neighbour, who heard everything.",
        public_notes={"uphold": "We spoke to your neighbour. The findings stand and the complaint is closed."},
    ),
    ComplaintSpec(
        "An officer in an unmarked car followed me home from work three nights in a row.",
        "east",
        60,
        ("ack", "investigate", "findings", "close"),
        (
            PairSpec(
                "thanh-tran",
                "other",
                recommended=F.UNABLE,
                final=F.UNABLE,
                unable_reason=Allegation.UnableReason.OFFICER_UNIDENTIFIED,
            ),
        ),
        place="Lincoln Avenue",
        name="Rachel Kim",
        email="rachel.kim@example.org",
        assigned="investigator",
    ),
    ComplaintSpec(
        "I want to complain about the way an officer spoke to me when I reported my stolen bicycle.",
        "downtown",
        25,
        ("ack", "withdraw"),
        (PairSpec("daniel-cho", "discourtesy"),),
        name="Peter Olsen",
        email="peter.olsen@example.org",
        reason="The officer called me to apologise and I am satisfied.",
    ),
    ComplaintSpec(
        "A sheriff's deputy, not a city officer, was rude to me at the county fairgrounds gate.",
        "south",
        30,
        ("ack", "refer"),
        (PairSpec("maria-santos", "discourtesy"),),
        place="County fairgrounds, main gate",
        name="Grace Tan",
        email="grace.tan@example.org",
        referred_to="County Sheriff's Office, Internal Affairs",
        public_notes={"refer": "The person you describe works for the County Sheriff, so we passed it to them."},
    ),
    ComplaintSpec(
        "The officer at the school crossing shouts at the children every morning.",
        "north",
        45,
        ("ack", "informal"),
        (PairSpec("leila-haddad", "discourtesy"),),
        place="Northgate primary school crossing",
        name="Sofia Russo",
        email="sofia.russo@example.org",
        channel=Complaint.Channel.IN_PERSON,
        public_notes={"informal": "The district sergeant met you and the officer; you agreed this resolves it."},
    ),
]


def register_demo() -> None:
    from portal import demo

    demo.register("complaints", seed_complaints, order=30)


def seed_complaints(*, report: DemoReport) -> None:
    """The demo complaints; see the module docstring. Runs after the portal's, events' and feedback's data."""
    people = {
        "investigator": User.objects.filter(email=INVESTIGATOR_EMAIL).first(),
        "admin": User.objects.filter(email=ADMIN_EMAIL).first(),
        "resident": User.objects.filter(email=RESIDENT_EMAIL).first(),
    }
    if people["investigator"] is None or people["admin"] is None:
        report.notes.append("Demo complaints skipped: the demo investigator or administrator account is missing.")
        return
    started = timezone.now()
    last_message = OutboxMessage.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    existing = set(
        Complaint.objects.filter(narrative__in=[spec.narrative for spec in COMPLAINTS]).values_list(
            "narrative", flat=True
        )
    )
    made = 0
    for spec in COMPLAINTS:
        if spec.narrative in existing:
            continue
        if _seed_one(spec, people=people, started=started) is not None:
            made += 1
    silenced = OutboxMessage.objects.filter(
        pk__gt=last_message, template__startswith="complaints/", status=OutboxMessage.Status.PENDING
    ).update(status=OutboxMessage.Status.SENT, sent_at=started)
    if silenced:
        report.notes.append(f"Demo complaints: {silenced} emails they queued were marked sent, not delivered.")
    report.count("complaints", made)
    _print_tracking(report)


def _print_tracking(report: DemoReport) -> None:
    spec = next(spec for spec in COMPLAINTS if spec.tracking)
    complaint = Complaint.objects.filter(narrative=spec.narrative, deidentified_at__isnull=True).first()
    if complaint is None:
        return
    code = access_code_new()
    Complaint.objects.filter(pk=complaint.pk).update(
        access_code_hash=access_code_hash(code), code_failures=0, code_locked_until=None
    )
    report.notes.append(
        f"Track a complaint at {settings.SITE_URL}{reverse('complaints:track')} with reference "
        f"{complaint.reference} and access code {code} (a new code each time seed_demo runs)."
    )


def _seed_one(spec: ComplaintSpec, *, people: dict[str, User | None], started: datetime.datetime) -> Complaint | None:
    """One complaint and its history; None if a rule refused a step (the rest of the demo goes on)."""
    received_at = started - datetime.timedelta(days=spec.days_ago, hours=3)
    local = timezone.localtime(received_at)
    filed_by = people["resident"] if spec.filer == "resident" else None
    if spec.filer == "resident" and filed_by is None:
        return None
    try:
        with transaction.atomic():
            complaint = _complaint(spec, received_at=received_at, local=local, filed_by=filed_by)
            _officers_and_allegations(spec, complaint)
            actor = people[spec.assigned or "investigator"] or people["admin"]
            if spec.assigned:
                workflow.complaint_assign(complaint_id=complaint.pk, assignee=actor, actor=people["admin"])
            steps = _plan(spec)
            gap = (started - received_at) / (len(steps) + 2)
            _backdate(complaint, when=received_at + gap / 4, started=started)
            for number, step in enumerate(steps, start=1):
                _step(step, spec, complaint=complaint, actor=actor, people=people)
                _backdate(complaint, when=received_at + gap * number, started=started)
            _messages(spec, complaint=complaint, actor=actor, received_at=received_at, started=started)
            _access_log(complaint, people=people, received_at=received_at, started=started)
    except (ValidationError, ValueError):
        return None
    return complaint


def _complaint(spec: ComplaintSpec, *, received_at: Any, local: Any, filed_by: User | None) -> Complaint:
    number, reference = reference_next(year=local.year)
    resident_name = filed_by.get_full_name() if filed_by else ""
    complaint = Complaint.objects.create(
        reference=reference,
        year=local.year,
        number=number,
        channel=spec.channel,
        filed_by=filed_by,
        complainant_name=spec.name or resident_name,
        complainant_email=spec.email or (filed_by.email if filed_by else ""),
        complainant_phone=spec.phone,
        contact_preference=spec.contact,
        consent_to_contact=spec.contact != Complaint.Contact.NONE,
        language=spec.language,
        incident_date=(local - datetime.timedelta(days=2)).date(),
        incident_time=datetime.time(18, 30),
        incident_time_is_approximate=True,
        incident_place=spec.place,
        district=District.objects.filter(slug=spec.district).first(),
        narrative=spec.narrative,
        witnesses=spec.witnesses,
        received_at=received_at,
        acknowledge_by=(local + datetime.timedelta(days=settings.COMPLAINTS_ACKNOWLEDGE_DAYS)).date(),
        finish_by=(local + datetime.timedelta(days=settings.COMPLAINTS_FINISH_DAYS)).date(),
    )
    ComplaintEvent.objects.create(
        complaint=complaint,
        kind=ComplaintEvent.Kind.FILED,
        to_status=S.RECEIVED,
        actor=filed_by,
        visible_to_complainant=True,
        created_at=received_at,
    )
    return complaint


def _officers_and_allegations(spec: ComplaintSpec, complaint: Complaint) -> None:
    involved: dict[str, ComplaintOfficer] = {}
    for pair in spec.pairs:
        if pair.officer not in involved:
            profile = OfficerProfile.objects.filter(slug=pair.officer).first()
            if profile is None:
                raise ValueError(f"demo officer {pair.officer} is missing")
            involved[pair.officer] = ComplaintOfficer.objects.create(complaint=complaint, officer=profile)
        Allegation.objects.create(
            complaint=complaint,
            officer=involved[pair.officer],
            category=AllegationCategory.objects.get(slug=pair.category),
        )


def _plan(spec: ComplaintSpec) -> list[str]:
    """Findings are recorded just before they are issued."""
    steps: list[str] = []
    for step in spec.steps:
        if step == "findings":
            steps.append("record")
        steps.append(step)
    return steps


def _step(step: str, spec: ComplaintSpec, *, complaint: Complaint, actor: User, people: dict[str, Any]) -> None:
    public = spec.public_notes.get(step, "")
    move = {
        "ack": S.ACKNOWLEDGED,
        "investigate": S.INVESTIGATING,
        "findings": S.FINDINGS_ISSUED,
        "close": S.CLOSED,
        "refer": S.REFERRED,
        "informal": S.INFORMALLY_RESOLVED,
    }
    if step in move:
        workflow.complaint_transition(
            complaint_id=complaint.pk,
            to_status=move[step],
            actor=actor,
            note="Demo: internal note for the file." if step in ("investigate", "close") else "",
            public_note=public,
            referred_to=spec.referred_to,
        )
    elif step == "record":
        for allegation in complaint.allegations.select_related("officer__officer", "category"):
            pair = next(
                p
                for p in spec.pairs
                if p.officer == allegation.officer.officer.slug and p.category == allegation.category.slug
            )
            workflow.allegation_record_finding(
                allegation_id=allegation.pk,
                actor=actor,
                recommended_finding=pair.recommended,
                unable_reason=pair.unable_reason,
            )
            workflow.allegation_record_finding(
                allegation_id=allegation.pk, actor=people["admin"], finding=pair.final, discipline=pair.discipline
            )
    elif step == "withdraw":
        workflow.complaint_withdraw(complaint_id=complaint.pk, reason=spec.reason, user=complaint.filed_by)
    elif step == "review":
        workflow.complaint_request_review(complaint_id=complaint.pk, reason=spec.reason, user=complaint.filed_by)
    elif step in ("uphold", "reopen"):
        workflow.complaint_decide_review(
            complaint_id=complaint.pk,
            actor=people["admin"],
            decision=step,
            note="Demo: read the file and the new statement.",
            public_note=public,
        )
    else:  # pragma: no cover - a typo in the specs above
        raise ValueError(step)


def _backdate(complaint: Complaint, *, when: datetime.datetime, started: datetime.datetime) -> None:
    """Move what the last step wrote (timeline entries, status timestamps) back to `when`."""
    ComplaintEvent.objects.filter(complaint=complaint, created_at__gte=started).update(created_at=when)
    Allegation.objects.filter(complaint=complaint, decided_at__gte=started).update(decided_at=when)
    for name in ("acknowledged_at", "findings_issued_at", "closed_at", "review_requested_at"):
        Complaint.objects.filter(pk=complaint.pk, **{f"{name}__gte": started}).update(**{name: when})


def _messages(
    spec: ComplaintSpec,
    *,
    complaint: Complaint,
    actor: User,
    received_at: datetime.datetime,
    started: datetime.datetime,
) -> None:
    if not spec.messages:
        return
    gap = (started - received_at) / (len(spec.messages) + 1)
    ComplaintMessage.objects.bulk_create(
        [
            ComplaintMessage(
                complaint=complaint,
                from_complainant=from_complainant,
                author=complaint.filed_by if from_complainant else actor,
                body=body,
                created_at=received_at + gap * (number + 1),
                read_at=received_at + gap * (number + 1) + datetime.timedelta(hours=5),
            )
            for number, (from_complainant, body) in enumerate(spec.messages)
        ]
    )


def _access_log(
    complaint: Complaint, *, people: dict[str, Any], received_at: datetime.datetime, started: datetime.datetime
) -> None:
    """Staff opened the file now and then (append-only rows, as the staff pages write them)."""
    readers = [people["investigator"], people["admin"], people["investigator"]]
    span = started - received_at
    AccessLogEntry.objects.bulk_create(
        [
            AccessLogEntry(
                complaint=complaint,
                actor=reader,
                action=AccessLogEntry.Action.LIST if number == 0 else AccessLogEntry.Action.VIEW,
                ip_address="127.0.0.1",
                user_agent="Demo data",
                created_at=received_at + span * (number + 1) / (len(readers) + 1),
            )
            for number, reader in enumerate(readers)
        ]
    )
