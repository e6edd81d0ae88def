"""Messages between the complainant and the investigator: stored, shown escaped, and announced by
email without their text."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from complaints.models import Complaint, ComplaintMessage
from complaints.services.messages import message_from_complainant, message_from_staff
from portal.models import OutboxMessage
from portal.outbox import outbox_render
from tests.complaints.factories import ComplaintFactory
from tests.factories import InvestigatorFactory, OfficerProfileFactory, ResidentFactory

pytestmark = pytest.mark.django_db

SECRET = "The officer's car was number 4471 and he said my name"


def _rendered(row: OutboxMessage) -> str:
    email = outbox_render(row)
    parts = [email.subject, email.body] + [content for content, _type in email.alternatives]
    return "\n".join(parts)


# --- Services ----------------------------------------------------------------------------------


def test_it_stores_a_complainants_message():
    complaint = ComplaintFactory()
    message = message_from_complainant(complaint=complaint, body=f"  {SECRET}  ")
    assert message.from_complainant
    assert message.author is None
    assert message.body == SECRET


def test_it_records_the_owner_as_author_but_never_a_stranger():
    owner = ResidentFactory()
    complaint = ComplaintFactory(filed_by=owner)
    assert message_from_complainant(complaint=complaint, body="hi", user=owner).author == owner
    assert message_from_complainant(complaint=complaint, body="hi", user=ResidentFactory()).author is None


@pytest.mark.parametrize("body", ["", "   \n  "])
def test_it_refuses_an_empty_message(body):
    with pytest.raises(ValidationError) as exc:
        message_from_complainant(complaint=ComplaintFactory(), body=body)
    assert exc.value.error_dict["body"][0].code == "required"


def test_it_refuses_an_overlong_message():
    with pytest.raises(ValidationError) as exc:
        message_from_complainant(complaint=ComplaintFactory(), body="x" * 5001)
    assert exc.value.error_dict["body"][0].code == "max_length"


def test_it_tells_the_assigned_investigator_without_the_text():
    investigator = InvestigatorFactory()
    complaint = ComplaintFactory(assigned_to=investigator)
    message_from_complainant(complaint=complaint, body=SECRET)
    row = OutboxMessage.objects.get(to=investigator.email)
    text = _rendered(row)
    assert complaint.reference in text
    assert "4471" not in text
    assert SECRET not in str(row.context)


def test_it_emails_nobody_when_no_investigator_is_assigned():
    message_from_complainant(complaint=ComplaintFactory(), body=SECRET)
    assert not OutboxMessage.objects.exists()


def test_it_never_emails_the_complainant_their_own_message():
    complaint = ComplaintFactory()
    message_from_complainant(complaint=complaint, body=SECRET)
    assert not OutboxMessage.objects.filter(to=complaint.complainant_email).exists()


def test_it_stores_a_staff_message_and_tells_the_complainant_without_the_text():
    complaint = ComplaintFactory(narrative="He pushed me against the wall at the bus stop")
    message = message_from_staff(complaint=complaint, body=SECRET, actor=InvestigatorFactory())
    assert not message.from_complainant
    row = OutboxMessage.objects.get(to=complaint.complainant_email)
    assert row.template == "complaints/email/message"
    text = _rendered(row)
    assert complaint.reference in text
    assert "4471" not in text
    assert "pushed me" not in text
    assert "4471" not in str(row.context)


def test_it_sends_one_mail_per_staff_message_even_when_retried():
    complaint = ComplaintFactory()
    first = message_from_staff(complaint=complaint, body="one", actor=InvestigatorFactory())
    message_from_staff(complaint=complaint, body="two", actor=InvestigatorFactory())
    assert OutboxMessage.objects.filter(to=complaint.complainant_email).count() == 2
    from complaints.notifications import notify_complainant

    assert notify_complainant(complaint=complaint, kind="message", dedupe=f"message-{first.pk}") is None


@pytest.mark.parametrize(
    "changes",
    [
        {"contact_preference": Complaint.Contact.NONE},
        {"contact_preference": Complaint.Contact.PHONE},
        {"consent_to_contact": False},
        {"complainant_email": ""},
    ],
)
def test_it_respects_dont_email_me_for_staff_messages(changes):
    complaint = ComplaintFactory(**changes)
    message_from_staff(complaint=complaint, body=SECRET, actor=InvestigatorFactory())
    assert ComplaintMessage.objects.filter(complaint=complaint).count() == 1
    assert not OutboxMessage.objects.exists()


def test_it_refuses_a_staff_message_from_someone_the_complaint_names():
    investigator = InvestigatorFactory()
    complaint = ComplaintFactory.naming(OfficerProfileFactory(user=investigator))
    with pytest.raises(ValidationError) as exc:
        message_from_staff(complaint=complaint, body="hi", actor=investigator)
    assert exc.value.code == "not_found"
    assert not ComplaintMessage.objects.exists()


def test_it_refuses_a_staff_message_from_a_resident():
    with pytest.raises(ValidationError):
        message_from_staff(complaint=ComplaintFactory(), body="hi", actor=ResidentFactory())


# --- The tracking page's message form ----------------------------------------------------------


def _holder(complaint: Complaint, code: str) -> Client:
    client = Client()
    client.post(reverse("complaints:track"), {"reference": complaint.reference, "code": code})
    return client


def test_it_answers_a_get_on_the_message_url_with_405(client):
    complaint = ComplaintFactory()
    assert client.get(reverse("complaints:message", kwargs={"reference": complaint.reference})).status_code == 405


def test_it_sends_a_message_from_the_tracking_page():
    complaint, code = ComplaintFactory.with_code()
    client = _holder(complaint, code)
    url = reverse("complaints:message", kwargs={"reference": complaint.reference})
    response = client.post(url, {"body": "<b>Is there any news?</b>"})
    assert response.status_code == 302
    assert ComplaintMessage.objects.get(complaint=complaint).body == "<b>Is there any news?</b>"
    html = client.get(response["Location"]).content.decode()
    assert "&lt;b&gt;Is there any news?&lt;/b&gt;" in html


def test_it_shows_the_error_for_an_empty_message():
    complaint, code = ComplaintFactory.with_code()
    client = _holder(complaint, code)
    response = client.post(reverse("complaints:message", kwargs={"reference": complaint.reference}), {"body": " "})
    assert response.status_code == 400
    assert b"Write your message." in response.content
    assert not ComplaintMessage.objects.exists()


def test_it_rate_limits_messages_per_address(settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "complaints_message": "2/h/ip"}
    complaint, code = ComplaintFactory.with_code()
    client = _holder(complaint, code)
    url = reverse("complaints:message", kwargs={"reference": complaint.reference})
    statuses = [client.post(url, {"body": f"message {n}"}).status_code for n in range(3)]
    assert statuses == [302, 302, 429]
    assert ComplaintMessage.objects.count() == 2


def test_it_lets_the_signed_in_owner_write_without_a_code(client):
    owner = ResidentFactory()
    complaint = ComplaintFactory(filed_by=owner)
    client.force_login(owner)
    response = client.post(reverse("complaints:message", kwargs={"reference": complaint.reference}), {"body": "Hi"})
    assert response.status_code == 302
    assert ComplaintMessage.objects.get(complaint=complaint).author == owner


def test_it_refuses_a_message_on_a_deidentified_complaint():
    from django.utils import timezone

    complaint, code = ComplaintFactory.with_code(deidentified_at=timezone.now())
    client = _holder(complaint, code)
    response = client.post(reverse("complaints:message", kwargs={"reference": complaint.reference}), {"body": "Hi"})
    assert response.status_code == 400
    assert not ComplaintMessage.objects.exists()
