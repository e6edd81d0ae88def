"""The demo complaints seed_demo adds: every state, findings, messages, access log; idempotent, silent,
and a reference + access code that really opens one."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from complaints import deadlines
from complaints.demo import COMPLAINTS
from complaints.demo_history import HISTORY_MARK
from complaints.models import AccessLogEntry, Allegation, Complaint, ComplaintEvent, ComplaintMessage
from complaints.references import access_code_matches
from portal.models import OutboxMessage, User


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


@pytest.fixture
def seeded(db, settings):
    settings.DEBUG = True
    return seed()


def test_it_adds_the_demo_complaints_once(seeded):
    counts = (Complaint.objects.count(), ComplaintEvent.objects.count(), AccessLogEntry.objects.count())
    assert Complaint.objects.exclude(narrative__startswith=HISTORY_MARK).count() == len(COMPLAINTS)
    output = seed()
    assert (Complaint.objects.count(), ComplaintEvent.objects.count(), AccessLogEntry.objects.count()) == counts
    assert "nothing new to add" in output


def test_it_covers_every_state(seeded):
    assert set(Complaint.objects.values_list("status", flat=True)) == set(Complaint.Status.values)


def test_it_has_findings_kept_apart_discipline_and_an_unable_reason(seeded):
    allegations = Allegation.objects.exclude(finding="")
    assert allegations.exclude(recommended_finding="").exists()
    assert allegations.filter(finding=Allegation.Finding.SUSTAINED).exclude(discipline="").exists()
    assert allegations.filter(finding=Allegation.Finding.UNABLE).exclude(unable_reason="").exists()
    issued = Complaint.objects.filter(status__in=[Complaint.Status.FINDINGS_ISSUED, Complaint.Status.CLOSED])
    assert not Allegation.objects.filter(complaint__in=issued, finding="").exists()


def test_it_has_an_overdue_complaint_messages_and_access_log_entries(seeded):
    assert deadlines.complaints_overdue(queryset=Complaint.objects.all()).exists()
    assert ComplaintMessage.objects.filter(from_complainant=True).exists()
    assert ComplaintMessage.objects.filter(from_complainant=False).exists()
    assert AccessLogEntry.objects.count() >= len(COMPLAINTS)
    assert ComplaintEvent.objects.filter(visible_to_complainant=True).exclude(note="").exists()
    assert ComplaintEvent.objects.filter(visible_to_complainant=False).exists()


def test_it_reads_like_weeks_of_work(seeded):
    now = timezone.now()
    oldest = Complaint.objects.order_by("received_at").first()
    assert (now - oldest.received_at).days > 90
    assert not ComplaintEvent.objects.filter(created_at__gt=now).exists()
    for complaint in Complaint.objects.all():
        times = list(complaint.events.values_list("created_at", flat=True))
        assert all(complaint.received_at <= when for when in times)


def test_it_gives_the_demo_resident_complaints_of_their_own(seeded):
    resident = User.objects.get(email="resident@example.org")
    assert Complaint.objects.filter(filed_by=resident).count() == 2


def test_it_prints_a_reference_and_a_code_that_open_the_complaint(seeded):
    match = re.search(r"reference (CP-\d{4}-\d{5}) and access code ([A-Z0-9-]+)", seeded)
    assert match
    complaint = Complaint.objects.get(reference=match.group(1))
    assert access_code_matches(match.group(2), complaint.access_code_hash)


def test_it_sends_no_mail(seeded):
    assert not OutboxMessage.objects.filter(
        template__startswith="complaints/", status=OutboxMessage.Status.PENDING
    ).exists()
