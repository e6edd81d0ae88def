"""The investigation's workflow: THE transition table, assignment, allegations and findings,
withdrawal and review.

States: received → acknowledged → investigating → findings_issued → closed; also withdrawn,
referred (to another agency, named in `referred_to`) and informally_resolved, which end a complaint
early. After findings, the complainant may ask for a review within COMPLAINTS_REVIEW_DAYS
(review_requested); an administrator decides it: "uphold" closes the complaint for good (the
findings stand and nothing is left to do), "reopen" sends it back to investigating (new findings
must then be issued again). The review window counts from the findings, so closing a complaint
straight after issuing findings does not take the complainant's right away: a closed complaint
whose findings are still within the window may still be sent for review.

Every change locks the complaint row only (`select_for_update(of=("self",))`: PostgreSQL refuses
FOR UPDATE on the nullable side of an outer join), writes a timeline entry (who, when, the
internal note; the status change itself and the plain-words note are visible to the complainant)
and tells the complainant through complaints.notifications (which respects "don't email me" and
never carries the complaint's content). Rules are broken by raising ValidationError with a code.

Who may act: staff transitions need `can_work_complaint` (the conflict-of-interest rule: a staff
member named in a complaint is told it does not exist, code "not_found"); withdrawal and review
requests come from the complainant (the tracking views check the access grant first); review
decisions need `can_decide_review` (administrators).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.models import Allegation, AllegationCategory, Complaint, ComplaintEvent, ComplaintOfficer
from complaints.permissions import (
    can_decide_review,
    can_record_final_finding,
    can_see_complaint,
    can_work_complaint,
    is_complaint_staff,
)

S = Complaint.Status
F = Allegation.Finding

# Who makes a transition.
STAFF = "staff"  # an investigator or administrator, through complaint_transition
COMPLAINANT = "complainant"  # through complaint_withdraw / complaint_request_review
ADMINISTRATOR = "administrator"  # deciding a review, through complaint_decide_review

# THE table: (from, to) → who may make that change. Everything not listed is refused.
RULES: dict[tuple[str, str], frozenset[str]] = {
    (S.RECEIVED, S.ACKNOWLEDGED): frozenset({STAFF}),
    # Starting the investigation at once acknowledges the complaint too (acknowledged_at is set).
    (S.RECEIVED, S.INVESTIGATING): frozenset({STAFF}),
    (S.RECEIVED, S.REFERRED): frozenset({STAFF}),
    (S.RECEIVED, S.INFORMALLY_RESOLVED): frozenset({STAFF}),
    # Staff may record a withdrawal the complainant made by phone or letter (a note is required).
    (S.RECEIVED, S.WITHDRAWN): frozenset({STAFF, COMPLAINANT}),
    (S.ACKNOWLEDGED, S.INVESTIGATING): frozenset({STAFF}),
    (S.ACKNOWLEDGED, S.REFERRED): frozenset({STAFF}),
    (S.ACKNOWLEDGED, S.INFORMALLY_RESOLVED): frozenset({STAFF}),
    (S.ACKNOWLEDGED, S.WITHDRAWN): frozenset({STAFF, COMPLAINANT}),
    (S.INVESTIGATING, S.FINDINGS_ISSUED): frozenset({STAFF}),
    (S.INVESTIGATING, S.REFERRED): frozenset({STAFF}),
    (S.INVESTIGATING, S.INFORMALLY_RESOLVED): frozenset({STAFF}),
    (S.INVESTIGATING, S.WITHDRAWN): frozenset({STAFF, COMPLAINANT}),
    (S.FINDINGS_ISSUED, S.CLOSED): frozenset({STAFF}),
    (S.FINDINGS_ISSUED, S.REVIEW_REQUESTED): frozenset({COMPLAINANT}),
    # Closed after findings, still within the review window (checked by complaint_request_review).
    (S.CLOSED, S.REVIEW_REQUESTED): frozenset({COMPLAINANT}),
    (S.REVIEW_REQUESTED, S.CLOSED): frozenset({ADMINISTRATOR}),  # uphold
    (S.REVIEW_REQUESTED, S.INVESTIGATING): frozenset({ADMINISTRATOR}),  # reopen
}

TRANSITIONS: dict[str, set[str]] = {status: set() for status in S.values}
for (_from, _to), _who in RULES.items():
    TRANSITIONS[_from].add(_to)

REVIEW_DECISIONS = {"uphold": S.CLOSED, "reopen": S.INVESTIGATING}

# Allegations may be added and findings recorded only while the investigation is running.
FINDINGS_EDITABLE = frozenset({S.RECEIVED, S.ACKNOWLEDGED, S.INVESTIGATING})

# Which notification each target sends (complaints.notifications kinds).
_NOTIFY_KIND = {S.FINDINGS_ISSUED: "findings", S.REVIEW_REQUESTED: "review"}


def transition_allowed(*, from_status: str, to_status: str, by: str) -> bool:
    return by in RULES.get((from_status, to_status), frozenset())


def staff_targets(complaint: Complaint) -> list[str]:
    """The statuses staff may move this complaint to (for the transition form), in table order."""
    return [to for (frm, to), who in RULES.items() if frm == complaint.status and STAFF in who]


def complaint_may_withdraw(complaint: Complaint) -> bool:
    """Whether the complainant may still withdraw (before findings are issued)."""
    return complaint.deidentified_at is None and transition_allowed(
        from_status=complaint.status, to_status=S.WITHDRAWN, by=COMPLAINANT
    )


def review_deadline(complaint: Complaint) -> datetime | None:
    """The last moment the complainant may ask for a review of the current findings, if any."""
    if complaint.findings_issued_at is None:
        return None
    return complaint.findings_issued_at + timedelta(days=settings.COMPLAINTS_REVIEW_DAYS)


def complaint_may_request_review(complaint: Complaint, *, now: datetime | None = None) -> bool:
    """Findings issued (the complaint may be closed since), within the window, not yet reviewed."""
    now = now or timezone.now()
    deadline = review_deadline(complaint)
    if complaint.deidentified_at is not None or deadline is None or now > deadline:
        return False
    if not transition_allowed(from_status=complaint.status, to_status=S.REVIEW_REQUESTED, by=COMPLAINANT):
        return False
    # One review per set of findings: a reopened complaint's new findings may be reviewed again.
    return complaint.review_requested_at is None or complaint.review_requested_at < complaint.findings_issued_at


# --- Internals ---------------------------------------------------------------------------------


def _locked(complaint_id: int) -> Complaint:
    try:
        return Complaint.objects.select_for_update(of=("self",)).get(pk=complaint_id)
    except Complaint.DoesNotExist:
        raise ValidationError(_("This complaint does not exist."), code="not_found") from None


def _locked_for_staff(complaint_id: int, actor: Any) -> Complaint:
    complaint = _locked(complaint_id)
    # A staff member named in the complaint learns nothing: the same answer as a missing one.
    if not can_see_complaint(actor, complaint):
        raise ValidationError(_("This complaint does not exist."), code="not_found")
    if complaint.deidentified_at is not None:
        raise ValidationError(_("This complaint was de-identified and can no longer be changed."), code="deidentified")
    if not can_work_complaint(actor, complaint):  # pragma: no cover - the two checks above cover it today
        raise ValidationError(_("You may not work on this complaint."), code="forbidden")
    return complaint


NOTE_MAX_LENGTH = 5000


def _check_notes(*notes: str) -> None:
    if any(len(note or "") > NOTE_MAX_LENGTH for note in notes):
        raise ValidationError(
            _("Please keep notes under %(limit)s characters.") % {"limit": f"{NOTE_MAX_LENGTH:,}"},
            code="note_too_long",
        )


def _user_or_none(user: Any) -> Any:
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def _timeline(
    *,
    complaint: Complaint,
    kind: str,
    actor: Any,
    now: datetime,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    public_note: str = "",
    visible: bool = True,
) -> ComplaintEvent:
    """The visible entry (carrying the plain-words note) and, when there is one, the internal note
    as an entry of its own, so the complainant never sees what staff wrote for each other."""
    actor = _user_or_none(actor)
    event = ComplaintEvent.objects.create(
        complaint=complaint,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        note=public_note.strip() if visible else note.strip(),
        visible_to_complainant=visible,
        created_at=now,
    )
    if visible and note.strip():
        ComplaintEvent.objects.create(
            complaint=complaint,
            kind=ComplaintEvent.Kind.NOTE,
            from_status=from_status,
            to_status=to_status,
            actor=actor,
            note=note.strip(),
            visible_to_complainant=False,
            created_at=now,
        )
    return event


def _notify(*, complaint: Complaint, kind: str, event: ComplaintEvent) -> None:
    from complaints.notifications import notify_complainant

    notify_complainant(complaint=complaint, kind=kind, dedupe=f"event-{event.pk}")


def _move(
    *,
    complaint: Complaint,
    to_status: str,
    actor: Any,
    now: datetime,
    kind: str = ComplaintEvent.Kind.TRANSITION,
    note: str = "",
    public_note: str = "",
    notify_kind: str | None = None,
    extra_fields: tuple[str, ...] = (),
) -> Complaint:
    """Set the status and its timestamps, write the timeline, tell the complainant."""
    from_status = complaint.status
    complaint.status = to_status
    fields = ["status", "updated_at", *extra_fields]
    if to_status in (S.ACKNOWLEDGED, S.INVESTIGATING) and complaint.acknowledged_at is None:
        complaint.acknowledged_at = now
        fields.append("acknowledged_at")
    if to_status == S.FINDINGS_ISSUED:
        complaint.findings_issued_at = now
        fields.append("findings_issued_at")
    if to_status in Complaint.FINAL_STATUSES:
        complaint.closed_at = now
        fields.append("closed_at")
    elif complaint.closed_at is not None:  # sent back to work (a review request or a reopening)
        complaint.closed_at = None
        fields.append("closed_at")
    complaint.save(update_fields=sorted(set(fields)))
    event = _timeline(
        complaint=complaint,
        kind=kind,
        actor=actor,
        now=now,
        from_status=from_status,
        to_status=to_status,
        note=note,
        public_note=public_note,
    )
    _notify(complaint=complaint, kind=notify_kind or _NOTIFY_KIND.get(to_status, "status"), event=event)
    return complaint


def _mark_undecided_withdrawn(*, complaint: Complaint, now: datetime) -> None:
    """A withdrawn complaint's undecided pairs end as "unable to investigate: withdrawn"."""
    Allegation.objects.filter(complaint=complaint, finding="").update(
        finding=F.UNABLE, unable_reason=Allegation.UnableReason.WITHDRAWN, discipline="", decided_at=now
    )


