"""The updates back office: administrators only; saving renders through the service; a published
update is read-only; the publish action publishes once."""

from __future__ import annotations

from unittest import mock

import pytest
from django.urls import reverse

from tests.factories import AdministratorFactory, OfficerFactory
from tests.transparency.factories import PublishedUpdateFactory, UpdateAttachmentFactory, UpdateFactory
from transparency.models import Category, Update

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(AdministratorFactory())
    return client


def _data(**overrides) -> dict:
    data = {
        "title": "From the back office",
        "category": Category.TRAINING,
        "summary": "A summary.",
        "body": "<img src=x onerror=alert(1)> **bold**",
        "title_es": "",
        "summary_es": "",
        "body_es": "",
        "attachments-TOTAL_FORMS": "0",
        "attachments-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def test_it_opens_the_update_pages_for_administrators(admin_client):
    update = PublishedUpdateFactory()
    UpdateAttachmentFactory(update=update)
    assert admin_client.get(reverse("admin:transparency_update_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:transparency_update_change", args=[update.pk])).status_code == 200


def test_it_keeps_officers_out(client):
    client.force_login(OfficerFactory())
    assert client.get(reverse("admin:transparency_update_changelist")).status_code in (302, 403)


def test_it_saves_through_the_service_so_the_html_is_sanitised(admin_client):
    response = admin_client.post(reverse("admin:transparency_update_add"), _data())
    assert response.status_code == 302, response.content.decode()[:2000]
    update = Update.objects.get()
    assert "onerror" not in update.body_html
    assert "<strong>bold</strong>" in update.body_html
    assert update.slug == "from-the-back-office"
    assert update.status == Update.Status.DRAFT


def test_it_refuses_half_a_spanish_version_on_the_form(admin_client):
    response = admin_client.post(reverse("admin:transparency_update_add"), _data(title_es="Solo"))
    assert response.status_code == 200
    assert not Update.objects.exists()


def test_it_publishes_once_from_the_action(admin_client):
    update = UpdateFactory()
    with mock.patch("transparency.services.fanout.fanout_plan", return_value=0) as plan:
        for _ in range(2):
            admin_client.post(
                reverse("admin:transparency_update_changelist"),
                {"action": "publish_now", "_selected_action": [update.pk]},
            )
    update.refresh_from_db()
    assert update.status == Update.Status.PUBLISHED
    assert plan.call_count == 1
