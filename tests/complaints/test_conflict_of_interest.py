"""Conflict of interest: a staff member whose officer profile is named in a complaint cannot see it
anywhere — and learns nothing from trying. As an investigator and as an administrator so named:

- every staff URL of complaints/urls.py whose name starts with "staff-" (read from the URLconf, so
  a page added later is walked too), by GET and by POST, with the complaint's reference (and its
  evidence's pk), answers exactly what a reference that does not exist answers;
- the queue, its counts, a search by reference, the CSV export and the access log never mention it;
- the Django admin has no complaint pages;
- nothing about it is written or changed by trying, and no access-log entry is made;
- the same person still sees and works a complaint that does not name them.
"""

from __future__ import annotations

import re

import pytest
from django.core.files.storage import FileSystemStorage
from django.test import Client
from django.urls import URLPattern, reverse

from complaints import urls as complaint_urls
from complaints.models import AccessLogEntry, Complaint, ComplaintEvent, ComplaintMessage, Evidence
from tests.complaints.factories import (
    AccessLogEntryFactory,
    AllegationFactory,
    ComplaintFactory,
    ComplaintOfficerFactory,
    EvidenceFactory,
)
from tests.factories import AdministratorFactory, InvestigatorFactory, OfficerFactory, OfficerProfileFactory

pytestmark = pytest.mark.django_db

MISSING_REFERENCE = "CP-2099-99999"
STAFF_PATTERNS: list[URLPattern] = [
    pattern
    for pattern in complaint_urls.urlpatterns
    if isinstance(pattern, URLPattern) and (pattern.name or "").startswith("staff-")
]
REFERENCE_PATTERNS = [p for p in STAFF_PATTERNS if "reference" in p.pattern.converters]
LIST_PATTERNS = [p for p in STAFF_PATTERNS if not p.pattern.converters]
# Whatever a form on any staff page could take: a POST walks every form with it.
POST_DATA = {
    "body": "Hello",
    "to_status": "acknowledged",
    "note": "A note",
    "public_note": "A note",
    "decision": "uphold",
    "action": "finding",
    "recommended_finding": "sustained",
    "finding": "sustained",
}
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
NONCE_RE = re.compile(r'nonce="[^"]*"')


def test_it_walks_every_staff_url():
    # The walk must cover what the URLconf has (a new staff page is walked without editing this file).
    names = {p.name for p in STAFF_PATTERNS}
    assert {"staff-detail", "staff-evidence", "staff-message", "staff-review", "staff-queue"} <= names
    for pattern in REFERENCE_PATTERNS:
        assert set(pattern.pattern.converters) <= {"reference", "pk"}, f"{pattern.name}: add its kwargs here"


@pytest.fixture(autouse=True)
def _evidence_in_tmp(tmp_path, monkeypatch):
    monkeypatch.setattr(Evidence._meta.get_field("file"), "storage", FileSystemStorage(location=str(tmp_path)))


ROLE_FACTORIES = {"investigator": InvestigatorFactory, "administrator": AdministratorFactory, "officer": OfficerFactory}


@pytest.fixture(params=["investigator", "administrator"])
def named(request):
    """A staff member whose officer profile is named in `hidden`, signed in."""
    user = ROLE_FACTORIES[request.param]()
    profile = OfficerProfileFactory(user=user)
    hidden = ComplaintFactory.naming(profile, status=Complaint.Status.INVESTIGATING)
    evidence = EvidenceFactory(complaint=hidden)
    AllegationFactory(officer=ComplaintOfficerFactory(complaint=hidden))
    # Someone else read it: the log has entries about it.
    AccessLogEntryFactory(complaint=hidden, actor=InvestigatorFactory())
    visible = ComplaintFactory(status=Complaint.Status.INVESTIGATING)
    client = Client()
    client.force_login(user)
    return type(
        "Named", (), {"user": user, "client": client, "hidden": hidden, "evidence": evidence, "visible": visible}
    )


def _normalized(response, *secrets: str) -> tuple[int, str, str]:
    body = response.content.decode(errors="replace") if not getattr(response, "streaming", False) else "<stream>"
    body = NONCE_RE.sub("nonce", CSRF_RE.sub("csrf", body))
    location = response.get("Location", "")
    for secret in secrets:
        body = body.replace(secret, "<secret>")
        location = location.replace(secret, "<secret>")
    return response.status_code, location, body


def _kwargs(pattern: URLPattern, reference: str, pk: int) -> dict:
    kwargs = {"reference": reference}
    if "pk" in pattern.pattern.converters:
        kwargs["pk"] = pk
    return kwargs


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("pattern", REFERENCE_PATTERNS, ids=lambda p: p.name)
def test_it_answers_like_a_missing_reference_on_every_staff_url(named, pattern, method):
    hidden = named.hidden
    missing_pk = named.evidence.pk + 1000
    data = {**POST_DATA, "assignee": named.user.pk, "allegation": hidden.allegations.first().pk}
    before = (hidden.status, ComplaintEvent.objects.count(), ComplaintMessage.objects.count())
    log_before = AccessLogEntry.objects.filter(complaint=hidden).count()

    def call(reference: str, pk: int):
        url = reverse(f"complaints:{pattern.name}", kwargs=_kwargs(pattern, reference, pk))
        return getattr(named.client, method)(url, data) if method == "post" else named.client.get(url)

    real = call(hidden.reference, named.evidence.pk)
    fake = call(MISSING_REFERENCE, missing_pk)
    assert real.status_code in (403, 404, 405), f"{pattern.name} {method}: {real.status_code}"
    assert _normalized(real, hidden.reference, f"/{named.evidence.pk}/") == _normalized(
        fake, MISSING_REFERENCE, f"/{missing_pk}/"
    )
    hidden.refresh_from_db()
    assert (hidden.status, ComplaintEvent.objects.count(), ComplaintMessage.objects.count()) == before
    assert AccessLogEntry.objects.filter(complaint=hidden).count() == log_before


