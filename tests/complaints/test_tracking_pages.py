"""The complainant's pages: My complaints, the status page (timeline, next steps, findings,
messages, files, staff view count), adding evidence, withdrawing and asking for a review."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from complaints.models import Allegation, Complaint, ComplaintEvent, ComplaintMessage, Evidence
from tests.complaints.factories import (
    PNG_BYTES,
    AccessLogEntryFactory,
    AllegationFactory,
    ComplaintEventFactory,
    ComplaintFactory,
    ComplaintMessageFactory,
    EvidenceFactory,
)
from tests.factories import InvestigatorFactory, ResidentFactory

pytestmark = pytest.mark.django_db

S = Complaint.Status


def _url(name: str, complaint: Complaint, **kwargs) -> str:
    return reverse(f"complaints:{name}", kwargs={"reference": complaint.reference, **kwargs})


def _holder(complaint: Complaint, code: str) -> Client:
    client = Client()
    response = client.post(reverse("complaints:track"), {"reference": complaint.reference, "code": code})
    assert response.status_code == 302
    return client


@pytest.fixture
def opened():
    complaint, code = ComplaintFactory.with_code()
    return complaint, _holder(complaint, code)


# --- Who may open it ---------------------------------------------------------------------------


def test_it_sends_a_browser_without_the_code_to_the_tracking_form(client):
    complaint = ComplaintFactory()
    response = client.get(_url("status", complaint))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('complaints:track')}?reference={complaint.reference}"


def test_it_answers_an_unknown_reference_like_a_complaint_not_opened(client):
    response = client.get(reverse("complaints:status", kwargs={"reference": "CP-1999-00001"}))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("complaints:track"))


def test_it_lets_the_signed_in_owner_in_without_a_code(client):
    owner = ResidentFactory()
    complaint = ComplaintFactory(filed_by=owner)
    client.force_login(owner)
    assert client.get(_url("status", complaint)).status_code == 200


def test_it_keeps_another_residents_complaint_closed(client):
    complaint = ComplaintFactory(filed_by=ResidentFactory())
    client.force_login(ResidentFactory())
    for name in ("status", "add-evidence", "withdraw", "review"):
        response = client.get(_url(name, complaint))
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("complaints:track"))


def test_it_does_not_carry_a_grant_to_another_complaint(opened):
    _complaint, client = opened
    other = ComplaintFactory()
    assert client.get(_url("status", other)).status_code == 302


def test_it_does_not_let_staff_read_a_complaint_here(client):
    """Staff read complaints on the logged staff pages, never through the complainant's page."""
    complaint = ComplaintFactory()
    client.force_login(InvestigatorFactory())
    assert client.get(_url("status", complaint)).status_code == 302


# --- My complaints -----------------------------------------------------------------------------


def test_it_lists_only_my_complaints(client):
    me = ResidentFactory()
    mine = ComplaintFactory(filed_by=me)
    theirs = ComplaintFactory(filed_by=ResidentFactory())
    client.force_login(me)
    response = client.get(reverse("complaints:mine"))
    assert response.status_code == 200
    assert mine.reference in response.content.decode()
    assert theirs.reference not in response.content.decode()


@pytest.mark.parametrize("n", [1, 12])
def test_it_keeps_my_complaints_query_count_flat(client, django_assert_max_num_queries, n):
    me = ResidentFactory()
    ComplaintFactory.create_batch(n, filed_by=me)
    client.force_login(me)
    with django_assert_max_num_queries(6):  # session, user, count, page; (+ savepoints)
        response = client.get(reverse("complaints:mine"))
    assert response.status_code == 200


# --- The status page ---------------------------------------------------------------------------


def test_it_shows_the_visible_timeline_only(opened):
    complaint, client = opened
    ComplaintEventFactory(complaint=complaint, note="We called the witness you named.", visible_to_complainant=True)
    ComplaintEventFactory(complaint=complaint, note="INTERNAL: officer has prior history", visible_to_complainant=False)
    html = client.get(_url("status", complaint)).content.decode()
    assert "We called the witness you named." in html
    assert "INTERNAL" not in html


