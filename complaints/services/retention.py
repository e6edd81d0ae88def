"""Retention: de-identify complaints that ended more than COMPLAINTS_RETENTION_YEARS ago.

A complaint that reached any final state (closed, withdrawn, referred, informally resolved) keeps
what statistics and the department's record need — category, district, dates, status, officers
and findings (with discipline) — and loses everything that could identify the complainant or
the people around them:

- the complainant's name, email and phone, the person affected and the relationship, the
  witnesses, the narrative, the place described in words, the link to their account, to the
  feedback it came from, and the access-code hash (the complaint can no longer be opened by
  anyone outside the staff pages);
- the text of every message (the rows stay, so counts and dates do);
- the text of timeline notes (they may quote the complainant; kinds, statuses, who and when stay);
- every evidence file: the stored file is deleted after the transaction commits (a file deleted
  inside a transaction that then rolls back could not be brought back), the row stays with
  `removed_at` and its SHA-256, and its original file name is replaced.

`deidentified_at` is set and a timeline entry ("de-identified") written. The access log stays as
it is (append-only). Each complaint is handled in its own short transaction with its row locked,
so a long run never holds many locks and a crash loses nothing done. Running it again finds
nothing new (idempotent); files a crashed run left behind are deleted by the next run.

`dry_run=True` only counts what would change.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from complaints.models import Complaint, ComplaintEvent, ComplaintMessage, Evidence

logger = logging.getLogger(__name__)

REMOVED_FILE_NAME = "removed"


@dataclass
class RetentionReport:
    complaints: int = 0
    messages: int = 0
    evidence_files: int = 0
    dry_run: bool = False

    def summary(self) -> str:
        verb = "Would de-identify" if self.dry_run else "De-identified"
        return (
            f"{verb} {self.complaints} complaint(s): {self.messages} message(s) emptied, "
            f"{self.evidence_files} evidence file(s) removed."
        )


def retention_cutoff(*, now: datetime) -> datetime:
    years = settings.COMPLAINTS_RETENTION_YEARS
    try:
        return now.replace(year=now.year - years)
    except ValueError:  # 29 February, in a year that has none
        return now.replace(year=now.year - years, day=28)


def complaints_due_for_deidentification(*, now: datetime) -> QuerySet[Complaint]:
    """Ended (any final state) before the cutoff and not de-identified yet (closed_at is indexed)."""
    return Complaint.objects.filter(
        status__in=Complaint.FINAL_STATUSES,
        closed_at__lt=retention_cutoff(now=now),
        deidentified_at__isnull=True,
    ).order_by("closed_at", "pk")


def _delete_stored_file(evidence_id: int, name: str) -> None:
    """After commit: delete the stored file, then forget its name (a failure is retried next run)."""
    if not name:
        return
    storage = Evidence._meta.get_field("file").storage
    try:
        storage.delete(name)
    except Exception:  # a storage outage must not stop the run; the row keeps the name for a retry
        logger.exception("Could not delete evidence file %s (evidence %s); the next run retries.", name, evidence_id)
        return
    Evidence.objects.filter(pk=evidence_id, file=name).update(file="")


def _deidentify_one(*, complaint_id: int, now: datetime) -> tuple[int, int] | None:
    """De-identify one complaint; (messages, evidence files) or None if another run got there first."""
    with transaction.atomic():
        complaint = (
            Complaint.objects.select_for_update(of=("self",))
            .filter(pk=complaint_id, deidentified_at__isnull=True)
            .first()
        )
        if complaint is None:
            return None
        complaint.complainant_name = ""
        complaint.complainant_email = ""
        complaint.complainant_phone = ""
        complaint.affected_person_name = ""
        complaint.relationship = ""
        complaint.witnesses = ""
        complaint.narrative = ""
        complaint.incident_place = ""
        complaint.access_code_hash = ""
        complaint.code_failures = 0
        complaint.code_locked_until = None
        complaint.filed_by = None
        complaint.source_feedback_id = None
        complaint.contact_preference = Complaint.Contact.NONE
        complaint.consent_to_contact = False
        complaint.deidentified_at = now
        complaint.save(
            update_fields=[
                "complainant_name",
                "complainant_email",
                "complainant_phone",
                "affected_person_name",
                "relationship",
                "witnesses",
                "narrative",
                "incident_place",
                "access_code_hash",
                "code_failures",
                "code_locked_until",
                "filed_by",
                "source_feedback_id",
                "contact_preference",
                "consent_to_contact",
                "deidentified_at",
                "updated_at",
            ]
        )
        messages = ComplaintMessage.objects.filter(complaint=complaint).exclude(body="").update(body="")
        ComplaintEvent.objects.filter(complaint=complaint).exclude(note="").update(note="")
        files = list(Evidence.objects.filter(complaint=complaint, removed_at__isnull=True).values_list("pk", "file"))
        Evidence.objects.filter(pk__in=[pk for pk, _name in files]).update(
            removed_at=now, original_name=REMOVED_FILE_NAME
        )
        for pk, name in files:
            transaction.on_commit(partial(_delete_stored_file, pk, name))
        ComplaintEvent.objects.create(
            complaint=complaint,
            kind=ComplaintEvent.Kind.DEIDENTIFIED,
            from_status=complaint.status,
            to_status=complaint.status,
            actor=None,
            visible_to_complainant=False,
            created_at=now,
        )
    return messages, len(files)


def complaints_deidentify(*, now: datetime | None = None, dry_run: bool = False) -> RetentionReport:
    """Apply the retention rule (see the module docstring); with `dry_run`, only count."""
    now = now or timezone.now()
    due = complaints_due_for_deidentification(now=now)
    report = RetentionReport(dry_run=dry_run)
    if dry_run:
        report.complaints = due.count()
        report.messages = ComplaintMessage.objects.filter(complaint__in=due).exclude(body="").count()
        report.evidence_files = Evidence.objects.filter(complaint__in=due, removed_at__isnull=True).count()
        return report
    # Files a crashed run (or a storage outage) left behind: the rows say removed, the files remain.
    for pk, name in Evidence.objects.filter(removed_at__isnull=False).exclude(file="").values_list("pk", "file"):
        transaction.on_commit(partial(_delete_stored_file, pk, name))
    for complaint_id in list(due.values_list("pk", flat=True)):
        done = _deidentify_one(complaint_id=complaint_id, now=now)
        if done is None:
            continue
        report.complaints += 1
        report.messages += done[0]
        report.evidence_files += done[1]
    return report
