"""THE transition table, exhaustively: every status by every status, for each kind of actor.

Allowed pairs must succeed and forbidden ones must be refused with a code; the cases are generated
from the table and Complaint.Status, so a new status or a changed rule is covered without editing
this file.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from complaints.models import Allegation, Complaint, ComplaintEvent
from complaints.services import workflow
from complaints.services.workflow import ADMINISTRATOR, COMPLAINANT, RULES, STAFF, TRANSITIONS
from tests.complaints.factories import AllegationFactory, ComplaintFactory
from tests.factories import AdministratorFactory, InvestigatorFactory

S = Complaint.Status
ALL_PAIRS = [(frm, to) for frm in S.values for to in S.values]


def complaint_in(status: str) -> Complaint:
    """A complaint in `status` whose preconditions for every allowed move hold (a decided
    allegation, findings issued yesterday when the status comes after findings)."""
    now = timezone.now()
    after_findings = status in (S.FINDINGS_ISSUED, S.CLOSED, S.REVIEW_REQUESTED)
    complaint = ComplaintFactory(
        status=status,
        findings_issued_at=now - timedelta(days=1) if after_findings else None,
        review_requested_at=now - timedelta(hours=1) if status == S.REVIEW_REQUESTED else None,
        closed_at=now - timedelta(hours=2) if status in Complaint.FINAL_STATUSES else None,
    )
    AllegationFactory(officer__complaint=complaint, complaint=complaint, finding=Allegation.Finding.UNFOUNDED)
    return complaint


def test_it_lists_exactly_the_documented_transitions():
    assert {
        S.RECEIVED: {S.ACKNOWLEDGED, S.INVESTIGATING, S.REFERRED, S.INFORMALLY_RESOLVED, S.WITHDRAWN},
        S.ACKNOWLEDGED: {S.INVESTIGATING, S.REFERRED, S.INFORMALLY_RESOLVED, S.WITHDRAWN},
        S.INVESTIGATING: {S.FINDINGS_ISSUED, S.REFERRED, S.INFORMALLY_RESOLVED, S.WITHDRAWN},
        S.FINDINGS_ISSUED: {S.CLOSED, S.REVIEW_REQUESTED},
        S.REVIEW_REQUESTED: {S.CLOSED, S.INVESTIGATING},
        S.CLOSED: {S.REVIEW_REQUESTED},
        S.WITHDRAWN: set(),
        S.REFERRED: set(),
        S.INFORMALLY_RESOLVED: set(),
    } == TRANSITIONS


def test_it_names_an_actor_for_every_rule_and_no_final_state_leads_anywhere_but_review():
    assert all(who and who <= {STAFF, COMPLAINANT, ADMINISTRATOR} for who in RULES.values())
    for final in (S.WITHDRAWN, S.REFERRED, S.INFORMALLY_RESOLVED):
        assert TRANSITIONS[final] == set()


@pytest.mark.parametrize(("from_status", "to_status"), ALL_PAIRS)
def test_it_lets_staff_make_exactly_the_staff_transitions(db, from_status, to_status):
    complaint = complaint_in(from_status)
    investigator = InvestigatorFactory()
    allowed = STAFF in RULES.get((from_status, to_status), frozenset())
    call = {
        "complaint_id": complaint.pk,
        "to_status": to_status,
        "actor": investigator,
        "note": "Internal note.",
        "public_note": "In plain words.",
        "referred_to": "State Police Professional Standards",
    }
    if allowed:
        moved = workflow.complaint_transition(**call)
        assert moved.status == to_status
        event = ComplaintEvent.objects.get(complaint=complaint, kind=ComplaintEvent.Kind.TRANSITION)
        assert (event.from_status, event.to_status, event.actor) == (from_status, to_status, investigator)
    else:
        with pytest.raises(ValidationError) as exc:
            workflow.complaint_transition(**call)
        assert exc.value.code == "not_allowed"
        complaint.refresh_from_db()
        assert complaint.status == from_status
        assert not ComplaintEvent.objects.filter(complaint=complaint).exists()


@pytest.mark.parametrize("from_status", S.values)
def test_it_lets_the_complainant_withdraw_exactly_where_the_table_says(db, from_status):
    complaint = complaint_in(from_status)
    if COMPLAINANT in RULES.get((from_status, S.WITHDRAWN), frozenset()):
        assert workflow.complaint_withdraw(complaint_id=complaint.pk, reason="I moved away.").status == S.WITHDRAWN
    else:
        with pytest.raises(ValidationError) as exc:
            workflow.complaint_withdraw(complaint_id=complaint.pk, reason="I moved away.")
        assert exc.value.code == "not_allowed"
        complaint.refresh_from_db()
        assert complaint.status == from_status


@pytest.mark.parametrize("from_status", S.values)
def test_it_lets_the_complainant_ask_for_a_review_exactly_where_the_table_says(db, from_status):
    complaint = complaint_in(from_status)
    if from_status == S.REVIEW_REQUESTED:
        # Already under review: a second request for the same findings is refused.
        complaint.review_requested_at = complaint.findings_issued_at + timedelta(minutes=1)
        complaint.save(update_fields=["review_requested_at"])
    if COMPLAINANT in RULES.get((from_status, S.REVIEW_REQUESTED), frozenset()):
        moved = workflow.complaint_request_review(complaint_id=complaint.pk, reason="The finding ignores my video.")
        assert moved.status == S.REVIEW_REQUESTED
    else:
        with pytest.raises(ValidationError) as exc:
            workflow.complaint_request_review(complaint_id=complaint.pk, reason="The finding ignores my video.")
        assert exc.value.code == "not_allowed"
        complaint.refresh_from_db()
        assert complaint.status == from_status


@pytest.mark.parametrize("decision", sorted(workflow.REVIEW_DECISIONS))
@pytest.mark.parametrize("from_status", S.values)
def test_it_lets_an_administrator_decide_a_review_exactly_where_the_table_says(db, from_status, decision):
    complaint = complaint_in(from_status)
    target = workflow.REVIEW_DECISIONS[decision]
    call = {
        "complaint_id": complaint.pk,
        "actor": AdministratorFactory(),
        "decision": decision,
        "note": "Read the file.",
    }
    if ADMINISTRATOR in RULES.get((from_status, target), frozenset()):
        assert workflow.complaint_decide_review(**call).status == target
    else:
        with pytest.raises(ValidationError) as exc:
            workflow.complaint_decide_review(**call)
        assert exc.value.code == "no_review"
        complaint.refresh_from_db()
        assert complaint.status == from_status


@pytest.mark.parametrize("from_status", S.values)
def test_it_offers_staff_only_the_targets_the_table_allows(db, from_status):
    complaint = complaint_in(from_status)
    assert set(workflow.staff_targets(complaint)) == {
        to for to in S.values if STAFF in RULES.get((from_status, to), frozenset())
    }
