"""The fan-out: who gets an update, exactly once; crashes mid-batch; undeliverable addresses;
safety alerts first; progress; the List-Unsubscribe headers."""

from __future__ import annotations

import datetime
import smtplib
from collections import Counter
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.models import OutboxMessage
from portal.outbox import outbox_sweep
from tests.factories import AdministratorFactory, DistrictFactory
from tests.transparency.factories import PublishedUpdateFactory, SubscriberFactory
from transparency.models import Category, Subscriber, Update
from transparency.services import fanout
from transparency.tasks import fanout_send_task

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _recipients(update: Update) -> set[str]:
    return set(fanout.fanout_recipients(update=update).values_list("email", flat=True))


def _sent_to() -> Counter:
    return Counter(message.to[0] for message in mail.outbox)


class WorkerKilled(BaseException):
    """What a SIGKILL looks like from inside: nothing after it runs (not an Exception)."""


# --- Who gets it ---------------------------------------------------------------------------------


def test_it_matches_category_district_and_active_state():
    north, east = DistrictFactory(), DistrictFactory()
    SubscriberFactory(email="all@example.org")
    SubscriberFactory(email="north@example.org").districts.add(north)
    SubscriberFactory(email="east@example.org").districts.add(east)
    SubscriberFactory(email="north-east@example.org").districts.add(north, east)
    SubscriberFactory(email="safety-only@example.org", categories=[Category.SAFETY_ALERT])
    SubscriberFactory(email="unconfirmed@example.org", confirmed_at=None)
    SubscriberFactory(email="left@example.org", unsubscribed_at=timezone.now())
    SubscriberFactory(email="bounced@example.org", undeliverable_at=timezone.now())

    citywide = PublishedUpdateFactory(category=Category.COMMUNITY_NEWS)
    about_north = PublishedUpdateFactory(category=Category.COMMUNITY_NEWS)
    about_north.districts.add(north)

    assert _recipients(citywide) == {
        "all@example.org",
        "north@example.org",
        "east@example.org",
        "north-east@example.org",
    }
    assert _recipients(about_north) == {"all@example.org", "north@example.org", "north-east@example.org"}


def test_planning_writes_one_row_per_subscriber_and_never_twice(django_capture_on_commit_callbacks):
    SubscriberFactory.create_batch(3)
    update = PublishedUpdateFactory()

    with django_capture_on_commit_callbacks(execute=False):
        assert fanout.fanout_plan(update=update) == 3
        assert fanout.fanout_plan(update=update) == 3

    rows = OutboxMessage.objects.filter(batch_key=update.fanout_batch_key)
    assert rows.count() == 3
    assert {row.dedupe_key for row in rows} == {
        f"transparency.update:{update.pk}:{pk}" for pk in Subscriber.objects.values_list("pk", flat=True)
    }
    update.refresh_from_db()
    assert update.fanout_total == 3
    assert update.fanout_planned_at is not None
    assert update.fanout_finished_at is None


def test_an_update_nobody_wants_is_finished_at_once():
    update = PublishedUpdateFactory(category=Category.TRAINING)

    assert fanout.fanout_plan(update=update) == 0

    update.refresh_from_db()
    assert update.fanout_finished_at is not None


# --- Exactly once ---------------------------------------------------------------------------------------


def test_every_subscriber_gets_it_exactly_once_when_nothing_crashes(settings, django_capture_on_commit_callbacks):
    settings.TRANSPARENCY_FANOUT_BATCH_SIZE = 4
    SubscriberFactory.create_batch(11)
    update = PublishedUpdateFactory()

    with django_capture_on_commit_callbacks(execute=True):
        fanout.fanout_plan(update=update)

    assert len(mail.outbox) == 11
    assert set(_sent_to().values()) == {1}
    assert fanout.fanout_progress(update=update) == (11, 0, 11)
    update.refresh_from_db()
    assert update.fanout_finished_at is not None