# --- Staff transitions -------------------------------------------------------------------------


@transaction.atomic
def complaint_transition(
    *,
    complaint_id: int,
    to_status: str,
    actor: Any,
    note: str = "",
    public_note: str = "",
    referred_to: str = "",
) -> Complaint:
    """Move a complaint to `to_status` as staff (see RULES; review decisions have their own service)."""
    complaint = _locked_for_staff(complaint_id, actor)
    if to_status not in S.values:
        raise ValidationError(_("Choose a status from the list."), code="invalid_status")
    if not transition_allowed(from_status=complaint.status, to_status=to_status, by=STAFF):
        raise ValidationError(
            _("A complaint that is “%(current)s” cannot be moved to “%(target)s”.")
            % {"current": S(complaint.status).label, "target": S(to_status).label},
            code="not_allowed",
        )
    _check_notes(note, public_note)
    now = timezone.now()
    extra: tuple[str, ...] = ()
    if to_status == S.REFERRED:
        referred_to = (referred_to or "").strip()
        if not referred_to:
            raise ValidationError(_("Say which agency the complaint is referred to."), code="referred_to_required")
        if len(referred_to) > Complaint._meta.get_field("referred_to").max_length:
            raise ValidationError(_("The agency's name is too long."), code="referred_to_too_long")
        complaint.referred_to = referred_to
        extra = ("referred_to",)
    if to_status == S.WITHDRAWN:
        if not note.strip():
            raise ValidationError(
                _("Write down how and why the complainant withdrew the complaint."), code="note_required"
            )
        _mark_undecided_withdrawn(complaint=complaint, now=now)
    if to_status == S.FINDINGS_ISSUED:
        allegations = Allegation.objects.filter(complaint=complaint)
        if not allegations.exists():
            raise ValidationError(_("Add at least one allegation before issuing findings."), code="no_allegations")
        # A final finding on every pair; "unable to investigate" only with its reason.
        if allegations.filter(Q(finding="") | Q(finding=F.UNABLE, unable_reason="")).exists():
            raise ValidationError(
                _("Every officer and allegation needs a final finding before findings can be issued."),
                code="findings_incomplete",
            )
    return _move(
        complaint=complaint,
        to_status=to_status,
        actor=actor,
        now=now,
        note=note,
        public_note=public_note,
        extra_fields=extra,
    )


