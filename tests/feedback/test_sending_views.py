"""/feedback/new/ and /feedback/sent/: the form, its refusals, spam defences and double submits."""

from __future__ import annotations

import logging

import pytest
from django.test import Client
from django.urls import reverse

from events.models import Event
from feedback.models import Feedback
from feedback.services.sending import READER_TOKEN_PURPOSE
from feedback.views.sending import SESSION_DRAFT
from portal import tokens
from tests.events.factories import EventFactory
from tests.factories import DistrictFactory, OfficerFactory, OfficerProfileFactory, ResidentFactory

pytestmark = pytest.mark.django_db

NEW = "/feedback/new/"


def _data(**overrides) -> dict[str, str]:
    data = {
        "action": "send",
        "kind": "compliment",
        "about": "department",
        "message": "The officers at the fair were kind to my children.",
        "language": "en",
        "contact_email": "",
        "website": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _body(response) -> str:
    return response.content.decode()


# --- The form ----------------------------------------------------------------------------------


def test_it_shows_the_form_with_the_complaint_note_and_the_phone_while_complaints_are_not_online(client, settings):
    response = client.get(NEW)
    body = _body(response)
    assert response.status_code == 200
    assert "conduct" in body
    assert settings.DEPARTMENT_PHONE in body
    assert 'name="contact_email"' in body
    assert "never shown publicly" in body
    assert 'maxlength="5000"' in body
    assert "Up to 5,000 characters" in body


def test_it_hides_the_honeypot_from_people_and_assistive_technology(client):
    body = _body(client.get(NEW))
    start = body.index('aria-hidden="true">', body.index("usa-sr-only"))
    container = body[start : body.index("</div>", start)]
    assert 'name="website"' in container
    assert 'tabindex="-1"' in container
    assert 'autocomplete="off"' in container


def test_it_asks_a_signed_in_sender_for_no_email_address(client):
    client.force_login(ResidentFactory())
    assert 'name="contact_email"' not in _body(client.get(NEW))


def test_it_defaults_the_language_to_the_pages_language(client):
    body = _body(client.get("/es/feedback/new/"))
    assert '<option value="es" selected>' in body


def test_it_preselects_the_officer_from_the_officers_page(client):
    officer = OfficerProfileFactory()
    body = _body(client.get(NEW, {"officer": officer.slug}))
    assert f'<option value="{officer.slug}" selected>' in body
    assert 'value="officer" checked' in body


@pytest.mark.parametrize("name", ["officer", "district", "event"])
def test_it_says_so_for_an_unknown_subject_in_the_link(client, name):
    response = client.get(NEW, {name: "no-such-thing"})
    assert response.status_code == 400
    assert "We do not know the" in _body(response)


def test_it_does_not_preselect_a_hidden_officer_or_a_draft_event(client):
    assert client.get(NEW, {"officer": OfficerProfileFactory(is_public=False).slug}).status_code == 400
    assert client.get(NEW, {"event": EventFactory(status=Event.Status.DRAFT).slug}).status_code == 400


# --- Sending -----------------------------------------------------------------------------------


def test_it_stores_anonymous_feedback_and_shows_the_private_link_once(client, settings):
    response = client.post(NEW, _data(may_publish="on"))
    assert response.status_code == 302
    assert response["Location"] == reverse("feedback:sent")
    item = Feedback.objects.get()
    assert item.publication == Feedback.Publication.AWAITING
    page = client.get(reverse("feedback:sent"))
    body = _body(page)
    prefix = f"{settings.SITE_URL}/feedback/private/"
    assert prefix in body
    token = body.split(prefix, 1)[1].split("/", 1)[0]
    assert tokens.token_hash(token, purpose=READER_TOKEN_PURPOSE) == item.reader_token_hash
    assert page["Referrer-Policy"] == "same-origin"
    assert "no-store" in page["Cache-Control"]
    again = _body(client.get(reverse("feedback:sent")))
    assert token not in again


def test_it_links_a_signed_in_sender_to_my_feedback(client):
    author = ResidentFactory()
    client.force_login(author)
    client.post(NEW, _data())
    item = Feedback.objects.get()
    assert item.author == author
    body = _body(client.get(reverse("feedback:sent")))
    assert reverse("feedback:mine-detail", kwargs={"pk": item.pk}) in body
    assert "/feedback/private/" not in body


def test_it_stores_feedback_about_the_chosen_subject_only(client):
    officer = OfficerProfileFactory()
    district = DistrictFactory()
    client.post(NEW, _data(about="officer", officer=officer.slug, district=district.slug))
    item = Feedback.objects.get()
    assert item.officer == officer
    assert item.about == "officer"


def test_it_stores_feedback_about_a_published_event(client):
    event = EventFactory()
    assert client.post(NEW, _data(about="event", event=event.slug)).status_code == 302
    assert Feedback.objects.get().event == event


def test_it_answers_the_sent_page_without_a_submission(client):
    response = client.get(reverse("feedback:sent"))
    assert response.status_code == 200
    assert "/feedback/private/" not in _body(response)


# --- Bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"message": ""}, "Write your message."),
        ({"message": "   "}, "Write your message."),
        ({"message": "x" * 5001}, "at most 5000 characters"),
        ({"contact_email": "not-an-email"}, "Enter an email address in the right format"),
        ({"kind": "praise"}, "Choose the kind of feedback from the list."),
        ({"kind": None}, "Choose the kind of feedback."),
        ({"about": "weather"}, "Choose what your feedback is about from the list."),
        ({"about": "district"}, "Choose the district your feedback is about."),
        ({"about": "officer", "officer": "nobody"}, "We do not know that officer."),
        ({"about": "event", "event": "nothing"}, "We do not know that event."),
        ({"about": "district", "district": "atlantis"}, "We do not know that district."),
        ({"language": "klingon"}, "Choose a language from the list."),
    ],
)
def test_it_refuses_bad_input_with_the_form_and_an_error_summary(client, overrides, error):
    response = client.post(NEW, _data(**overrides))
    body = _body(response)
    assert response.status_code == 400
    assert "There is a problem" in body
    assert error in body
    assert not Feedback.objects.exists()