def test_publishing_through_the_updates_service_fans_out(django_capture_on_commit_callbacks):
    from tests.transparency.factories import UpdateFactory
    from transparency.services.updates import update_publish

    SubscriberFactory.create_batch(2)
    update = UpdateFactory()

    with django_capture_on_commit_callbacks(execute=True):
        update_publish(update_id=update.pk, actor=AdministratorFactory())
        update_publish(update_id=update.pk, actor=AdministratorFactory())  # again: nothing more

    assert len(mail.outbox) == 2


def test_a_task_retried_mid_batch_duplicates_at_most_the_batch_in_flight(
    settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.TRANSPARENCY_FANOUT_BATCH_SIZE = 5
    monkeypatch.setattr(fanout, "FANOUT_MARK_EVERY", 2)  # sent rows are marked two at a time
    SubscriberFactory.create_batch(12)
    update = PublishedUpdateFactory()
    fanout.fanout_plan(update=update)  # the db fixture's transaction: the tasks do not start
    assert fanout.fanout_send_next(update_id=update.pk).sent == 5  # a first batch goes out whole
    sent_before = set(_sent_to())

    # The second batch: the server accepts 2 messages (marked sent as a group), then a third, and
    # the worker dies before marking it.
    real_send = EmailBackend.send_messages
    calls = {"n": 0}

    def dying_send(backend, messages):
        calls["n"] += 1
        count = real_send(backend, messages)
        if calls["n"] == 3:
            raise WorkerKilled
        return count

    with mock.patch.object(EmailBackend, "send_messages", dying_send), pytest.raises(WorkerKilled):
        fanout.fanout_send_next(update_id=update.pk)
    in_flight = set(
        OutboxMessage.objects.filter(
            batch_key=update.fanout_batch_key, status=OutboxMessage.Status.SENDING
        ).values_list("to", flat=True)
    )
    assert len(in_flight) == 3  # claimed, not marked: the batch in flight

    # The broker redelivers the task: it sends what nobody has tried, and leaves the claimed rows alone.
    fanout_send_task(update_id=update.pk)
    assert OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING).count() == 0
    # Later the claim is stale and the sweep offers those rows again.
    later = timezone.now() + datetime.timedelta(seconds=settings.OUTBOX_CLAIM_TIMEOUT_SECONDS + 1)
    with time_machine.travel(later), django_capture_on_commit_callbacks(execute=True):
        outbox_sweep()

    counts = _sent_to()
    everyone = set(Subscriber.objects.values_list("email", flat=True))
    assert set(counts) == everyone  # nobody missed
    duplicated = {address for address, n in counts.items() if n > 1}
    assert duplicated <= in_flight  # only rows of the batch in flight ...
    assert len(duplicated) == 1  # ... and here only the one accepted but not marked
    assert not duplicated & sent_before  # never a row sent before it
    assert max(counts.values()) == 2
    assert fanout.fanout_progress(update=update) == (12, 0, 12)


