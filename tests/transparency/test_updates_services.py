"""The updates services: drafts, scheduling, publishing once, corrections, attachments."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from tests.factories import AdministratorFactory, DistrictFactory, OfficerFactory
from tests.transparency.factories import PDF_BYTES, PublishedUpdateFactory, UpdateFactory
from transparency.models import Category, Update
from transparency.services import updates as services
from transparency.tasks import publish_due_task

pytestmark = pytest.mark.django_db

PNG_BYTES = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c63600001000005000176e2a8a50000000049454e44ae426082"
)


def _draft(**kwargs):
    fields = {
        "actor": None,
        "title": "New speed checks",
        "summary": "Speed checks on Elm Avenue.",
        "body": "We will run **speed checks**.",
        "category": Category.COMMUNITY_NEWS,
    }
    fields.update(kwargs)
    return services.update_save(**fields)


def test_it_saves_a_draft_with_sanitised_html_and_a_slug():
    update = _draft(
        body="Hi <script>alert(1)</script> [x](javascript:alert(1))",
        title_es="Controles",
        summary_es="Resumen",
        body_es="*Hola*",
    )
    assert update.status == Update.Status.DRAFT
    assert update.slug == "new-speed-checks"
    assert "<script" not in update.body_html
    assert "href" not in update.body_html
    assert update.body_es_html == "<p><em>Hola</em></p>"


def test_it_gives_each_update_its_own_address():
    first, second = _draft(), _draft()
    assert first.slug != second.slug


def test_it_refuses_a_missing_title_summary_or_text():
    with pytest.raises(ValidationError) as exc:
        _draft(title=" ", summary="", body="")
    assert set(exc.value.error_dict) == {"title", "summary", "body"}


def test_it_refuses_half_a_spanish_version():
    with pytest.raises(ValidationError) as exc:
        _draft(title_es="Solo el título")
    assert {"summary_es", "body_es"} <= set(exc.value.error_dict)
    assert exc.value.error_dict["body_es"][0].code == "spanish_incomplete"


def test_it_refuses_an_unknown_category():
    with pytest.raises(ValidationError) as exc:
        _draft(category="gossip")
    assert "category" in exc.value.error_dict


def test_it_refuses_writers_who_are_not_administrators():
    with pytest.raises(PermissionDenied):
        _draft(actor=OfficerFactory())


def test_it_stores_a_pdf_attachment_with_its_size_and_hash():
    upload = SimpleUploadedFile("Board minutes.pdf", PDF_BYTES, content_type="application/pdf")
    update = _draft(actor=AdministratorFactory(), attachments=[upload])
    attachment = update.attachments.get()
    assert attachment.title == "Board minutes"
    assert attachment.size == len(PDF_BYTES)
    import hashlib

    assert attachment.sha256 == hashlib.sha256(PDF_BYTES).hexdigest()
    assert attachment.file.name.endswith(".pdf")


def test_it_refuses_a_file_renamed_pdf_that_is_not_one():
    upload = SimpleUploadedFile("minutes.pdf", PNG_BYTES, content_type="application/pdf")
    with pytest.raises(ValidationError) as exc:
        _draft(attachments=[upload])
    assert exc.value.error_dict["attachments"][0].code == "type"
    assert not Update.objects.exists()


def test_it_refuses_an_oversized_attachment(settings):
    settings.TRANSPARENCY_ATTACHMENT_MAX_BYTES = 10
    upload = SimpleUploadedFile("minutes.pdf", PDF_BYTES, content_type="application/pdf")
    with pytest.raises(ValidationError) as exc:
        _draft(attachments=[upload])
    assert exc.value.error_dict["attachments"][0].code == "size"


def test_it_does_not_edit_a_published_update_outside_a_correction():
    update = PublishedUpdateFactory()
    with pytest.raises(ValidationError) as exc:
        _draft(update_id=update.pk)
    assert exc.value.code == "published"


def test_it_schedules_an_update_in_the_future():
    update = _draft()
    when = timezone.now() + datetime.timedelta(hours=2)
    scheduled = services.update_schedule(update_id=update.pk, publish_at=when, actor=None)
    assert scheduled.status == Update.Status.SCHEDULED
    assert scheduled.publish_at == when


def test_it_refuses_a_publication_time_in_the_past():
    update = _draft()
    with pytest.raises(ValidationError) as exc:
        services.update_schedule(
            update_id=update.pk, publish_at=timezone.now() - datetime.timedelta(minutes=1), actor=None
        )
    assert exc.value.error_dict["publish_at"][0].code == "past"
    update.refresh_from_db()
    assert update.status == Update.Status.DRAFT


def test_it_takes_a_schedule_back_to_a_draft():
    update = _draft()
    services.update_schedule(update_id=update.pk, publish_at=timezone.now() + datetime.timedelta(days=1), actor=None)
    update = services.update_unschedule(update_id=update.pk, actor=None)
    assert update.status == Update.Status.DRAFT
    assert update.publish_at is None


def test_it_publishes_once_and_plans_the_fanout_once_inside_the_transaction():
    update = _draft()
    calls = []

    def plan(*, update):
        calls.append((update.pk, update.status, connection.in_atomic_block))
        return 0

    with mock.patch("transparency.services.fanout.fanout_plan", side_effect=plan):
        first = services.update_publish(update_id=update.pk, actor=None)
        again = services.update_publish(update_id=update.pk, actor=None)
    assert first.status == again.status == Update.Status.PUBLISHED
    assert first.published_at == again.published_at
    assert calls == [(update.pk, Update.Status.PUBLISHED, True)]


def test_it_rolls_the_publication_back_when_the_fanout_plan_fails():
    update = _draft()
    with (
        mock.patch("transparency.services.fanout.fanout_plan", side_effect=RuntimeError("boom")),
        pytest.raises(RuntimeError),
    ):
        services.update_publish(update_id=update.pk, actor=None)
    update.refresh_from_db()
    assert update.status == Update.Status.DRAFT
    assert update.published_at is None


def test_it_publishes_due_updates_once_under_a_repeated_task():
    now = timezone.now()
    due = _draft(title="Due")
    later = _draft(title="Later")
    Update.objects.filter(pk=due.pk).update(
        status=Update.Status.SCHEDULED, publish_at=now - datetime.timedelta(seconds=5)
    )
    services.update_schedule(update_id=later.pk, publish_at=now + datetime.timedelta(hours=1), actor=None)
    with mock.patch("transparency.services.fanout.fanout_plan", return_value=0) as plan:
        assert publish_due_task() == 1
        assert publish_due_task() == 0
        assert services.publish_due_updates(now=now) == 0
    assert plan.call_count == 1
    due.refresh_from_db()
    later.refresh_from_db()
    assert due.status == Update.Status.PUBLISHED
    assert due.published_at is not None
    assert later.status == Update.Status.SCHEDULED


def test_it_publishes_once_when_two_scans_race_for_the_same_update():
    # The second scan read the same due ids before the first one published: its conditional
    # update finds the status changed and publishes nothing.
    now = timezone.now()
    update = _draft()
    Update.objects.filter(pk=update.pk).update(status=Update.Status.SCHEDULED, publish_at=now)
    with mock.patch("transparency.services.fanout.fanout_plan", return_value=0) as plan:
        assert services._publish_once(update_id=update.pk, now=now, due_only=True) is True
        assert services._publish_once(update_id=update.pk, now=now, due_only=True) is False
    assert plan.call_count == 1


def test_it_does_not_publish_a_draft_from_the_scan():
    _draft()
    assert services.publish_due_updates(now=timezone.now() + datetime.timedelta(days=365)) == 0


def test_it_corrects_a_published_update_with_a_dated_note():
    update = PublishedUpdateFactory(summary="Footage kept 90 days.")
    when = timezone.now()
    corrected = services.update_correct(
        update_id=update.pk,
        note="It is 180 days.",
        actor=AdministratorFactory(),
        summary="Footage kept 180 days.",
        now=when,
    )
    assert corrected.summary == "Footage kept 180 days."
    assert corrected.correction_note == "It is 180 days."
    assert corrected.corrected_at == when
    assert corrected.status == Update.Status.PUBLISHED
    assert corrected.slug == update.slug


def test_it_requires_a_note_to_correct():
    update = PublishedUpdateFactory()
    with pytest.raises(ValidationError) as exc:
        services.update_correct(update_id=update.pk, note="  ", actor=None, title="Other")
    assert exc.value.error_dict["note"][0].code == "note_required"


def test_it_corrects_only_published_updates():
    update = UpdateFactory()
    with pytest.raises(ValidationError) as exc:
        services.update_correct(update_id=update.pk, note="Fixed", actor=None)
    assert exc.value.code == "not_published"


def test_it_sets_the_districts_of_an_update():
    north, south = DistrictFactory(), DistrictFactory()
    update = _draft(districts=[north, south])
    assert set(update.districts.all()) == {north, south}
    update = _draft(update_id=update.pk, districts=[south])
    assert list(update.districts.all()) == [south]


def test_it_plans_one_email_per_subscriber_when_the_task_runs_twice(django_capture_on_commit_callbacks):
    from portal.models import OutboxMessage
    from tests.transparency.factories import SubscriberFactory

    SubscriberFactory.create_batch(3, categories=[Category.COMMUNITY_NEWS])
    update = _draft()
    Update.objects.filter(pk=update.pk).update(
        status=Update.Status.SCHEDULED, publish_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    with django_capture_on_commit_callbacks(execute=False):
        assert publish_due_task() == 1
        assert publish_due_task() == 0
    update.refresh_from_db()
    assert OutboxMessage.objects.filter(batch_key=update.fanout_batch_key).count() == 3
    assert update.fanout_total == 3