@transaction.atomic
def complaint_assign(*, complaint_id: int, assignee: Any, actor: Any) -> Complaint:
    """Give the complaint to an investigator or administrator (None: nobody). Internal: the
    complainant is not told who investigates."""
    complaint = _locked_for_staff(complaint_id, actor)
    if not complaint.is_open:
        raise ValidationError(_("A finished complaint cannot be assigned."), code="not_open")
    if assignee is not None:
        if not getattr(assignee, "is_active", False) or not is_complaint_staff(assignee):
            raise ValidationError(
                _("Complaints can only be assigned to an investigator or an administrator."), code="not_staff"
            )
        if not can_see_complaint(assignee, complaint):
            raise ValidationError(
                _("Nobody may investigate a complaint that names them. Choose someone else."), code="conflict"
            )
    new_id = assignee.pk if assignee is not None else None
    if complaint.assigned_to_id == new_id:
        return complaint
    complaint.assigned_to = assignee
    complaint.save(update_fields=["assigned_to", "updated_at"])
    who = assignee.get_full_name() or assignee.email if assignee is not None else _("nobody")
    _timeline(
        complaint=complaint,
        kind=ComplaintEvent.Kind.ASSIGNMENT,
        actor=actor,
        now=timezone.now(),
        note=_("Assigned to %(name)s.") % {"name": who},
        visible=False,
    )
    return complaint