@pytest.mark.parametrize("pattern", LIST_PATTERNS, ids=lambda p: p.name)
def test_it_never_mentions_the_complaint_on_the_staff_lists(named, pattern):
    response = named.client.get(reverse(f"complaints:{pattern.name}"))
    body = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    assert named.hidden.reference.encode() not in body


def test_it_leaves_the_complaint_out_of_the_queue_and_its_counts(named):
    response = named.client.get(reverse("complaints:staff-queue"))
    assert [c.reference for c in response.context["complaints"]] == [named.visible.reference]
    counts = response.context["counts"]
    assert (counts["open"], counts["unassigned"]) == (1, 1)
    assert response.context["page_obj"].paginator.count == 1


def test_it_finds_nothing_when_searching_for_its_reference(named):
    url = reverse("complaints:staff-queue")
    real = named.client.get(url, {"reference": named.hidden.reference})
    fake = named.client.get(url, {"reference": MISSING_REFERENCE})
    assert real.context["complaints"] == []
    assert _normalized(real, named.hidden.reference) == _normalized(fake, MISSING_REFERENCE)
    partial = named.hidden.reference.rsplit("-", 1)[-1]
    assert named.hidden.reference not in named.client.get(url, {"reference": partial}).content.decode()


def test_it_leaves_the_complaint_out_of_the_export(named):
    body = named.client.get(reverse("complaints:staff-export")).content.decode()
    assert named.visible.reference in body
    assert named.hidden.reference not in body
    searched = named.client.get(reverse("complaints:staff-export"), {"reference": named.hidden.reference})
    assert searched.content.decode().strip().count("\n") == 0  # the header only
    assert not AccessLogEntry.objects.filter(complaint=named.hidden, actor=named.user).exists()


def test_it_leaves_the_complaint_out_of_the_access_log_of_a_named_administrator():
    administrator = AdministratorFactory()
    hidden = ComplaintFactory.naming(OfficerProfileFactory(user=administrator))
    other_reader = InvestigatorFactory()
    AccessLogEntryFactory(complaint=hidden, actor=other_reader)
    seen = AccessLogEntryFactory(actor=other_reader)
    client = Client()
    client.force_login(administrator)
    url = reverse("complaints:staff-access-log")
    for query in ({}, {"actor": other_reader.pk}):
        response = client.get(url, query)
        assert hidden.reference not in response.content.decode()
        assert all(entry.complaint_id != hidden.pk for entry in response.context["entries"])
    # Filtering by its reference: what a reference that does not exist gives (the typed text echoed).
    real = client.get(url, {"reference": hidden.reference})
    fake = client.get(url, {"reference": MISSING_REFERENCE})
    assert real.context["entries"] == []
    assert _normalized(real, hidden.reference) == _normalized(fake, MISSING_REFERENCE)
    assert [e.pk for e in client.get(url, {"actor": other_reader.pk}).context["entries"]] == [seen.pk]


def test_it_has_no_complaint_pages_in_the_django_admin(named):
    for path in (
        "/admin/complaints/complaint/",
        f"/admin/complaints/complaint/{named.hidden.pk}/change/",
        "/admin/complaints/evidence/",
        "/admin/complaints/complaintmessage/",
        "/admin/complaints/accesslogentry/",
        "/admin/complaints/allegation/",
        "/admin/complaints/complaintevent/",
    ):
        assert named.client.get(path).status_code in (302, 404), path  # 302: not an admin user at all
    index = named.client.get("/admin/", follow=True)
    assert named.hidden.reference not in index.content.decode()


def test_it_still_shows_the_named_person_a_complaint_that_does_not_name_them(named):
    url = reverse("complaints:staff-detail", kwargs={"reference": named.visible.reference})
    assert named.client.get(url).status_code == 200
    transition = reverse("complaints:staff-transition", kwargs={"reference": named.visible.reference})
    assert named.client.get(transition).status_code == 200


def test_it_answers_a_named_officer_like_a_missing_reference_too():
    officer = OfficerFactory()
    hidden = ComplaintFactory.naming(OfficerProfileFactory(user=officer))
    client = Client()
    client.force_login(officer)
    real = client.get(reverse("complaints:staff-detail", kwargs={"reference": hidden.reference}))
    fake = client.get(reverse("complaints:staff-detail", kwargs={"reference": MISSING_REFERENCE}))
    assert _normalized(real, hidden.reference) == _normalized(fake, MISSING_REFERENCE)
    assert real.status_code == 404
