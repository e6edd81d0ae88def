"""The open data API: endpoints, filters, bad input, pagination, throttling and query counts."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from events.models import Event
from feedback.models import Feedback
from tests.events.factories import EventFactory
from tests.factories import (
    DistrictFactory,
    LanguageFactory,
    OfficerFactory,
    OfficerProfileFactory,
    TrainingRecordFactory,
)
from tests.feedback.factories import PublishedComplimentFactory, ReplyFactory
from tests.transparency.factories import PublishedUpdateFactory, UpdateAttachmentFactory, UpdateFactory
from transparency.api.mechanics import MAX_PAGE_SIZE
from transparency.models import Category

pytestmark = pytest.mark.django_db

NO_THROTTLE = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": None}}


def get(client, name: str, *, query: dict | None = None, headers: dict | None = None, **kwargs):
    return client.get(reverse(name, kwargs=kwargs or None), query or {}, headers=headers or {})


def slugs(response) -> list[str]:
    return [row["slug"] for row in response.json()["results"]]


# --- Root, districts, officers ----------------------------------------------------------------------


def test_it_links_every_collection_from_the_root(client):
    response = get(client, "api:root")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["events"] == "http://testserver" + reverse("api:event-list")
    assert set(body) == {"districts", "officers", "events", "feedback", "updates", "statistics", "schema", "docs"}


def test_it_lists_districts_with_their_public_officer_count(client):
    district = DistrictFactory(name="Northside")
    OfficerProfileFactory(district=district)
    OfficerProfileFactory(district=district, is_public=False)
    response = get(client, "api:district-list")
    assert response.json()["results"][0]["officer_count"] == 1
    detail = get(client, "api:district-detail", slug=district.slug).json()
    assert detail["name"] == "Northside"


def test_it_answers_404_json_for_an_unknown_district(client):
    response = get(client, "api:district-detail", slug="nowhere")
    assert response.status_code == 404
    assert response.json()["detail"] == "No district has this slug."


def test_it_lists_public_officers_only(client):
    shown = OfficerProfileFactory(last_name="Aaron")
    hidden = OfficerProfileFactory(is_public=False)
    assert slugs(get(client, "api:officer-list")) == [shown.slug]
    assert get(client, "api:officer-detail", slug=hidden.slug).status_code == 404


def test_it_filters_officers_by_district_and_language(client):
    spanish = LanguageFactory(code="es", name="Spanish")
    north, south = DistrictFactory(), DistrictFactory()
    speaker = OfficerProfileFactory(district=north, languages=[spanish])
    OfficerProfileFactory(district=north)
    OfficerProfileFactory(district=south, languages=[spanish])
    assert slugs(get(client, "api:officer-list", query={"district": north.slug, "language": "es"})) == [speaker.slug]


def test_it_shows_an_officers_training_on_their_detail_only(client):
    officer = OfficerProfileFactory()
    TrainingRecordFactory(officer=officer, course="De-escalation")
    detail = get(client, "api:officer-detail", slug=officer.slug).json()
    assert detail["training"][0]["course"] == "De-escalation"
    assert "training" not in get(client, "api:officer-list").json()["results"][0]


# --- Events ---------------------------------------------------------------------------------------


def test_it_lists_published_and_cancelled_events_but_never_drafts(client):
    published = EventFactory()
    cancelled = EventFactory(status=Event.Status.CANCELLED, cancellation_reason="The hall flooded.")
    draft = EventFactory(status=Event.Status.DRAFT)
    listed = slugs(get(client, "api:event-list"))
    assert set(listed) == {published.slug, cancelled.slug}
    assert get(client, "api:event-detail", slug=draft.slug).status_code == 404
    assert get(client, "api:event-detail", slug=cancelled.slug).json()["cancellation_reason"] == "The hall flooded."


def test_it_never_shows_an_events_online_link_or_a_hidden_host(client):
    hidden = OfficerProfileFactory(is_public=False)
    shown = OfficerProfileFactory()
    event = EventFactory(online_url="https://meet.example.org/secret-room", hosts=[hidden, shown])
    response = get(client, "api:event-detail", slug=event.slug)
    body = response.json()
    assert body["online"] is True
    assert [host["slug"] for host in body["hosts"]] == [shown.slug]
    assert b"secret-room" not in response.content
    assert hidden.last_name.encode() not in response.content


def test_it_filters_events_by_district_kind_and_days(client):
    district = DistrictFactory()
    day = timezone.localdate() + timedelta(days=10)
    start = timezone.make_aware(datetime.combine(day, datetime.min.time())) + timedelta(hours=18)
    match = EventFactory(district=district, starts_at=start, ends_at=start + timedelta(hours=1))
    EventFactory(district=district, starts_at=start + timedelta(days=1), ends_at=start + timedelta(days=1, hours=1))
    EventFactory(starts_at=start, ends_at=start + timedelta(hours=1))
    EventFactory(district=district, kind=Event.Kind.SCHOOL_PROGRAM, starts_at=start, ends_at=start + timedelta(hours=1))
    query = {"district": district.slug, "kind": "community_meeting", "from": day.isoformat(), "to": day.isoformat()}
    assert slugs(get(client, "api:event-list", query=query)) == [match.slug]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"district": "atlantis"}, "district"),
        ({"kind": "rave"}, "kind"),
        ({"status": "draft"}, "status"),
        ({"from": "2026-02-30"}, "from"),
        ({"to": "yesterday"}, "to"),
        ({"from": "2026-05-02", "to": "2026-05-01"}, "to"),
    ],
)
def test_it_answers_a_bad_event_filter_with_400_json(client, query, field):
    response = get(client, "api:event-list", query=query)
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert list(body["errors"]) == [field]
    assert body["errors"][field][0] in body["detail"]


# --- Feedback -------------------------------------------------------------------------------------


def test_it_lists_published_feedback_with_public_replies_only(client):
    officer = OfficerProfileFactory()
    item = PublishedComplimentFactory(officer=officer, message="Original words", public_message="Moderated words")
    ReplyFactory(feedback=item, body="Thank you, said publicly.", is_public=True)
    ReplyFactory(feedback=item, body="A private note.", is_public=False)
    unpublished = PublishedComplimentFactory(officer=officer, publication=Feedback.Publication.AWAITING)
    response = get(client, "api:feedback-list")
    rows = response.json()["results"]
    assert [row["id"] for row in rows] == [item.pk]
    assert rows[0]["message"] == "Moderated words"
    assert [reply["body"] for reply in rows[0]["replies"]] == ["Thank you, said publicly."]
    assert b"Original words" not in response.content
    assert b"private note" not in response.content
    assert get(client, "api:feedback-detail", pk=unpublished.pk).status_code == 404


def test_it_signs_a_reply_by_a_public_officer_with_their_name_and_hides_a_hidden_ones(client):
    public_account, hidden_account = OfficerFactory(), OfficerFactory()
    public = OfficerProfileFactory(user=public_account, first_name="Ana", last_name="Ruiz")
    OfficerProfileFactory(user=hidden_account, last_name="Hiddenname", is_public=False)
    item = PublishedComplimentFactory(officer=public)
    ReplyFactory(feedback=item, author=public_account, signature="officer")
    ReplyFactory(feedback=item, author=hidden_account, signature="officer")
    replies = get(client, "api:feedback-detail", pk=item.pk).json()["replies"]
    assert [reply["signed_by"] for reply in replies] == ["Ana Ruiz", settings.DEPARTMENT_NAME]


def test_it_hides_the_officer_of_feedback_about_a_hidden_officer(client):
    hidden = OfficerProfileFactory(is_public=False)
    item = PublishedComplimentFactory(officer=hidden)
    body = get(client, "api:feedback-detail", pk=item.pk).json()
    assert body["officer"] is None


def test_it_filters_feedback_by_kind_district_and_officer(client):
    officer = OfficerProfileFactory()
    match = PublishedComplimentFactory(officer=officer, district=officer.district)
    PublishedComplimentFactory(officer=OfficerProfileFactory(), district=officer.district)
    PublishedComplimentFactory(officer=officer, district=officer.district, kind=Feedback.Kind.SUGGESTION)
    query = {"kind": "compliment", "district": officer.district.slug, "officer": officer.slug}
    response = get(client, "api:feedback-list", query=query)
    assert [row["id"] for row in response.json()["results"]] == [match.pk]


def test_it_treats_a_hidden_officers_slug_like_an_unknown_one(client):
    hidden = OfficerProfileFactory(is_public=False)
    hidden_answer = get(client, "api:feedback-list", query={"officer": hidden.slug}).json()
    unknown_answer = get(client, "api:feedback-list", query={"officer": "nobody-at-all"}).json()
    assert hidden_answer["errors"]["officer"] == [f"There is no officer “{hidden.slug}” in the public directory."]
    assert unknown_answer["errors"]["officer"] == ["There is no officer “nobody-at-all” in the public directory."]


# --- Updates --------------------------------------------------------------------------------------


def test_it_lists_published_updates_only_with_both_languages(client):
    update = PublishedUpdateFactory(title_es="Noticias", summary_es="Resumen", body_es_html="<p>Hola</p>")
    UpdateFactory()  # a draft
    scheduled = UpdateFactory(status="scheduled", publish_at=timezone.now() + timedelta(days=1))
    response = get(client, "api:update-list")
    assert slugs(response) == [update.slug]
    assert response.json()["results"][0]["title_es"] == "Noticias"
    assert get(client, "api:update-detail", slug=scheduled.slug).status_code == 404


def test_it_shows_a_correction_and_attachments(client):
    update = PublishedUpdateFactory(correction_note="The date was wrong.", corrected_at=timezone.now())
    attachment = UpdateAttachmentFactory(update=update)
    body = get(client, "api:update-detail", slug=update.slug).json()
    assert body["correction"]["note"] == "The date was wrong."
    assert body["attachments"][0]["url"].endswith(
        reverse("transparency:attachment", kwargs={"slug": update.slug, "pk": attachment.pk})
    )


def test_it_links_the_minutes_event_only_when_it_is_public(client):
    draft = EventFactory(status=Event.Status.DRAFT, title="Secret planning")
    update = PublishedUpdateFactory(category=Category.MEETING_MINUTES, event=draft)
    response = get(client, "api:update-detail", slug=update.slug)
    assert response.json()["event"] is None
    assert b"Secret planning" not in response.content


def test_it_filters_updates_by_category_and_district(client):
    district = DistrictFactory()
    match = PublishedUpdateFactory(category=Category.SAFETY_ALERT)
    match.districts.add(district)
    PublishedUpdateFactory(category=Category.SAFETY_ALERT)
    other = PublishedUpdateFactory(category=Category.TRAINING)
    other.districts.add(district)
    query = {"category": "safety_alert", "district": district.slug}
    assert slugs(get(client, "api:update-list", query=query)) == [match.slug]


@pytest.mark.parametrize("query", [{"category": "gossip"}, {"district": "atlantis"}])
def test_it_answers_a_bad_update_filter_with_400_json(client, query):
    response = get(client, "api:update-list", query=query)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == list(query)


# --- Pagination -----------------------------------------------------------------------------------


def test_it_pages_lists_and_caps_the_page_size(client):
    OfficerProfileFactory.create_batch(3)
    first = get(client, "api:officer-list", query={"page_size": 2}).json()
    assert first["count"] == 3
    assert len(first["results"]) == 2
    assert first["next"].endswith("page=2&page_size=2")
    second = get(client, "api:officer-list", query={"page": 2, "page_size": 2}).json()
    assert len(second["results"]) == 1
    assert second["next"] is None


def test_it_caps_a_huge_page_size_at_the_maximum(client):
    OfficerProfileFactory.create_batch(MAX_PAGE_SIZE + 1)
    body = get(client, "api:officer-list", query={"page_size": 100000}).json()
    assert len(body["results"]) == MAX_PAGE_SIZE


@pytest.mark.parametrize(("name", "value"), [("page", "abc"), ("page", "0"), ("page_size", "-1"), ("page", "9" * 40)])
def test_it_answers_a_bad_page_parameter_with_400_json(client, name, value):
    response = get(client, "api:event-list", query={name: value})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [name]


def test_it_answers_a_page_past_the_last_with_404_json(client):
    response = get(client, "api:event-list", query={"page": 5})
    assert response.status_code == 404
    assert response.json() == {"detail": "There is no page with this number."}


# --- Read-only, no sessions, translated errors ------------------------------------------------------


def test_it_refuses_writes(client):
    response = client.post(reverse("api:event-list"), {"title": "x"})
    assert response.status_code == 405


def test_it_answers_a_signed_in_staff_member_exactly_like_anyone(client):
    anonymous = get(client, "api:officer-list", query={"page_size": 5})
    client.force_login(OfficerFactory())
    signed_in = get(client, "api:officer-list", query={"page_size": 5})
    assert signed_in.status_code == 200
    assert signed_in.content == anonymous.content


def test_it_answers_in_the_readers_language(client):
    response = get(client, "api:event-list", query={"page": 5}, headers={"Accept-Language": "es"})
    assert response.status_code == 404
    assert response["Content-Language"] == "es"
    assert response.json()["detail"] != "There is no page with this number."  # not English


def test_it_names_bad_parameters_in_the_readers_language(client):
    response = get(client, "api:event-list", query={"page": "x"}, headers={"Accept-Language": "es"})
    assert response.status_code == 400
    assert response["Content-Language"] == "es"


# --- Throttling -----------------------------------------------------------------------------------


def test_it_throttles_a_client_past_the_anonymous_rate(client, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "2/minute"}}
    assert get(client, "api:district-list").status_code == 200
    assert get(client, "api:officer-list").status_code == 200
    response = get(client, "api:event-list")
    assert response.status_code == 429
    assert "detail" in response.json()
    assert int(response["Retry-After"]) > 0


def test_it_does_not_let_a_made_up_forwarded_header_reset_the_limit(client, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "1/minute"}}
    assert get(client, "api:root", headers={"X-Forwarded-For": "203.0.113.1"}).status_code == 200
    assert get(client, "api:root", headers={"X-Forwarded-For": "203.0.113.2"}).status_code == 429


# --- Query counts ---------------------------------------------------------------------------------


def _seed(n: int) -> None:
    spanish = LanguageFactory(code="es", name="Spanish")
    for _ in range(n):
        officer = OfficerProfileFactory(languages=[spanish])
        TrainingRecordFactory(officer=officer)
        EventFactory(district=officer.district, hosts=[officer], languages=[spanish])
        item = PublishedComplimentFactory(officer=officer, district=officer.district)
        ReplyFactory(feedback=item, author=OfficerFactory(), signature="officer")
        update = PublishedUpdateFactory(event=EventFactory())
        update.districts.add(officer.district)
        UpdateAttachmentFactory(update=update)


LIST_QUERIES = {
    "api:district-list": 2,  # count, rows (officer counts annotated)
    "api:officer-list": 3,  # count, rows + district, languages
    "api:event-list": 4,  # count, rows + district + seat counts, public hosts, languages
    "api:feedback-list": 3,  # count, rows + district + officer, public replies + authors' profiles
    "api:update-list": 4,  # count, rows + event, districts, attachments
}


@pytest.mark.parametrize("name", sorted(LIST_QUERIES))
def test_it_runs_a_fixed_number_of_queries_whatever_the_rows(client, settings, name):
    settings.REST_FRAMEWORK = NO_THROTTLE
    counts = []
    for n in (1, 29):  # 1 row, then 30
        _seed(n)
        with CaptureQueriesContext(connection) as queries:
            response = get(client, name, query={"page_size": 100})
        assert response.status_code == 200
        counts.append(len(queries))
    assert len(response.json()["results"]) >= 30
    assert counts == [LIST_QUERIES[name]] * 2, counts


@pytest.mark.parametrize(
    ("name", "queries"),
    [("api:officer-detail", 3), ("api:event-detail", 3), ("api:feedback-detail", 2), ("api:update-detail", 3)],
)
def test_it_runs_a_fixed_number_of_queries_for_a_detail(client, settings, django_assert_num_queries, name, queries):
    settings.REST_FRAMEWORK = NO_THROTTLE
    _seed(1)
    kwargs = {
        "api:officer-detail": lambda: {"slug": OfficerProfileFactory._meta.model.objects.first().slug},
        "api:event-detail": lambda: {"slug": Event.objects.first().slug},
        "api:feedback-detail": lambda: {"pk": Feedback.objects.first().pk},
        "api:update-detail": lambda: {"slug": PublishedUpdateFactory._meta.model.objects.first().slug},
    }[name]()
    with django_assert_num_queries(queries):
        assert get(client, name, **kwargs).status_code == 200


# --- Statistics -----------------------------------------------------------------------------------


def test_it_lists_the_statistics_datasets_with_links(client):
    body = get(client, "api:statistics-list").json()
    slugs_listed = [row["slug"] for row in body["results"]]
    assert "complaints-by-category" in slugs_listed
    assert body["count"] == len(slugs_listed)
    assert body["results"][0]["url"].startswith("http://testserver/api/v1/statistics/")


def test_it_gives_a_dataset_as_the_dashboards_json_download(client):
    from transparency.datasets import dataset_result

    district = DistrictFactory()
    response = get(
        client,
        "api:statistics-detail",
        dataset="complaints-by-month",
        query={"district": district.slug, "period": "year"},
    )
    assert response.status_code == 200
    expected = dataset_result("complaints-by-month", district=district, period="year").as_json()
    assert response.json() == json.loads(json.dumps(expected, cls=DjangoJSONEncoder))
    assert response.json()["filters"] == {"district": district.slug, "period": "year"}


def test_it_answers_404_json_for_an_unknown_dataset(client):
    response = get(client, "api:statistics-detail", dataset="salaries")
    assert response.status_code == 404
    assert response.json() == {"detail": "There is no dataset called “salaries”."}


@pytest.mark.parametrize(("query", "field"), [({"period": "decade"}, "period"), ({"district": "atlantis"}, "district")])
def test_it_answers_a_bad_statistics_filter_with_400_json(client, query, field):
    response = get(client, "api:statistics-detail", dataset="complaints-by-category", query=query)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]


# --- The OpenAPI description -------------------------------------------------------------------------


def test_it_serves_a_valid_openapi_3_description_of_every_endpoint(client):
    from drf_spectacular.validation import validate_schema

    response = get(client, "api:schema", query={"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    validate_schema(schema)  # raises on an invalid OpenAPI 3 document
    assert schema["openapi"].startswith("3.")
    paths = set(schema["paths"])
    assert {
        "/api/v1/",
        "/api/v1/districts/",
        "/api/v1/districts/{slug}/",
        "/api/v1/officers/",
        "/api/v1/officers/{slug}/",
        "/api/v1/events/",
        "/api/v1/events/{slug}/",
        "/api/v1/feedback/",
        "/api/v1/feedback/{id}/",
        "/api/v1/updates/",
        "/api/v1/updates/{slug}/",
        "/api/v1/statistics/",
        "/api/v1/statistics/{dataset}/",
    } <= paths
    event_parameters = {parameter["name"] for parameter in schema["paths"]["/api/v1/events/"]["get"]["parameters"]}
    assert {"district", "kind", "status", "from", "to", "page", "page_size"} <= event_parameters


def test_it_serves_the_description_as_yaml_by_default(client):
    response = get(client, "api:schema")
    assert response.status_code == 200
    assert response.content.startswith(b"openapi: 3.")


def test_it_serves_the_reference_page_with_no_inline_script(client):
    response = get(client, "api:docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-schema-url="/api/v1/schema/?format=json"' in html
    assert "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "js/api-docs.js" in html
    assert "<script>" not in html
    assert "/es/api/" not in html


# --- Never a 500 ----------------------------------------------------------------------------------

ODD_VALUES = [
    "",
    " ",
    "0",
    "-1",
    "1e5",
    "9" * 400,
    "ñandú",
    "%00",
    "<script>",
    "../../etc",
    "2026-13-45",
    "9999-12-31",
    "0001-01-01",
    "a\x00b",
]


@pytest.mark.parametrize(
    ("name", "parameters"),
    [
        ("api:district-list", ["page", "page_size"]),
        ("api:officer-list", ["district", "language", "page", "page_size"]),
        ("api:event-list", ["district", "kind", "status", "from", "to", "page", "page_size"]),
        ("api:feedback-list", ["kind", "district", "officer", "page", "page_size"]),
        ("api:update-list", ["category", "district", "page", "page_size"]),
    ],
)
def test_it_never_answers_500_to_odd_filter_values(client, settings, name, parameters):
    settings.REST_FRAMEWORK = NO_THROTTLE
    EventFactory()
    for parameter in parameters:
        for value in ODD_VALUES:
            response = get(client, name, query={parameter: value})
            assert response.status_code in (200, 400, 404), (parameter, value, response.status_code)
            assert response["Content-Type"] == "application/json"
    for value in ODD_VALUES:
        for parameter in ("district", "period"):
            response = get(client, "api:statistics-detail", dataset="complaints-by-category", query={parameter: value})
            assert response.status_code in (200, 400), (parameter, value)


def test_it_refuses_a_null_character_before_it_reaches_the_database(client):
    response = get(client, "api:feedback-list", query={"officer": "a\x00b"})
    assert response.status_code == 400
    assert response.json()["errors"] == {"officer": ["Query parameters cannot contain a null character."]}


def test_it_answers_options_and_head_without_a_body_error(client):
    assert client.options(reverse("api:event-list")).status_code == 200
    assert client.head(reverse("api:event-list")).status_code == 200
    assert client.get(reverse("api:event-list"), {"format": "xml"}).status_code == 404


def test_it_describes_the_api_without_a_single_schema_warning(tmp_path):
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert (tmp_path / "schema.yaml").read_text().startswith("openapi: 3.")


def test_it_caches_the_description_for_an_hour(client):
    first = get(client, "api:schema", query={"format": "json"})
    again = get(client, "api:schema", query={"format": "json"})
    assert again.content == first.content
    assert "max-age=3600" in again["Cache-Control"]


def test_it_shows_the_reference_page_in_the_browsers_language(client):
    response = get(client, "api:docs", headers={"Accept-Language": "es"})
    assert response.status_code == 200
    assert '<html lang="es"' in response.content.decode()