# --- Allegations and findings ------------------------------------------------------------------


@transaction.atomic
def allegation_add(*, complaint_id: int, officer_id: int, category_id: int, actor: Any) -> Allegation:
    """A new officer-allegation pair. `officer_id` is the ComplaintOfficer (an officer involved in
    this complaint), `category_id` an AllegationCategory."""
    complaint = _locked_for_staff(complaint_id, actor)
    if complaint.status not in FINDINGS_EDITABLE:
        raise ValidationError(
            _("Allegations can only be added while the complaint is being investigated."), code="findings_locked"
        )
    officer = ComplaintOfficer.objects.filter(pk=officer_id, complaint=complaint).first()
    if officer is None:
        raise ValidationError(_("Choose one of the officers involved in this complaint."), code="unknown_officer")
    category = AllegationCategory.objects.filter(pk=category_id).first()
    if category is None:
        raise ValidationError(_("Choose an allegation category from the list."), code="unknown_category")
    try:
        with transaction.atomic():
            allegation = Allegation.objects.create(complaint=complaint, officer=officer, category=category)
    except IntegrityError:
        raise ValidationError(_("This officer already has an allegation in this category."), code="duplicate") from None
    _timeline(
        complaint=complaint,
        kind=ComplaintEvent.Kind.NOTE,
        actor=actor,
        now=timezone.now(),
        note=_("Allegation added: %(officer)s, %(category)s.") % {"officer": officer, "category": category},
        visible=False,
    )
    return allegation


