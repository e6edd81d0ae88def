from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from events import selectors
from events.models import RSVP, Event
from events.selectors import EventFilters
from tests.events.factories import EventFactory, GuestRSVPFactory, RSVPFactory
from tests.factories import (
    AdministratorFactory,
    DistrictFactory,
    InvestigatorFactory,
    LanguageFactory,
    OfficerFactory,
    OfficerProfileFactory,
    ResidentFactory,
)

CHICAGO = ZoneInfo("America/Chicago")


def _waitlisted(event, *, minutes_ago: int, **kwargs) -> RSVP:
    return RSVPFactory(
        event=event,
        status=RSVP.Status.WAITLISTED,
        confirmed_at=None,
        queued_at=timezone.now() - timedelta(minutes=minutes_ago),
        **kwargs,
    )


# --- Seats and the waitlist ---------------------------------------------------------------------


def test_it_counts_seats_taken_as_the_sum_of_confirmed_party_sizes(db):
    event = EventFactory(capacity=20)
    RSVPFactory(event=event, party_size=3)
    GuestRSVPFactory(event=event, party_size=2)
    RSVPFactory(event=event, party_size=4, status=RSVP.Status.CANCELLED)
    RSVPFactory(event=event, party_size=5, status=RSVP.Status.PENDING)
    _waitlisted(event, minutes_ago=1, party_size=6)
    assert selectors.event_seats_taken(event=event) == 5
    assert selectors.event_seats_taken(event=EventFactory()) == 0


def test_it_counts_the_waitlist_in_parties(db):
    event = EventFactory(capacity=1)
    _waitlisted(event, minutes_ago=2, party_size=3)
    _waitlisted(event, minutes_ago=1)
    RSVPFactory(event=event)
    assert selectors.waitlist_length(event=event) == 2


def test_it_gives_waitlist_positions_first_come_first_served(db):
    event = EventFactory(capacity=1)
    second = _waitlisted(event, minutes_ago=5)
    first = _waitlisted(event, minutes_ago=10)
    _waitlisted(EventFactory(), minutes_ago=60)  # another event's queue does not count
    assert selectors.waitlist_position(rsvp=first) == 1
    assert selectors.waitlist_position(rsvp=second) == 2
    assert list(selectors.waitlist_queue(event=event)) == [first, second]


def test_it_breaks_waitlist_ties_by_id(db):
    event = EventFactory(capacity=1)
    moment = timezone.now()
    one = RSVPFactory(event=event, status=RSVP.Status.WAITLISTED, queued_at=moment)
    two = RSVPFactory(event=event, status=RSVP.Status.WAITLISTED, queued_at=moment)
    assert [selectors.waitlist_position(rsvp=one), selectors.waitlist_position(rsvp=two)] == [1, 2]


def test_it_gives_no_waitlist_position_to_a_seat(db):
    assert selectors.waitlist_position(rsvp=RSVPFactory()) is None


def test_it_computes_seats_left_and_no_limit(db):
    event = EventFactory(capacity=4)
    RSVPFactory(event=event, party_size=3)
    assert selectors.seats_left_of(event) == 1
    assert selectors.seats_left_of(event, seats_taken=9) == 0  # never below zero
    assert selectors.seats_left_of(EventFactory(capacity=None)) is None


def test_it_annotates_seat_counts_in_one_query(db, django_assert_num_queries):
    event = EventFactory(capacity=10)
    RSVPFactory(event=event, party_size=2)
    RSVPFactory(event=event, party_size=3)
    _waitlisted(event, minutes_ago=1)
    EventFactory()
    with django_assert_num_queries(1):
        rows = {e.pk: (e.seats_taken, e.waitlist_length) for e in selectors.with_seat_counts(Event.objects.all())}
    assert rows[event.pk] == (5, 1)
    assert sorted(rows.values())[0] == (0, 0)


# --- RSVPs closing ------------------------------------------------------------------------------------


def test_it_says_why_rsvps_are_closed(db):
    now = timezone.now()
    assert selectors.rsvp_closed_reason(event=EventFactory(), now=now) is None
    assert selectors.rsvp_closed_reason(event=EventFactory(status=Event.Status.DRAFT), now=now) == "draft"
    assert selectors.rsvp_closed_reason(event=EventFactory(status=Event.Status.CANCELLED), now=now) == "cancelled"
    started = EventFactory(starts_at=now - timedelta(minutes=1))
    assert selectors.rsvp_closed_reason(event=started, now=now) == "started"
    late = EventFactory(rsvp_deadline=now - timedelta(minutes=1))
    assert selectors.rsvp_closed_reason(event=late, now=now) == "deadline"


# --- Public lists ---------------------------------------------------------------------------------------


def test_it_never_lists_drafts(db):
    EventFactory(status=Event.Status.DRAFT, title="Secret draft")
    shown = EventFactory()
    assert list(selectors.events_upcoming()) == [shown]
    assert selectors.event_get_public(slug="nope") is None
    draft = Event.objects.get(title="Secret draft")
    assert selectors.event_get_public(slug=draft.slug) is None
    assert draft not in selectors.events_public()


