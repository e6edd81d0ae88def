"""The complaints part of "export my data" and "delete my account"."""

from __future__ import annotations

import json

import pytest
from django.core.serializers.json import DjangoJSONEncoder

from complaints.account_data import complaints_erase, complaints_export
from complaints.models import Complaint, ComplaintEvent, ComplaintMessage
from portal import account_data
from portal.accounts import account_delete, account_export
from tests.complaints.factories import ComplaintFactory, ComplaintMessageFactory
from tests.factories import InvestigatorFactory, ResidentFactory

pytestmark = pytest.mark.django_db


def test_it_registers_the_complaints_part():
    assert "complaints" in [part.name for part in account_data.registered_parts()]


def test_it_exports_my_complaints_with_what_i_wrote_and_my_messages_only():
    me = ResidentFactory()
    mine = ComplaintFactory(filed_by=me, narrative="The officer shouted at me.", witnesses="My sister")
    ComplaintMessageFactory(complaint=mine, from_complainant=True, author=me, body="Any news?")
    ComplaintMessageFactory(complaint=mine, from_complainant=False, author=InvestigatorFactory(), body="Staff words")
    ComplaintFactory(narrative="Somebody else's complaint.")
    data = complaints_export(me)
    json.dumps(data, cls=DjangoJSONEncoder)
    [row] = data["complaints"]
    assert row["reference"] == mine.reference
    assert row["what_happened"] == "The officer shouted at me."
    assert row["witnesses"] == "My sister"
    assert row["status"] == Complaint.Status.RECEIVED
    assert [message["text"] for message in row["messages"]] == ["Any news?"]


def test_it_is_part_of_the_whole_account_export():
    me = ResidentFactory()
    ComplaintFactory(filed_by=me)
    assert len(account_export(user=me)["complaints"]["complaints"]) == 1


def test_it_keeps_the_complaint_but_unlinks_it_and_removes_contact_details_on_erase():
    me = ResidentFactory()
    mine = ComplaintFactory(filed_by=me, complainant_phone="555-0101", narrative="What happened.")
    message = ComplaintMessageFactory(complaint=mine, from_complainant=True, author=me)
    other = ComplaintFactory()
    complaints_erase(me)
    mine.refresh_from_db()
    assert mine.filed_by is None
    assert (mine.complainant_name, mine.complainant_email, mine.complainant_phone) == ("", "", "")
    assert not mine.may_email
    assert mine.narrative == "What happened."  # the investigation's record stays
    message.refresh_from_db()
    assert message.author is None
    assert ComplaintMessage.objects.filter(pk=message.pk).exists()
    note = ComplaintEvent.objects.get(complaint=mine)
    assert not note.visible_to_complainant
    other.refresh_from_db()
    assert other.complainant_email


def test_deleting_the_account_runs_the_erase():
    me = ResidentFactory()
    mine = ComplaintFactory(filed_by=me)
    account_delete(user=me)
    mine.refresh_from_db()
    assert mine.filed_by is None
    assert mine.complainant_email == ""


def test_it_does_nothing_for_someone_without_complaints():
    complaints_erase(ResidentFactory())
    assert ComplaintEvent.objects.count() == 0