@transaction.atomic
def allegation_record_finding(
    *,
    allegation_id: int,
    actor: Any,
    recommended_finding: str | None = None,
    finding: str | None = None,
    unable_reason: str | None = None,
    discipline: str | None = None,
) -> Allegation:
    """Record the investigator's recommended finding and/or the final one (kept apart).

    None leaves a value as it is; "" clears it. "Unable to investigate" needs a reason;
    discipline may only be noted with a final "sustained" (it is cleared when the final finding
    changes to anything else).
    """
    complaint_id = Allegation.objects.filter(pk=allegation_id).values_list("complaint_id", flat=True).first()
    if complaint_id is None:
        raise ValidationError(_("This allegation does not exist."), code="not_found")
    complaint = _locked_for_staff(complaint_id, actor)
    if complaint.status not in FINDINGS_EDITABLE:
        raise ValidationError(
            _("Findings can only be changed while the complaint is being investigated."), code="findings_locked"
        )
    allegation = Allegation.objects.select_related("officer", "category").get(pk=allegation_id)
    for value in (recommended_finding, finding):
        if value not in (None, "") and value not in F.values:
            raise ValidationError(_("Choose a finding from the list."), code="invalid_finding")
    if finding is not None and finding != allegation.finding and not can_record_final_finding(actor, complaint):
        raise ValidationError(_("You may not record the final finding."), code="forbidden")

    if recommended_finding is not None:
        allegation.recommended_finding = recommended_finding
    if finding is not None:
        allegation.finding = finding
    if unable_reason is not None:
        allegation.unable_reason = unable_reason
    if discipline is not None:
        allegation.discipline = discipline.strip()

    unable = F.UNABLE in (allegation.recommended_finding, allegation.finding)
    if unable:
        if allegation.unable_reason not in Allegation.UnableReason.values:
            raise ValidationError(_("Say why the allegation could not be investigated."), code="unable_reason_required")
    elif allegation.unable_reason:
        if unable_reason:  # given explicitly for a finding that takes none
            raise ValidationError(
                _("A reason is only given with “Unable to investigate”."), code="unable_reason_not_allowed"
            )
        allegation.unable_reason = ""
    if allegation.discipline and allegation.finding != F.SUSTAINED:
        if discipline:  # given explicitly without a sustained finding
            raise ValidationError(
                _("Discipline can only be noted with a final finding of “Sustained”."),
                code="discipline_without_sustained",
            )
        allegation.discipline = ""
    if len(allegation.discipline) > Allegation._meta.get_field("discipline").max_length:
        raise ValidationError(_("The discipline note is too long."), code="discipline_too_long")

    now = timezone.now()
    allegation.decided_by = _user_or_none(actor)
    allegation.decided_at = now
    allegation.save(
        update_fields=["recommended_finding", "finding", "unable_reason", "discipline", "decided_by", "decided_at"]
    )
    labels = dict(F.choices)
    _timeline(
        complaint=complaint,
        kind=ComplaintEvent.Kind.FINDINGS,
        actor=actor,
        now=now,
        note=_("%(officer)s, %(category)s: recommended “%(recommended)s”, final “%(final)s”.")
        % {
            "officer": allegation.officer,
            "category": allegation.category,
            "recommended": labels.get(allegation.recommended_finding, "—"),
            "final": labels.get(allegation.finding, "—"),
        },
        visible=False,
    )
    return allegation


