"""The public wall (/feedback/), one published item, and the district and officer page sections."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from feedback import selectors
from feedback.models import Feedback, Reply
from tests.factories import (
    AdministratorFactory,
    DistrictFactory,
    OfficerFactory,
    OfficerProfileFactory,
    ResidentFactory,
)
from tests.feedback.factories import (
    AnonymousFeedbackFactory,
    FeedbackFactory,
    PublishedComplimentFactory,
    ReplyFactory,
)


@pytest.fixture
def memory_cache(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "wall"}}
    cache.clear()
    yield
    cache.clear()


def text(response) -> str:
    return response.content.decode()


def test_it_shows_the_public_copy_never_the_original_author_or_contact_email(db, client):
    author = ResidentFactory(first_name="Secret", last_name="Author", email="author-secret@example.org")
    PublishedComplimentFactory(
        officer=OfficerProfileFactory(),
        author=author,
        message="Original with phone 555-0100",
        public_message="Redacted copy",
    )
    AnonymousFeedbackFactory(
        kind=Feedback.Kind.COMPLIMENT,
        contact_email="hidden@example.org",
        may_publish=True,
        publication=Feedback.Publication.PUBLISHED,
        public_message="Anonymous public copy",
        published_at=timezone.now(),
    )
    content = text(client.get("/feedback/"))
    assert "Redacted copy" in content
    assert "Anonymous public copy" in content
    for secret in ("555-0100", "Original with", "author-secret@example.org", "Secret Author", "hidden@example.org"):
        assert secret not in content


def test_it_shows_only_published_items(db, client):
    PublishedComplimentFactory(officer=OfficerProfileFactory(), public_message="Shown item")
    for publication in (Feedback.Publication.PRIVATE, Feedback.Publication.AWAITING, Feedback.Publication.DECLINED):
        FeedbackFactory(publication=publication, public_message=f"Hidden {publication}", may_publish=True)
    content = text(client.get("/feedback/"))
    assert "Shown item" in content
    assert "Hidden" not in content


def test_it_shows_public_replies_only_signed_by_officer_or_department(db, client, settings):
    officer_user = OfficerFactory()
    profile = OfficerProfileFactory(user=officer_user, first_name="Dana", last_name="Reyes")
    item = PublishedComplimentFactory(officer=profile)
    ReplyFactory(feedback=item, author=officer_user, body="Signed reply", signature=Reply.Signature.OFFICER)
    ReplyFactory(
        feedback=item, author=AdministratorFactory(first_name="Admin", last_name="Person"), body="Department reply"
    )
    ReplyFactory(feedback=item, author=officer_user, body="Private reply", is_public=False)
    content = text(client.get("/feedback/"))
    assert "Signed reply" in content
    assert "Reply from Dana Reyes" in content
    assert "Department reply" in content
    assert f"Reply from {settings.DEPARTMENT_NAME}" in content
    assert "Admin Person" not in content
    assert "Private reply" not in content


def test_it_escapes_html_in_published_text(db, client):
    PublishedComplimentFactory(officer=OfficerProfileFactory(), public_message="<script>alert(1)</script>")
    content = text(client.get("/feedback/"))
    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;" in content


def test_it_filters_by_kind_district_and_officer(db, client):
    north, south = DistrictFactory(slug="north"), DistrictFactory(slug="south")
    officer = OfficerProfileFactory(slug="dana-reyes")
    PublishedComplimentFactory(officer=officer, district=north, public_message="Compliment north")
    PublishedComplimentFactory(
        kind=Feedback.Kind.SUGGESTION, officer=None, district=south, public_message="Suggestion south"
    )
    content = text(client.get("/feedback/?kind=suggestion"))
    assert "Suggestion south" in content
    assert "Compliment north" not in content
    content = text(client.get("/feedback/?district=north"))
    assert "Compliment north" in content
    assert "Suggestion south" not in content
    content = text(client.get("/feedback/?officer=dana-reyes"))
    assert "Compliment north" in content
    assert "Suggestion south" not in content
    content = text(client.get("/feedback/?kind=question&district=north"))
    assert "No published feedback matches these filters." in content


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("kind=rant", "There is no kind of feedback called"),
        ("district=atlantis", "There is no district called"),
        ("officer=nobody", "There is no officer"),
        ("officer=%3Cb%3E", "There is no officer with this name"),
        ("page=abc", "The page number must be a whole number"),
        ("page=0", "The page number must be 1 or more"),
    ],
)
def test_it_answers_400_with_a_message_for_unknown_filters(db, client, query, message):
    response = client.get(f"/feedback/?{query}")
    assert response.status_code == 400
    assert message in text(response)


def test_it_hides_a_private_officer_from_the_officer_filter(db, client):
    OfficerProfileFactory(slug="hidden", is_public=False)
    assert client.get("/feedback/?officer=hidden").status_code == 400


def test_it_paginates_and_answers_404_past_the_last_page(db, client, settings):
    settings.FEEDBACK_PER_PAGE = 2
    officer = OfficerProfileFactory()
    for number in range(5):
        PublishedComplimentFactory(officer=officer, public_message=f"Item {number}")
    assert "page 3 of 3" in text(client.get("/feedback/?page=3"))
    assert client.get("/feedback/?page=9").status_code == 404


@pytest.mark.parametrize("count", [1, 30])
def test_it_keeps_the_wall_query_count_flat(db, memory_cache, client, django_assert_num_queries, count):
    officer = OfficerProfileFactory()
    for _ in range(count):
        item = PublishedComplimentFactory(officer=officer)
        ReplyFactory(feedback=item, author=OfficerFactory())
    # districts for the filter, count, items, public replies, figures (one query)
    with django_assert_num_queries(5):
        assert client.get("/feedback/").status_code == 200
    with django_assert_num_queries(0):  # a visitor who is not signed in gets the cached page shell
        assert client.get("/feedback/").status_code == 200
    client.force_login(ResidentFactory())
    # signed in: session, user, their roles, districts for the filter; items and figures from fragments
    with django_assert_num_queries(4):
        assert client.get("/feedback/").status_code == 200


def test_it_never_shares_a_page_rendered_for_a_bad_query_or_a_signed_in_person(db, memory_cache, client):
    PublishedComplimentFactory(officer=OfficerProfileFactory(), public_message="Shared item")
    assert client.get("/feedback/?district=atlantis").status_code == 400
    assert client.get("/feedback/?district=atlantis").status_code == 400
    assert client.get("/feedback/?utm=1").status_code == 200  # unknown parameters: rendered each time
    client.force_login(ResidentFactory(first_name="Personal"))
    response = client.get("/feedback/")
    assert "Shared item" in text(response)
    client.logout()
    assert "Personal" not in text(client.get("/feedback/"))


def test_it_renders_afresh_after_a_reply_or_publication(db, memory_cache, client):
    officer = OfficerProfileFactory()
    item = PublishedComplimentFactory(officer=officer, public_message="First")
    assert "No public reply yet." in text(client.get("/feedback/"))
    ReplyFactory(feedback=item, body="A fresh answer")
    assert "A fresh answer" in text(client.get("/feedback/"))
    Feedback.objects.filter(pk=item.pk).update(publication=Feedback.Publication.DECLINED)
    selectors.feedback_fragments_bump()  # update() sends no signal: the services call the bump
    assert "First" not in text(client.get("/feedback/"))


def test_it_shows_one_published_item_and_404_otherwise(db, client):
    item = PublishedComplimentFactory(officer=OfficerProfileFactory(), public_message="Detail copy")
    ReplyFactory(feedback=item, body="Detail reply")
    response = client.get(f"/feedback/{item.pk}/")
    assert response.status_code == 200
    assert "Detail copy" in text(response)
    assert "Detail reply" in text(response)
    hidden = FeedbackFactory(may_publish=True, publication=Feedback.Publication.AWAITING)
    assert client.get(f"/feedback/{hidden.pk}/").status_code == 404
    assert client.get("/feedback/999999/").status_code == 404


@pytest.mark.parametrize("factory", [ResidentFactory, OfficerFactory, AdministratorFactory])
def test_it_shows_the_wall_to_every_role(db, client, factory):
    PublishedComplimentFactory(officer=OfficerProfileFactory(), public_message="For everyone")
    client.force_login(factory())
    response = client.get("/feedback/")
    assert response.status_code == 200
    assert "For everyone" in text(response)


def test_it_refuses_post_on_the_wall(db, client):
    assert client.post("/feedback/").status_code == 405


def test_it_shows_compliments_with_replies_on_the_officer_page(db, client):
    officer = OfficerProfileFactory(first_name="Dana", last_name="Reyes")
    item = PublishedComplimentFactory(officer=officer, public_message="Kind and patient")
    ReplyFactory(feedback=item, body="Thank you!")
    PublishedComplimentFactory(
        officer=officer, kind=Feedback.Kind.CONCERN, public_message="A published concern is not a compliment"
    )
    FeedbackFactory(officer=officer, kind=Feedback.Kind.COMPLIMENT, public_message="Unpublished")
    content = text(client.get(officer.get_absolute_url()))
    assert "Compliments for Dana Reyes" in content
    assert "Kind and patient" in content
    assert "Thank you!" in content
    assert "not a compliment" not in content
    assert "Unpublished" not in content


def test_it_leaves_the_section_out_for_an_officer_without_compliments(db, client):
    officer = OfficerProfileFactory()
    assert "Compliments for" not in text(client.get(officer.get_absolute_url()))


def test_it_shows_the_district_wall_on_the_district_page(db, client):
    district = DistrictFactory(name="North")
    PublishedComplimentFactory(officer=OfficerProfileFactory(), district=district, public_message="North item")
    PublishedComplimentFactory(officer=OfficerProfileFactory(), public_message="Elsewhere item")
    content = text(client.get(district.get_absolute_url()))
    assert "What residents told us" in content
    assert "North item" in content
    assert "Elsewhere item" not in content
    assert "Trust index" in content


def test_it_orders_the_wall_newest_published_first(db):
    officer = OfficerProfileFactory()
    old = PublishedComplimentFactory(officer=officer, published_at=timezone.now() - timedelta(days=2))
    new = PublishedComplimentFactory(officer=officer, published_at=timezone.now())
    assert list(selectors.feedback_wall()) == [new, old]


def test_it_serves_an_item_from_a_shell_and_renders_afresh_after_a_change(db, memory_cache, client):
    item = PublishedComplimentFactory(officer=OfficerProfileFactory(), public_message="Shell copy")
    url = f"/feedback/{item.pk}/"
    assert "Shell copy" in text(client.get(url))
    ReplyFactory(feedback=item, body="Later reply")
    assert "Later reply" in text(client.get(url))
    item.publication = Feedback.Publication.DECLINED
    item.save()
    assert client.get(url).status_code == 404
