"""Public update pages: the list (filters, pagination, fixed queries), one update in English and
Spanish, drafts and scheduled updates 404, attachments through the view, the district section."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from tests.factories import AdministratorFactory, DistrictFactory
from tests.transparency.factories import PDF_BYTES, PublishedUpdateFactory, UpdateAttachmentFactory, UpdateFactory
from transparency.models import Category, Update
from transparency.services import updates as services

pytestmark = pytest.mark.django_db


def _es(name: str, **kwargs) -> str:
    with translation.override("es"):
        return reverse(name, **kwargs)


def test_it_lists_published_updates_newest_first_and_never_drafts(client):
    now = timezone.now()
    PublishedUpdateFactory(title="Older", published_at=now - datetime.timedelta(days=3))
    PublishedUpdateFactory(title="Newer", published_at=now)
    UpdateFactory(title="Secret draft")
    UpdateFactory(title="Scheduled one", status=Update.Status.SCHEDULED, publish_at=now + datetime.timedelta(days=1))
    response = client.get(reverse("transparency:list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("Newer") < html.index("Older")
    assert "Secret draft" not in html
    assert "Scheduled one" not in html


def test_it_filters_by_category_district_and_year(client):
    north = DistrictFactory(slug="north", name="North")
    alert = PublishedUpdateFactory(title="Flood alert", category=Category.SAFETY_ALERT)
    alert.districts.add(north)
    PublishedUpdateFactory(title="Training done", category=Category.TRAINING)
    PublishedUpdateFactory(title="Old news", published_at=timezone.now().replace(year=2020))
    url = reverse("transparency:list")
    assert "Training done" not in client.get(url, {"category": "safety_alert"}).content.decode()
    by_district = client.get(url, {"district": "north"}).content.decode()
    assert "Flood alert" in by_district
    assert "Training done" not in by_district
    by_year = client.get(url, {"year": "2020"}).content.decode()
    assert "Old news" in by_year
    assert "Flood alert" not in by_year


@pytest.mark.parametrize("params", [{"category": "gossip"}, {"district": "atlantis"}, {"year": "1850"}, {"page": "x"}])
def test_it_answers_400_with_a_message_for_unknown_filters(client, params):
    response = client.get(reverse("transparency:list"), params)
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()


def test_it_answers_404_for_a_page_out_of_range(client):
    PublishedUpdateFactory()
    assert client.get(reverse("transparency:list"), {"page": 5}).status_code == 404


def test_it_paginates(client, settings):
    settings.TRANSPARENCY_PER_PAGE = 2
    PublishedUpdateFactory.create_batch(5)
    html = client.get(reverse("transparency:list"), {"page": 3}).content.decode()
    assert "page 3 of 3" in html


def _list_queries(client, url: str) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("language", ["en", "es"])
def test_it_runs_a_fixed_number_of_queries_whatever_the_rows(client, settings, language):
    settings.TRANSPARENCY_PER_PAGE = 20
    with translation.override(language):
        url = reverse("transparency:list")
    district = DistrictFactory()
    first = PublishedUpdateFactory(title_es="Uno", summary_es="Uno", body_es="Uno")
    first.districts.add(district)
    UpdateAttachmentFactory(update=first)
    one = _list_queries(client, url)
    for number in range(15):
        update = PublishedUpdateFactory(**({"title_es": "T", "summary_es": "S", "body_es": "B"} if number % 2 else {}))
        update.districts.add(district, DistrictFactory())
        UpdateAttachmentFactory(update=update)
    many = _list_queries(client, url)
    assert one == many
    # Cached: the page shell for a visitor, and nothing else.
    with CaptureQueriesContext(connection) as warm:
        assert client.get(url).status_code == 200
    assert len(warm.captured_queries) <= 1


def test_it_runs_three_queries_for_a_page_of_rows_in_the_selector(django_assert_num_queries):
    from transparency.selectors import updates_public_list

    for _ in range(10):
        update = PublishedUpdateFactory()
        update.districts.add(DistrictFactory())
        UpdateAttachmentFactory(update=update)
    with django_assert_num_queries(3):  # updates, their districts, their attachments
        rows = list(updates_public_list()[:20])
        for update in rows:
            list(update.districts.all())
            list(update.attachments.all())


def test_it_serves_the_list_rows_from_the_cache_until_an_update_changes(client):
    PublishedUpdateFactory(title="First")
    client.get(reverse("transparency:list"))
    update = UpdateFactory(title="Second")
    services.update_publish(update_id=update.pk, actor=None)
    assert "Second" in client.get(reverse("transparency:list")).content.decode()


def test_it_shows_a_published_update_with_its_documents(client):
    update = PublishedUpdateFactory(title="Minutes")
    attachment = UpdateAttachmentFactory(update=update, title="Board minutes")
    html = client.get(update.get_absolute_url()).content.decode()
    assert '<h1 id="update-title">Minutes</h1>' in html
    assert reverse("transparency:attachment", kwargs={"slug": update.slug, "pk": attachment.pk}) in html
    assert attachment.sha256 in html


@pytest.mark.parametrize("status", [Update.Status.DRAFT, Update.Status.SCHEDULED])
def test_it_answers_404_for_drafts_and_scheduled_updates_even_to_administrators(client, status):
    update = UpdateFactory(status=status, publish_at=timezone.now() + datetime.timedelta(days=1))
    assert client.get(update.get_absolute_url()).status_code == 404
    client.force_login(AdministratorFactory())
    assert client.get(update.get_absolute_url()).status_code == 404


def test_it_shows_spanish_readers_the_spanish_version(client):
    update = PublishedUpdateFactory(
        title="Road closures",
        title_es="Cierres de calles",
        summary_es="Resumen",
        body_es="Texto",
        body_es_html="<p>Texto en español</p>",
    )
    html = client.get(_es("transparency:detail", kwargs={"slug": update.slug})).content.decode()
    assert "Cierres de calles" in html
    assert "Texto en español" in html
    assert "Road closures" not in html


def test_it_shows_spanish_readers_the_english_version_with_a_notice_when_there_is_no_translation(client):
    update = PublishedUpdateFactory(title="Road closures")
    html = client.get(_es("transparency:detail", kwargs={"slug": update.slug})).content.decode()
    assert "Road closures" in html
    assert 'lang="en"' in html  # the English text is marked as such on the Spanish page
    assert "has not been translated into Spanish yet" in html or "no se ha traducido" in html.lower()


def test_it_shows_english_readers_no_translation_notice(client):
    update = PublishedUpdateFactory()
    assert "has not been translated" not in client.get(update.get_absolute_url()).content.decode()


def test_it_shows_the_correction_note_and_its_date(client):
    update = PublishedUpdateFactory()
    services.update_correct(update_id=update.pk, note="The date was wrong.", actor=None, title="Fixed title")
    html = client.get(update.get_absolute_url()).content.decode()
    assert "Fixed title" in html
    assert "The date was wrong." in html
    assert "Corrected on" in html


def test_it_links_the_minutes_to_their_event(client):
    from tests.events.factories import EventFactory

    event = EventFactory(title="Spring meeting", starts_at=timezone.now() - datetime.timedelta(days=3))
    update = PublishedUpdateFactory(category=Category.MEETING_MINUTES, event=event)
    html = client.get(update.get_absolute_url()).content.decode()
    assert reverse("events:detail", kwargs={"slug": event.slug}) in html


def test_it_serves_an_attachment_of_a_published_update_as_a_pdf_download(client):
    attachment = UpdateAttachmentFactory()
    response = client.get(
        reverse("transparency:attachment", kwargs={"slug": attachment.update.slug, "pk": attachment.pk})
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_it_serves_an_attachment_inline_when_asked(client):
    attachment = UpdateAttachmentFactory()
    url = reverse("transparency:attachment", kwargs={"slug": attachment.update.slug, "pk": attachment.pk})
    response = client.get(url, {"inline": "1"})
    assert response["Content-Disposition"].startswith("inline;")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_it_does_not_serve_an_attachment_of_a_draft_or_of_another_update(client):
    draft_attachment = UpdateAttachmentFactory(update=UpdateFactory())
    other = PublishedUpdateFactory()
    published_attachment = UpdateAttachmentFactory()
    for slug, pk in (
        (draft_attachment.update.slug, draft_attachment.pk),
        (other.slug, published_attachment.pk),
    ):
        assert client.get(reverse("transparency:attachment", kwargs={"slug": slug, "pk": pk})).status_code == 404


def test_it_shows_a_district_its_recent_updates(client):
    district = DistrictFactory(slug="east", name="East")
    mine = PublishedUpdateFactory(title="East news")
    mine.districts.add(district)
    PublishedUpdateFactory(title="Citywide news")
    UpdateFactory(title="East draft").districts.add(district)
    html = client.get(reverse("portal:district-detail", kwargs={"slug": "east"})).content.decode()
    assert "East news" in html
    assert "East draft" not in html
    assert "Citywide news" not in html
    assert reverse("transparency:feed-district", kwargs={"slug": "east"}) in html