def test_it_says_what_comes_next_with_the_expected_dates(opened):
    complaint, client = opened
    html = client.get(_url("status", complaint)).content.decode()
    assert "acknowledge it by" in html
    assert f"{complaint.acknowledge_by:%Y}" in html
    Complaint.objects.filter(pk=complaint.pk).update(status=S.INVESTIGATING)
    html = client.get(_url("status", complaint)).content.decode()
    assert "We aim to finish by" in html


def test_it_shows_final_findings_only_once_issued(opened):
    complaint, client = opened
    allegation = AllegationFactory(
        officer__complaint=complaint,
        complaint=complaint,
        recommended_finding=Allegation.Finding.EXONERATED,
        finding=Allegation.Finding.SUSTAINED,
        discipline="Two weeks suspension without pay",
    )
    html = client.get(_url("status", complaint)).content.decode()
    assert "Findings by officer" not in html
    Complaint.objects.filter(pk=complaint.pk).update(status=S.FINDINGS_ISSUED, findings_issued_at=timezone.now())
    html = client.get(_url("status", complaint)).content.decode()
    assert "Findings by officer" in html
    assert "Sustained</td>" in html.replace("\n", "") or ">Sustained" in html
    assert str(allegation.officer) in html
    assert "Two weeks suspension" not in html  # discipline is a personnel matter
    # The recommended finding never shows (only the meanings list names every finding).
    table = html.split("Findings by officer", 1)[1].split("</table>", 1)[0]
    assert "Exonerated" not in table


def test_it_shows_messages_escaped(opened):
    complaint, client = opened
    ComplaintMessageFactory(complaint=complaint, body='<script>alert("x")</script> hello')
    html = client.get(_url("status", complaint)).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; hello" in html


def test_it_marks_the_investigators_messages_read_when_the_page_is_opened(opened):
    complaint, client = opened
    message = ComplaintMessageFactory(complaint=complaint, from_complainant=False, body="Can you call us?")
    client.get(_url("status", complaint))
    message.refresh_from_db()
    assert message.read_at is not None


def test_it_says_how_many_times_staff_opened_the_file(opened):
    complaint, client = opened
    AccessLogEntryFactory.create_batch(3, complaint=complaint)
    AccessLogEntryFactory(complaint=complaint, action="evidence")
    html = client.get(_url("status", complaint)).content.decode()
    assert "Staff have opened your complaint 3 times" in html


def test_it_never_caches_the_status_page(opened):
    complaint, client = opened
    response = client.get(_url("status", complaint))
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "same-origin"


def test_it_keeps_the_status_page_query_count_flat(opened, django_assert_max_num_queries):
    complaint, client = opened
    for _ in range(10):
        ComplaintMessageFactory(complaint=complaint)
        ComplaintEventFactory(complaint=complaint, visible_to_complainant=True)
        AllegationFactory(officer__complaint=complaint, complaint=complaint)
    Complaint.objects.filter(pk=complaint.pk).update(status=S.FINDINGS_ISSUED, findings_issued_at=timezone.now())
    with django_assert_max_num_queries(8):  # session, complaint, thread, read mark, findings, timeline, files, views
        assert client.get(_url("status", complaint)).status_code == 200


# --- Evidence ----------------------------------------------------------------------------------


