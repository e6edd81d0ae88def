"""The daily deadline digest: one mail per investigator/administrator, counts and references only."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from complaints import tasks
from complaints.models import Complaint
from complaints.services.digest import deadline_digest_queue
from portal.models import OutboxMessage
from portal.outbox import outbox_render
from tests.complaints.factories import ComplaintFactory
from tests.factories import (
    AdministratorFactory,
    InvestigatorFactory,
    OfficerFactory,
    OfficerProfileFactory,
    ResidentFactory,
)

S = Complaint.Status

pytestmark = pytest.mark.django_db


def late(**kwargs) -> Complaint:
    today = timezone.localdate()
    kwargs.setdefault("status", S.RECEIVED)
    return ComplaintFactory(
        acknowledge_by=today - timedelta(days=2),
        finish_by=today + timedelta(days=80),
        complainant_name="Rosalind Quartermaine",
        complainant_email="rosalind@example.org",
        complainant_phone="555-0199",
        narrative="The officer shouted at me outside the bakery on Juniper Lane.",
        incident_place="Juniper Lane bakery",
        witnesses="Bartholomew Fenwick",
        **kwargs,
    )


def digest_for(user) -> OutboxMessage:
    return OutboxMessage.objects.get(to=user.email, template="complaints/email/deadline_digest")


def test_it_queues_one_digest_per_investigator_and_administrator_only():
    investigator, admin = InvestigatorFactory(), AdministratorFactory()
    OfficerFactory()
    ResidentFactory()
    InvestigatorFactory(is_active=False)
    late()
    assert deadline_digest_queue() == 2
    assert set(OutboxMessage.objects.values_list("to", flat=True)) == {investigator.email, admin.email}


def test_it_sends_each_person_one_digest_a_day():
    investigator = InvestigatorFactory()
    late()
    now = timezone.now()
    assert deadline_digest_queue(now=now) == 1
    assert deadline_digest_queue(now=now + timedelta(minutes=30)) == 0
    assert OutboxMessage.objects.filter(to=investigator.email).count() == 1
    assert deadline_digest_queue(now=now + timedelta(days=1)) == 1


def test_it_carries_counts_and_references_and_no_complainant_data():
    investigator = InvestigatorFactory()
    complaint = late(assigned_to=investigator)
    deadline_digest_queue()
    message = digest_for(investigator)
    assert message.context["acknowledge_overdue"] == 1
    assert message.context["assigned_to_me"] == 1
    email = outbox_render(message)
    text = email.body + "".join(part for part, _type in email.alternatives) + email.subject
    assert complaint.reference in text
    for private in ("Rosalind", "rosalind@example.org", "555-0199", "Juniper", "bakery", "Bartholomew"):
        assert private not in text
        assert private not in str(message.context)


def test_it_leaves_out_complaints_that_name_the_reader():
    named = InvestigatorFactory()
    other = InvestigatorFactory()
    hidden = late()
    from complaints.models import ComplaintOfficer

    ComplaintOfficer.objects.create(complaint=hidden, officer=OfficerProfileFactory(user=named))
    deadline_digest_queue()
    assert not OutboxMessage.objects.filter(to=named.email).exists()
    assert hidden.reference in outbox_render(digest_for(other)).body


def test_it_sends_nothing_when_nothing_is_due_or_waiting():
    InvestigatorFactory()
    ComplaintFactory(status=S.CLOSED, closed_at=timezone.now())
    assert deadline_digest_queue() == 0


def test_it_tells_administrators_about_reviews_waiting():
    admin, investigator = AdministratorFactory(), InvestigatorFactory()
    ComplaintFactory(status=S.REVIEW_REQUESTED, assigned_to=investigator)
    deadline_digest_queue()
    assert digest_for(admin).context["reviews_waiting"] == 1
    assert digest_for(investigator).context["reviews_waiting"] == 0


def test_it_writes_in_the_readers_language():
    reader = InvestigatorFactory(language="es")
    late()
    deadline_digest_queue()
    message = digest_for(reader)
    assert message.language == "es"
    assert "/es/" in message.context["queue_url"]
    email = outbox_render(message)  # both parts render in Spanish
    assert email.body
    assert email.alternatives


@pytest.mark.parametrize("n", [1, 4])
def test_it_reads_in_a_fixed_number_of_queries_whatever_the_staff_and_complaints(django_assert_num_queries, n):
    for _ in range(n):
        InvestigatorFactory()
        late()
        late(status=S.INVESTIGATING)
    # Four reads (complaints, who they name, memberships, users), then per email one insert in a savepoint.
    with django_assert_num_queries(4 + 3 * n):
        assert deadline_digest_queue() == n


def test_the_task_calls_the_service():
    with mock.patch("complaints.tasks.deadline_digest_queue", return_value=3) as service:
        assert tasks.deadline_digest_task() == 3
    service.assert_called_once()
