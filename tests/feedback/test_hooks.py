"""The complaint hook: a registry the complaints app fills from its AppConfig.ready(); feedback
never imports complaints. Tests register a fake converter."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from feedback import hooks
from feedback.models import Feedback, Reply
from feedback.services import answering
from tests.factories import AdministratorFactory, DistrictFactory, OfficerFactory, OfficerProfileFactory
from tests.feedback.factories import AnonymousFeedbackFactory, FeedbackFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_converter():
    hooks.unregister_complaint_converter()
    yield
    hooks.unregister_complaint_converter()


@pytest.fixture
def calls():
    return []


@pytest.fixture
def converter(calls):
    def fake_converter(*, feedback, actor):
        calls.append((feedback.pk, actor.pk))
        return f"CMP-{feedback.pk:05d}"

    hooks.register_complaint_converter(fake_converter)
    return fake_converter


@pytest.fixture
def admin():
    return AdministratorFactory()


@pytest.fixture
def concern():
    return AnonymousFeedbackFactory(kind=Feedback.Kind.CONCERN, officer=OfficerProfileFactory())


def _url(item):
    return reverse("feedback:staff-to-complaint", kwargs={"pk": item.pk})


def test_it_registers_and_forgets_a_converter(converter):
    assert hooks.complaint_converter() is converter
    assert hooks.complaint_conversion_available()
    hooks.unregister_complaint_converter()
    assert hooks.complaint_converter() is None


def test_it_refuses_to_register_something_not_callable():
    with pytest.raises(TypeError):
        hooks.register_complaint_converter("complaints.convert")


def test_it_does_not_import_the_complaints_app():
    import ast
    import pathlib

    import feedback

    root = pathlib.Path(feedback.__file__).parent
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            assert not any(name.split(".")[0] == "complaints" for name in names), path


def test_it_converts_a_concern_stores_the_reference_records_it_and_closes(converter, calls, admin, concern):
    item = answering.feedback_to_complaint(feedback_id=concern.pk, actor=admin)
    assert calls == [(concern.pk, admin.pk)]
    item.refresh_from_db()
    assert item.complaint_reference == f"CMP-{concern.pk:05d}"
    assert item.status == Feedback.Status.CLOSED
    assert item.closed_at is not None
    note = Reply.objects.get(feedback=item)
    assert item.complaint_reference in note.body
    assert not note.is_public


def test_it_converts_only_once(converter, calls, admin, concern):
    answering.feedback_to_complaint(feedback_id=concern.pk, actor=admin)
    with pytest.raises(ValidationError) as caught:
        answering.feedback_to_complaint(feedback_id=concern.pk, actor=admin)
    assert caught.value.code == "already_converted"
    assert len(calls) == 1


def test_it_refuses_without_a_converter(admin, concern):
    with pytest.raises(ValidationError) as caught:
        answering.feedback_to_complaint(feedback_id=concern.pk, actor=admin)
    assert caught.value.code == "unavailable"


def test_it_converts_concerns_only(converter, admin):
    item = FeedbackFactory(kind=Feedback.Kind.QUESTION)
    with pytest.raises(ValidationError) as caught:
        answering.feedback_to_complaint(feedback_id=item.pk, actor=admin)
    assert caught.value.code == "not_a_concern"


def test_it_refuses_officers(converter, calls):
    district = DistrictFactory()
    officer = OfficerFactory()
    OfficerProfileFactory(user=officer, district=district)
    item = FeedbackFactory(kind=Feedback.Kind.CONCERN, district=district)
    with pytest.raises(ValidationError):
        answering.feedback_to_complaint(feedback_id=item.pk, actor=officer)
    assert calls == []


@pytest.mark.parametrize("reference", ["", "x" * 33, None])
def test_it_refuses_a_bad_reference_and_saves_nothing(admin, concern, reference):
    hooks.register_complaint_converter(lambda *, feedback, actor: reference)
    with pytest.raises(ValidationError) as caught:
        answering.feedback_to_complaint(feedback_id=concern.pk, actor=admin)
    assert caught.value.code == "bad_reference"
    concern.refresh_from_db()
    assert concern.complaint_reference == ""
    assert concern.status == Feedback.Status.NEW


def test_it_passes_on_a_converters_refusal(admin, concern):
    def refusing(*, feedback, actor):
        raise ValidationError("The complaints service is closed for maintenance.", code="maintenance")

    hooks.register_complaint_converter(refusing)
    with pytest.raises(ValidationError):
        answering.feedback_to_complaint(feedback_id=concern.pk, actor=admin)
    concern.refresh_from_db()
    assert not concern.complaint_reference


# --- The page ---------------------------------------------------------------------------------


def test_it_says_not_available_yet_without_a_converter(client, admin, concern):
    client.force_login(admin)
    response = client.get(_url(concern))
    assert response.status_code == 200
    assert "not available yet" in response.content.decode()
    response = client.post(_url(concern))
    assert response.status_code == 400
    concern.refresh_from_db()
    assert concern.status == Feedback.Status.NEW


def test_it_confirms_then_converts_from_the_page(client, converter, admin, concern):
    client.force_login(admin)
    response = client.get(_url(concern))
    assert response.status_code == 200
    assert "Turn it into a complaint" in response.content.decode()
    response = client.post(_url(concern))
    assert response.status_code == 302
    assert response["Location"] == reverse("feedback:staff-detail", kwargs={"pk": concern.pk})
    concern.refresh_from_db()
    assert concern.complaint_reference.startswith("CMP-")
    detail = client.get(response["Location"]).content.decode()
    assert concern.complaint_reference in detail


def test_it_shows_a_converter_refusal_on_the_page(client, admin, concern):
    def refusing(*, feedback, actor):
        raise ValidationError("The complaints service is closed for maintenance.", code="maintenance")

    hooks.register_complaint_converter(refusing)
    client.force_login(admin)
    response = client.post(_url(concern))
    assert response.status_code == 400
    assert "closed for maintenance" in response.content.decode()


def test_it_forbids_the_page_for_other_kinds_and_officers(client, converter, admin):
    question = FeedbackFactory(kind=Feedback.Kind.QUESTION)
    client.force_login(admin)
    assert client.get(_url(question)).status_code == 403
    client.force_login(OfficerFactory())
    concern = FeedbackFactory(kind=Feedback.Kind.CONCERN)
    assert client.get(_url(concern)).status_code == 403
    assert client.post(_url(concern)).status_code == 403