def test_marking_in_groups_duplicates_only_the_unmarked_rows_of_the_batch_in_flight(
    settings, django_capture_on_commit_callbacks
):
    settings.TRANSPARENCY_FANOUT_BATCH_SIZE = 5  # FANOUT_MARK_EVERY (100) is cut to the batch size
    SubscriberFactory.create_batch(10)
    update = PublishedUpdateFactory()
    fanout.fanout_plan(update=update)
    assert fanout.fanout_send_next(update_id=update.pk).sent == 5  # the whole group marked at the end
    assert fanout.fanout_progress(update=update) == (5, 0, 10)
    sent_before = set(_sent_to())
    real_send = EmailBackend.send_messages
    calls = {"n": 0}

    def dying_send(backend, messages):
        calls["n"] += 1
        count = real_send(backend, messages)
        if calls["n"] == 4:
            raise WorkerKilled  # 4 accepted, none marked yet
        return count

    with mock.patch.object(EmailBackend, "send_messages", dying_send), pytest.raises(WorkerKilled):
        fanout.fanout_send_next(update_id=update.pk)
    in_flight = set(OutboxMessage.objects.filter(status=OutboxMessage.Status.SENDING).values_list("to", flat=True))
    assert len(in_flight) == 5
    later = timezone.now() + datetime.timedelta(seconds=settings.OUTBOX_CLAIM_TIMEOUT_SECONDS + 1)
    with time_machine.travel(later), django_capture_on_commit_callbacks(execute=True):
        outbox_sweep()

    counts = _sent_to()
    assert set(counts) == set(Subscriber.objects.values_list("email", flat=True))
    duplicated = {address for address, n in counts.items() if n > 1}
    assert len(duplicated) == 4
    assert duplicated <= in_flight
    assert not duplicated & sent_before
    assert fanout.fanout_progress(update=update) == (10, 0, 10)


def test_the_email_is_rendered_once_per_language_and_is_the_same_as_rendered_alone(
    settings, django_capture_on_commit_callbacks
):
    from portal.outbox import outbox_render

    settings.TRANSPARENCY_FANOUT_BATCH_SIZE = 50
    SubscriberFactory.create_batch(6)
    SubscriberFactory.create_batch(3, language="es")
    update = PublishedUpdateFactory(title="Road & bridge work", title_es="Obras", summary_es="Resumen <b>.</b>")
    fanout.fanout_plan(update=update)
    with mock.patch("portal.outbox.render_to_string", wraps=render_to_string) as render:
        fanout.fanout_send_next(update_id=update.pk)

    # One render per part (subject, text, HTML) and language to prepare, and one to check the first.
    assert render.call_count == 3 * 2 * 2
    assert len(mail.outbox) == 9
    rows = {row.to: row for row in OutboxMessage.objects.filter(batch_key=update.fanout_batch_key)}
    for sent in mail.outbox:
        alone = outbox_render(rows[sent.to[0]])
        assert (sent.subject, sent.body, sent.alternatives, sent.extra_headers) == (
            alone.subject,
            alone.body,
            alone.alternatives,
            alone.extra_headers,
        )
        assert sent.extra_headers["List-Unsubscribe"][1:-1] in sent.body
        assert sent.to[0] in sent.alternatives[0][0]
    assert len({m.message()["Message-ID"] for m in mail.outbox}) == 9


def test_a_broker_outage_leaves_the_rows_for_the_sweep(settings, django_capture_on_commit_callbacks):
    SubscriberFactory.create_batch(3)
    update = PublishedUpdateFactory()
    fanout.fanout_plan(update=update)  # the tasks are never enqueued (no commit here)

    later = timezone.now() + datetime.timedelta(seconds=settings.OUTBOX_TASK_GRACE_SECONDS + 1)
    with time_machine.travel(later), django_capture_on_commit_callbacks(execute=True):
        outbox_sweep()

    assert sorted(_sent_to().values()) == [1, 1, 1]


# --- Permanent failures ------------------------------------------------------------------------------


def _refusing(address: str):
    real_send = EmailBackend.send_messages

    def send(backend, messages):
        for message in messages:
            if address in message.to:
                raise smtplib.SMTPRecipientsRefused({address: (550, b"5.1.1 no such mailbox")})
        return real_send(backend, messages)

    return mock.patch.object(EmailBackend, "send_messages", send)


