"""The staff inbox pages: who gets in, filters (bad values → 400 with the form), counts, flat query
counts, the item page (thread, reply with templates, assign, close), the anonymous contact address
never shown, and the reply template pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from feedback.models import Feedback, Reply, ReplyTemplate
from portal.models import OutboxMessage
from tests.factories import (
    AdministratorFactory,
    DistrictFactory,
    InvestigatorFactory,
    OfficerFactory,
    OfficerProfileFactory,
    ResidentFactory,
)
from tests.feedback.factories import AnonymousFeedbackFactory, FeedbackFactory, ReplyFactory, ReplyTemplateFactory

pytestmark = pytest.mark.django_db

INBOX = "feedback:staff-inbox"


@pytest.fixture
def district():
    return DistrictFactory()


@pytest.fixture
def officer(district):
    user = OfficerFactory()
    OfficerProfileFactory(user=user, district=district)
    return user


@pytest.fixture
def officer_client(officer):
    client = Client()
    client.force_login(officer)
    return client


@pytest.fixture
def admin():
    return AdministratorFactory()


@pytest.fixture
def admin_client(admin):
    client = Client()
    client.force_login(admin)
    return client


def _detail(item) -> str:
    return reverse("feedback:staff-detail", kwargs={"pk": item.pk})


# --- Who gets in --------------------------------------------------------------------------------


@pytest.mark.parametrize(("make_user", "status"), [(ResidentFactory, 403), (InvestigatorFactory, 403)])
def test_it_forbids_the_inbox_without_the_role(client, make_user, status):
    client.force_login(make_user())
    assert client.get(reverse(INBOX)).status_code == status


def test_it_sends_visitors_to_sign_in(client):
    response = client.get(reverse(INBOX))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_it_answers_404_for_an_item_out_of_scope_and_one_that_does_not_exist(officer_client):
    elsewhere = FeedbackFactory(district=DistrictFactory())
    assert officer_client.get(_detail(elsewhere)).status_code == 404
    assert officer_client.get(reverse("feedback:staff-detail", kwargs={"pk": 999999})).status_code == 404
    response = officer_client.post(_detail(elsewhere), {"action": "reply", "body": "Hi"})
    assert response.status_code == 404
    assert not Reply.objects.exists()


# --- The inbox ----------------------------------------------------------------------------------


def test_it_lists_the_scope_with_counts(officer_client, district):
    FeedbackFactory(district=district, status=Feedback.Status.NEW)
    FeedbackFactory(district=district, status=Feedback.Status.ANSWERED)
    FeedbackFactory(district=DistrictFactory())
    response = officer_client.get(reverse(INBOX))
    assert response.status_code == 200
    assert len(response.context["items"]) == 2
    assert response.context["counts"] == {"total": 2, "new": 1, "assigned": 0, "answered": 1, "closed": 0}


def test_it_filters_by_status_kind_district_officer_age_and_assignee(admin_client, admin, district):
    profile = OfficerProfileFactory(district=district)
    old = FeedbackFactory(created_at=timezone.now() - timedelta(days=40), kind=Feedback.Kind.QUESTION)
    week_old = FeedbackFactory(created_at=timezone.now() - timedelta(days=10), status=Feedback.Status.ANSWERED)
    about_officer = FeedbackFactory(kind=Feedback.Kind.COMPLIMENT, officer=profile, district=district)
    mine = FeedbackFactory(assigned_to=admin, status=Feedback.Status.ASSIGNED)

    def pks(**query):
        response = admin_client.get(reverse(INBOX), query)
        assert response.status_code == 200, response.context["form"].errors
        return {item.pk for item in response.context["items"]}

    assert pks(status="answered") == {week_old.pk}
    assert pks(kind="question") == {old.pk}
    assert pks(district=district.pk) == {about_officer.pk}
    assert pks(officer=profile.pk) == {about_officer.pk}
    assert pks(age="30") == {old.pk}
    assert pks(age="7") == {old.pk, week_old.pk}
    assert pks(mine="on") == {mine.pk}
    awaiting = FeedbackFactory(may_publish=True, publication=Feedback.Publication.AWAITING)
    assert pks(publication="awaiting") == {awaiting.pk}
    assert pks() == {old.pk, week_old.pk, about_officer.pk, mine.pk, awaiting.pk}


@pytest.mark.parametrize(
    "query",
    [
        {"status": "lost"},
        {"kind": "<script>"},
        {"district": "abc"},
        {"district": "999999"},
        {"officer": "-1"},
        {"age": "5"},
        {"publication": "everywhere"},
        {"age": "x" * 500},
    ],
)
def test_it_answers_bad_filters_with_400_and_the_form(officer_client, query):
    response = officer_client.get(reverse(INBOX), query)
    assert response.status_code == 400
    assert response.context["form"].errors
    assert "There is a problem" in response.content.decode()
    assert "<script>" not in response.content.decode()


@pytest.mark.parametrize("page", ["0", "-3", "abc", "99999"])
def test_it_survives_bad_page_numbers(officer_client, district, page):
    FeedbackFactory(district=district)
    assert officer_client.get(reverse(INBOX), {"page": page}).status_code == 200


def test_it_paginates_and_keeps_the_filters(officer_client, district, settings):
    settings.FEEDBACK_PER_PAGE = 2
    FeedbackFactory.create_batch(5, district=district, kind=Feedback.Kind.QUESTION)
    response = officer_client.get(reverse(INBOX), {"kind": "question", "page": "2"})
    assert response.status_code == 200
    assert len(response.context["items"]) == 2
    assert "kind=question&amp;page=3" in response.content.decode()


def _fill(district, count):
    officer_profile = OfficerProfileFactory(district=district)
    assignee = OfficerFactory()
    for index in range(count):
        item = FeedbackFactory(
            district=district,
            officer=officer_profile if index % 2 else None,
            assigned_to=assignee if index % 3 else None,
            kind=Feedback.Kind.COMPLIMENT,
        )
        ReplyFactory(feedback=item)


@pytest.mark.parametrize("role", ["officer", "administrator"])
def test_it_runs_a_fixed_number_of_queries_whatever_the_rows(
    client, district, officer, admin, role, settings, django_assert_num_queries
):
    settings.FEEDBACK_PER_PAGE = 50
    user = officer if role == "officer" else admin
    client.force_login(user)
    url = reverse(INBOX)
    _fill(district, 1)
    client.get(url)  # warm up the session and the per-process caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        assert client.get(url, {"kind": "compliment"}).status_code == 200
    _fill(district, 29)
    with django_assert_num_queries(len(one)):
        response = client.get(url, {"kind": "compliment"})
    assert len(response.context["items"]) == 30


# --- One item -----------------------------------------------------------------------------------


def test_it_never_shows_the_anonymous_contact_address(admin_client, officer_client, district):
    item = AnonymousFeedbackFactory(district=district, contact_email="hidden.person@example.org")
    for client in (admin_client, officer_client):
        page = client.get(_detail(item)).content.decode()
        assert "hidden.person" not in page
        assert "The sender left a contact address" in page
        inbox = client.get(reverse(INBOX)).content.decode()
        assert "hidden.person" not in inbox


def test_it_says_when_no_contact_address_was_left(officer_client, district):
    item = AnonymousFeedbackFactory(district=district, contact_email="")
    page = officer_client.get(_detail(item)).content.decode()
    assert "The sender left a contact address" in page
    assert "Yes: replies are emailed" not in page


def test_it_shows_the_thread_escaped(officer_client, district, officer):
    item = FeedbackFactory(district=district, message="<script>alert(1)</script>")
    ReplyFactory(feedback=item, author=officer, body="<b>bold</b>", is_public=False)
    page = officer_client.get(_detail(item)).content.decode()
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;" in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in page


def test_it_replies_from_the_page_and_emails_the_sender(officer_client, district):
    item = FeedbackFactory(district=district)
    response = officer_client.post(
        _detail(item), {"action": "reply", "body": "Thanks!", "visibility": "public", "signature": "officer"}
    )
    assert response.status_code == 302
    reply = Reply.objects.get(feedback=item)
    assert reply.is_public
    assert reply.signature == "officer"
    assert OutboxMessage.objects.filter(dedupe_key=f"feedback.reply:{reply.pk}").exists()
    item.refresh_from_db()
    assert item.status == Feedback.Status.ANSWERED


@pytest.mark.parametrize(
    "data",
    [
        {"action": "reply", "body": "", "visibility": "public", "signature": "officer"},
        {"action": "reply", "body": "x" * 5001, "visibility": "public", "signature": "officer"},
        {"action": "reply", "body": "Hi", "visibility": "everyone", "signature": "officer"},
        {"action": "reply", "body": "Hi", "visibility": "public", "signature": "mayor"},
        {"action": "assign", "assignee": "999999"},
        {"action": "assign", "assignee": "abc"},
        {"action": "dance"},
        {},
    ],
)
def test_it_answers_bad_posts_with_400(officer_client, district, data):
    item = FeedbackFactory(district=district)
    response = officer_client.post(_detail(item), data)
    assert response.status_code == 400
    assert not Reply.objects.exists()


def test_it_refuses_a_reply_to_a_closed_item_with_400(officer_client, district):
    item = FeedbackFactory(district=district, status=Feedback.Status.CLOSED)
    response = officer_client.post(
        _detail(item), {"action": "reply", "body": "Hi", "visibility": "public", "signature": "officer"}
    )
    assert response.status_code == 400
    assert "closed" in response.content.decode()


def test_it_prefills_the_reply_from_a_template(officer_client, district):
    item = FeedbackFactory(district=district)
    template = ReplyTemplateFactory(body="We have passed this on to the commander.")
    response = officer_client.get(_detail(item), {"template": template.pk})
    assert response.status_code == 200
    assert response.context["reply_form"].initial["body"] == template.body
    assert "We have passed this on to the commander." in response.content.decode()


@pytest.mark.parametrize("value", ["999999", "abc"])
def test_it_answers_an_unknown_template_with_400(officer_client, district, value):
    item = FeedbackFactory(district=district)
    ReplyTemplateFactory()
    response = officer_client.get(_detail(item), {"template": value})
    assert response.status_code == 400
    assert "That reply template does not exist" in response.content.decode()


def test_it_assigns_only_to_colleagues_who_can_see_it(officer_client, district):
    item = FeedbackFactory(district=district)
    colleague = OfficerFactory()
    OfficerProfileFactory(user=colleague, district=district)
    elsewhere = OfficerFactory()
    OfficerProfileFactory(user=elsewhere, district=DistrictFactory())
    choices = officer_client.get(_detail(item)).context["assign_form"].fields["assignee"].queryset
    assert colleague in choices
    assert elsewhere not in choices
    assert officer_client.post(_detail(item), {"action": "assign", "assignee": elsewhere.pk}).status_code == 400
    assert officer_client.post(_detail(item), {"action": "assign", "assignee": colleague.pk}).status_code == 302
    item.refresh_from_db()
    assert item.assigned_to == colleague
    assert item.status == Feedback.Status.ASSIGNED


def test_it_closes_from_the_page(officer_client, district):
    item = FeedbackFactory(district=district)
    assert officer_client.post(_detail(item), {"action": "close"}).status_code == 302
    item.refresh_from_db()
    assert item.status == Feedback.Status.CLOSED
    assert officer_client.post(_detail(item), {"action": "close"}).status_code == 400


def test_it_shows_moderation_and_complaint_links_to_administrators_only(admin_client, officer_client, district):
    item = FeedbackFactory(district=district, kind=Feedback.Kind.CONCERN)
    moderate = reverse("feedback:staff-moderate", kwargs={"pk": item.pk})
    assert moderate in admin_client.get(_detail(item)).content.decode()
    assert moderate not in officer_client.get(_detail(item)).content.decode()


# --- Reply templates ----------------------------------------------------------------------------


def test_it_lists_and_creates_templates(admin_client):
    url = reverse("feedback:staff-templates")
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url, {"title": "Thanks", "language": "en", "body": "Thank you."})
    assert response.status_code == 302
    assert ReplyTemplate.objects.get().title == "Thanks"


@pytest.mark.parametrize(
    "data",
    [
        {"title": "", "language": "en", "body": "B"},
        {"title": "T", "language": "xx", "body": "B"},
        {"title": "T", "language": "en", "body": ""},
        {"title": "T" * 121, "language": "en", "body": "B"},
    ],
)
def test_it_answers_bad_templates_with_400(admin_client, data):
    response = admin_client.post(reverse("feedback:staff-templates"), data)
    assert response.status_code == 400
    assert not ReplyTemplate.objects.exists()


def test_it_edits_and_deletes_a_template(admin_client):
    template = ReplyTemplateFactory()
    url = reverse("feedback:staff-template-edit", kwargs={"pk": template.pk})
    assert admin_client.get(url).status_code == 200
    assert admin_client.post(url, {"title": "New", "language": "es", "body": "Hola."}).status_code == 302
    template.refresh_from_db()
    assert (template.title, template.language) == ("New", "es")
    assert admin_client.post(url, {"title": "", "language": "es", "body": "Hola."}).status_code == 400
    assert admin_client.post(url, {"action": "delete"}).status_code == 302
    assert not ReplyTemplate.objects.exists()
    assert admin_client.get(url).status_code == 404


def test_it_forbids_template_pages_to_officers(officer_client):
    template = ReplyTemplateFactory()
    assert officer_client.get(reverse("feedback:staff-templates")).status_code == 403
    url = reverse("feedback:staff-template-edit", kwargs={"pk": template.pk})
    assert officer_client.post(url, {"action": "delete"}).status_code == 403
    assert ReplyTemplate.objects.exists()


def test_it_puts_the_inbox_on_the_staff_home_for_officers_and_administrators(officer_client, admin_client):
    inbox = reverse(INBOX)
    assert inbox in officer_client.get(reverse("portal:staff-home")).content.decode()
    assert inbox in admin_client.get(reverse("portal:staff-home")).content.decode()
    investigator = Client()
    investigator.force_login(InvestigatorFactory())
    response = investigator.get(reverse("portal:staff-home"))
    assert inbox not in response.content.decode()


def test_it_grants_administrators_the_feedback_admin_permissions(admin):
    assert admin.has_perm("feedback.view_feedback")
    assert admin.has_perm("feedback.change_replytemplate")
    assert not admin.has_perm("feedback.delete_feedback")
    assert not OfficerFactory().has_perm("feedback.view_feedback")
