"""The investigation pages: who may open what (every role, including the wrong one), the queue's
filters and its flat query count, the CSV export, the complaint page, transitions (only the
allowed targets), assignment, findings, staff messages, evidence downloads, the review decision,
the access-log page, the staff home card and the admin. Bad input answers 400 with a message."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.contrib import admin
from django.core.files.storage import FileSystemStorage
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from complaints.models import (
    AccessLogEntry,
    Allegation,
    AllegationCategory,
    Complaint,
    ComplaintEvent,
    ComplaintMessage,
    Evidence,
)
from tests.complaints.factories import (
    PNG_BYTES,
    AccessLogEntryFactory,
    AllegationFactory,
    ComplaintEventFactory,
    ComplaintFactory,
    ComplaintMessageFactory,
    ComplaintOfficerFactory,
    EvidenceFactory,
    category,
)
from tests.factories import (
    AdministratorFactory,
    DistrictFactory,
    InvestigatorFactory,
    OfficerFactory,
    OfficerProfileFactory,
    ResidentFactory,
)

pytestmark = pytest.mark.django_db

QUEUE = "complaints:staff-queue"
Status = Complaint.Status


@pytest.fixture(autouse=True)
def _evidence_in_tmp(tmp_path, monkeypatch):
    """Evidence files of these tests go to a temporary folder, not var/private/evidence."""
    monkeypatch.setattr(Evidence._meta.get_field("file"), "storage", FileSystemStorage(location=str(tmp_path)))


@pytest.fixture
def investigator():
    return InvestigatorFactory()


@pytest.fixture
def administrator():
    return AdministratorFactory()


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def inv_client(investigator):
    return _client(investigator)


@pytest.fixture
def admin_client(administrator):
    return _client(administrator)


def _url(name: str, complaint: Complaint, **kwargs) -> str:
    return reverse(f"complaints:{name}", kwargs={"reference": complaint.reference, **kwargs})


def _text(response) -> str:
    return response.content.decode()


# --- Who may do what ----------------------------------------------------------------------------

REFERENCE_PAGES = ["staff-detail", "staff-transition", "staff-assign", "staff-findings"]


@pytest.mark.parametrize("name", [QUEUE, "complaints:staff-export", "complaints:staff-access-log"])
def test_it_sends_visitors_to_sign_in_from_the_lists(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert "login" in response["Location"]


@pytest.mark.parametrize("make_user", [ResidentFactory, OfficerFactory])
@pytest.mark.parametrize("name", [QUEUE, "complaints:staff-export", "complaints:staff-access-log"])
def test_it_forbids_the_lists_to_residents_and_officers(make_user, name):
    assert _client(make_user()).get(reverse(name)).status_code == 403


@pytest.mark.parametrize("make_user", [ResidentFactory, OfficerFactory])
@pytest.mark.parametrize("name", REFERENCE_PAGES)
def test_it_answers_404_to_residents_and_officers_for_a_complaint(make_user, name):
    complaint = ComplaintFactory()
    assert _client(make_user()).get(_url(name, complaint)).status_code == 404
    assert not AccessLogEntry.objects.exists()


def test_it_answers_404_to_the_resident_who_filed_it_on_the_staff_side():
    resident = ResidentFactory()
    complaint = ComplaintFactory(filed_by=resident)
    assert _client(resident).get(_url("staff-detail", complaint)).status_code == 404


@pytest.mark.parametrize("make_user", [InvestigatorFactory, AdministratorFactory])
@pytest.mark.parametrize("name", REFERENCE_PAGES)
def test_it_opens_a_complaint_page_for_investigators_and_administrators(make_user, name):
    complaint = ComplaintFactory()
    assert _client(make_user()).get(_url(name, complaint)).status_code == 200


def test_it_forbids_the_access_log_to_investigators(inv_client):
    assert inv_client.get(reverse("complaints:staff-access-log")).status_code == 403


def test_it_answers_the_same_404_for_a_reference_that_does_not_exist(inv_client):
    response = inv_client.get(reverse("complaints:staff-detail", kwargs={"reference": "CP-2099-99999"}))
    assert response.status_code == 404


def test_it_accepts_a_reference_typed_in_lower_case(inv_client):
    complaint = ComplaintFactory()
    response = inv_client.get(reverse("complaints:staff-detail", kwargs={"reference": complaint.reference.lower()}))
    assert response.status_code == 200


def test_it_only_takes_posts_on_the_message_url(inv_client):
    assert inv_client.get(_url("staff-message", ComplaintFactory())).status_code == 405


def test_it_refuses_a_post_without_the_csrf_token():
    complaint = ComplaintFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(InvestigatorFactory())
    assert client.post(_url("staff-message", complaint), {"body": "Hello"}).status_code == 403
    assert not ComplaintMessage.objects.exists()


# --- The queue ----------------------------------------------------------------------------------


def test_it_lists_complaints_with_their_categories_and_no_personal_details(inv_client):
    complaint = ComplaintFactory(complainant_name="Rosa Quintero", narrative="The officer shouted at me.")
    AllegationFactory(officer=ComplaintOfficerFactory(complaint=complaint), category=category("use-of-force"))
    text = _text(inv_client.get(reverse(QUEUE)))
    assert complaint.reference in text
    assert "Use of force" in text
    assert "Rosa Quintero" not in text
    assert "shouted" not in text


def _refs(response) -> set[str]:
    return {c.reference for c in response.context["complaints"]}


def test_it_filters_the_queue_by_status_category_and_district(inv_client):
    district = DistrictFactory()
    received = ComplaintFactory(district=district)
    investigating = ComplaintFactory(status=Status.INVESTIGATING)
    AllegationFactory(officer=ComplaintOfficerFactory(complaint=investigating), category=category("property"))
    assert _refs(inv_client.get(reverse(QUEUE), {"status": "investigating"})) == {investigating.reference}
    cat = category("property")
    assert _refs(inv_client.get(reverse(QUEUE), {"category": cat.pk})) == {investigating.reference}
    assert _refs(inv_client.get(reverse(QUEUE), {"district": district.pk})) == {received.reference}


def test_it_filters_the_queue_by_who_it_is_assigned_to(investigator, inv_client):
    mine = ComplaintFactory(assigned_to=investigator)
    theirs = ComplaintFactory(assigned_to=InvestigatorFactory())
    nobodys = ComplaintFactory()
    assert _refs(inv_client.get(reverse(QUEUE), {"assigned": "me"})) == {mine.reference}
    assert _refs(inv_client.get(reverse(QUEUE), {"assigned": "nobody"})) == {nobodys.reference}
    assert _refs(inv_client.get(reverse(QUEUE))) == {mine.reference, theirs.reference, nobodys.reference}


def test_it_filters_the_queue_by_overdue_and_due_soon(inv_client):
    today = timezone.localdate()
    overdue_ack = ComplaintFactory(acknowledge_by=today - timedelta(days=1))
    overdue_finish = ComplaintFactory(status=Status.INVESTIGATING, finish_by=today - timedelta(days=2))
    due_soon = ComplaintFactory(acknowledge_by=today + timedelta(days=2))
    later = ComplaintFactory(acknowledge_by=today + timedelta(days=30), finish_by=today + timedelta(days=90))
    # Acknowledged already: the acknowledgement date no longer counts.
    ComplaintFactory(status=Status.ACKNOWLEDGED, acknowledge_by=today - timedelta(days=3))
    # Finished: no deadline.
    ComplaintFactory(status=Status.CLOSED, finish_by=today - timedelta(days=3))
    assert _refs(inv_client.get(reverse(QUEUE), {"deadline": "overdue"})) == {
        overdue_ack.reference,
        overdue_finish.reference,
    }
    assert _refs(inv_client.get(reverse(QUEUE), {"deadline": "due_soon"})) == {due_soon.reference}
    assert later.reference not in _refs(inv_client.get(reverse(QUEUE), {"deadline": "due_soon"}))


def test_it_searches_by_whole_or_partial_reference(inv_client):
    first = ComplaintFactory()
    second = ComplaintFactory()
    assert _refs(inv_client.get(reverse(QUEUE), {"reference": first.reference.lower()})) == {first.reference}
    suffix = second.reference.split("-")[-1]
    assert second.reference in _refs(inv_client.get(reverse(QUEUE), {"reference": suffix}))
    assert _refs(inv_client.get(reverse(QUEUE), {"reference": "CP-2099-99999"})) == set()


def test_it_counts_open_unassigned_overdue_and_mine(investigator, inv_client):
    today = timezone.localdate()
    ComplaintFactory(assigned_to=investigator)
    ComplaintFactory(acknowledge_by=today - timedelta(days=1))
    ComplaintFactory(status=Status.CLOSED)
    counts = inv_client.get(reverse(QUEUE)).context["counts"]
    assert (counts["open"], counts["unassigned"], counts["mine"], counts["overdue"]) == (2, 1, 1, 1)


@pytest.mark.parametrize(
    "query",
    [
        {"status": "lost"},
        {"category": "999999"},
        {"category": "x"},
        {"district": "999999"},
        {"assigned": "everyone"},
        {"deadline": "yesterday"},
        {"reference": "C" * 200},
    ],
)
def test_it_answers_400_with_a_message_for_a_bad_filter(inv_client, query):
    response = inv_client.get(reverse(QUEUE), query)
    assert response.status_code == 400
    assert "There is a problem" in _text(response)


def test_it_answers_a_page_number_out_of_range_with_the_last_page(inv_client):
    ComplaintFactory()
    assert inv_client.get(reverse(QUEUE), {"page": "999"}).status_code == 200
    assert inv_client.get(reverse(QUEUE), {"page": "abc"}).status_code == 200


def _queries(client, url: str, query: dict | None = None) -> int:
    """Queries one GET makes, after a first GET (the session's first touch writes it once)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url, query or {})
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, query or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("query", [{}, {"category": "use-of-force", "deadline": "overdue", "assigned": "me"}])
def test_it_keeps_the_queue_query_count_flat(investigator, inv_client, query):
    if "category" in query:
        query = {**query, "category": category("use-of-force").pk}

    def fill(n: int) -> None:
        for _ in range(n):
            overdue = timezone.localdate() - timedelta(days=1)
            complaint = ComplaintFactory(assigned_to=investigator, acknowledge_by=overdue)
            officer = ComplaintOfficerFactory(complaint=complaint)
            AllegationFactory(officer=officer, category=category("use-of-force"))
            AllegationFactory(officer=officer, category=category("discourtesy"))

    fill(1)
    # session, user, roles, two-factor check, counts, paginator count, page, allegations with their
    # categories, and the filter's choices (categories, districts); a chosen category is looked up once
    expected = 11 if "category" in query else 10
    assert _queries(inv_client, reverse(QUEUE), query) == expected
    fill(29)
    assert len(inv_client.get(reverse(QUEUE), query).context["complaints"]) == 25
    assert _queries(inv_client, reverse(QUEUE), query) == expected


# --- The CSV export -----------------------------------------------------------------------------


def _csv_rows(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_it_exports_the_filtered_queue_without_personal_data_and_logs_each_row(investigator, inv_client):
    exported = ComplaintFactory(
        status=Status.INVESTIGATING, complainant_name="Rosa Quintero", complainant_phone="555-0100"
    )
    AllegationFactory(officer=ComplaintOfficerFactory(complaint=exported), category=category("property"))
    ComplaintFactory()  # not investigating: not exported
    response = inv_client.get(reverse("complaints:staff-export"), {"status": "investigating"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = _csv_rows(response)
    assert [row["reference"] for row in rows] == [exported.reference]
    assert rows[0]["categories"] == "Property"
    assert rows[0]["status"] == "investigating"
    body = response.content.decode()
    for private in ("Rosa Quintero", exported.complainant_email, "555-0100", exported.narrative[:20]):
        assert private not in body
    entries = list(AccessLogEntry.objects.all())
    assert [(e.complaint_id, e.actor_id, e.action) for e in entries] == [(exported.pk, investigator.pk, "export")]


def test_it_neutralises_formulas_in_exported_cells(inv_client):
    district = DistrictFactory(name="=HYPERLINK(1)")
    ComplaintFactory(district=district)
    rows = _csv_rows(inv_client.get(reverse("complaints:staff-export")))
    assert rows[0]["district"] == "'=HYPERLINK(1)"


def test_it_answers_400_to_an_export_with_a_bad_filter(inv_client):
    ComplaintFactory()
    assert inv_client.get(reverse("complaints:staff-export"), {"status": "nope"}).status_code == 400
    assert not AccessLogEntry.objects.exists()


def test_it_keeps_the_export_query_count_flat(inv_client):
    ComplaintFactory()
    url = reverse("complaints:staff-export")
    first = _queries(inv_client, url)
    ComplaintFactory.create_batch(30)
    # session, user, roles, two-factor check, complaints, their allegations, one insert of log rows
    assert _queries(inv_client, url) == first == 7


# --- One complaint ------------------------------------------------------------------------------


def test_it_shows_the_whole_complaint_and_logs_the_view(investigator, inv_client):
    complaint = ComplaintFactory(narrative="He pushed me <script>alert(1)</script> against the car.")
    profile = OfficerProfileFactory(first_name="Dana", last_name="Whitfield")
    named = ComplaintOfficerFactory(complaint=complaint, officer=profile, described_name="")
    AllegationFactory(officer=named, category=category("use-of-force"), recommended_finding="sustained")
    ComplaintEventFactory(complaint=complaint, note="Internal: called the witness.", visible_to_complainant=False)
    ComplaintEventFactory(complaint=complaint, note="We have started.", visible_to_complainant=True)
    ComplaintMessageFactory(complaint=complaint, body="Any news about my complaint?")
    EvidenceFactory(complaint=complaint, original_name="dashcam.png")
    response = inv_client.get(_url("staff-detail", complaint))
    text = _text(response)
    assert response.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "Whitfield" in text
    assert "Use of force" in text
    assert "Sustained" in text
    assert "Internal: called the witness." in text
    assert "Internal" in text
    assert "Visible to the complainant" in text
    assert "Any news about my complaint?" in text
    assert "dashcam.png" in text
    assert response.context["view_count"] == 1
    entry = AccessLogEntry.objects.get()
    assert (entry.complaint_id, entry.actor_id, entry.action) == (complaint.pk, investigator.pk, "view")


def test_it_counts_every_staff_view(inv_client, admin_client):
    complaint = ComplaintFactory()
    inv_client.get(_url("staff-detail", complaint))
    admin_client.get(_url("staff-detail", complaint))
    assert inv_client.get(_url("staff-detail", complaint)).context["view_count"] == 3


# --- Messages -----------------------------------------------------------------------------------


def test_it_sends_a_staff_message_through_the_service(investigator, inv_client):
    complaint = ComplaintFactory()
    response = inv_client.post(_url("staff-message", complaint), {"body": "We will call you on Monday."})
    assert response.status_code == 302
    message = ComplaintMessage.objects.get()
    assert (message.complaint_id, message.from_complainant, message.author_id) == (
        complaint.pk,
        False,
        investigator.pk,
    )


@pytest.mark.parametrize("body", ["", "x" * 5001])
def test_it_answers_400_to_an_empty_or_too_long_message(inv_client, body):
    complaint = ComplaintFactory()
    response = inv_client.post(_url("staff-message", complaint), {"body": body})
    assert response.status_code == 400
    assert "There is a problem" in _text(response)
    assert not ComplaintMessage.objects.exists()


# --- Evidence -----------------------------------------------------------------------------------


def test_it_serves_evidence_as_an_attachment_and_logs_it(investigator, inv_client):
    evidence = EvidenceFactory(original_name="photo.png")
    response = inv_client.get(_url("staff-evidence", evidence.complaint, pk=evidence.pk))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG_BYTES
    assert "attachment" in response["Content-Disposition"]
    entry = AccessLogEntry.objects.get()
    assert (entry.action, entry.target, entry.actor_id) == ("evidence", "photo.png", investigator.pk)


def test_it_refuses_an_altered_evidence_file_with_a_clear_page(inv_client):
    evidence = EvidenceFactory()
    with evidence.file.storage.open(evidence.file.name, "wb") as handle:
        handle.write(PNG_BYTES + b"changed")
    response = inv_client.get(_url("staff-evidence", evidence.complaint, pk=evidence.pk))
    assert response.status_code == 409
    assert "cannot be opened" in _text(response)
    assert PNG_BYTES not in response.content


def test_it_answers_404_for_evidence_of_another_complaint(inv_client):
    evidence = EvidenceFactory()
    other = ComplaintFactory()
    assert inv_client.get(_url("staff-evidence", other, pk=evidence.pk)).status_code == 404


# --- Transitions --------------------------------------------------------------------------------


def test_it_offers_only_the_transitions_the_table_allows(inv_client):
    complaint = ComplaintFactory(status=Status.RECEIVED)
    form = inv_client.get(_url("staff-transition", complaint)).context["form"]
    offered = {value for value, _label in form.fields["to_status"].choices}
    assert offered == {"acknowledged", "investigating", "referred", "informally_resolved", "withdrawn"}


def test_it_offers_no_transition_while_a_review_is_pending(admin_client):
    complaint = ComplaintFactory(status=Status.REVIEW_REQUESTED)
    response = admin_client.get(_url("staff-transition", complaint))
    assert response.context["targets"] == []


def test_it_records_a_transition(investigator, inv_client):
    complaint = ComplaintFactory()
    response = inv_client.post(
        _url("staff-transition", complaint),
        {"to_status": "acknowledged", "public_note": "We have your complaint.", "note": "Looks urgent."},
    )
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == Status.ACKNOWLEDGED
    assert ComplaintEvent.objects.filter(complaint=complaint, actor=investigator).exists()


@pytest.mark.parametrize(
    "data",
    [
        {"to_status": "closed"},  # not allowed from received
        {"to_status": "made-up"},
        {},
        {"to_status": "referred"},  # which agency?
        {"to_status": "acknowledged", "note": "x" * 5001},
    ],
)
def test_it_answers_400_to_a_transition_it_cannot_make(inv_client, data):
    complaint = ComplaintFactory()
    response = inv_client.post(_url("staff-transition", complaint), data)
    assert response.status_code == 400
    assert "There is a problem" in _text(response)
    complaint.refresh_from_db()
    assert complaint.status == Status.RECEIVED


def test_it_refuses_to_issue_findings_while_a_pair_lacks_a_final_finding(inv_client):
    complaint = ComplaintFactory(status=Status.INVESTIGATING)
    AllegationFactory(officer=ComplaintOfficerFactory(complaint=complaint))
    response = inv_client.post(_url("staff-transition", complaint), {"to_status": "findings_issued"})
    assert response.status_code == 400
    assert "final finding" in _text(response)


# --- Assignment ---------------------------------------------------------------------------------


def test_it_assigns_a_colleague_and_never_offers_someone_the_complaint_names(inv_client):
    complaint = ComplaintFactory()
    colleague = InvestigatorFactory()
    named = InvestigatorFactory()
    profile = OfficerProfileFactory(user=named)
    ComplaintOfficerFactory(complaint=complaint, officer=profile)
    form = inv_client.get(_url("staff-assign", complaint)).context["form"]
    offered = set(form.fields["assignee"].queryset)
    assert colleague in offered
    assert named not in offered
    assert inv_client.post(_url("staff-assign", complaint), {"assignee": colleague.pk}).status_code == 302
    complaint.refresh_from_db()
    assert complaint.assigned_to == colleague


def test_it_assigns_a_complaint_to_nobody_again(inv_client, investigator):
    complaint = ComplaintFactory(assigned_to=InvestigatorFactory())
    assert "Assign to nobody" in _text(inv_client.get(_url("staff-assign", complaint)))
    response = inv_client.post(_url("staff-assign", complaint), {"action": "unassign"})
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.assigned_to is None
    assert complaint.events.filter(kind="assignment", visible_to_complainant=False).exists()
    assert "Assign to nobody" not in _text(inv_client.get(_url("staff-assign", complaint)))


def test_it_refuses_to_unassign_a_finished_complaint(inv_client):
    complaint = ComplaintFactory(status=Status.CLOSED, assigned_to=InvestigatorFactory())
    assert inv_client.post(_url("staff-assign", complaint), {"action": "unassign"}).status_code == 400
    complaint.refresh_from_db()
    assert complaint.assigned_to is not None


@pytest.mark.parametrize("make_value", [lambda: "", lambda: "abc", lambda: ResidentFactory().pk])
def test_it_answers_400_to_a_bad_assignee(inv_client, make_value):
    complaint = ComplaintFactory()
    assert inv_client.post(_url("staff-assign", complaint), {"assignee": make_value()}).status_code == 400


# --- Findings -----------------------------------------------------------------------------------


def test_it_records_a_recommended_and_a_final_finding(admin_client):
    complaint = ComplaintFactory(status=Status.INVESTIGATING)
    allegation = AllegationFactory(officer=ComplaintOfficerFactory(complaint=complaint))
    response = admin_client.post(
        _url("staff-findings", complaint),
        {
            "action": "finding",
            "allegation": allegation.pk,
            "recommended_finding": "sustained",
            "finding": "sustained",
            "discipline": "Written reprimand",
        },
    )
    assert response.status_code == 302
    allegation.refresh_from_db()
    assert (allegation.recommended_finding, allegation.finding, allegation.discipline) == (
        "sustained",
        "sustained",
        "Written reprimand",
    )


def test_it_adds_an_allegation(inv_client):
    complaint = ComplaintFactory(status=Status.INVESTIGATING)
    involved = ComplaintOfficerFactory(complaint=complaint)
    response = inv_client.post(
        _url("staff-findings", complaint),
        {"action": "add", "officer": involved.pk, "category": category("property").pk},
    )
    assert response.status_code == 302
    assert Allegation.objects.filter(complaint=complaint, officer=involved, category__slug="property").exists()


def test_it_answers_400_to_a_finding_about_another_complaints_allegation(inv_client):
    complaint = ComplaintFactory(status=Status.INVESTIGATING)
    AllegationFactory(officer=ComplaintOfficerFactory(complaint=complaint))
    elsewhere = AllegationFactory()
    response = inv_client.post(
        _url("staff-findings", complaint),
        {"action": "finding", "allegation": elsewhere.pk, "recommended_finding": "unfounded"},
    )
    assert response.status_code == 400
    assert "not part of this complaint" in _text(response)
    elsewhere.refresh_from_db()
    assert elsewhere.recommended_finding == ""


@pytest.mark.parametrize(
    "data",
    [
        {"action": "finding", "recommended_finding": "guilty"},
        {"action": "finding", "finding": "unable_to_investigate"},  # a reason is needed
        {"action": "finding", "recommended_finding": "unfounded", "unable_reason": "withdrawn"},
        {"action": "finding", "finding": "unfounded", "discipline": "Suspension"},  # only when sustained
        {"action": "add", "officer": "999999", "category": "1"},
        {"action": "add"},
        {"action": "dance"},
    ],
)
def test_it_answers_400_to_bad_findings_input(admin_client, data):
    complaint = ComplaintFactory(status=Status.INVESTIGATING)
    allegation = AllegationFactory(officer=ComplaintOfficerFactory(complaint=complaint))
    if data.get("action") == "finding":
        data = {**data, "allegation": allegation.pk}
    response = admin_client.post(_url("staff-findings", complaint), data)
    assert response.status_code == 400
    allegation.refresh_from_db()
    assert (allegation.recommended_finding, allegation.finding) == ("", "")


def test_it_shows_findings_read_only_once_issued(inv_client):
    complaint = ComplaintFactory(status=Status.FINDINGS_ISSUED)
    AllegationFactory(officer=ComplaintOfficerFactory(complaint=complaint), finding="unfounded")
    response = inv_client.get(_url("staff-findings", complaint))
    assert response.context["editable"] is False
    assert "Save this finding" not in _text(response)


# --- Review decision ----------------------------------------------------------------------------


def test_it_forbids_investigators_to_decide_a_review(inv_client):
    complaint = ComplaintFactory(status=Status.REVIEW_REQUESTED)
    assert inv_client.get(_url("staff-review", complaint)).status_code == 403
    assert inv_client.post(_url("staff-review", complaint), {"decision": "uphold", "note": "x"}).status_code == 403


def test_it_answers_404_when_no_review_is_pending(admin_client):
    assert admin_client.get(_url("staff-review", ComplaintFactory(status=Status.CLOSED))).status_code == 404


def test_it_lets_an_administrator_uphold_the_findings(admin_client):
    complaint = ComplaintFactory(status=Status.REVIEW_REQUESTED, findings_issued_at=timezone.now())
    assert admin_client.get(_url("staff-review", complaint)).status_code == 200
    response = admin_client.post(
        _url("staff-review", complaint),
        {"decision": "uphold", "note": "The investigation was thorough.", "public_note": "The findings stand."},
    )
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == Status.CLOSED


@pytest.mark.parametrize("data", [{}, {"decision": "maybe", "note": "x"}, {"decision": "reopen", "note": ""}])
def test_it_answers_400_to_a_bad_review_decision(admin_client, data):
    complaint = ComplaintFactory(status=Status.REVIEW_REQUESTED, findings_issued_at=timezone.now())
    assert admin_client.post(_url("staff-review", complaint), data).status_code == 400
    complaint.refresh_from_db()
    assert complaint.status == Status.REVIEW_REQUESTED


# --- The access-log page ------------------------------------------------------------------------


def test_it_lists_and_filters_access_log_entries(admin_client):
    first, second = ComplaintFactory(), ComplaintFactory()
    reader = InvestigatorFactory(first_name="Iris", last_name="Reader")
    AccessLogEntryFactory(complaint=first, actor=reader)
    AccessLogEntryFactory(complaint=second)
    AccessLogEntryFactory(complaint=second)
    page = admin_client.get(reverse("complaints:staff-access-log"))
    assert page.status_code == 200
    assert len(page.context["entries"]) == 3
    by_reference = admin_client.get(reverse("complaints:staff-access-log"), {"reference": first.reference})
    assert [e.complaint_id for e in by_reference.context["entries"]] == [first.pk]
    by_actor = admin_client.get(reverse("complaints:staff-access-log"), {"actor": reader.pk})
    assert [e.actor_id for e in by_actor.context["entries"]] == [reader.pk]
    today = timezone.localdate().isoformat()
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert len(admin_client.get(reverse("complaints:staff-access-log"), {"date_from": today}).context["entries"]) == 3
    assert not admin_client.get(reverse("complaints:staff-access-log"), {"date_from": tomorrow}).context["entries"]


@pytest.mark.parametrize(
    "query",
    [{"date_from": "31/12/2026"}, {"actor": "999999"}, {"date_from": "2026-05-02", "date_to": "2026-05-01"}],
)
def test_it_answers_400_to_a_bad_access_log_filter(admin_client, query):
    response = admin_client.get(reverse("complaints:staff-access-log"), query)
    assert response.status_code == 400
    assert "There is a problem" in _text(response)


def test_it_keeps_the_access_log_query_count_flat(admin_client):
    AccessLogEntryFactory()
    url = reverse("complaints:staff-access-log")
    first = _queries(admin_client, url)
    AccessLogEntryFactory.create_batch(30)
    # session, user, roles, two-factor check, the staff members to filter by, count, page
    assert _queries(admin_client, url) == first == 7


# --- The staff home card and the admin ----------------------------------------------------------


def test_it_puts_a_complaints_card_on_the_staff_home_for_complaint_staff(inv_client):
    response = inv_client.get(reverse("portal:staff-home"))
    assert reverse(QUEUE) in _text(response)


def test_it_puts_no_complaints_card_on_an_officers_staff_home():
    response = _client(OfficerFactory()).get(reverse("portal:staff-home"))
    assert reverse(QUEUE) not in _text(response)


def test_it_lets_administrators_edit_allegation_categories_in_the_admin(admin_client):
    cat = category("other")
    url = reverse("admin:complaints_allegationcategory_change", args=[cat.pk])
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(
        url, {"slug": "other", "name_en": "Something else", "name_es": "Otra cosa", "is_active": "on", "order": 9}
    )
    assert response.status_code == 302
    assert AllegationCategory.objects.get(pk=cat.pk).name_en == "Something else"


def test_it_registers_no_complaint_evidence_message_or_log_admin():
    registered = {model for model in admin.site._registry if model._meta.app_label == "complaints"}
    assert registered == {AllegationCategory}


# --- Unread messages ----------------------------------------------------------------------------


def test_it_marks_a_complaint_with_a_new_message_in_the_queue_until_staff_open_it(inv_client):
    complaint = ComplaintFactory()
    ComplaintMessageFactory(complaint=complaint, from_complainant=True)
    assert "New message" in _text(inv_client.get(reverse(QUEUE)))
    detail = inv_client.get(_url("staff-detail", complaint))
    assert "New" in _text(detail)
    assert ComplaintMessage.objects.get().read_at is not None
    assert "New message" not in _text(inv_client.get(reverse(QUEUE)))


# --- De-identified complaints -------------------------------------------------------------------


def test_it_shows_a_de_identified_complaint_read_only(inv_client):
    complaint = ComplaintFactory(deidentified_at=timezone.now(), narrative="", complainant_name="")
    EvidenceFactory(complaint=complaint, removed_at=timezone.now(), original_name="gone.png")
    response = inv_client.get(_url("staff-detail", complaint))
    assert response.status_code == 200
    text = _text(response)
    assert "de-identified" in text
    assert "Change the status" not in text
    assert f"{complaint.reference}/evidence/" not in text  # a removed file has no download link
    for name in ("staff-transition", "staff-assign", "staff-findings"):
        assert inv_client.get(_url(name, complaint)).status_code == 403
    assert inv_client.post(_url("staff-message", complaint), {"body": "Hello"}).status_code == 403