def test_a_permanent_refusal_marks_the_subscriber_undeliverable_and_skips_them_next_time():
    SubscriberFactory(email="gone@example.org")
    SubscriberFactory(email="fine@example.org")
    first = PublishedUpdateFactory()
    waiting = PublishedUpdateFactory()
    fanout.fanout_plan(update=first)
    fanout.fanout_plan(update=waiting)

    with _refusing("gone@example.org"):
        fanout.fanout_send_next(update_id=first.pk)

    gone = Subscriber.objects.get(email="gone@example.org")
    assert gone.undeliverable_at is not None
    assert fanout.fanout_progress(update=first) == (1, 1, 2)
    # Its row in a fan-out already planned is not sent either.
    fanout.fanout_send_next(update_id=waiting.pk)
    assert fanout.fanout_progress(update=waiting) == (1, 1, 2)
    # And the next update does not plan it at all.
    later = PublishedUpdateFactory()
    assert fanout.fanout_plan(update=later) == 1
    assert [m.to for m in mail.outbox] == [["fine@example.org"], ["fine@example.org"]]


def test_a_temporary_failure_is_retried_not_marked_undeliverable():
    SubscriberFactory(email="busy@example.org")
    update = PublishedUpdateFactory()
    fanout.fanout_plan(update=update)
    real_send = EmailBackend.send_messages

    def busy(backend, messages):
        raise smtplib.SMTPRecipientsRefused({"busy@example.org": (451, b"try later")})

    with mock.patch.object(EmailBackend, "send_messages", busy):
        fanout.fanout_send_next(update_id=update.pk)

    assert Subscriber.objects.get().undeliverable_at is None
    row = OutboxMessage.objects.get()
    assert row.status == OutboxMessage.Status.PENDING
    assert row.attempts == 1
    assert real_send  # (unused: the retry is the sweep's, with backoff)


# --- Safety alerts first -----------------------------------------------------------------------------


def test_safety_alerts_overtake_a_fan_out_in_progress(settings):
    settings.TRANSPARENCY_FANOUT_BATCH_SIZE = 2
    SubscriberFactory.create_batch(4, categories=[Category.COMMUNITY_NEWS, Category.SAFETY_ALERT])
    news = PublishedUpdateFactory(category=Category.COMMUNITY_NEWS, title="News")
    fanout.fanout_plan(update=news)
    fanout.fanout_send_next(update_id=news.pk)  # news has started
    alert = PublishedUpdateFactory(category=Category.SAFETY_ALERT, title="Flood warning")
    fanout.fanout_plan(update=alert)

    # The news chain's next tasks serve the alert first.
    first = fanout.fanout_send_next(update_id=news.pk)
    second = fanout.fanout_send_next(update_id=news.pk)
    third = fanout.fanout_send_next(update_id=news.pk)

    assert (first.update_id, second.update_id, third.update_id) == (alert.pk, alert.pk, news.pk)
    assert not third.more
    subjects = [m.subject for m in mail.outbox]
    assert ["News" in s for s in subjects] == [True, True, False, False, False, False, True, True]
    alert.refresh_from_db()
    assert alert.fanout_finished_at is not None


def test_safety_alert_rows_are_due_at_once_for_the_sweep():
    SubscriberFactory(categories=[Category.SAFETY_ALERT, Category.COMMUNITY_NEWS])
    alert = PublishedUpdateFactory(category=Category.SAFETY_ALERT)
    news = PublishedUpdateFactory(category=Category.COMMUNITY_NEWS)
    fanout.fanout_plan(update=news)
    fanout.fanout_plan(update=alert)

    alert_row = OutboxMessage.objects.get(batch_key=alert.fanout_batch_key)
    news_row = OutboxMessage.objects.get(batch_key=news.fanout_batch_key)
    assert alert_row.next_attempt_at < news_row.next_attempt_at


# --- Progress ------------------------------------------------------------------------------------------


def test_progress_counts_sent_failed_and_total(settings):
    settings.TRANSPARENCY_FANOUT_BATCH_SIZE = 2
    SubscriberFactory.create_batch(3)
    update = PublishedUpdateFactory()
    fanout.fanout_plan(update=update)
    assert fanout.fanout_progress(update=update) == (0, 0, 3)

    fanout.fanout_send_next(update_id=update.pk)

    assert fanout.fanout_progress(update=update) == (2, 0, 3)