def test_it_lists_upcoming_events_soonest_first_with_cancelled_ones_until_they_start(db):
    now = timezone.now()
    later = EventFactory(starts_at=now + timedelta(days=9))
    sooner = EventFactory(starts_at=now + timedelta(days=2))
    cancelled = EventFactory(starts_at=now + timedelta(days=3), status=Event.Status.CANCELLED)
    running = EventFactory(starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=1))
    EventFactory(starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=1), status=Event.Status.CANCELLED)
    EventFactory(starts_at=now - timedelta(days=3), ends_at=now - timedelta(days=3) + timedelta(hours=2))
    assert list(selectors.events_upcoming(now=now)) == [running, sooner, cancelled, later]


def test_it_lists_past_published_events_newest_first(db):
    now = timezone.now()
    old = EventFactory(starts_at=now - timedelta(days=30), ends_at=now - timedelta(days=30) + timedelta(hours=1))
    recent = EventFactory(starts_at=now - timedelta(days=2), ends_at=now - timedelta(days=2) + timedelta(hours=1))
    EventFactory(starts_at=now - timedelta(days=5), ends_at=now - timedelta(days=4), status=Event.Status.CANCELLED)
    EventFactory(starts_at=now - timedelta(days=5), ends_at=now - timedelta(days=4), status=Event.Status.DRAFT)
    EventFactory()  # upcoming
    assert list(selectors.events_past(now=now)) == [recent, old]


def test_it_filters_by_district_kind_and_language(db):
    spanish, english = LanguageFactory(code="es", name="Spanish"), LanguageFactory()
    east = DistrictFactory(slug="east")
    match = EventFactory(district=east, kind=Event.Kind.COFFEE_WITH_A_COP, languages=[spanish, english])
    EventFactory(district=east, kind=Event.Kind.SCHOOL_PROGRAM, languages=[spanish])
    EventFactory(kind=Event.Kind.COFFEE_WITH_A_COP, languages=[spanish])
    EventFactory(district=east, kind=Event.Kind.COFFEE_WITH_A_COP, languages=[english])
    filters = EventFilters(district="east", kind=Event.Kind.COFFEE_WITH_A_COP, language="es")
    assert list(selectors.events_upcoming(filters=filters)) == [match]
    # An event offered in two languages is listed once.
    assert list(selectors.events_upcoming(filters=EventFilters(district="east", language="es"))).count(match) == 1


def test_it_filters_by_accessibility_features_all_of_them(db):
    both = EventFactory(step_free_access=True, captioning=True)
    EventFactory(step_free_access=True)
    EventFactory(captioning=True, childcare=True)
    filters = EventFilters(accessibility=("step_free_access", "captioning"))
    assert list(selectors.events_upcoming(filters=filters)) == [both]


def test_it_filters_dates_as_whole_days_in_the_departments_time_zone(db, settings):
    settings.TIME_ZONE = "America/Chicago"
    with timezone.override(CHICAGO):
        now = datetime(2030, 3, 1, 12, tzinfo=CHICAGO)
        # 11:30 pm in Chicago on the 10th is already the 11th in UTC: it still counts as the 10th.
        late_on_the_10th = EventFactory(starts_at=datetime(2030, 3, 10, 23, 30, tzinfo=CHICAGO))
        early_on_the_11th = EventFactory(starts_at=datetime(2030, 3, 11, 0, 15, tzinfo=CHICAGO))
        on_the_9th = EventFactory(starts_at=datetime(2030, 3, 9, 10, tzinfo=CHICAGO))
        day = EventFilters(date_from=date(2030, 3, 10), date_to=date(2030, 3, 10))
        assert list(selectors.events_upcoming(filters=day, now=now)) == [late_on_the_10th]
        from_the_10th = EventFilters(date_from=date(2030, 3, 10))
        assert list(selectors.events_upcoming(filters=from_the_10th, now=now)) == [late_on_the_10th, early_on_the_11th]
        to_the_9th = EventFilters(date_to=date(2030, 3, 9))
        assert list(selectors.events_upcoming(filters=to_the_9th, now=now)) == [on_the_9th]


def test_it_annotates_list_rows_with_seats_and_waitlist(db):
    event = EventFactory(capacity=2)
    RSVPFactory(event=event, party_size=2)
    _waitlisted(event, minutes_ago=1)
    row = selectors.events_upcoming().get()
    assert (row.seats_taken, row.waitlist_length) == (2, 1)


def test_it_gives_a_districts_next_few_events(db):
    district = DistrictFactory()
    now = timezone.now()
    events = [EventFactory(district=district, starts_at=now + timedelta(days=n + 1)) for n in range(7)]
    EventFactory()
    assert selectors.events_upcoming_in(district=district, limit=5) == events[:5]


def test_it_counts_active_filters(db):
    assert EventFilters().active_count == 0
    assert EventFilters(district="x", accessibility=("childcare", "captioning")).active_count == 3


