"""The feedback back office: administrators read items and replies, act through the answering
services, manage reply templates through them too; the anonymous contact address never appears."""

from __future__ import annotations

import pytest
from django.contrib.admin.sites import site
from django.urls import reverse

from feedback.admin import FeedbackAdmin, ReplyAdmin, ReplyTemplateAdmin
from feedback.models import Feedback, Reply, ReplyTemplate
from tests.factories import AdministratorFactory, OfficerFactory
from tests.feedback.factories import AnonymousFeedbackFactory, FeedbackFactory, ReplyFactory, ReplyTemplateFactory

pytestmark = pytest.mark.django_db

SECRET = "never.shown@example.org"


@pytest.fixture
def admin_user():
    return AdministratorFactory()


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def anonymous_item():
    item, _token = AnonymousFeedbackFactory.with_token(
        contact_email=SECRET, may_publish=True, publication=Feedback.Publication.AWAITING
    )
    return item


def test_it_registers_the_three_models():
    assert isinstance(site._registry[Feedback], FeedbackAdmin)
    assert isinstance(site._registry[Reply], ReplyAdmin)
    assert isinstance(site._registry[ReplyTemplate], ReplyTemplateAdmin)


def test_it_keeps_the_contact_address_out_of_every_admin_form_list_and_search():
    model_admin = site._registry[Feedback]
    assert "contact_email" not in model_admin.list_display
    assert "contact_email" not in model_admin.search_fields
    assert "contact_email" not in model_admin.get_fields(None)
    assert "contact_email" in model_admin.exclude


def test_it_never_shows_the_contact_address_on_the_list_or_the_item(admin_client, anonymous_item):
    listing = admin_client.get(reverse("admin:feedback_feedback_changelist"))
    assert listing.status_code == 200
    assert SECRET not in listing.content.decode()
    change = admin_client.get(reverse("admin:feedback_feedback_change", args=[anonymous_item.pk]))
    assert change.status_code == 200
    assert SECRET not in change.content.decode()
    assert anonymous_item.reader_token_hash
    assert anonymous_item.reader_token_hash not in change.content.decode()


def test_it_does_not_find_items_by_their_contact_address(admin_client, anonymous_item):
    response = admin_client.get(reverse("admin:feedback_feedback_changelist"), {"q": "never.shown"})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 0


def test_it_publishes_through_the_service(admin_client, anonymous_item):
    private = FeedbackFactory(publication=Feedback.Publication.PRIVATE)
    response = admin_client.post(
        reverse("admin:feedback_feedback_changelist"),
        {"action": "publish_selected", "_selected_action": [anonymous_item.pk, private.pk]},
        follow=True,
    )
    assert response.status_code == 200
    anonymous_item.refresh_from_db()
    private.refresh_from_db()
    assert anonymous_item.publication == Feedback.Publication.PUBLISHED
    assert private.publication == Feedback.Publication.PRIVATE  # the service refused it
    assert "can never be published" in response.content.decode()


def test_it_closes_through_the_service(admin_client):
    item = FeedbackFactory()
    admin_client.post(
        reverse("admin:feedback_feedback_changelist"), {"action": "close_selected", "_selected_action": [item.pk]}
    )
    item.refresh_from_db()
    assert item.status == Feedback.Status.CLOSED
    assert item.closed_at is not None


def test_it_cannot_add_or_delete_feedback_or_change_replies(admin_client):
    reply = ReplyFactory()
    assert admin_client.get(reverse("admin:feedback_feedback_add")).status_code == 403
    assert admin_client.get(reverse("admin:feedback_reply_add")).status_code == 403
    page = admin_client.get(reverse("admin:feedback_reply_change", args=[reply.pk]))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()


def test_it_saves_templates_through_the_service(admin_client, admin_user):
    response = admin_client.post(
        reverse("admin:feedback_replytemplate_add"), {"title": " Thanks ", "language": "es", "body": "Gracias."}
    )
    assert response.status_code == 302
    template = ReplyTemplate.objects.get()
    assert template.title == "Thanks"
    assert template.created_by == admin_user
    response = admin_client.post(
        reverse("admin:feedback_replytemplate_change", args=[template.pk]),
        {"title": "Thanks again", "language": "en", "body": "Thank you."},
    )
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.title == "Thanks again"
    assert ReplyTemplate.objects.count() == 1


def test_it_shows_a_template_refusal_on_the_form(admin_client):
    response = admin_client.post(
        reverse("admin:feedback_replytemplate_add"), {"title": "   ", "language": "en", "body": "Hi"}
    )
    assert response.status_code == 200
    assert not ReplyTemplate.objects.exists()


def test_it_deletes_templates_through_the_service(admin_client):
    template = ReplyTemplateFactory()
    response = admin_client.post(reverse("admin:feedback_replytemplate_delete", args=[template.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not ReplyTemplate.objects.exists()


def test_it_keeps_officers_out(client):
    client.force_login(OfficerFactory())
    response = client.get(reverse("admin:feedback_feedback_changelist"))
    assert response.status_code == 302
