"""The workflow services beyond the table: timestamps, notes, notifications, assignment, findings,
withdrawal and review."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from complaints.models import Allegation, Complaint, ComplaintEvent
from complaints.services import workflow
from portal.models import OutboxMessage
from tests.complaints.factories import AllegationFactory, ComplaintFactory, ComplaintOfficerFactory, category
from tests.factories import (
    AdministratorFactory,
    InvestigatorFactory,
    OfficerFactory,
    OfficerProfileFactory,
    ResidentFactory,
)

S = Complaint.Status
F = Allegation.Finding

pytestmark = pytest.mark.django_db


def decided(complaint: Complaint, finding: str = F.SUSTAINED) -> Allegation:
    return AllegationFactory(officer__complaint=complaint, complaint=complaint, finding=finding)


def mails(complaint: Complaint) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(to=complaint.complainant_email).order_by("pk"))


# --- Transitions -------------------------------------------------------------------------------


def test_it_stamps_who_when_and_keeps_the_internal_note_apart_from_the_plain_words():
    complaint = ComplaintFactory()
    investigator = InvestigatorFactory()
    workflow.complaint_transition(
        complaint_id=complaint.pk,
        to_status=S.ACKNOWLEDGED,
        actor=investigator,
        note="Caller sounded distressed; call back Monday.",
        public_note="We have your complaint and will be in touch within a week.",
    )
    complaint.refresh_from_db()
    assert complaint.acknowledged_at is not None
    visible = ComplaintEvent.objects.get(complaint=complaint, visible_to_complainant=True)
    internal = ComplaintEvent.objects.get(complaint=complaint, visible_to_complainant=False)
    assert visible.kind == ComplaintEvent.Kind.TRANSITION
    assert visible.note == "We have your complaint and will be in touch within a week."
    assert (visible.from_status, visible.to_status, visible.actor) == (S.RECEIVED, S.ACKNOWLEDGED, investigator)
    assert internal.note == "Caller sounded distressed; call back Monday."
    assert internal.actor == investigator


def test_it_tells_the_complainant_without_the_notes():
    complaint = ComplaintFactory()
    workflow.complaint_transition(
        complaint_id=complaint.pk, to_status=S.ACKNOWLEDGED, actor=InvestigatorFactory(), note="Secret internal words"
    )
    [mail] = mails(complaint)
    assert mail.template == "complaints/email/status"
    assert "Secret internal words" not in str(mail.context)


def test_it_sends_no_mail_to_a_complainant_who_said_do_not_email_me():
    complaint = ComplaintFactory(contact_preference=Complaint.Contact.NONE)
    workflow.complaint_transition(complaint_id=complaint.pk, to_status=S.ACKNOWLEDGED, actor=InvestigatorFactory())
    assert OutboxMessage.objects.count() == 0


def test_it_acknowledges_a_complaint_whose_investigation_starts_at_once():
    complaint = ComplaintFactory()
    workflow.complaint_transition(complaint_id=complaint.pk, to_status=S.INVESTIGATING, actor=InvestigatorFactory())
    complaint.refresh_from_db()
    assert complaint.acknowledged_at is not None


def test_it_stamps_findings_and_closing_and_sends_the_findings_mail():
    complaint = ComplaintFactory(status=S.INVESTIGATING)
    decided(complaint)
    investigator = InvestigatorFactory()
    workflow.complaint_transition(complaint_id=complaint.pk, to_status=S.FINDINGS_ISSUED, actor=investigator)
    workflow.complaint_transition(complaint_id=complaint.pk, to_status=S.CLOSED, actor=investigator)
    complaint.refresh_from_db()
    assert complaint.findings_issued_at is not None
    assert complaint.closed_at is not None
    assert [mail.template for mail in mails(complaint)] == ["complaints/email/findings", "complaints/email/status"]


@pytest.mark.parametrize("final", [S.REFERRED, S.INFORMALLY_RESOLVED, S.WITHDRAWN])
def test_it_stamps_closed_at_for_every_final_state(final):
    complaint = ComplaintFactory(status=S.ACKNOWLEDGED)
    workflow.complaint_transition(
        complaint_id=complaint.pk, to_status=final, actor=InvestigatorFactory(), note="n", referred_to="County DA"
    )
    complaint.refresh_from_db()
    assert complaint.closed_at is not None


def test_it_requires_the_agency_a_complaint_is_referred_to():
    complaint = ComplaintFactory()
    with pytest.raises(ValidationError) as exc:
        workflow.complaint_transition(
            complaint_id=complaint.pk, to_status=S.REFERRED, actor=InvestigatorFactory(), referred_to="  "
        )
    assert exc.value.code == "referred_to_required"
    workflow.complaint_transition(
        complaint_id=complaint.pk, to_status=S.REFERRED, actor=InvestigatorFactory(), referred_to="Sheriff's Office"
    )
    complaint.refresh_from_db()
    assert complaint.referred_to == "Sheriff's Office"


def test_it_refuses_to_issue_findings_while_a_pair_lacks_a_final_finding():
    complaint = ComplaintFactory(status=S.INVESTIGATING)
    decided(complaint)
    AllegationFactory(officer__complaint=complaint, complaint=complaint, recommended_finding=F.SUSTAINED, finding="")
    with pytest.raises(ValidationError) as exc:
        workflow.complaint_transition(
            complaint_id=complaint.pk, to_status=S.FINDINGS_ISSUED, actor=InvestigatorFactory()
        )
    assert exc.value.code == "findings_incomplete"
    complaint.refresh_from_db()
    assert complaint.status == S.INVESTIGATING


def test_it_refuses_to_issue_findings_without_any_allegation():
    complaint = ComplaintFactory(status=S.INVESTIGATING)
    with pytest.raises(ValidationError) as exc:
        workflow.complaint_transition(
            complaint_id=complaint.pk, to_status=S.FINDINGS_ISSUED, actor=InvestigatorFactory()
        )
    assert exc.value.code == "no_allegations"


def test_it_refuses_an_unknown_status():
    complaint = ComplaintFactory()
    with pytest.raises(ValidationError) as exc:
        workflow.complaint_transition(complaint_id=complaint.pk, to_status="archived", actor=InvestigatorFactory())
    assert exc.value.code == "invalid_status"


def test_it_requires_a_note_when_staff_record_a_withdrawal():
    complaint = ComplaintFactory()
    with pytest.raises(ValidationError) as exc:
        workflow.complaint_transition(complaint_id=complaint.pk, to_status=S.WITHDRAWN, actor=InvestigatorFactory())
    assert exc.value.code == "note_required"


def test_it_answers_a_staff_member_named_in_the_complaint_as_if_it_did_not_exist():
    investigator = InvestigatorFactory()
    complaint = ComplaintFactory.naming(OfficerProfileFactory(user=investigator))
    with pytest.raises(ValidationError) as named:
        workflow.complaint_transition(complaint_id=complaint.pk, to_status=S.ACKNOWLEDGED, actor=investigator)
    with pytest.raises(ValidationError) as missing:
        workflow.complaint_transition(complaint_id=complaint.pk + 999, to_status=S.ACKNOWLEDGED, actor=investigator)
    assert named.value.code == missing.value.code == "not_found"
    assert named.value.messages == missing.value.messages


@pytest.mark.parametrize("make_actor", [OfficerFactory, ResidentFactory])
def test_it_refuses_anyone_but_investigators_and_administrators(make_actor):
    complaint = ComplaintFactory()
    with pytest.raises(ValidationError) as exc:
        workflow.complaint_transition(complaint_id=complaint.pk, to_status=S.ACKNOWLEDGED, actor=make_actor())
    assert exc.value.code == "not_found"


def test_it_refuses_to_change_a_de_identified_complaint():
    complaint = ComplaintFactory(status=S.CLOSED, closed_at=timezone.now(), deidentified_at=timezone.now())
    with pytest.raises(ValidationError) as exc:
        workflow.complaint_transition(
            complaint_id=complaint.pk, to_status=S.REVIEW_REQUESTED, actor=InvestigatorFactory()
        )
    assert exc.value.code == "deidentified"


# --- Assignment --------------------------------------------------------------------------------


def test_it_assigns_an_investigator_with_an_internal_timeline_entry():
    complaint = ComplaintFactory()
    investigator = InvestigatorFactory()
    workflow.complaint_assign(complaint_id=complaint.pk, assignee=investigator, actor=AdministratorFactory())
    complaint.refresh_from_db()
    assert complaint.assigned_to == investigator
    event = ComplaintEvent.objects.get(complaint=complaint)
    assert event.kind == ComplaintEvent.Kind.ASSIGNMENT
    assert not event.visible_to_complainant
    assert OutboxMessage.objects.count() == 0


def test_it_unassigns_with_none():
    investigator = InvestigatorFactory()
    complaint = ComplaintFactory(assigned_to=investigator)
    workflow.complaint_assign(complaint_id=complaint.pk, assignee=None, actor=investigator)
    complaint.refresh_from_db()
    assert complaint.assigned_to is None


def test_it_refuses_to_assign_someone_the_complaint_names():
    named = InvestigatorFactory()
    complaint = ComplaintFactory.naming(OfficerProfileFactory(user=named))
    with pytest.raises(ValidationError) as exc:
        workflow.complaint_assign(complaint_id=complaint.pk, assignee=named, actor=AdministratorFactory())
    assert exc.value.code == "conflict"


@pytest.mark.parametrize("make_assignee", [OfficerFactory, ResidentFactory])
def test_it_refuses_to_assign_anyone_but_investigators_and_administrators(make_assignee):
    complaint = ComplaintFactory()
    with pytest.raises(ValidationError) as exc:
        workflow.complaint_assign(complaint_id=complaint.pk, assignee=make_assignee(), actor=AdministratorFactory())
    assert exc.value.code == "not_staff"


def test_it_refuses_to_assign_a_finished_complaint():
    complaint = ComplaintFactory(status=S.REFERRED, closed_at=timezone.now())
    with pytest.raises(ValidationError) as exc:
        workflow.complaint_assign(
            complaint_id=complaint.pk, assignee=InvestigatorFactory(), actor=AdministratorFactory()
        )
    assert exc.value.code == "not_open"


# --- Allegations and findings ------------------------------------------------------------------


def test_it_adds_an_allegation_for_an_officer_of_the_complaint():
    complaint = ComplaintFactory(status=S.INVESTIGATING)
    involved = ComplaintOfficerFactory(complaint=complaint)
    allegation = workflow.allegation_add(
        complaint_id=complaint.pk, officer_id=involved.pk, category_id=category().pk, actor=InvestigatorFactory()
    )
    assert (allegation.complaint, allegation.officer, allegation.finding) == (complaint, involved, "")


def test_it_refuses_an_allegation_twice_or_for_another_complaints_officer_or_an_unknown_category():
    complaint = ComplaintFactory(status=S.INVESTIGATING)
    involved = ComplaintOfficerFactory(complaint=complaint)
    actor = InvestigatorFactory()
    workflow.allegation_add(complaint_id=complaint.pk, officer_id=involved.pk, category_id=category().pk, actor=actor)
    with pytest.raises(ValidationError) as duplicate:
        workflow.allegation_add(
            complaint_id=complaint.pk, officer_id=involved.pk, category_id=category().pk, actor=actor
        )
    other = ComplaintOfficerFactory()
    with pytest.raises(ValidationError) as foreign:
        workflow.allegation_add(complaint_id=complaint.pk, officer_id=other.pk, category_id=category().pk, actor=actor)
    with pytest.raises(ValidationError) as unknown:
        workflow.allegation_add(complaint_id=complaint.pk, officer_id=involved.pk, category_id=99999, actor=actor)
    assert (duplicate.value.code, foreign.value.code, unknown.value.code) == (
        "duplicate",
        "unknown_officer",
        "unknown_category",
    )


def test_it_refuses_new_allegations_once_findings_are_issued():
    complaint = ComplaintFactory(status=S.FINDINGS_ISSUED, findings_issued_at=timezone.now())
    involved = ComplaintOfficerFactory(complaint=complaint)
    with pytest.raises(ValidationError) as exc:
        workflow.allegation_add(
            complaint_id=complaint.pk, officer_id=involved.pk, category_id=category().pk, actor=InvestigatorFactory()
        )
    assert exc.value.code == "findings_locked"


def test_it_keeps_the_recommended_and_final_findings_apart():
    complaint = ComplaintFactory(status=S.INVESTIGATING)
    allegation = AllegationFactory(officer__complaint=complaint, complaint=complaint)
    investigator, admin = InvestigatorFactory(), AdministratorFactory()
    workflow.allegation_record_finding(allegation_id=allegation.pk, actor=investigator, recommended_finding=F.SUSTAINED)
    workflow.allegation_record_finding(allegation_id=allegation.pk, actor=admin, finding=F.NOT_SUSTAINED)
    allegation.refresh_from_db()
    assert (allegation.recommended_finding, allegation.finding) == (F.SUSTAINED, F.NOT_SUSTAINED)
    assert allegation.decided_by == admin
    assert allegation.decided_at is not None
    entries = ComplaintEvent.objects.filter(complaint=complaint, kind=ComplaintEvent.Kind.FINDINGS)
    assert entries.count() == 2
    assert not entries.filter(visible_to_complainant=True).exists()


def test_it_requires_a_reason_for_unable_to_investigate():
    complaint = ComplaintFactory(status=S.INVESTIGATING)
    allegation = AllegationFactory(officer__complaint=complaint, complaint=complaint)
    with pytest.raises(ValidationError) as exc:
        workflow.allegation_record_finding(allegation_id=allegation.pk, actor=InvestigatorFactory(), finding=F.UNABLE)
    assert exc.value.code == "unable_reason_required"
    workflow.allegation_record_finding(
        allegation_id=allegation.pk,
        actor=InvestigatorFactory(),
        finding=F.UNABLE,
        unable_reason=Allegation.UnableReason.OFFICER_UNIDENTIFIED,
    )
    allegation.refresh_from_db()
    assert allegation.unable_reason == Allegation.UnableReason.OFFICER_UNIDENTIFIED


def test_it_refuses_a_reason_with_any_other_finding():
    complaint = ComplaintFactory(status=S.INVESTIGATING)
    allegation = AllegationFactory(officer__complaint=complaint, complaint=complaint)
    with pytest.raises(ValidationError) as exc:
        workflow.allegation_record_finding(
            allegation_id=allegation.pk,
            actor=InvestigatorFactory(),
            finding=F.EXONERATED,
            unable_reason=Allegation.UnableReason.WITHDRAWN,
        )
    assert exc.value.code == "unable_reason_not_allowed"


def test_it_notes_discipline_only_with_a_sustained_final_finding():
    complaint = ComplaintFactory(status=S.INVESTIGATING)
    allegation = AllegationFactory(officer__complaint=complaint, complaint=complaint)
    actor = InvestigatorFactory()
    with pytest.raises(ValidationError) as exc:
        workflow.allegation_record_finding(
            allegation_id=allegation.pk, actor=actor, recommended_finding=F.SUSTAINED, discipline="Written reprimand"
        )
    assert exc.value.code == "discipline_without_sustained"
    workflow.allegation_record_finding(
        allegation_id=allegation.pk, actor=actor, finding=F.SUSTAINED, discipline="Written reprimand"
    )
    allegation.refresh_from_db()
    assert allegation.discipline == "Written reprimand"
    # Changing the final finding away from sustained drops the discipline with it.
    workflow.allegation_record_finding(allegation_id=allegation.pk, actor=actor, finding=F.NOT_SUSTAINED)
    allegation.refresh_from_db()
    assert allegation.discipline == ""


def test_it_refuses_a_finding_not_in_the_list():
    complaint = ComplaintFactory(status=S.INVESTIGATING)
    allegation = AllegationFactory(officer__complaint=complaint, complaint=complaint)
    with pytest.raises(ValidationError) as exc:
        workflow.allegation_record_finding(allegation_id=allegation.pk, actor=InvestigatorFactory(), finding="guilty")
    assert exc.value.code == "invalid_finding"


def test_it_locks_findings_once_issued():
    complaint = ComplaintFactory(status=S.FINDINGS_ISSUED, findings_issued_at=timezone.now())
    allegation = decided(complaint)
    with pytest.raises(ValidationError) as exc:
        workflow.allegation_record_finding(
            allegation_id=allegation.pk, actor=InvestigatorFactory(), finding=F.UNFOUNDED
        )
    assert exc.value.code == "findings_locked"


def test_it_hides_findings_of_a_complaint_that_names_the_actor():
    investigator = InvestigatorFactory()
    complaint = ComplaintFactory.naming(OfficerProfileFactory(user=investigator), status=S.INVESTIGATING)
    allegation = complaint.allegations.get()
    with pytest.raises(ValidationError) as exc:
        workflow.allegation_record_finding(allegation_id=allegation.pk, actor=investigator, finding=F.EXONERATED)
    assert exc.value.code == "not_found"


# --- Withdrawal --------------------------------------------------------------------------------


def test_it_withdraws_with_the_complainants_reason_on_their_timeline():
    resident = ResidentFactory()
    complaint = ComplaintFactory(status=S.INVESTIGATING, filed_by=resident)
    undecided = AllegationFactory(officer__complaint=complaint, complaint=complaint)
    workflow.complaint_withdraw(complaint_id=complaint.pk, reason="We settled it between us.", user=resident)
    complaint.refresh_from_db()
    assert complaint.status == S.WITHDRAWN
    assert complaint.closed_at is not None
    event = ComplaintEvent.objects.get(complaint=complaint)
    assert (event.actor, event.note, event.visible_to_complainant) == (resident, "We settled it between us.", True)
    undecided.refresh_from_db()
    assert (undecided.finding, undecided.unable_reason) == (F.UNABLE, Allegation.UnableReason.WITHDRAWN)
    assert [mail.template for mail in mails(complaint)] == ["complaints/email/status"]


def test_it_requires_a_reason_to_withdraw():
    complaint = ComplaintFactory()
    with pytest.raises(ValidationError) as exc:
        workflow.complaint_withdraw(complaint_id=complaint.pk, reason="   ")
    assert exc.value.code == "reason_required"


# --- Review ------------------------------------------------------------------------------------


def issued(days_ago: int = 1, status: str = S.FINDINGS_ISSUED) -> Complaint:
    when = timezone.now() - timedelta(days=days_ago)
    complaint = ComplaintFactory(status=status, findings_issued_at=when, closed_at=when if status == S.CLOSED else None)
    decided(complaint)
    return complaint


def test_it_takes_a_review_request_within_the_window_and_reopens_a_closed_complaint(settings):
    complaint = issued(days_ago=settings.COMPLAINTS_REVIEW_DAYS - 1, status=S.CLOSED)
    workflow.complaint_request_review(complaint_id=complaint.pk, reason="My witness was never called.")
    complaint.refresh_from_db()
    assert complaint.status == S.REVIEW_REQUESTED
    assert complaint.review_requested_at is not None
    assert complaint.closed_at is None
    event = ComplaintEvent.objects.get(complaint=complaint)
    assert event.kind == ComplaintEvent.Kind.REVIEW_REQUESTED
    assert event.visible_to_complainant
    assert [mail.template for mail in mails(complaint)] == ["complaints/email/review"]


def test_it_refuses_a_review_request_after_the_window(settings):
    complaint = issued(days_ago=settings.COMPLAINTS_REVIEW_DAYS + 1)
    with pytest.raises(ValidationError) as exc:
        workflow.complaint_request_review(complaint_id=complaint.pk, reason="Too late?")
    assert exc.value.code == "review_window_closed"


def test_it_takes_one_review_per_set_of_findings():
    complaint = issued()
    workflow.complaint_request_review(complaint_id=complaint.pk, reason="First.")
    workflow.complaint_decide_review(
        complaint_id=complaint.pk, actor=AdministratorFactory(), decision="uphold", note="ok"
    )
    with pytest.raises(ValidationError) as exc:
        workflow.complaint_request_review(complaint_id=complaint.pk, reason="Again.")
    assert exc.value.code == "not_allowed"


def test_it_requires_reasons_for_a_review():
    complaint = issued()
    with pytest.raises(ValidationError) as exc:
        workflow.complaint_request_review(complaint_id=complaint.pk, reason="")
    assert exc.value.code == "reason_required"


def test_it_closes_on_uphold_with_the_decision_in_the_timeline():
    complaint = issued()
    workflow.complaint_request_review(complaint_id=complaint.pk, reason="Please look again.")
    admin = AdministratorFactory()
    workflow.complaint_decide_review(
        complaint_id=complaint.pk,
        actor=admin,
        decision="uphold",
        note="The video was reviewed; it shows nothing new.",
        public_note="We looked again and the findings stand.",
    )
    complaint.refresh_from_db()
    assert complaint.status == S.CLOSED
    assert complaint.closed_at is not None
    decision = ComplaintEvent.objects.get(complaint=complaint, kind=ComplaintEvent.Kind.REVIEW_DECIDED)
    assert decision.visible_to_complainant
    assert decision.note == "We looked again and the findings stand."
    assert decision.actor == admin
    assert ComplaintEvent.objects.filter(
        complaint=complaint, visible_to_complainant=False, note="The video was reviewed; it shows nothing new."
    ).exists()
    assert [mail.template for mail in mails(complaint)][-1] == "complaints/email/review"


def test_it_reopens_the_investigation_and_lets_new_findings_be_reviewed_again():
    complaint = issued()
    workflow.complaint_request_review(complaint_id=complaint.pk, reason="Please look again.")
    admin = AdministratorFactory()
    workflow.complaint_decide_review(complaint_id=complaint.pk, actor=admin, decision="reopen", note="Witness missed.")
    complaint.refresh_from_db()
    assert complaint.status == S.INVESTIGATING
    assert complaint.closed_at is None
    allegation = complaint.allegations.get()
    workflow.allegation_record_finding(allegation_id=allegation.pk, actor=admin, finding=F.SUSTAINED)
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        workflow.complaint_transition(complaint_id=complaint.pk, to_status=S.FINDINGS_ISSUED, actor=admin)
        workflow.complaint_request_review(complaint_id=complaint.pk, reason="The new finding is wrong too.")
    complaint.refresh_from_db()
    assert complaint.status == S.REVIEW_REQUESTED


def test_it_lets_only_an_administrator_decide_a_review():
    complaint = issued()
    workflow.complaint_request_review(complaint_id=complaint.pk, reason="Please look again.")
    with pytest.raises(ValidationError) as exc:
        workflow.complaint_decide_review(
            complaint_id=complaint.pk, actor=InvestigatorFactory(), decision="uphold", note="n"
        )
    assert exc.value.code == "forbidden"


def test_it_refuses_an_unknown_decision_and_a_decision_without_reasons():
    complaint = issued()
    workflow.complaint_request_review(complaint_id=complaint.pk, reason="Please look again.")
    admin = AdministratorFactory()
    with pytest.raises(ValidationError) as unknown:
        workflow.complaint_decide_review(complaint_id=complaint.pk, actor=admin, decision="dismiss", note="n")
    with pytest.raises(ValidationError) as silent:
        workflow.complaint_decide_review(complaint_id=complaint.pk, actor=admin, decision="uphold", note=" ")
    assert (unknown.value.code, silent.value.code) == ("invalid_decision", "note_required")


def test_it_gives_a_reopened_investigation_a_fresh_finish_date(settings):
    complaint = issued()
    Complaint.objects.filter(pk=complaint.pk).update(finish_by=timezone.localdate() - timedelta(days=10))
    workflow.complaint_request_review(complaint_id=complaint.pk, reason="Please look again.")
    workflow.complaint_decide_review(
        complaint_id=complaint.pk, actor=AdministratorFactory(), decision="reopen", note="Witness missed."
    )
    complaint.refresh_from_db()
    assert complaint.finish_by == timezone.localdate() + timedelta(days=settings.COMPLAINTS_FINISH_DAYS)


def test_it_refuses_notes_that_are_too_long():
    complaint = ComplaintFactory()
    with pytest.raises(ValidationError) as exc:
        workflow.complaint_transition(
            complaint_id=complaint.pk, to_status=S.ACKNOWLEDGED, actor=InvestigatorFactory(), public_note="x" * 5001
        )
    assert exc.value.code == "note_too_long"


def test_it_locks_the_complaint_row_only(django_capture_on_commit_callbacks):
    """FOR UPDATE OF the complaint's table (PostgreSQL refuses FOR UPDATE on an outer join's
    nullable side); SQLite has no row locks, so there is nothing to see there."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks are a PostgreSQL matter")
    complaint = ComplaintFactory()
    with CaptureQueriesContext(connection) as queries:
        workflow.complaint_transition(complaint_id=complaint.pk, to_status=S.ACKNOWLEDGED, actor=InvestigatorFactory())
    locks = [query["sql"] for query in queries.captured_queries if "FOR UPDATE" in query["sql"]]
    assert locks
    assert all('FOR UPDATE OF "complaints_complaint"' in sql for sql in locks)


def test_it_refuses_to_issue_findings_with_an_unable_to_investigate_lacking_its_reason():
    complaint = ComplaintFactory(status=S.INVESTIGATING)
    decided(complaint, finding=F.UNABLE)  # written around the service, without a reason
    with pytest.raises(ValidationError) as exc:
        workflow.complaint_transition(
            complaint_id=complaint.pk, to_status=S.FINDINGS_ISSUED, actor=InvestigatorFactory()
        )
    assert exc.value.code == "findings_incomplete"
