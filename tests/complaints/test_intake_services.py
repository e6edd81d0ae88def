"""complaint_file and complaint_from_feedback: what filing writes, in one transaction."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from complaints import drafts
from complaints.evidence import evidence_store
from complaints.models import (
    Allegation,
    Complaint,
    ComplaintEvent,
    ComplaintOfficer,
    Evidence,
    IntakeDraft,
)
from complaints.references import access_code_matches
from complaints.services import intake
from complaints.services.intake import complaint_file, complaint_from_feedback
from feedback import hooks
from feedback.models import Feedback
from feedback.services import answering
from portal.models import OutboxMessage
from tests.complaints.factories import PNG_BYTES, category
from tests.complaints.intake_helpers import finished_draft
from tests.factories import (
    AdministratorFactory,
    DistrictFactory,
    InvestigatorFactory,
    OfficerFactory,
    OfficerProfileFactory,
    ResidentFactory,
)
from tests.feedback.factories import AnonymousFeedbackFactory, FeedbackFactory

pytestmark = pytest.mark.django_db


def _file(**kwargs):
    draft = finished_draft(**kwargs)
    return complaint_file(draft=draft, user=kwargs.get("user") or kwargs.get("entered_by"), language="en")


def test_it_files_a_complaint_with_a_sequential_reference_and_due_dates():
    first, _code = _file()
    second, _code = _file()
    year = timezone.localdate().year
    assert first.reference == f"CP-{year}-00001"
    assert second.reference == f"CP-{year}-00002"
    assert first.status == Complaint.Status.RECEIVED
    assert first.channel == Complaint.Channel.ONLINE
    today = timezone.localdate()
    assert first.acknowledge_by == today + timedelta(days=settings.COMPLAINTS_ACKNOWLEDGE_DAYS)
    assert first.finish_by == today + timedelta(days=settings.COMPLAINTS_FINISH_DAYS)


def test_it_gives_an_anonymous_filer_a_code_stored_only_as_a_keyed_hash():
    complaint, code = _file()
    assert code
    assert len(code.replace("-", "")) == 20
    assert complaint.filed_by is None
    assert code not in complaint.access_code_hash
    assert code.replace("-", "") not in complaint.access_code_hash
    assert access_code_matches(code, complaint.access_code_hash)
    assert not access_code_matches("AAAA-AAAA-AAAA-AAAA-AAAA", complaint.access_code_hash)


def test_it_links_a_signed_in_residents_complaint_to_the_account_without_a_code():
    resident = ResidentFactory()
    complaint, code = _file(user=resident)
    assert code is None
    assert complaint.filed_by == resident
    assert complaint.access_code_hash == ""


def test_it_writes_answers_officers_allegations_timeline_and_the_email():
    known = OfficerProfileFactory()
    draft = finished_draft(
        officers={
            "officers": [{"officer": known.pk}, {"name": "Tall officer", "badge": "", "description": "Bike unit"}]
        },
        where={"district": DistrictFactory(slug="north").slug},
    )
    complaint, _code = complaint_file(draft=draft, user=None, language="en")
    assert complaint.narrative.startswith("The officer shouted")
    assert complaint.district.slug == "north"
    assert complaint.incident_time.strftime("%H:%M") == "21:15"
    officers = list(ComplaintOfficer.objects.filter(complaint=complaint).order_by("pk"))
    assert [o.officer_id for o in officers] == [known.pk, None]
    assert officers[1].described_name == "Tall officer"
    pairs = set(Allegation.objects.filter(complaint=complaint).values_list("officer_id", "category__slug"))
    assert pairs == {(o.pk, slug) for o in officers for slug in ("discourtesy", "use-of-force")}
    event = ComplaintEvent.objects.get(complaint=complaint)
    assert (event.kind, event.to_status, event.visible_to_complainant) == ("filed", "received", True)
    mail = OutboxMessage.objects.get(to="maria@example.org")
    assert "shouted" not in str(mail.context)
    assert not IntakeDraft.objects.filter(pk=draft.pk).exists()


def test_it_stands_an_unidentified_officer_in_when_nobody_is_named():
    complaint, _code = _file()
    officer = ComplaintOfficer.objects.get(complaint=complaint)
    assert officer.officer_id is None
    assert Allegation.objects.filter(officer=officer).count() == 2


def test_it_sends_no_email_when_the_complainant_wants_none():
    _file(contact={"contact_preference": "none", "consent_to_contact": "", "complainant_email": "x@example.org"})
    assert not OutboxMessage.objects.exists()


def test_it_moves_the_drafts_evidence_to_the_complaint():
    draft = finished_draft()
    evidence = evidence_store(upload=SimpleUploadedFile("photo.png", PNG_BYTES), draft=draft)
    complaint, _code = complaint_file(draft=draft, user=None, language="en")
    evidence.refresh_from_db()
    assert (evidence.complaint_id, evidence.draft_id) == (complaint.pk, None)


def test_it_writes_nothing_when_a_step_fails_half_way(monkeypatch):
    draft = finished_draft()
    evidence_store(upload=SimpleUploadedFile("photo.png", PNG_BYTES), draft=draft)

    def broken(**kwargs):
        raise RuntimeError("outbox down")

    monkeypatch.setattr(intake, "notify_complainant", broken)
    with pytest.raises(RuntimeError):
        complaint_file(draft=draft, user=None, language="en")
    assert not Complaint.objects.exists()
    assert not ComplaintOfficer.objects.exists()
    assert not ComplaintEvent.objects.exists()
    assert IntakeDraft.objects.filter(pk=draft.pk).exists()
    assert Evidence.objects.get().draft_id == draft.pk


def test_it_stores_the_complaint_and_its_email_even_when_the_broker_is_down(
    monkeypatch, django_capture_on_commit_callbacks
):
    def broken(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr("portal.tasks.outbox_send_task.delay", broken, raising=False)
    monkeypatch.setattr("portal.tasks.outbox_send_task.apply_async", broken, raising=False)
    with django_capture_on_commit_callbacks(execute=True):
        complaint, _code = _file()
    assert Complaint.objects.filter(pk=complaint.pk).exists()
    assert OutboxMessage.objects.filter(to="maria@example.org").exists()


def test_it_refuses_a_draft_already_filed():
    draft = finished_draft()
    complaint_file(draft=draft, user=None, language="en")
    with pytest.raises(ValidationError) as caught:
        complaint_file(draft=draft, user=None, language="en")
    assert caught.value.code == "draft_gone"
    assert Complaint.objects.count() == 1


def test_it_refuses_an_unfinished_draft():
    draft, _key = drafts.draft_start()
    with pytest.raises(ValidationError) as caught:
        complaint_file(draft=draft, user=None, language="en")
    assert caught.value.code == "incomplete"
    assert caught.value.step == "about-you"


def test_it_checks_the_answers_again_at_filing():
    draft = finished_draft()
    category("discourtesy").__class__.objects.filter(slug="discourtesy").update(is_active=False)
    with pytest.raises(ValidationError) as caught:
        complaint_file(draft=draft, user=None, language="en")
    assert caught.value.code == "invalid_answers"
    assert caught.value.step == "allegations"
    assert not Complaint.objects.exists()


def test_it_refuses_an_officer_taken_out_of_the_directory_since():
    profile = OfficerProfileFactory()
    draft = finished_draft(officers={"officers": [{"officer": profile.pk}]})
    profile.is_public = False
    profile.save(update_fields=["is_public"])
    with pytest.raises(ValidationError) as caught:
        complaint_file(draft=draft, user=None, language="en")
    assert caught.value.code == "unknown_officer"


def test_it_refuses_a_tampered_officer_entry():
    draft = finished_draft(officers={"officers": [{"officer": "1 OR 1=1"}]})
    with pytest.raises(ValidationError) as caught:
        complaint_file(draft=draft, user=None, language="en")
    assert caught.value.code == "unknown_officer"


def test_it_records_staff_entry_channel_and_gives_a_code():
    investigator = InvestigatorFactory()
    draft = finished_draft(entered_by=investigator, channel=Complaint.Channel.PHONE)
    complaint, code = complaint_file(draft=draft, user=investigator, language="en")
    assert code
    assert complaint.channel == Complaint.Channel.PHONE
    assert complaint.entered_by == investigator
    assert complaint.filed_by is None
    assert ComplaintEvent.objects.get(complaint=complaint).actor == investigator


def test_it_lets_only_the_staff_member_who_started_it_file_a_staff_draft():
    draft = finished_draft(entered_by=InvestigatorFactory(), channel=Complaint.Channel.MAIL)
    with pytest.raises(ValidationError) as caught:
        complaint_file(draft=draft, user=InvestigatorFactory(), language="en")
    assert caught.value.code == "forbidden"


def test_it_ignores_a_staff_channel_on_a_public_draft():
    draft = finished_draft()
    draft.data["_meta"] = {"channel": "phone"}
    draft.save(update_fields=["data"])
    complaint, _code = complaint_file(draft=draft, user=None, language="en")
    assert complaint.channel == Complaint.Channel.ONLINE


def test_it_keeps_the_complaints_language():
    complaint, _code = _file(contact={"language": "es"})
    assert complaint.language == "es"
    assert OutboxMessage.objects.get().language == "es"


# --- From feedback ----------------------------------------------------------------------------


@pytest.fixture
def converter():
    intake.register_feedback_converter()
    yield
    hooks.unregister_complaint_converter()


def test_it_registers_the_converter_from_ready():
    from django.apps import apps

    hooks.unregister_complaint_converter()
    apps.get_app_config("complaints").ready()
    assert hooks.complaint_converter() is complaint_from_feedback


def test_it_turns_a_concern_into_a_complaint_through_feedbacks_service(converter):
    admin = AdministratorFactory()
    officer = OfficerProfileFactory()
    concern = AnonymousFeedbackFactory(
        kind=Feedback.Kind.CONCERN, officer=officer, district=officer.district, contact_email="secret@example.org"
    )
    item = answering.feedback_to_complaint(feedback_id=concern.pk, actor=admin)
    complaint = Complaint.objects.get(reference=item.complaint_reference)
    assert complaint.channel == Complaint.Channel.FEEDBACK
    assert complaint.source_feedback_id == concern.pk
    assert complaint.narrative == concern.message
    assert complaint.entered_by == admin
    assert complaint.complainant_email == ""  # an anonymous sender's address stays in feedback
    assert ComplaintOfficer.objects.get(complaint=complaint).officer == officer
    assert Allegation.objects.get(complaint=complaint).category.slug == "other"
    assert not OutboxMessage.objects.filter(to="secret@example.org").exists()


def test_it_links_a_signed_in_senders_concern_to_their_account(converter):
    author = ResidentFactory()
    concern = FeedbackFactory(kind=Feedback.Kind.CONCERN, author=author)
    reference = complaint_from_feedback(feedback=concern, actor=InvestigatorFactory())
    complaint = Complaint.objects.get(reference=reference)
    assert complaint.filed_by == author
    assert complaint.complainant_email == author.email


def test_it_refuses_a_converter_call_by_an_officer_or_twice():
    concern = FeedbackFactory(kind=Feedback.Kind.CONCERN)
    with pytest.raises(ValidationError) as caught:
        complaint_from_feedback(feedback=concern, actor=OfficerFactory())
    assert caught.value.code == "forbidden"
    complaint_from_feedback(feedback=concern, actor=AdministratorFactory())
    with pytest.raises(ValidationError) as caught:
        complaint_from_feedback(feedback=concern, actor=AdministratorFactory())
    assert caught.value.code == "already_converted"
