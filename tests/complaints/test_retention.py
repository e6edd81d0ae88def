"""Retention: complaints that ended long ago lose what identifies people and keep what statistics need."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from complaints import tasks
from complaints.models import AccessLogEntry, Allegation, Complaint, ComplaintEvent, ComplaintMessage, Evidence
from complaints.services.retention import complaints_deidentify, retention_cutoff
from tests.complaints.factories import (
    AccessLogEntryFactory,
    AllegationFactory,
    ComplaintEventFactory,
    ComplaintFactory,
    ComplaintMessageFactory,
    EvidenceFactory,
)
from tests.factories import ResidentFactory

S = Complaint.Status

pytestmark = pytest.mark.django_db


def ended(*, years_ago: float, status: str = S.CLOSED, **kwargs) -> Complaint:
    closed_at = timezone.now() - timedelta(days=int(365.25 * years_ago))
    complaint, _code = ComplaintFactory.with_code(
        status=status,
        closed_at=closed_at,
        findings_issued_at=closed_at - timedelta(days=3),
        complainant_phone="555-0142",
        affected_person_name="Tobias Wren",
        relationship="Brother",
        witnesses="Marguerite Lyle, 12 Elm Street",
        **kwargs,
    )
    return complaint


@pytest.fixture
def old(settings):
    settings.COMPLAINTS_RETENTION_YEARS = 5
    complaint = ended(years_ago=6, filed_by=ResidentFactory(), source_feedback_id=42)
    AllegationFactory(
        officer__complaint=complaint,
        complaint=complaint,
        recommended_finding=Allegation.Finding.SUSTAINED,
        finding=Allegation.Finding.SUSTAINED,
        discipline="Suspension, 3 days",
    )
    ComplaintMessageFactory(complaint=complaint, body="My number changed: 555-0199.")
    ComplaintEventFactory(complaint=complaint, note="Called Tobias at home.")
    AccessLogEntryFactory(complaint=complaint)
    return complaint


def test_it_removes_what_identifies_people_and_keeps_what_statistics_need(old, django_capture_on_commit_callbacks):
    evidence = EvidenceFactory(complaint=old, original_name="tobias-wren-injury.png")
    stored_name = evidence.file.name
    storage = evidence.file.storage
    assert storage.exists(stored_name)
    before = Complaint.objects.values("district_id", "incident_date", "received_at").get(pk=old.pk)

    with django_capture_on_commit_callbacks(execute=True):
        report = complaints_deidentify()

    assert (report.complaints, report.messages, report.evidence_files) == (1, 1, 1)
    old.refresh_from_db()
    for field in (
        "complainant_name",
        "complainant_email",
        "complainant_phone",
        "affected_person_name",
        "relationship",
        "witnesses",
        "narrative",
        "incident_place",
        "access_code_hash",
    ):
        assert getattr(old, field) == "", field
    assert old.filed_by is None
    assert old.source_feedback_id is None
    assert old.deidentified_at is not None
    assert not old.may_email
    # Kept: status, dates, district, findings and discipline.
    assert old.status == S.CLOSED
    assert old.findings_issued_at is not None
    assert old.closed_at is not None
    assert (old.district_id, old.incident_date, old.received_at) == (
        before["district_id"],
        before["incident_date"],
        before["received_at"],
    )
    allegation = old.allegations.get()
    assert (allegation.finding, allegation.discipline) == (Allegation.Finding.SUSTAINED, "Suspension, 3 days")
    assert allegation.category.slug
    # Messages and notes emptied; rows kept.
    assert list(ComplaintMessage.objects.filter(complaint=old).values_list("body", flat=True)) == [""]
    assert not ComplaintEvent.objects.filter(complaint=old).exclude(note="").exists()
    assert ComplaintEvent.objects.filter(complaint=old, kind=ComplaintEvent.Kind.DEIDENTIFIED).count() == 1
    # Evidence: the file is gone, the row stays with its hash.
    evidence.refresh_from_db()
    assert evidence.removed_at is not None
    assert evidence.original_name == "removed"
    assert evidence.file.name == ""
    assert evidence.sha256
    assert not storage.exists(stored_name)
    # The access log is untouched.
    assert AccessLogEntry.objects.filter(complaint=old).count() == 1


@pytest.mark.parametrize("status", list(Complaint.FINAL_STATUSES))
def test_it_applies_to_every_final_state(settings, status):
    settings.COMPLAINTS_RETENTION_YEARS = 5
    complaint = ended(years_ago=6, status=status)
    assert complaints_deidentify().complaints == 1
    complaint.refresh_from_db()
    assert complaint.deidentified_at is not None


def test_it_leaves_recent_and_open_complaints_alone(settings):
    settings.COMPLAINTS_RETENTION_YEARS = 5
    recent = ended(years_ago=4)
    still_open = ComplaintFactory(status=S.INVESTIGATING, received_at=timezone.now() - timedelta(days=365 * 7))
    assert complaints_deidentify().complaints == 0
    for complaint in (recent, still_open):
        complaint.refresh_from_db()
        assert complaint.deidentified_at is None
        assert complaint.narrative


def test_it_counts_the_cutoff_in_years_from_the_setting(settings):
    settings.COMPLAINTS_RETENTION_YEARS = 2
    now = timezone.now()
    assert now - timedelta(days=732) < retention_cutoff(now=now) < now - timedelta(days=729)


def test_it_is_idempotent(old, django_capture_on_commit_callbacks):
    EvidenceFactory(complaint=old)
    with django_capture_on_commit_callbacks(execute=True):
        complaints_deidentify()
    events = ComplaintEvent.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        again = complaints_deidentify()
    assert (again.complaints, again.messages, again.evidence_files) == (0, 0, 0)
    assert ComplaintEvent.objects.count() == events


def test_it_deletes_files_a_previous_run_left_behind(old, django_capture_on_commit_callbacks):
    evidence = EvidenceFactory(complaint=old)
    name, storage = evidence.file.name, evidence.file.storage
    complaints_deidentify()  # the after-commit deletions never ran (a crash, say)
    assert storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        complaints_deidentify()
    assert not storage.exists(name)
    evidence.refresh_from_db()
    assert evidence.file.name == ""


def test_a_dry_run_reports_and_changes_nothing(old):
    evidence = EvidenceFactory(complaint=old)
    report = complaints_deidentify(dry_run=True)
    assert (report.complaints, report.messages, report.evidence_files) == (1, 1, 1)
    old.refresh_from_db()
    assert old.deidentified_at is None
    assert old.complainant_phone == "555-0142"
    assert evidence.file.storage.exists(evidence.file.name)
    evidence.file.storage.delete(evidence.file.name)


def test_the_command_has_a_dry_run_and_prints_one_summary_line(old):
    out = StringIO()
    call_command("complaints_retention", "--dry-run", stdout=out)
    assert "Would de-identify 1 complaint(s)" in out.getvalue()
    old.refresh_from_db()
    assert old.deidentified_at is None
    out = StringIO()
    call_command("complaints_retention", stdout=out)
    assert "De-identified 1 complaint(s)" in out.getvalue()
    old.refresh_from_db()
    assert old.deidentified_at is not None


def test_the_task_runs_the_retention_rule(old):
    assert tasks.retention_task() == 1
    old.refresh_from_db()
    assert old.deidentified_at is not None


def test_it_keeps_de_identified_complaints_out_of_evidence_counts(old, django_capture_on_commit_callbacks):
    EvidenceFactory(complaint=old)
    with django_capture_on_commit_callbacks(execute=True):
        complaints_deidentify()
    assert Evidence.objects.filter(complaint=old, removed_at__isnull=True).count() == 0
