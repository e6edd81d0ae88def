"""The demo events seed_demo adds: idempotent, consistent with the seat rules, and silent."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone

from events import selectors
from events.demo import EVENTS
from events.demo_history import HISTORY_SLUG
from events.models import RSVP, Event
from portal.models import OfficerProfile, OutboxMessage


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


@pytest.fixture
def seeded(db, settings):
    settings.DEBUG = True
    return seed()


def test_it_adds_the_demo_events_once(seeded):
    counts = (Event.objects.count(), RSVP.objects.count(), OutboxMessage.objects.count())
    assert Event.objects.exclude(slug__startswith=HISTORY_SLUG).count() == len(EVENTS)
    output = seed()
    assert (Event.objects.count(), RSVP.objects.count(), OutboxMessage.objects.count()) == counts
    assert "nothing new to add" in output


def test_it_spreads_events_over_districts_kinds_and_sixteen_weeks(seeded):
    now = timezone.now()
    published = Event.objects.filter(status=Event.Status.PUBLISHED)
    assert published.values("district").distinct().count() == 4
    assert published.values("kind").distinct().count() == len(Event.Kind)
    assert published.filter(starts_at__gt=now).count() >= 15
    assert published.filter(ends_at__lt=now).count() >= 10
    assert not Event.objects.filter(starts_at__gt=now + timezone.timedelta(weeks=8)).exists()
    # Past events before that are the year of history (events/demo_history.py).
    assert (
        not Event.objects.exclude(slug__startswith=HISTORY_SLUG)
        .filter(starts_at__lt=now - timezone.timedelta(weeks=8))
        .exists()
    )
    assert Event.objects.exclude(online_url="").count() >= 2
    assert Event.objects.filter(languages__code="es").distinct().count() >= 5
    assert Event.objects.filter(step_free_access=True).exists()
    assert Event.objects.filter(status=Event.Status.DRAFT).exists()


def test_it_never_overbooks_and_only_queues_behind_a_full_event(seeded):
    with_waitlist = 0
    for event in selectors.with_seat_counts(Event.objects.all()):
        if event.capacity is not None:
            assert event.seats_taken <= event.capacity, event.slug
        if event.waitlist_length:
            with_waitlist += 1
            assert event.capacity is not None, event.slug
            head = selectors.waitlist_queue(event=event).first()
            assert event.seats_taken + head.party_size > event.capacity, f"{event.slug}: the head would fit"
    assert with_waitlist >= 2


def test_it_gives_the_demo_resident_a_seat_a_waitlist_place_and_a_past_attended_event(seeded):
    now = timezone.now()
    mine = RSVP.objects.filter(user__email="resident@example.org").select_related("event")
    upcoming_seats = mine.filter(
        status=RSVP.Status.CONFIRMED, event__starts_at__gt=now, event__status=Event.Status.PUBLISHED
    )
    assert upcoming_seats.exists()
    assert all(len(rsvp.seat_code) == 8 for rsvp in upcoming_seats)
    waiting = mine.get(status=RSVP.Status.WAITLISTED)
    assert selectors.waitlist_position(rsvp=waiting) > 1
    assert mine.filter(event__ends_at__lt=now, attendance=RSVP.Attendance.ATTENDED).exists()


def test_it_has_a_cancelled_event_with_a_reason_and_past_events_with_attendance(seeded):
    cancelled = Event.objects.get(status=Event.Status.CANCELLED)
    assert cancelled.cancellation_reason
    assert cancelled.sequence == 1
    past = RSVP.objects.filter(event__ends_at__lt=timezone.now(), status=RSVP.Status.CONFIRMED)
    assert past.filter(attendance=RSVP.Attendance.ATTENDED).exists()
    assert past.filter(attendance=RSVP.Attendance.NO_SHOW).exists()
    assert selectors.event_attendance_for_survey(ended_before=timezone.now()).exists()
    # One past event is left for its hosts to record.
    assert past.filter(attendance=RSVP.Attendance.UNKNOWN).exists()


def test_it_lets_the_demo_officer_host_events_including_a_draft(seeded):
    officer = OfficerProfile.objects.get(user__email="officer@example.org")
    hosted = selectors.events_hosted_by(user=officer.user)
    assert hosted.filter(status=Event.Status.DRAFT).exists()
    upcoming = hosted.filter(status=Event.Status.PUBLISHED, starts_at__gt=timezone.now())
    assert upcoming.filter(rsvps__status=RSVP.Status.CONFIRMED).exists()
    assert hosted.filter(ends_at__lt=timezone.now()).exists()


def test_it_marks_the_mail_its_rsvps_queue_as_sent(seeded):
    queued = OutboxMessage.objects.filter(template__startswith="events/")
    assert queued.exists()  # the services ran: confirmations, the waitlist, the cancellation
    assert not queued.exclude(status=OutboxMessage.Status.SENT).exists()


def test_it_sends_no_mail_even_when_the_queued_send_tasks_run(
    db, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.DEBUG = True
    with django_capture_on_commit_callbacks(execute=True):
        seed()
    assert OutboxMessage.objects.filter(template__startswith="events/").exists()
    assert mailoutbox == []


def test_it_keeps_guest_party_sizes_within_the_limit(seeded, settings):
    assert not RSVP.objects.filter(party_size__gt=settings.EVENTS_MAX_PARTY_SIZE).exists()
    total = RSVP.objects.filter(status=RSVP.Status.CONFIRMED).aggregate(seats=Sum("party_size"))["seats"]
    assert total > 100
