"""The answering services: replies (and their emails), assignment, closing, reply templates."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from feedback.models import Feedback, Reply, ReplyTemplate
from feedback.services import answering
from portal.models import OutboxMessage
from portal.outbox import outbox_render
from tests.factories import (
    AdministratorFactory,
    DistrictFactory,
    InvestigatorFactory,
    OfficerFactory,
    OfficerProfileFactory,
    ResidentFactory,
)
from tests.feedback.factories import AnonymousFeedbackFactory, FeedbackFactory, ReplyTemplateFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def district():
    return DistrictFactory()


@pytest.fixture
def officer(district):
    user = OfficerFactory(first_name="Ana", last_name="Reyes")
    OfficerProfileFactory(user=user, district=district, first_name="Ana", last_name="Reyes", rank="Sergeant")
    return user


def _reply(item, author, **overrides):
    kwargs = {"body": "Thank you.", "is_public": True, "signature": Reply.Signature.DEPARTMENT}
    kwargs.update(overrides)
    return answering.feedback_reply(feedback_id=item.pk, author=author, **kwargs)


# --- Replies ----------------------------------------------------------------------------------


def test_it_saves_a_reply_and_marks_the_item_answered(officer, district):
    item = FeedbackFactory(district=district)
    reply = _reply(item, officer, body="  We will look at the lights on Oak Street.  ")
    item.refresh_from_db()
    assert reply.body == "We will look at the lights on Oak Street."
    assert item.status == Feedback.Status.ANSWERED
    assert item.first_reply_at == reply.created_at


def test_it_keeps_the_first_reply_time_on_later_replies(officer, district):
    item = FeedbackFactory(district=district)
    first = _reply(item, officer)
    _reply(item, officer, body="And one more thing.")
    item.refresh_from_db()
    assert item.first_reply_at == first.created_at
    assert item.replies.count() == 2


def test_it_emails_an_account_author_in_their_language_with_a_link_to_my_feedback(officer, district):
    author = ResidentFactory(language="es")
    item = FeedbackFactory(district=district, author=author, language="en")
    reply = _reply(item, officer, body="Gracias por escribirnos.", is_public=True)
    message = OutboxMessage.objects.get(dedupe_key=f"feedback.reply:{reply.pk}")
    assert message.to == author.email
    assert message.language == "es"
    email = outbox_render(message)
    assert "Gracias por escribirnos." in email.body
    assert f"/es/feedback/mine/{item.pk}/" in email.body


def test_it_emails_an_anonymous_author_at_the_contact_address_in_the_items_language(officer, district):
    item = AnonymousFeedbackFactory(district=district, contact_email="someone@example.org", language="es")
    reply = _reply(item, officer)
    message = OutboxMessage.objects.get(dedupe_key=f"feedback.reply:{reply.pk}")
    assert message.to == "someone@example.org"
    assert message.language == "es"
    body = outbox_render(message).body
    assert "/feedback/mine/" not in body


def test_it_never_puts_a_private_replys_text_in_the_email(officer, district):
    item = FeedbackFactory(district=district)
    reply = _reply(item, officer, body="Officer notes: private detail", is_public=False)
    body = outbox_render(OutboxMessage.objects.get(dedupe_key=f"feedback.reply:{reply.pk}")).body
    assert "private detail" not in body
    assert "private" in body.lower()


def test_it_sends_no_email_when_an_anonymous_author_left_no_address(officer, district):
    item = AnonymousFeedbackFactory(district=district, contact_email="")
    _reply(item, officer)
    assert not OutboxMessage.objects.exists()


@pytest.mark.parametrize(
    ("body", "code"),
    [("", "required"), ("   ", "required"), ("x" * 5001, "max_length")],
)
def test_it_refuses_an_empty_or_overlong_reply(officer, district, body, code):
    item = FeedbackFactory(district=district)
    with pytest.raises(ValidationError) as caught:
        _reply(item, officer, body=body)
    assert caught.value.error_dict["body"][0].code == code
    assert not Reply.objects.exists()


def test_it_accepts_a_reply_of_exactly_5000_characters(officer, district):
    item = FeedbackFactory(district=district)
    assert len(_reply(item, officer, body="x" * 5000).body) == 5000


def test_it_refuses_an_unknown_signature(officer, district):
    item = FeedbackFactory(district=district)
    with pytest.raises(ValidationError) as caught:
        _reply(item, officer, signature="mayor")
    assert "signature" in caught.value.error_dict


def test_it_refuses_a_reply_out_of_scope(officer):
    item = FeedbackFactory(district=DistrictFactory())
    with pytest.raises(ValidationError) as caught:
        _reply(item, officer)
    assert caught.value.code == "not_found"


@pytest.mark.parametrize("make_user", [ResidentFactory, InvestigatorFactory])
def test_it_refuses_replies_from_people_without_the_role(district, make_user):
    item = FeedbackFactory(district=district)
    with pytest.raises(ValidationError):
        _reply(item, make_user())


def test_it_refuses_a_reply_to_a_closed_item(officer, district):
    item = FeedbackFactory(district=district, status=Feedback.Status.CLOSED)
    with pytest.raises(ValidationError) as caught:
        _reply(item, officer)
    assert caught.value.code == "closed"


def test_it_signs_with_the_officers_name_or_as_the_department(officer, district, settings):
    item = FeedbackFactory(district=district)
    signed = _reply(item, officer, signature=Reply.Signature.OFFICER)
    unsigned = _reply(item, officer, signature=Reply.Signature.DEPARTMENT)
    assert answering.reply_signed_name(signed) == "Sergeant Ana Reyes"
    assert answering.reply_signed_name(unsigned) == settings.DEPARTMENT_NAME


# --- Assignment and closing -------------------------------------------------------------------


def test_it_assigns_to_a_colleague_who_can_see_it_and_emails_them(officer, district):
    colleague = OfficerFactory(language="es")
    OfficerProfileFactory(user=colleague, district=district)
    item = FeedbackFactory(district=district)
    answering.feedback_assign(feedback_id=item.pk, assignee=colleague, actor=officer)
    item.refresh_from_db()
    assert item.assigned_to == colleague
    assert item.status == Feedback.Status.ASSIGNED
    message = OutboxMessage.objects.get(to=colleague.email)
    assert message.language == "es"
    assert f"/staff/feedback/{item.pk}/" in outbox_render(message).body


def test_it_refuses_to_assign_to_someone_who_cannot_see_it(officer, district):
    elsewhere = OfficerFactory()
    OfficerProfileFactory(user=elsewhere, district=DistrictFactory())
    item = FeedbackFactory(district=district)
    for assignee in (elsewhere, ResidentFactory(), InvestigatorFactory()):
        with pytest.raises(ValidationError) as caught:
            answering.feedback_assign(feedback_id=item.pk, assignee=assignee, actor=officer)
        assert caught.value.error_dict["assignee"][0].code == "not_in_scope"
    item.refresh_from_db()
    assert item.assigned_to is None


def test_it_refuses_to_assign_a_concern_naming_an_officer_to_an_officer(officer, district):
    admin = AdministratorFactory()
    item = FeedbackFactory(kind=Feedback.Kind.CONCERN, officer=officer.officer_profile, district=district)
    with pytest.raises(ValidationError):
        answering.feedback_assign(feedback_id=item.pk, assignee=officer, actor=admin)
    answering.feedback_assign(feedback_id=item.pk, assignee=admin, actor=admin)


def test_it_closes_an_item_once(officer, district):
    item = FeedbackFactory(district=district)
    answering.feedback_close(feedback_id=item.pk, actor=officer)
    item.refresh_from_db()
    assert item.status == Feedback.Status.CLOSED
    assert item.closed_at is not None
    with pytest.raises(ValidationError) as caught:
        answering.feedback_close(feedback_id=item.pk, actor=officer)
    assert caught.value.code == "closed"


def test_it_refuses_to_close_out_of_scope(officer):
    item = FeedbackFactory(district=DistrictFactory())
    with pytest.raises(ValidationError):
        answering.feedback_close(feedback_id=item.pk, actor=officer)


# --- Reply templates --------------------------------------------------------------------------


def test_it_lets_administrators_create_update_and_delete_templates():
    admin = AdministratorFactory()
    template = answering.reply_template_create(title=" Thanks ", body="Thank you.", language="es", actor=admin)
    assert (template.title, template.language, template.created_by) == ("Thanks", "es", admin)
    answering.reply_template_update(template_id=template.pk, title="T", body="B", language="en", actor=admin)
    template.refresh_from_db()
    assert (template.title, template.body, template.language) == ("T", "B", "en")
    answering.reply_template_delete(template_id=template.pk, actor=admin)
    assert not ReplyTemplate.objects.exists()


def test_it_refuses_templates_from_officers(officer):
    with pytest.raises(ValidationError):
        answering.reply_template_create(title="T", body="B", language="en", actor=officer)
    template = ReplyTemplateFactory()
    with pytest.raises(ValidationError):
        answering.reply_template_delete(template_id=template.pk, actor=officer)
    assert ReplyTemplate.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": "", "body": "B", "language": "en"}, "title"),
        ({"title": "T", "body": "", "language": "en"}, "body"),
        ({"title": "T", "body": "x" * 5001, "language": "en"}, "body"),
        ({"title": "T", "body": "B", "language": "fr"}, "language"),
    ],
)
def test_it_refuses_a_bad_template(fields, field):
    with pytest.raises(ValidationError) as caught:
        answering.reply_template_create(actor=AdministratorFactory(), **fields)
    assert field in caught.value.error_dict


def test_it_renders_the_html_part_escaped_and_without_private_text(officer, district):
    item = FeedbackFactory(district=district)
    public = _reply(item, officer, body="<b>Thanks</b>", is_public=True)
    private = _reply(item, officer, body="secret detail", is_public=False)
    public_email = outbox_render(OutboxMessage.objects.get(dedupe_key=f"feedback.reply:{public.pk}"))
    html = public_email.alternatives[0][0]
    assert "&lt;b&gt;Thanks&lt;/b&gt;" in html
    assert f"/feedback/mine/{item.pk}/" in html
    private_email = outbox_render(OutboxMessage.objects.get(dedupe_key=f"feedback.reply:{private.pk}"))
    assert "secret detail" not in private_email.alternatives[0][0]
