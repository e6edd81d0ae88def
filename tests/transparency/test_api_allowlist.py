"""THE allow-list: every key of every API answer (nested objects and lists included) is one we chose
to publish, and nothing private ever appears in any answer.

A new field, or a new endpoint, fails here until it is added to ALLOWED on purpose.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import get_resolver, reverse
from django.utils import timezone

from events.models import Event
from feedback.models import Feedback
from tests.complaints.factories import ComplaintFactory
from tests.events.factories import EventFactory, GuestRSVPFactory
from tests.factories import (
    DistrictFactory,
    LanguageFactory,
    OfficerFactory,
    OfficerProfileFactory,
    ResidentFactory,
    TrainingRecordFactory,
)
from tests.feedback.factories import AnonymousFeedbackFactory, PublishedComplimentFactory, ReplyFactory
from tests.transparency.factories import (
    PublishedUpdateFactory,
    SubscriberFactory,
    UpdateAttachmentFactory,
    UpdateFactory,
)
from transparency.api.statistics import dataset_catalogue
from transparency.models import Category, Update

pytestmark = pytest.mark.django_db

# None: a plain value. {key: spec}: an object with exactly these keys (or null). [spec]: a list of spec.
REF = {"slug": None, "name": None}
LANGUAGE = {"code": None, "name": None}
DISTRICT = {"slug": None, "name": None, "description": None, "officer_count": None, "url": None, "page_url": None}
OFFICER = {
    "slug": None,
    "name": None,
    "first_name": None,
    "last_name": None,
    "rank": None,
    "badge_number": None,
    "district": REF,
    "languages": [LANGUAGE],
    "bio": None,
    "url": None,
    "page_url": None,
}
OFFICER_DETAIL = {**OFFICER, "training": [{"course": None, "completed_on": None}]}
EVENT = {
    "slug": None,
    "title": None,
    "summary": None,
    "description": None,
    "kind": None,
    "status": None,
    "cancellation_reason": None,
    "starts_at": None,
    "ends_at": None,
    "venue_name": None,
    "address": None,
    "online": None,
    "district": REF,
    "capacity": None,
    "seats_left": None,
    "waitlist_length": None,
    "rsvp_deadline": None,
    "hosts": [REF],
    "languages": [LANGUAGE],
    "accessibility": {
        "step_free_access": None,
        "interpreter": None,
        "childcare": None,
        "captioning": None,
        "notes": None,
    },
    "url": None,
    "page_url": None,
}
FEEDBACK = {
    "id": None,
    "kind": None,
    "about": None,
    "message": None,
    "published_at": None,
    "district": REF,
    "officer": REF,
    "replies": [{"body": None, "signed_by": None, "created_at": None}],
    "url": None,
    "page_url": None,
}
UPDATE = {
    "slug": None,
    "category": None,
    "title": None,
    "summary": None,
    "body_html": None,
    "title_es": None,
    "summary_es": None,
    "body_es_html": None,
    "districts": [REF],
    "event": {"slug": None, "title": None},
    "published_at": None,
    "correction": {"note": None, "corrected_at": None},
    "attachments": [{"title": None, "size": None, "sha256": None, "url": None}],
    "url": None,
    "page_url": None,
}
# A statistics row: exactly its dataset's column keys, plus "suppressed" ({column key: text}) when
# a value was suppressed. The columns come from the same answer (each dataset has its own).
DATASET_ROW = "<a row keyed by the dataset's columns>"
DATASET = {
    "dataset": None,
    "title": None,
    "description": None,
    "filters": {"district": None, "period": None},
    "columns": [{"key": None, "label": None, "kind": None}],
    "rows": [DATASET_ROW],
    "total": DATASET_ROW,
    "notes": [None],
}


def page_of(item: dict) -> dict:
    return {"count": None, "next": None, "previous": None, "results": [item]}


ALLOWED: dict[str, Any] = {
    "api:root": {
        "districts": None,
        "officers": None,
        "events": None,
        "feedback": None,
        "updates": None,
        "statistics": None,
        "schema": None,
        "docs": None,
    },
    "api:district-list": page_of(DISTRICT),
    "api:district-detail": DISTRICT,
    "api:officer-list": page_of(OFFICER),
    "api:officer-detail": OFFICER_DETAIL,
    "api:event-list": page_of(EVENT),
    "api:event-detail": EVENT,
    "api:feedback-list": page_of(FEEDBACK),
    "api:feedback-detail": FEEDBACK,
    "api:update-list": page_of(UPDATE),
    "api:update-detail": UPDATE,
    "api:statistics-list": {
        "count": None,
        "results": [{"slug": None, "title": None, "description": None, "url": None}],
    },
    "api:statistics-detail": DATASET,
}
NOT_JSON_RECORDS = {"api:schema", "api:docs"}  # the description of the API, and its reference page


def _assert_dataset_row(value: Any, *, columns: set[str], where: str) -> None:
    if value is None:
        return
    assert isinstance(value, dict), f"{where}: expected a row object, got {value!r}"
    assert set(value) - {"suppressed"} == columns, f"{where}: row keys {sorted(value)} are not the columns {columns}"
    for key in columns:
        assert not isinstance(value[key], dict | list), f"{where}.{key}: not a plain value: {value[key]!r}"
    suppressed = value.get("suppressed", {})
    assert isinstance(suppressed, dict), f"{where}.suppressed: {suppressed!r}"
    assert set(suppressed) <= columns, f"{where}.suppressed: {suppressed!r}"
    assert all(isinstance(text, str) and value[key] is None for key, text in suppressed.items()), where


def assert_shape(value: Any, spec: Any, *, where: str, columns: set[str] | None = None) -> None:
    if isinstance(value, dict) and isinstance(value.get("columns"), list):
        columns = {column["key"] for column in value["columns"]}
    if spec == DATASET_ROW:
        _assert_dataset_row(value, columns=columns or set(), where=where)
    elif isinstance(spec, dict):
        if value is None:
            return
        assert isinstance(value, dict), f"{where}: expected an object, got {value!r}"
        assert set(value) == set(spec), (
            f"{where}: keys not on the allow-list: {sorted(set(value) - set(spec))}; "
            f"allowed keys missing: {sorted(set(spec) - set(value))}"
        )
        for key, child in spec.items():
            assert_shape(value[key], child, where=f"{where}.{key}", columns=columns)
    elif isinstance(spec, list):
        assert isinstance(value, list), f"{where}: expected a list, got {value!r}"
        for index, item in enumerate(value):
            assert_shape(item, spec[0], where=f"{where}[{index}]", columns=columns)
    else:
        assert not isinstance(value, dict), f"{where}: an object where a plain value is allowed: {value!r}"
        if isinstance(value, list):  # a list of plain values (a statistics row's cells)
            for item in value:
                assert not isinstance(item, dict | list), f"{where}: nested value {item!r}"


def api_names() -> set[str]:
    namespace = get_resolver().namespace_dict["api"][1]
    return {f"api:{key}" for key in namespace.reverse_dict if isinstance(key, str)}


def test_it_has_an_allow_list_entry_for_every_endpoint():
    assert api_names() - NOT_JSON_RECORDS == set(ALLOWED)


# --- The world: public records to show, private ones that must never appear -----------------------

LEAKS = [
    "leak-contact@example.org",  # an anonymous concern's contact email
    "LEAK-ORIGINAL-MESSAGE",  # the original (unmoderated) message of a published item
    "LEAK-UNPUBLISHED-CONCERN",
    "LEAK-PRIVATE-REPLY",
    "LEAK-DECLINE-REASON",
    "LEAK-FOLLOW-UP",
    "leak-author@example.org",  # a feedback author's account
    "Leakauthorname",
    "LEAK-DRAFT-UPDATE",
    "LEAK-SCHEDULED-UPDATE",
    "LEAK-MARKDOWN-SOURCE",
    "LEAK-DRAFT-EVENT",
    "leak-draft-event",
    "leak.example.org/online-room",  # online links go to seat holders only
    "Leakhiddenofficer",  # a profile hidden from the directory
    "LEAKB999",
    "leak-hidden-officer",
    "leak-staff@example.org",  # the account linked to a public officer
    "Leakaccountname",
    "leak-guest@example.org",
    "Leakguestname",
    "leak-subscriber@example.org",
]


@pytest.fixture
def world(db) -> dict[str, Any]:
    spanish = LanguageFactory(code="es", name="Spanish")
    district = DistrictFactory()
    staff_account = OfficerFactory(email="leak-staff@example.org", first_name="Leakaccountname")
    officer = OfficerProfileFactory(user=staff_account, district=district, languages=[spanish])
    TrainingRecordFactory(officer=officer)
    hidden = OfficerProfileFactory(
        first_name="Leakhiddenofficer",
        last_name="Leakhiddenofficer",
        badge_number="LEAKB999",
        slug="leak-hidden-officer",
        is_public=False,
        district=district,
    )
    event = EventFactory(
        district=district,
        hosts=[officer, hidden],
        languages=[spanish],
        online_url="https://leak.example.org/online-room",
        created_by=staff_account,
    )
    GuestRSVPFactory(event=event, guest_email="leak-guest@example.org", guest_name="Leakguestname")
    EventFactory(status=Event.Status.DRAFT, title="LEAK-DRAFT-EVENT", slug="leak-draft-event", district=district)
    author = ResidentFactory(email="leak-author@example.org", first_name="Leakauthorname")
    item = PublishedComplimentFactory(
        officer=officer,
        district=district,
        author=author,
        message="LEAK-ORIGINAL-MESSAGE",
        public_message="Thank you for your help.",
        follow_up="LEAK-FOLLOW-UP",
        rating=5,
    )
    ReplyFactory(feedback=item, author=staff_account, body="We are glad it helped.", signature="officer")
    ReplyFactory(feedback=item, author=staff_account, body="LEAK-PRIVATE-REPLY", is_public=False)
    concern = AnonymousFeedbackFactory(
        kind=Feedback.Kind.CONCERN,
        district=district,
        officer=officer,
        contact_email="leak-contact@example.org",
        message="LEAK-ORIGINAL-MESSAGE too",
        public_message="A published concern.",
        publication=Feedback.Publication.PUBLISHED,
        may_publish=True,
        published_at=timezone.now(),
    )
    ReplyFactory(feedback=concern, author=staff_account, body="We looked into it.", signature="department")
    AnonymousFeedbackFactory(
        message="LEAK-UNPUBLISHED-CONCERN",
        contact_email="leak-contact@example.org",
        decline_reason="LEAK-DECLINE-REASON",
        publication=Feedback.Publication.DECLINED,
    )
    update = PublishedUpdateFactory(
        category=Category.MEETING_MINUTES,
        event=event,
        title_es="Actas",
        summary_es="Resumen",
        body_es_html="<p>Hola</p>",
        body="LEAK-MARKDOWN-SOURCE",
        correction_note="The time was wrong.",
        corrected_at=timezone.now(),
        created_by=staff_account,
    )
    update.districts.add(district)
    UpdateAttachmentFactory(update=update)
    UpdateFactory(title="LEAK-DRAFT-UPDATE")
    UpdateFactory(title="LEAK-SCHEDULED-UPDATE", status=Update.Status.SCHEDULED, publish_at=timezone.now())
    SubscriberFactory(email="leak-subscriber@example.org")
    complaint = ComplaintFactory.naming(officer, district=district)  # one complaint: a suppressed count
    return {
        "district": district,
        "officer": officer,
        "event": event,
        "item": item,
        "update": update,
        "complaint": complaint,
    }


def _requests(world: dict[str, Any]) -> list[tuple[str, str]]:
    """(name, url) of every endpoint, with a detail for each public record and each dataset."""
    urls = [
        ("api:root", reverse("api:root")),
        ("api:district-list", reverse("api:district-list")),
        ("api:district-detail", reverse("api:district-detail", kwargs={"slug": world["district"].slug})),
        ("api:officer-list", reverse("api:officer-list")),
        ("api:officer-detail", reverse("api:officer-detail", kwargs={"slug": world["officer"].slug})),
        ("api:event-list", reverse("api:event-list")),
        ("api:event-detail", reverse("api:event-detail", kwargs={"slug": world["event"].slug})),
        ("api:feedback-list", reverse("api:feedback-list")),
        ("api:update-list", reverse("api:update-list")),
        ("api:update-detail", reverse("api:update-detail", kwargs={"slug": world["update"].slug})),
        ("api:statistics-list", reverse("api:statistics-list")),
    ]
    for item in Feedback.objects.filter(publication=Feedback.Publication.PUBLISHED):
        urls.append(("api:feedback-detail", reverse("api:feedback-detail", kwargs={"pk": item.pk})))
    for slug, *_text in dataset_catalogue():
        url = reverse("api:statistics-detail", kwargs={"dataset": slug})
        urls.append(("api:statistics-detail", url))
        urls.append(("api:statistics-detail", f"{url}?district={world['district'].slug}&period=year"))
    return urls


def test_it_answers_every_endpoint_with_allowed_keys_only(client, world):
    seen = set()
    for name, url in _requests(world):
        response = client.get(url, {"page_size": 100} if name.endswith("-list") else {})
        assert response.status_code == 200, url
        assert_shape(response.json(), ALLOWED[name], where=url)
        seen.add(name)
    assert seen == set(ALLOWED)


def test_it_fills_every_allowed_object_so_the_comparison_is_not_vacuous(client, world):
    """The world gives every nullable object a value, so each nested key set is really compared."""
    event = client.get(reverse("api:event-detail", kwargs={"slug": world["event"].slug})).json()
    assert event["district"]
    assert event["hosts"]
    assert event["languages"]
    update = client.get(reverse("api:update-detail", kwargs={"slug": world["update"].slug})).json()
    assert update["event"]
    assert update["correction"]
    assert update["attachments"]
    assert update["districts"]
    item = client.get(reverse("api:feedback-detail", kwargs={"pk": world["item"].pk})).json()
    assert item["officer"]
    assert item["district"]
    assert item["replies"]
    officer = client.get(reverse("api:officer-detail", kwargs={"slug": world["officer"].slug})).json()
    assert officer["training"]
    assert officer["languages"]
    assert officer["district"]
    statistics = client.get(reverse("api:statistics-detail", kwargs={"dataset": "complaints-by-category"})).json()
    assert statistics["rows"]
    assert statistics["total"]
    assert statistics["columns"]
    assert any("suppressed" in row for row in statistics["rows"])  # the single complaint is a small count


def test_it_never_shows_anything_private_in_any_answer(client, world):
    bodies = []
    for _name, url in _requests(world):
        response = client.get(url, {"page_size": 100} if "?" not in url else {})
        bodies.append(response.content.decode())
    bodies.append(client.get(reverse("api:schema"), {"format": "json"}).content.decode())
    everything = "\n".join(bodies)
    found = [leak for leak in LEAKS if leak.lower() in everything.lower()]
    assert not found, f"private values in API answers: {found}"
    assert world["complaint"].reference not in everything


def test_it_answers_404_for_every_private_record(client, world):
    hidden = reverse("api:officer-detail", kwargs={"slug": "leak-hidden-officer"})
    draft_event = reverse("api:event-detail", kwargs={"slug": "leak-draft-event"})
    declined = Feedback.objects.get(publication=Feedback.Publication.DECLINED)
    drafts = Update.objects.exclude(status=Update.Status.PUBLISHED)
    urls = [hidden, draft_event, reverse("api:feedback-detail", kwargs={"pk": declined.pk})]
    urls += [reverse("api:update-detail", kwargs={"slug": update.slug}) for update in drafts]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 404, url
        assert set(json.loads(response.content)) == {"detail"}
