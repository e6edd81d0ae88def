"""The complaint form's pages: start, one topic a page, check your answers, confirmation; bad input
answers 4xx with a clear message, never a 500."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation

from complaints import drafts
from complaints.models import AllegationCategory, Complaint, Evidence, IntakeDraft
from complaints.references import access_code_matches
from portal.models import OutboxMessage
from tests.complaints.factories import PDF_BYTES, PNG_BYTES, category
from tests.complaints.intake_helpers import answers, start, step_url, walk
from tests.factories import InvestigatorFactory, OfficerProfileFactory, ResidentFactory

pytestmark = pytest.mark.django_db

START = reverse("complaints:start")
CHECK = reverse("complaints:check")
DONE = reverse("complaints:done")


def _submit(client):
    response = client.post(CHECK)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == DONE
    return client.get(DONE)


# --- Start page --------------------------------------------------------------------------------


def test_it_shows_how_complaints_work_and_a_start_button(client):
    response = client.get(START)
    assert response.status_code == 200
    page = response.content.decode()
    assert "How complaints work" in page
    assert "civilian oversight board" in page
    assert "Start now" in page


def test_it_shows_the_spanish_text_to_spanish_readers(client):
    with translation.override("es"):
        url = reverse("complaints:start")
    assert url.startswith("/es/")
    page = client.get(url).content.decode()
    assert "Cómo funcionan las quejas" in page
    assert "junta civil de supervisión" in page


def test_it_starts_a_server_side_draft_keyed_by_a_random_cookie(client):
    start(client)
    key = client.cookies[drafts.COOKIE_NAME].value
    draft = IntakeDraft.objects.get()
    assert key not in draft.key_hash
    assert client.cookies[drafts.COOKIE_NAME]["httponly"]


def test_it_offers_to_continue_a_draft_in_the_same_browser(client):
    walk(client, until="where")
    page = client.get(START).content.decode()
    assert "Continue your complaint" in page
    assert step_url("where") in page


# --- The whole journey ---------------------------------------------------------------------------


def test_it_files_an_anonymous_complaint_and_shows_the_code_once(client):
    walk(client)
    response = client.get(CHECK)
    assert response.status_code == 200
    assert "Main Street and 5th Avenue" in response.content.decode()
    done = _submit(client)
    assert done.status_code == 200
    complaint = Complaint.objects.get()
    page = done.content.decode()
    assert complaint.reference in page
    code = page.split('id="complaint-code">')[1].split("<")[0]
    assert access_code_matches(code, complaint.access_code_hash)
    assert "no-store" in done["Cache-Control"]
    assert done["Referrer-Policy"] == "same-origin"
    assert code not in str(dict(client.session))
    assert OutboxMessage.objects.filter(to="maria@example.org").count() == 1
    # Shown once: the page again, without a fresh submission, goes to the start.
    again = client.get(DONE)
    assert again.status_code == 302
    assert again["Location"] == START


def test_it_links_a_signed_in_residents_complaint_and_prefills_their_email(client):
    resident = ResidentFactory(email="rosa@example.org")
    client.force_login(resident)
    walk(client, until="contact")
    page = client.get(step_url("contact")).content.decode()
    assert 'value="rosa@example.org"' in page
    client.post(step_url("contact"), answers()["contact"])
    done = _submit(client)
    complaint = Complaint.objects.get()
    assert complaint.filed_by == resident
    assert 'id="complaint-code"' not in done.content.decode()


def test_it_does_not_open_a_residents_draft_once_they_sign_out(client):
    client.force_login(ResidentFactory())
    walk(client, until="when")
    client.logout()
    response = client.get(step_url("when"))
    assert response.status_code == 302
    assert response["Location"] == START


def test_it_shows_script_in_the_narrative_escaped(client):
    walk(client, what_happened={"narrative": "<script>alert('x')</script> and then"})
    page = client.get(CHECK).content.decode()
    assert "<script>alert('x')</script>" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page


def test_it_lets_people_change_an_answer_from_the_check_page(client):
    walk(client)
    response = client.get(f"{step_url('where')}?change=1")
    assert reverse("complaints:check") in response.content.decode()
    response = client.post(f"{step_url('where')}?change=1", {"incident_place": "Oak Park", "district": ""})
    assert response["Location"] == CHECK
    assert "Oak Park" in client.get(CHECK).content.decode()


# --- Skipped and replayed steps, tampering ------------------------------------------------------


@pytest.mark.parametrize("url", [step_url("about-you"), step_url("contact"), CHECK, DONE])
def test_it_sends_people_without_a_draft_to_the_start(client, url):
    assert client.get(url)["Location"] == START
    posted = client.post(url, {"filer": "self"})
    if url == DONE:
        assert posted.status_code == 405  # the confirmation is only ever read
    else:
        assert posted["Location"] == START


def test_it_sends_a_skipped_step_back_to_the_first_unanswered_one(client):
    walk(client, until="where")
    for url in (step_url("allegations"), step_url("contact"), CHECK):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == step_url("where")
    response = client.post(step_url("contact"), answers()["contact"])
    assert response["Location"] == step_url("where")


def test_it_finds_no_draft_when_a_step_is_replayed_after_filing(client):
    walk(client)
    _submit(client)
    response = client.post(step_url("what-happened"), {"narrative": "again"})
    assert response.status_code == 302
    assert response["Location"] == START
    response = client.post(CHECK)
    assert response["Location"] == START
    assert Complaint.objects.count() == 1


def test_it_finds_no_draft_for_a_tampered_cookie(client):
    start(client)
    client.cookies[drafts.COOKIE_NAME] = "not-the-key"
    assert client.get(step_url("about-you"))["Location"] == START
    client.cookies[drafts.COOKIE_NAME] = "x" * 5000
    assert client.get(step_url("about-you"))["Location"] == START


def test_it_answers_404_for_an_unknown_step_with_a_draft(client):
    start(client)
    assert client.get(step_url("nonsense")).status_code == 404


@pytest.mark.parametrize(
    ("step", "data", "message"),
    [
        ("about-you", {"filer": "admin"}, "for you or for someone else"),
        ("about-you", {"filer": "on_behalf"}, "how you know the person"),
        ("about-you", {"filer": "on_behalf", "relationship": "x" * 201, "affected_person_name": "A"}, "at most 200"),
        ("when", {"incident_date": "2999-01-01"}, "cannot be in the future"),
        ("when", {"incident_date": "yesterday"}, "Enter a real date"),
        ("when", {"incident_date": "1800-01-01"}, "Enter a date after"),
        ("when", {"incident_date": "2026-01-01", "incident_time": "25:99"}, "Enter a real time"),
        ("where", {"incident_place": ""}, "Say where it happened"),
        ("where", {"incident_place": "Park", "district": "atlantis"}, "We do not know that district"),
        ("what-happened", {"narrative": ""}, "Tell us what happened"),
        ("what-happened", {"narrative": "x" * 10001}, "at most 10000 characters"),
        ("allegations", {}, "Choose at least one"),
        ("allegations", {"categories": ["999999"]}, "We do not know one of the kinds"),
        ("allegations", {"categories": ["'; DROP TABLE"]}, "We do not know one of the kinds"),
        ("witnesses", {"witnesses": "x" * 3001}, "at most 3000"),
        ("contact", {"contact_preference": "email", "language": "en", "consent_to_contact": "on"}, "Enter your email"),
        ("contact", {"contact_preference": "phone", "language": "en", "complainant_phone": "call me"}, "phone number"),
        (
            "contact",
            {"contact_preference": "email", "language": "en", "complainant_email": "a@example.org"},
            "Tick the box",
        ),
        ("contact", {"contact_preference": "pigeon", "language": "klingon"}, "from the list"),
    ],
)
def test_it_refuses_bad_answers_with_a_clear_message(client, step, data, message):
    walk(client, until=step)
    response = client.post(step_url(step), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert "There is a problem" in page
    assert step not in drafts.draft_completed(IntakeDraft.objects.get())


def test_it_refuses_a_time_later_today(client):
    walk(client, until="when")
    now = timezone.localtime()
    if now.hour == 23:
        pytest.skip("no later time today")
    later = (now + timedelta(hours=1)).strftime("%H:%M")
    response = client.post(step_url("when"), {"incident_date": now.date().isoformat(), "incident_time": later})
    assert response.status_code == 400
    assert "The time cannot be in the future" in response.content.decode()


def test_it_refuses_an_inactive_category(client):
    walk(client, until="allegations")
    AllegationCategory.objects.filter(slug="property").update(is_active=False)
    response = client.post(step_url("allegations"), {"categories": [str(category("property").pk)]})
    assert response.status_code == 400
    assert "property" not in client.get(step_url("allegations")).content.decode().lower().split("<main")[1]


def test_it_shows_categories_in_the_readers_language(client):
    walk(client, until="allegations")
    with translation.override("es"):
        url = reverse("complaints:step", kwargs={"step": "allegations"})
    page = client.get(url).content.decode()
    assert category("use-of-force").name_es in page


# --- Officers -----------------------------------------------------------------------------------


def test_it_searches_the_directory_and_adds_describes_and_removes_officers(client):
    officer = OfficerProfileFactory(first_name="Ana", last_name="Ruiz", badge_number="B4242")
    hidden = OfficerProfileFactory(first_name="Ana", last_name="Hidden", is_public=False)
    walk(client, until="officers")
    page = client.get(step_url("officers"), {"q": "B4242"}).content.decode()
    assert "Ruiz" in page
    page = client.get(step_url("officers"), {"q": "Ana"}).content.decode()
    assert "Hidden" not in page
    assert client.post(step_url("officers"), {"action": "add", "officer": officer.pk}).status_code == 302
    response = client.post(
        step_url("officers"), {"action": "describe", "described_name": "", "described_badge": "", "description": ""}
    )
    assert response.status_code == 400
    assert "Give at least a name" in response.content.decode()
    client.post(step_url("officers"), {"action": "describe", "description": "Short, grey moustache"})
    page = client.get(step_url("officers")).content.decode()
    assert "Ruiz" in page
    assert "grey moustache" in page
    client.post(step_url("officers"), {"action": "remove", "index": "1"})
    assert client.post(step_url("officers"), {"action": "continue"})["Location"] == step_url("allegations")
    draft = IntakeDraft.objects.get()
    assert drafts.draft_answers(draft, "officers") == {"officers": [{"officer": officer.pk}]}
    assert client.post(step_url("officers"), {"action": "add", "officer": hidden.pk}).status_code == 400


@pytest.mark.parametrize(
    "data",
    [
        {"action": "add", "officer": "999999"},
        {"action": "add", "officer": "abc"},
        {"action": "add"},
        {"action": "remove", "index": "7"},
        {"action": "remove", "index": "-1"},
        {"action": "explode"},
        {},
    ],
)
def test_it_refuses_tampered_officer_actions(client, data):
    walk(client, until="officers")
    response = client.post(step_url("officers"), data)
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()


def test_it_answers_an_over_long_search_with_a_message(client):
    walk(client, until="officers")
    response = client.get(step_url("officers"), {"q": "x" * 500})
    assert response.status_code == 400


# --- Evidence -----------------------------------------------------------------------------------


def _upload(client, *files):
    return client.post(step_url("evidence"), {"action": "upload", "files": list(files)})


def test_it_takes_photos_lists_them_and_removes_one(client):
    walk(client, until="evidence")
    response = _upload(client, SimpleUploadedFile("photo.png", PNG_BYTES), SimpleUploadedFile("letter.pdf", PDF_BYTES))
    assert response.status_code == 302
    page = client.get(step_url("evidence")).content.decode()
    assert "photo.png" in page
    assert "letter.pdf" in page
    evidence = Evidence.objects.get(original_name="letter.pdf")
    client.post(step_url("evidence"), {"action": "remove", "evidence": str(evidence.pk)})
    assert list(Evidence.objects.values_list("original_name", flat=True)) == ["photo.png"]
    client.post(step_url("evidence"), {"action": "continue"})
    client.post(step_url("contact"), answers()["contact"])
    _submit(client)
    assert Evidence.objects.get().complaint == Complaint.objects.get()


def test_it_refuses_text_renamed_pdf(client):
    walk(client, until="evidence")
    response = _upload(client, SimpleUploadedFile("statement.pdf", b"I am text", content_type="application/pdf"))
    assert response.status_code == 400
    assert "is not a file we can take" in response.content.decode()
    assert not Evidence.objects.exists()


@override_settings(COMPLAINTS_EVIDENCE_MAX_BYTES=50)
def test_it_refuses_an_oversized_file(client):
    walk(client, until="evidence")
    response = _upload(client, SimpleUploadedFile("big.png", PNG_BYTES + b"\x00" * 100))
    assert response.status_code == 400
    assert "is too big" in response.content.decode()


def test_it_refuses_the_eleventh_file(client):
    walk(client, until="evidence")
    files = [SimpleUploadedFile(f"photo{i}.png", PNG_BYTES) for i in range(11)]
    response = _upload(client, *files)
    assert response.status_code == 400
    assert "at most 10 files" in response.content.decode()
    assert Evidence.objects.count() == 10


@pytest.mark.parametrize(
    "data", [{"action": "upload"}, {"action": "remove", "evidence": "abc"}, {"action": "remove", "evidence": "999"}]
)
def test_it_refuses_tampered_evidence_actions(client, data):
    walk(client, until="evidence")
    response = client.post(step_url("evidence"), data)
    assert response.status_code == 400


def test_it_does_not_remove_another_drafts_file(client):
    from django.test import Client

    other = Client()
    walk(other, until="evidence")
    _upload(other, SimpleUploadedFile("theirs.png", PNG_BYTES))
    walk(client, until="evidence")
    theirs = Evidence.objects.get()
    response = client.post(step_url("evidence"), {"action": "remove", "evidence": str(theirs.pk)})
    assert response.status_code == 400
    assert Evidence.objects.filter(pk=theirs.pk).exists()


# --- Rate limit ---------------------------------------------------------------------------------


@override_settings()
def test_it_rate_limits_submissions(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "complaints_submit": "1/h/ip"}
    walk(client)
    _submit(client)
    walk(client)
    response = client.post(CHECK)
    assert response.status_code == 429
    assert "Too many complaints" in response.content.decode()
    assert Complaint.objects.count() == 1
    assert IntakeDraft.objects.count() == 1  # the answers are kept


# --- Staff intake -------------------------------------------------------------------------------


def test_it_lets_an_investigator_enter_a_complaint_received_by_phone(client):
    investigator = InvestigatorFactory()
    client.force_login(investigator)
    url = reverse("complaints:staff-intake")
    assert client.get(url).status_code == 200
    assert client.post(url, {"channel": "fax"}).status_code == 400
    response = client.post(url, {"channel": "phone"})
    assert response["Location"] == step_url("about-you")
    page = client.get(step_url("about-you")).content.decode()
    assert "You are entering a complaint received by phone" in page
    for step, values in answers().items():
        data = {"action": "continue"} if step in ("officers", "evidence") else values
        assert client.post(step_url(step), data).status_code == 302
    page = client.get(step_url("contact")).content.decode()
    assert investigator.email not in page
    done = _submit(client).content.decode()
    complaint = Complaint.objects.get()
    assert (complaint.channel, complaint.entered_by, complaint.filed_by) == ("phone", investigator, None)
    assert "Give the complainant this access code" in done
    code = done.split('id="complaint-code">')[1].split("<")[0]
    assert access_code_matches(code, complaint.access_code_hash)


def test_it_keeps_a_staff_draft_to_the_staff_member_who_started_it(client):
    investigator = InvestigatorFactory()
    client.force_login(investigator)
    client.post(reverse("complaints:staff-intake"), {"channel": "mail"})
    client.force_login(InvestigatorFactory())
    assert client.get(step_url("about-you"))["Location"] == START


def test_it_brings_what_was_typed_on_the_feedback_form_into_what_happened(client):
    response = client.post(
        reverse("feedback:new"),
        {"action": "complaint", "kind": "concern", "message": "An officer kicked my dog.", "about": "department"},
    )
    assert response["Location"] == START
    walk(client, until="what-happened")
    page = client.get(step_url("what-happened")).content.decode()
    assert "An officer kicked my dog." in page
    assert "what-happened" not in drafts.draft_completed(IntakeDraft.objects.get())


@pytest.mark.parametrize("count", [1, 25])
def test_it_searches_the_directory_in_a_fixed_number_of_queries(client, django_assert_max_num_queries, count):
    for _ in range(count):
        OfficerProfileFactory(last_name="Garcia")
    walk(client, until="officers")
    with django_assert_max_num_queries(8):
        response = client.get(step_url("officers"), {"q": "Garcia"})
    page = response.content.decode()
    assert page.count('name="action" value="add"') == min(count, 20)
    assert ("Showing the first 20" in page) == (count > 20)


def test_it_rate_limits_uploads(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "complaints_evidence": "1/h/ip"}
    walk(client, until="evidence")
    assert _upload(client, SimpleUploadedFile("a.png", PNG_BYTES)).status_code == 302
    response = _upload(client, SimpleUploadedFile("b.png", PNG_BYTES))
    assert response.status_code == 429
    assert "Too many files" in response.content.decode()
    assert Evidence.objects.count() == 1


def test_it_replaces_the_unsent_draft_when_starting_again(client):
    walk(client, until="evidence")
    _upload(client, SimpleUploadedFile("a.png", PNG_BYTES))
    old = IntakeDraft.objects.get()
    start(client)
    assert not IntakeDraft.objects.filter(pk=old.pk).exists()
    assert IntakeDraft.objects.count() == 1
    assert not Evidence.objects.exists()
