"""The staff access log: every staff read (a complaint, an evidence file, an export) writes an
entry (who, when, what, from where); entries can never be changed or deleted — not through the
model, not through a queryset, and on PostgreSQL not even in raw SQL (a trigger)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.storage import FileSystemStorage
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError
from django.test import Client, RequestFactory
from django.urls import reverse

from complaints.access_log import access_log_record, access_log_record_many, staff_view_count
from complaints.models import AccessLogEntry, Evidence
from tests.complaints.factories import AccessLogEntryFactory, ComplaintFactory, EvidenceFactory
from tests.factories import AdministratorFactory, InvestigatorFactory

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) " + "Gecko/20100101 " * 40


@pytest.fixture(autouse=True)
def _evidence_in_tmp(tmp_path, monkeypatch):
    monkeypatch.setattr(Evidence._meta.get_field("file"), "storage", FileSystemStorage(location=str(tmp_path)))


@pytest.fixture
def investigator():
    return InvestigatorFactory()


@pytest.fixture
def staff_client(investigator):
    client = Client(REMOTE_ADDR="203.0.113.7", HTTP_USER_AGENT=BROWSER)
    client.force_login(investigator)
    return client


def _only_entry() -> AccessLogEntry:
    return AccessLogEntry.objects.get()


# --- Every staff read writes an entry -----------------------------------------------------------


def test_it_logs_opening_a_complaint_with_who_what_and_from_where(investigator, staff_client):
    complaint = ComplaintFactory()
    staff_client.get(reverse("complaints:staff-detail", kwargs={"reference": complaint.reference}))
    entry = _only_entry()
    assert (entry.complaint_id, entry.actor_id, entry.action) == (complaint.pk, investigator.pk, "view")
    assert entry.ip_address == "203.0.113.7"
    assert entry.user_agent == BROWSER[:300]
    assert entry.created_at is not None


def test_it_logs_every_opening_not_just_the_first(staff_client):
    complaint = ComplaintFactory()
    url = reverse("complaints:staff-detail", kwargs={"reference": complaint.reference})
    for _ in range(3):
        staff_client.get(url)
    assert AccessLogEntry.objects.filter(complaint=complaint, action="view").count() == 3
    assert staff_view_count(complaint=complaint) == 3


def test_it_logs_opening_an_evidence_file_with_its_name(staff_client):
    evidence = EvidenceFactory(original_name="bodycam.png")
    url = reverse("complaints:staff-evidence", kwargs={"reference": evidence.complaint.reference, "pk": evidence.pk})
    assert staff_client.get(url).status_code == 200
    entry = _only_entry()
    assert (entry.complaint_id, entry.action, entry.target) == (evidence.complaint_id, "evidence", "bodycam.png")


def test_it_logs_each_exported_complaint(investigator, staff_client):
    complaints = ComplaintFactory.create_batch(3)
    staff_client.get(reverse("complaints:staff-export"))
    entries = AccessLogEntry.objects.filter(action="export", actor=investigator)
    assert sorted(entries.values_list("complaint_id", flat=True)) == sorted(c.pk for c in complaints)


def test_it_does_not_count_evidence_or_exports_as_opening_the_file(staff_client):
    evidence = EvidenceFactory()
    staff_client.get(reverse("complaints:staff-export"))
    staff_client.get(
        reverse("complaints:staff-evidence", kwargs={"reference": evidence.complaint.reference, "pk": evidence.pk})
    )
    assert staff_view_count(complaint=evidence.complaint) == 0


def test_it_logs_nothing_for_a_refused_read():
    complaint = ComplaintFactory()
    client = Client()
    client.force_login(AdministratorFactory())
    client.get(reverse("complaints:staff-detail", kwargs={"reference": "CP-2099-99999"}))
    assert not AccessLogEntry.objects.filter(complaint=complaint).exists()


def test_it_stores_no_address_when_remote_addr_is_not_an_address(investigator):
    request = RequestFactory().get("/", REMOTE_ADDR="not-an-ip", HTTP_X_FORWARDED_FOR="198.51.100.1")
    request.user = investigator
    entry = access_log_record(request=request, complaint=ComplaintFactory(), action="view")
    assert entry.ip_address is None  # X-Forwarded-For is never trusted


def test_it_records_many_in_one_go(investigator, django_assert_num_queries):
    request = RequestFactory().get("/", REMOTE_ADDR="2001:db8::1")
    request.user = investigator
    complaints = ComplaintFactory.create_batch(5)
    with django_assert_num_queries(1):
        assert access_log_record_many(request=request, complaints=complaints, action="export") == 5
    assert set(AccessLogEntry.objects.values_list("ip_address", flat=True)) == {"2001:db8::1"}


# --- Append-only --------------------------------------------------------------------------------


def test_it_refuses_to_edit_an_entry():
    entry = AccessLogEntryFactory()
    entry.action = "export"
    with pytest.raises(PermissionDenied):
        entry.save()
    assert AccessLogEntry.objects.get(pk=entry.pk).action == "view"


def test_it_refuses_to_delete_an_entry():
    entry = AccessLogEntryFactory()
    with pytest.raises(PermissionDenied):
        entry.delete()
    assert AccessLogEntry.objects.filter(pk=entry.pk).exists()


def test_it_refuses_to_update_or_delete_entries_in_bulk():
    AccessLogEntryFactory.create_batch(2)
    with pytest.raises(PermissionDenied):
        AccessLogEntry.objects.all().update(action="export")
    with pytest.raises(PermissionDenied):
        AccessLogEntry.objects.filter(action="view").delete()
    assert AccessLogEntry.objects.filter(action="view").count() == 2


def test_it_keeps_entries_when_someone_tries_to_delete_the_complaint():
    entry = AccessLogEntryFactory()
    with pytest.raises(ProtectedError):  # the complaint cannot go while its log refers to it
        entry.complaint.delete()
    assert AccessLogEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")
def test_it_refuses_raw_sql_updates_and_deletes_on_postgresql():
    entry = AccessLogEntryFactory()
    statements = (
        "UPDATE complaints_accesslogentry SET action = 'export' WHERE id = %s",
        "DELETE FROM complaints_accesslogentry WHERE id = %s",
    )
    assert AccessLogEntry._meta.db_table == "complaints_accesslogentry"
    for sql in statements:
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [entry.pk])
    assert AccessLogEntry.objects.get(pk=entry.pk).action == "view"


def test_it_has_no_admin_to_edit_the_log_from():
    client = Client()
    client.force_login(AdministratorFactory())
    assert client.get("/admin/complaints/accesslogentry/").status_code == 404