def test_it_gives_filter_choices(db):
    DistrictFactory(name="West", slug="west")
    DistrictFactory(name="East", slug="east")
    LanguageFactory(code="es", name="Spanish")
    assert selectors.district_choices() == [("east", "East"), ("west", "West")]
    assert selectors.language_choices() == [("es", "Spanish")]


# --- The viewer's RSVP --------------------------------------------------------------------------------


def test_it_finds_the_viewers_own_rsvp_with_its_waitlist_position(db):
    event = EventFactory(capacity=1)
    _waitlisted(event, minutes_ago=10)
    mine = _waitlisted(event, minutes_ago=5)
    found = selectors.rsvp_of_viewer(user=mine.user, event=event)
    assert found == mine
    assert found.waitlist_position == 2


def test_it_gives_a_confirmed_viewer_no_waitlist_position(db):
    rsvp = RSVPFactory()
    assert selectors.rsvp_of_viewer(user=rsvp.user, event=rsvp.event).waitlist_position is None


def test_it_finds_no_rsvp_for_visitors_others_or_cancelled_ones(db):
    from django.contrib.auth.models import AnonymousUser

    rsvp = RSVPFactory()
    assert selectors.rsvp_of_viewer(user=AnonymousUser(), event=rsvp.event) is None
    assert selectors.rsvp_of_viewer(user=None, event=rsvp.event) is None
    assert selectors.rsvp_of_viewer(user=ResidentFactory(), event=rsvp.event) is None
    cancelled = RSVPFactory(status=RSVP.Status.CANCELLED)
    assert selectors.rsvp_of_viewer(user=cancelled.user, event=cancelled.event) is None


def test_it_lists_the_seats_and_waitlist_places_a_person_holds(db):
    person = ResidentFactory()
    seat = RSVPFactory(user=person, event=EventFactory(starts_at=timezone.now() + timedelta(days=3)))
    waiting = _waitlisted(EventFactory(starts_at=timezone.now() + timedelta(days=1)), minutes_ago=1, user=person)
    RSVPFactory(user=person, status=RSVP.Status.CANCELLED)
    RSVPFactory(user=person, event=EventFactory(status=Event.Status.DRAFT))
    assert list(selectors.rsvps_held_by(user=person)) == [waiting, seat]


# --- Hosting, attendees and surveys ---------------------------------------------------------------------


def test_it_gives_administrators_every_event_to_host(db):
    events = [EventFactory(), EventFactory(status=Event.Status.DRAFT)]
    assert set(selectors.events_hosted_by(user=AdministratorFactory())) == set(events)


def test_it_gives_an_officer_only_the_events_they_host(db):
    officer = OfficerFactory()
    profile = OfficerProfileFactory(user=officer)
    mine = EventFactory(hosts=[profile, OfficerProfileFactory()])
    EventFactory(hosts=[OfficerProfileFactory()])
    assert list(selectors.events_hosted_by(user=officer)) == [mine]
    assert list(selectors.events_hosted_by(user=OfficerFactory())) == []  # no profile: nothing


@pytest.mark.parametrize("factory", [ResidentFactory, InvestigatorFactory])
def test_it_gives_everyone_else_no_events_to_host(db, factory):
    EventFactory()
    assert list(selectors.events_hosted_by(user=factory())) == []


def test_it_gives_visitors_no_events_to_host(db):
    from django.contrib.auth.models import AnonymousUser

    EventFactory()
    assert list(selectors.events_hosted_by(user=AnonymousUser())) == []


def test_it_lists_attendees_as_confirmed_seats(db):
    event = EventFactory()
    seat = RSVPFactory(event=event)
    guest = GuestRSVPFactory(event=event)
    _waitlisted(event, minutes_ago=1)
    RSVPFactory(event=event, status=RSVP.Status.CANCELLED)
    assert set(selectors.attendees_of(event=event)) == {seat, guest}


def test_it_gives_attended_rsvps_of_ended_events_for_surveys(db):
    now = timezone.now()
    ended = EventFactory(starts_at=now - timedelta(days=2), ends_at=now - timedelta(days=2) + timedelta(hours=2))
    attended = RSVPFactory(event=ended, attendance=RSVP.Attendance.ATTENDED)
    RSVPFactory(event=ended, attendance=RSVP.Attendance.NO_SHOW)
    RSVPFactory(event=ended)
    RSVPFactory(event=EventFactory(), attendance=RSVP.Attendance.ATTENDED)  # not ended yet
    assert list(selectors.event_attendance_for_survey(ended_before=now)) == [attended]


def test_it_finds_a_guest_rsvp_by_its_token_hash(db):
    from portal import tokens

    rsvp, token = GuestRSVPFactory.with_token()
    assert selectors.guest_rsvp_by_token_hash(token_hash=tokens.token_hash(token, purpose="events.rsvp")) == rsvp
    assert selectors.guest_rsvp_by_token_hash(token_hash=tokens.token_hash("wrong", purpose="events.rsvp")) is None
    assert selectors.guest_rsvp_by_token_hash(token_hash="") is None