def _png(name: str = "photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG_BYTES, content_type="image/png")


def test_it_adds_a_file_while_the_complaint_is_open(opened):
    complaint, client = opened
    assert client.get(_url("add-evidence", complaint)).status_code == 200
    response = client.post(_url("add-evidence", complaint), {"file": _png()})
    assert response.status_code == 302
    evidence = Evidence.objects.get(complaint=complaint)
    assert evidence.from_complainant
    assert evidence.original_name == "photo.png"
    assert ComplaintEvent.objects.filter(
        complaint=complaint, kind=ComplaintEvent.Kind.EVIDENCE, visible_to_complainant=True
    ).exists()


def test_it_refuses_a_disguised_file(opened):
    complaint, client = opened
    fake = SimpleUploadedFile("statement.pdf", b"just some text, not a PDF", content_type="application/pdf")
    response = client.post(_url("add-evidence", complaint), {"file": fake})
    assert response.status_code == 400
    assert not Evidence.objects.filter(complaint=complaint).exists()


def test_it_refuses_a_file_over_the_size_limit(opened, settings):
    complaint, client = opened
    settings.COMPLAINTS_EVIDENCE_MAX_BYTES = 50
    response = client.post(_url("add-evidence", complaint), {"file": _png()})
    assert response.status_code == 400
    assert not Evidence.objects.filter(complaint=complaint).exists()


def test_it_refuses_more_files_than_allowed(opened, settings):
    complaint, client = opened
    settings.COMPLAINTS_EVIDENCE_MAX_FILES = 2
    EvidenceFactory.create_batch(2, complaint=complaint)
    response = client.post(_url("add-evidence", complaint), {"file": _png()})
    assert response.status_code == 400
    assert Evidence.objects.filter(complaint=complaint).count() == 2


def test_it_refuses_a_post_without_a_file(opened):
    complaint, client = opened
    assert client.post(_url("add-evidence", complaint), {}).status_code == 400


def test_it_offers_no_file_upload_once_the_complaint_is_closed(opened):
    complaint, client = opened
    Complaint.objects.filter(pk=complaint.pk).update(status=S.CLOSED, closed_at=timezone.now())
    assert client.get(_url("add-evidence", complaint)).status_code == 404
    assert client.post(_url("add-evidence", complaint), {"file": _png()}).status_code == 404


def test_it_downloads_my_own_file_as_an_attachment(opened):
    complaint, client = opened
    evidence = EvidenceFactory(complaint=complaint)
    response = client.get(_url("evidence", complaint, pk=evidence.pk))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PNG_BYTES


def test_it_does_not_hand_out_another_complaints_file_or_staffs_files(opened):
    complaint, client = opened
    elsewhere = EvidenceFactory()
    staff_file = EvidenceFactory(complaint=complaint, from_complainant=False)
    assert client.get(_url("evidence", complaint, pk=elsewhere.pk)).status_code == 404
    assert client.get(_url("evidence", complaint, pk=staff_file.pk)).status_code == 404


def test_it_refuses_a_file_whose_fingerprint_changed(opened):
    complaint, client = opened
    evidence = EvidenceFactory(complaint=complaint)
    Evidence.objects.filter(pk=evidence.pk).update(sha256="0" * 64)
    response = client.get(_url("evidence", complaint, pk=evidence.pk))
    assert response.status_code == 409


# --- Withdrawing -------------------------------------------------------------------------------


def test_it_asks_for_confirmation_and_a_reason_before_withdrawing(opened):
    complaint, client = opened
    assert client.get(_url("withdraw", complaint)).status_code == 200
    response = client.post(_url("withdraw", complaint), {"reason": ""})
    assert response.status_code == 400
    complaint.refresh_from_db()
    assert complaint.status == S.RECEIVED


def test_it_withdraws_with_a_reason(opened):
    complaint, client = opened
    response = client.post(_url("withdraw", complaint), {"reason": "We settled it between us."})
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == S.WITHDRAWN
    html = client.get(_url("status", complaint)).content.decode()
    assert "We settled it between us." in html
    assert client.get(_url("withdraw", complaint)).status_code == 404


# --- Review ------------------------------------------------------------------------------------


def test_it_offers_no_review_before_findings(opened):
    complaint, client = opened
    assert client.get(_url("review", complaint)).status_code == 404


def test_it_takes_a_review_request_within_the_window(opened):
    complaint, client = opened
    Complaint.objects.filter(pk=complaint.pk).update(status=S.FINDINGS_ISSUED, findings_issued_at=timezone.now())
    assert client.get(_url("review", complaint)).status_code == 200
    response = client.post(_url("review", complaint), {"reason": "The video shows otherwise."})
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == S.REVIEW_REQUESTED
    assert client.get(_url("review", complaint)).status_code == 404  # once


def test_it_offers_no_review_after_the_window(opened):
    complaint, client = opened
    issued = timezone.now() - timedelta(days=settings.COMPLAINTS_REVIEW_DAYS + 1)
    Complaint.objects.filter(pk=complaint.pk).update(status=S.FINDINGS_ISSUED, findings_issued_at=issued)
    assert client.get(_url("review", complaint)).status_code == 404
    assert client.post(_url("review", complaint), {"reason": "Late"}).status_code == 404


def test_it_stores_nothing_from_a_message_post_without_a_grant(client):
    complaint = ComplaintFactory()
    response = client.post(_url("message", complaint), {"body": "hello"})
    assert response.status_code == 302
    assert not ComplaintMessage.objects.exists()