def test_the_progress_partial_polls_until_finished_and_then_reports(client, settings):
    settings.TRANSPARENCY_FANOUT_BATCH_SIZE = 2
    SubscriberFactory.create_batch(3)
    update = PublishedUpdateFactory()
    fanout.fanout_plan(update=update)
    fanout.fanout_send_next(update_id=update.pk)
    client.force_login(AdministratorFactory())
    url = reverse("transparency:staff-progress", kwargs={"pk": update.pk})

    partial = client.get(url, **HTMX)
    body = partial.content.decode()
    assert partial.status_code == 200
    assert "<html" not in body
    assert 'hx-trigger="every 2s"' in body
    assert 'value="2"' in body
    assert 'max="3"' in body
    assert "style=" not in body

    fanout.fanout_send_next(update_id=update.pk)
    done = client.get(url, **HTMX).content.decode()
    assert "hx-get" not in done
    assert "3 of 3 emails were sent" in done

    page = client.get(url)
    assert "<html" in page.content.decode()


@pytest.mark.parametrize("role", ["resident", "officer", "investigator"])
def test_the_progress_page_is_for_administrators_only(client, role):
    from tests import factories

    client.force_login(getattr(factories, f"{role.capitalize()}Factory")())
    update = PublishedUpdateFactory()

    assert client.get(reverse("transparency:staff-progress", kwargs={"pk": update.pk})).status_code == 403


def test_progress_counts_take_one_query(django_assert_num_queries):
    SubscriberFactory.create_batch(5)
    update = PublishedUpdateFactory()
    fanout.fanout_plan(update=update)

    with django_assert_num_queries(1):
        fanout.fanout_progress(update=update)


# --- The email itself ----------------------------------------------------------------------------------


def test_the_email_has_working_list_unsubscribe_headers_and_a_manage_link(django_capture_on_commit_callbacks):
    subscriber = SubscriberFactory()
    update = PublishedUpdateFactory(title="New policy on body cameras")
    with django_capture_on_commit_callbacks(execute=True):
        fanout.fanout_plan(update=update)

    (message,) = mail.outbox
    assert "New policy on body cameras" in message.subject
    header = message.extra_headers["List-Unsubscribe"]
    assert header.startswith("<http")
    assert header.endswith(">")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe_path = "/" + header[1:-1].split("://", 1)[1].partition("/")[2]
    assert unsubscribe_path.startswith("/transparency/unsubscribe/")
    manage_path = f"/transparency/subscriptions/{unsubscribe_path.rstrip('/').rsplit('/', 1)[1]}/"
    assert manage_path in message.body
    assert Client().get(manage_path).status_code == 200

    response = Client(enforce_csrf_checks=True).post(
        unsubscribe_path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.unsubscribed_at is not None


def test_a_spanish_subscriber_gets_the_spanish_version_in_spanish(django_capture_on_commit_callbacks):
    SubscriberFactory(language="es")
    update = PublishedUpdateFactory(
        title="Road closures", title_es="Cierres de calles", body_es="Texto.", summary_es="Resumen en español."
    )
    with django_capture_on_commit_callbacks(execute=True):
        fanout.fanout_plan(update=update)

    (message,) = mail.outbox
    assert "Cierres de calles" in message.subject
    assert "Resumen en español." in message.body
    assert "/es/transparency/" in message.body


def test_the_send_task_chains_batches_until_nothing_is_left(settings):
    settings.TRANSPARENCY_FANOUT_BATCH_SIZE = 2
    SubscriberFactory.create_batch(5)
    update = PublishedUpdateFactory()
    fanout.fanout_plan(update=update)

    fanout_send_task(update_id=update.pk)  # eager in tests: each task enqueues the next

    assert len(mail.outbox) == 5
    update.refresh_from_db()
    assert update.fanout_finished_at is not None
