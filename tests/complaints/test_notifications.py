"""Emails about complaints: only "there is news", never the content; only when the complainant
accepts email; in the complaint's language; never twice for one change."""

from __future__ import annotations

import pytest
from django.core import mail

from complaints.models import Complaint
from complaints.notifications import KINDS, notify_complainant, notify_investigator_of_message
from portal.models import OutboxMessage
from portal.outbox import outbox_deliver, outbox_render
from tests.complaints.factories import ComplaintEventFactory, ComplaintFactory, ComplaintMessageFactory
from tests.factories import InvestigatorFactory

pytestmark = pytest.mark.django_db

NARRATIVE = "Officer Jenkins grabbed my arm outside the pharmacy on Elm Street"
WITNESSES = "Maria Lopez, 555-0101"


def _complaint(**kwargs) -> Complaint:
    defaults = {"narrative": NARRATIVE, "witnesses": WITNESSES, "complainant_name": "Dana Whitfield"}
    return ComplaintFactory(**{**defaults, **kwargs})


def _text(row: OutboxMessage) -> str:
    email = outbox_render(row)
    return "\n".join([email.subject, email.body] + [content for content, _type in email.alternatives])


@pytest.mark.parametrize("kind", KINDS)
def test_it_says_only_that_there_is_news(kind):
    complaint = _complaint()
    ComplaintMessageFactory(complaint=complaint, from_complainant=False, body="Please bring the receipt")
    row = notify_complainant(complaint=complaint, kind=kind)
    assert row is not None
    assert row.to == complaint.complainant_email
    text = _text(row)
    assert complaint.reference in text
    assert "/complaints/track/?reference=" in text
    for secret in ("Jenkins", "pharmacy", "Maria Lopez", "Dana Whitfield", "receipt", complaint.incident_place):
        assert secret not in text, f"{kind} email leaks {secret!r}"
        assert secret not in str(row.context)


@pytest.mark.parametrize(
    "changes",
    [
        {"contact_preference": Complaint.Contact.NONE},
        {"contact_preference": Complaint.Contact.PHONE},
        {"consent_to_contact": False},
        {"complainant_email": ""},
    ],
)
@pytest.mark.parametrize("kind", KINDS)
def test_it_respects_dont_email_me(kind, changes):
    assert notify_complainant(complaint=_complaint(**changes), kind=kind) is None
    assert not OutboxMessage.objects.exists()


def test_it_sends_nothing_about_a_deidentified_complaint():
    from django.utils import timezone

    complaint = _complaint(deidentified_at=timezone.now())
    assert notify_complainant(complaint=complaint, kind="status") is None


def test_it_writes_to_a_spanish_complainant_in_spanish():
    complaint = _complaint(language="es")
    row = notify_complainant(complaint=complaint, kind="received")
    assert row.language == "es"
    text = _text(row)
    assert "/es/complaints/track/" in text
    assert "Hola" in text  # the layout's greeting, from the shipped Spanish catalogue
    assert "In an emergency" not in text


def test_it_falls_back_to_english_for_a_language_we_do_not_serve():
    row = notify_complainant(complaint=_complaint(language="xx"), kind="status")
    assert row.language == "en"


def test_it_never_queues_the_same_mail_twice():
    complaint = _complaint()
    assert notify_complainant(complaint=complaint, kind="received") is not None
    assert notify_complainant(complaint=complaint, kind="received") is None
    assert notify_complainant(complaint=complaint, kind="message", dedupe="message-7") is not None
    assert notify_complainant(complaint=complaint, kind="message", dedupe="message-7") is None
    assert OutboxMessage.objects.count() == 2


def test_it_sends_one_status_mail_per_timeline_entry_by_default():
    complaint = _complaint()
    ComplaintEventFactory(complaint=complaint, visible_to_complainant=True)
    assert notify_complainant(complaint=complaint, kind="status") is not None
    assert notify_complainant(complaint=complaint, kind="status") is None  # a retry of the same change
    ComplaintEventFactory(complaint=complaint, visible_to_complainant=True)
    assert notify_complainant(complaint=complaint, kind="status") is not None


def test_it_refuses_an_unknown_kind():
    with pytest.raises(ValueError, match="gossip"):
        notify_complainant(complaint=_complaint(), kind="gossip")


def test_it_delivers_through_the_outbox():
    complaint = _complaint()
    row = notify_complainant(complaint=complaint, kind="findings")
    outbox_deliver(message_ids=[row.pk])
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == [complaint.complainant_email]
    assert complaint.reference in sent.subject
    assert NARRATIVE not in sent.body


def test_it_tells_the_investigator_in_their_language_without_the_text():
    investigator = InvestigatorFactory()
    investigator.language = "es"
    investigator.save(update_fields=["language"])
    complaint = _complaint(assigned_to=investigator)
    message = ComplaintMessageFactory(complaint=complaint, body="Please call me after 6pm")
    row = notify_investigator_of_message(complaint=complaint, message=message)
    assert row.language == "es"
    text = _text(row)
    assert complaint.reference in text
    assert "/es/staff/complaints/" in text
    assert "6pm" not in text
    assert "Jenkins" not in text


def test_it_tells_no_deactivated_investigator():
    investigator = InvestigatorFactory(is_active=False)
    complaint = _complaint(assigned_to=investigator)
    message = ComplaintMessageFactory(complaint=complaint)
    assert notify_investigator_of_message(complaint=complaint, message=message) is None
