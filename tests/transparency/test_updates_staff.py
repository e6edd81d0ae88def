"""Staff update pages: write, publish now or later, correct; bad input → 4xx with a message."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tests.factories import AdministratorFactory, DistrictFactory, InvestigatorFactory, OfficerFactory, ResidentFactory
from tests.transparency.factories import PDF_BYTES, PublishedUpdateFactory, UpdateAttachmentFactory, UpdateFactory
from transparency.models import Category, Update

pytestmark = pytest.mark.django_db

PNG_BYTES = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000")


@pytest.fixture
def admin(client):
    user = AdministratorFactory()
    client.force_login(user)
    return user


def _form(**overrides):
    data = {
        "title": "Speed checks on Elm Avenue",
        "category": Category.COMMUNITY_NEWS,
        "summary": "Four weeks of speed checks.",
        "body": "We heard you. **Speed checks** start Monday.",
        "title_es": "",
        "summary_es": "",
        "body_es": "",
    }
    data.update(overrides)
    return data


def _local(dt: datetime.datetime) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def test_it_writes_a_draft_and_shows_it_on_the_edit_page(client, admin):
    district = DistrictFactory()
    response = client.post(reverse("transparency:staff-new"), _form(districts=[district.pk]))
    update = Update.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("transparency:staff-edit", kwargs={"pk": update.pk})
    assert update.status == Update.Status.DRAFT
    assert update.created_by == admin
    assert "<strong>Speed checks</strong>" in update.body_html
    assert list(update.districts.all()) == [district]
    page = client.get(response.url).content.decode()
    assert "Speed checks on Elm Avenue" in page
    assert "A draft" in page


def test_it_refuses_a_missing_title_with_a_message(client, admin):
    response = client.post(reverse("transparency:staff-new"), _form(title=""))
    assert response.status_code == 400
    assert "Enter a title." in response.content.decode()
    assert not Update.objects.exists()


def test_it_refuses_a_non_pdf_renamed_pdf_with_a_message(client, admin):
    upload = SimpleUploadedFile("minutes.pdf", PNG_BYTES, content_type="application/pdf")
    response = client.post(reverse("transparency:staff-new"), {**_form(), "attachments": [upload]})
    assert response.status_code == 400
    assert "is not a PDF file" in response.content.decode()
    assert not Update.objects.exists()


def test_it_refuses_an_oversized_attachment_with_a_message(client, admin, settings):
    settings.TRANSPARENCY_ATTACHMENT_MAX_BYTES = 16
    upload = SimpleUploadedFile("minutes.pdf", PDF_BYTES, content_type="application/pdf")
    response = client.post(reverse("transparency:staff-new"), {**_form(), "attachments": [upload]})
    assert response.status_code == 400
    assert "is too large" in response.content.decode()


def test_it_attaches_several_pdfs_and_removes_one(client, admin):
    uploads = [SimpleUploadedFile(f"doc{n}.pdf", PDF_BYTES, content_type="application/pdf") for n in (1, 2)]
    client.post(reverse("transparency:staff-new"), {**_form(), "attachments": uploads})
    update = Update.objects.get()
    first, second = update.attachments.order_by("pk")
    response = client.post(
        reverse("transparency:staff-edit", kwargs={"pk": update.pk}), {**_form(), "remove_attachments": [first.pk]}
    )
    assert response.status_code == 302
    assert list(update.attachments.all()) == [second]


def test_it_refuses_an_unknown_category_or_tampered_event(client, admin):
    response = client.post(reverse("transparency:staff-new"), _form(category="gossip", event="999999"))
    assert response.status_code == 400
    assert not Update.objects.exists()


def test_it_publishes_now_and_redirects_to_the_edit_page_with_progress(client, admin):
    update = UpdateFactory()
    response = client.post(reverse("transparency:staff-publish", kwargs={"pk": update.pk}), {"when": "now"})
    assert response.status_code == 302
    assert response.url == reverse("transparency:staff-edit", kwargs={"pk": update.pk})
    update.refresh_from_db()
    assert update.status == Update.Status.PUBLISHED
    page = client.get(response.url).content.decode()
    assert "Emails to subscribers" in page
    assert reverse("transparency:staff-correct", kwargs={"pk": update.pk}) in page


def test_it_schedules_for_later(client, admin):
    update = UpdateFactory()
    when = timezone.now() + datetime.timedelta(days=2)
    response = client.post(
        reverse("transparency:staff-publish", kwargs={"pk": update.pk}), {"when": "later", "publish_at": _local(when)}
    )
    assert response.status_code == 302
    update.refresh_from_db()
    assert update.status == Update.Status.SCHEDULED
    assert abs((update.publish_at - when).total_seconds()) < 60


def test_it_refuses_a_publication_time_in_the_past_with_a_message(client, admin):
    update = UpdateFactory()
    past = timezone.now() - datetime.timedelta(hours=1)
    response = client.post(
        reverse("transparency:staff-publish", kwargs={"pk": update.pk}), {"when": "later", "publish_at": _local(past)}
    )
    assert response.status_code == 400
    assert "The publication time has already passed" in response.content.decode()
    update.refresh_from_db()
    assert update.status == Update.Status.DRAFT


def test_it_asks_for_the_time_when_publishing_later(client, admin):
    update = UpdateFactory()
    response = client.post(reverse("transparency:staff-publish", kwargs={"pk": update.pk}), {"when": "later"})
    assert response.status_code == 400
    assert "Enter the publication time." in response.content.decode()


def test_it_refuses_a_garbled_publication_time(client, admin):
    update = UpdateFactory()
    response = client.post(
        reverse("transparency:staff-publish", kwargs={"pk": update.pk}), {"when": "later", "publish_at": "tomorrow-ish"}
    )
    assert response.status_code == 400


def test_it_cancels_a_schedule(client, admin):
    update = UpdateFactory(status=Update.Status.SCHEDULED, publish_at=timezone.now() + datetime.timedelta(days=1))
    response = client.post(reverse("transparency:staff-publish", kwargs={"pk": update.pk}), {"unschedule": "1"})
    assert response.status_code == 302
    update.refresh_from_db()
    assert update.status == Update.Status.DRAFT


def test_it_says_an_update_is_already_published(client, admin):
    update = PublishedUpdateFactory()
    assert (
        "already published"
        in client.get(reverse("transparency:staff-publish", kwargs={"pk": update.pk})).content.decode()
    )
    response = client.post(reverse("transparency:staff-publish", kwargs={"pk": update.pk}), {"when": "now"})
    assert response.status_code == 400


def test_it_corrects_a_published_update(client, admin):
    update = PublishedUpdateFactory(title="Wrong title")
    data = {**_form(title="Right title"), "note": "The title was wrong."}
    response = client.post(reverse("transparency:staff-correct", kwargs={"pk": update.pk}), data)
    assert response.status_code == 302
    update.refresh_from_db()
    assert update.title == "Right title"
    assert update.correction_note == "The title was wrong."
    assert update.corrected_at is not None


def test_it_refuses_a_correction_without_a_note(client, admin):
    update = PublishedUpdateFactory()
    response = client.post(reverse("transparency:staff-correct", kwargs={"pk": update.pk}), _form())
    assert response.status_code == 400
    assert "Say what was corrected and why." in response.content.decode()


def test_it_sends_edits_of_a_published_update_to_the_correction_form(client, admin):
    update = PublishedUpdateFactory(title="Kept")
    response = client.post(reverse("transparency:staff-edit", kwargs={"pk": update.pk}), _form(title="Changed"))
    assert response.url == reverse("transparency:staff-correct", kwargs={"pk": update.pk})
    update.refresh_from_db()
    assert update.title == "Kept"


def test_it_answers_404_for_an_unknown_update(client, admin):
    assert client.get(reverse("transparency:staff-edit", kwargs={"pk": 987654})).status_code == 404


@pytest.mark.parametrize("factory", [ResidentFactory, OfficerFactory, InvestigatorFactory])
def test_it_forbids_everyone_but_administrators(client, factory):
    update = UpdateFactory()
    client.force_login(factory())
    assert client.post(reverse("transparency:staff-new"), _form()).status_code == 403
    assert (
        client.post(reverse("transparency:staff-publish", kwargs={"pk": update.pk}), {"when": "now"}).status_code == 403
    )
    update.refresh_from_db()
    assert update.status == Update.Status.DRAFT


def test_it_lists_updates_of_every_state_for_administrators(client, admin):
    UpdateFactory(title="A draft")
    PublishedUpdateFactory(title="A published one")
    page = client.get(reverse("transparency:staff-list")).content.decode()
    assert "A draft" in page
    assert "A published one" in page
    only_drafts = client.get(reverse("transparency:staff-list"), {"status": "draft"}).content.decode()
    assert "A published one" not in only_drafts


def test_it_puts_the_updates_card_on_the_staff_home_for_administrators_only(client, admin):
    assert reverse("transparency:staff-list") in client.get(reverse("portal:staff-home")).content.decode()
    client.force_login(OfficerFactory())
    assert reverse("transparency:staff-list") not in client.get(reverse("portal:staff-home")).content.decode()


@pytest.mark.parametrize("count", [1, 15])
def test_it_keeps_the_staff_list_query_count_flat(client, admin, django_assert_num_queries, count):
    for _ in range(count):
        UpdateAttachmentFactory(update=PublishedUpdateFactory())
    # The session, user, roles and two-factor checks of a staff request, then the count and the
    # page of updates with their attachment counts: the same however many rows.
    with django_assert_num_queries(9):
        assert client.get(reverse("transparency:staff-list")).status_code == 200