# --- The complainant ---------------------------------------------------------------------------


@transaction.atomic
def complaint_withdraw(*, complaint_id: int, reason: str, user: Any = None) -> Complaint:
    """The complainant withdraws the complaint, with a reason (the tracking view checked the grant)."""
    complaint = _locked(complaint_id)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Tell us why you are withdrawing the complaint."), code="reason_required")
    if len(reason) > 2000:
        raise ValidationError(_("Please keep the reason under 2,000 characters."), code="reason_too_long")
    if not complaint_may_withdraw(complaint):
        raise ValidationError(
            _("This complaint can no longer be withdrawn: findings were issued or it is closed."),
            code="not_allowed",
        )
    now = timezone.now()
    _mark_undecided_withdrawn(complaint=complaint, now=now)
    # The reason is the complainant's own words: shown back to them on their timeline.
    return _move(complaint=complaint, to_status=S.WITHDRAWN, actor=user, now=now, public_note=reason)


@transaction.atomic
def complaint_request_review(*, complaint_id: int, reason: str, user: Any = None) -> Complaint:
    """The complainant asks for a review of the findings, with reasons, within the review window."""
    complaint = _locked(complaint_id)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Tell us why you want the findings reviewed."), code="reason_required")
    if len(reason) > 5000:
        raise ValidationError(_("Please keep your reasons under 5,000 characters."), code="reason_too_long")
    now = timezone.now()
    if not complaint_may_request_review(complaint, now=now):
        deadline = review_deadline(complaint)
        if complaint.status in (S.FINDINGS_ISSUED, S.CLOSED) and deadline is not None and now > deadline:
            raise ValidationError(
                _("The time to ask for a review of these findings has passed."), code="review_window_closed"
            )
        raise ValidationError(_("A review cannot be asked for on this complaint now."), code="not_allowed")
    complaint.review_requested_at = now
    return _move(
        complaint=complaint,
        to_status=S.REVIEW_REQUESTED,
        actor=user,
        now=now,
        kind=ComplaintEvent.Kind.REVIEW_REQUESTED,
        public_note=reason,
        notify_kind="review",
        extra_fields=("review_requested_at",),
    )


@transaction.atomic
def complaint_decide_review(
    *, complaint_id: int, actor: Any, decision: str, note: str, public_note: str = ""
) -> Complaint:
    """An administrator decides a review: "uphold" (the findings stand; closed) or "reopen"
    (back to investigating). `note` is internal and required; `public_note` is what the
    complainant reads."""
    complaint = _locked_for_staff(complaint_id, actor)
    if not can_decide_review(actor, complaint):
        raise ValidationError(_("Only an administrator can decide a review."), code="forbidden")
    if decision not in REVIEW_DECISIONS:
        raise ValidationError(_("Choose to uphold the findings or to reopen the complaint."), code="invalid_decision")
    if complaint.status != S.REVIEW_REQUESTED:
        raise ValidationError(_("No review was asked for on this complaint."), code="no_review")
    if not (note or "").strip():
        raise ValidationError(_("Write down the reasons for the decision."), code="note_required")
    _check_notes(note, public_note)
    now = timezone.now()
    extra: tuple[str, ...] = ()
    if decision == "reopen":
        # A reopened investigation gets a fresh finish date, or it would be overdue the day it reopens.
        fresh = timezone.localdate(now) + timedelta(days=settings.COMPLAINTS_FINISH_DAYS)
        if complaint.finish_by < fresh:
            complaint.finish_by = fresh
            extra = ("finish_by",)
    return _move(
        complaint=complaint,
        to_status=REVIEW_DECISIONS[decision],
        actor=actor,
        now=now,
        kind=ComplaintEvent.Kind.REVIEW_DECIDED,
        note=note,
        public_note=public_note,
        notify_kind="review",
        extra_fields=extra,
    )