def test_it_refuses_a_hidden_officer_and_a_draft_event(client):
    hidden = OfficerProfileFactory(is_public=False)
    draft = EventFactory(status=Event.Status.DRAFT)
    assert client.post(NEW, _data(about="officer", officer=hidden.slug)).status_code == 400
    assert client.post(NEW, _data(about="event", event=draft.slug)).status_code == 400
    assert not Feedback.objects.exists()


def test_it_keeps_what_was_typed_when_refusing(client):
    response = client.post(NEW, _data(contact_email="bad", message="Keep <b>this</b> text"))
    body = _body(response)
    assert "Keep &lt;b&gt;this&lt;/b&gt; text" in body
    assert "<b>this</b>" not in body


def test_it_refuses_a_filled_honeypot_stores_nothing_and_logs_it(client, caplog):
    with caplog.at_level(logging.WARNING, logger="feedback.views.sending"):
        response = client.post(NEW, _data(website="http://spam.example"))
    assert response.status_code == 400
    assert "We did not store this message" in _body(response)
    assert not Feedback.objects.exists()
    assert any("honeypot" in record.message for record in caplog.records)


# --- Spam and double submits ---------------------------------------------------------------------


def test_it_limits_submissions_per_connection_and_keeps_the_text(client):
    statuses = [client.post(NEW, _data(message=f"Message number {n}")).status_code for n in range(11)]
    assert statuses == [302] * 10 + [429]
    last = client.post(NEW, _data(message="Please keep me"))
    assert last.status_code == 429
    assert "Too many messages" in _body(last)
    assert "Please keep me" in _body(last)
    assert Feedback.objects.count() == 10


def test_it_limits_submissions_per_account(settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "feedback_submit": "100/m/ip,2/d/user"}
    author = ResidentFactory()
    statuses = []
    for n in range(3):
        client = Client(REMOTE_ADDR=f"10.0.1.{n}")
        client.force_login(author)
        statuses.append(client.post(NEW, _data(message=f"Note {n}")).status_code)
    assert statuses == [302, 302, 429]


def test_it_does_not_store_a_double_submit_twice_and_says_so(client):
    first = client.post(NEW, _data())
    second = client.post(NEW, _data())
    assert first.status_code == second.status_code == 302
    assert Feedback.objects.count() == 1
    body = _body(client.get(reverse("feedback:sent")))
    assert "We stored it once" in body
    assert "/feedback/private/" in body  # the link was not shown yet: it still is, once


def test_it_does_not_store_a_signed_in_double_submit_from_two_sessions():
    author = ResidentFactory()
    for address in ("10.0.2.1", "10.0.2.2"):
        client = Client(REMOTE_ADDR=address)
        client.force_login(author)
        assert client.post(NEW, _data()).status_code == 302
    assert Feedback.objects.count() == 1
    assert "We stored it once" in _body(client.get(reverse("feedback:sent")))


# --- The complaint route -----------------------------------------------------------------------


def test_it_keeps_what_was_typed_when_the_sender_goes_to_the_complaint_process(client, settings):
    response = client.post(NEW, _data(kind="concern", message="An officer shouted at me.", action="complaint"))
    assert response.status_code == 302
    assert not Feedback.objects.exists()
    assert client.session[SESSION_DRAFT]["message"] == "An officer shouted at me."
    back = client.get(NEW)
    body = _body(back)
    assert "An officer shouted at me." in body
    assert 'value="concern" checked' in body
    assert "We kept what you typed" in body


def test_it_shows_every_role_the_form_without_errors():
    for user in (None, ResidentFactory(), OfficerFactory()):
        client = Client()
        if user:
            client.force_login(user)
        assert client.get(NEW).status_code == 200


@pytest.mark.urls("tests.feedback.urls_with_complaints")
def test_it_links_to_the_complaint_form_and_keeps_the_draft_for_the_way_back(client):
    body = _body(client.get(NEW))
    assert 'href="/complaints/new/"' in body
    assert 'value="complaint"' in body
    response = client.post(NEW, _data(kind="concern", message="Rude at the checkpoint.", action="complaint"))
    assert response.status_code == 302
    assert response["Location"] == "/complaints/new/"
    assert not Feedback.objects.exists()
    assert "Rude at the checkpoint." in _body(client.get(NEW))


def test_it_says_the_private_link_was_also_emailed_to_the_contact_address(client):
    client.post(NEW, _data(contact_email="me@example.org"))
    body = _body(client.get(reverse("feedback:sent")))
    assert "/feedback/private/" in body
    assert "also emailed this link" in body
    assert "me@example.org" not in body
