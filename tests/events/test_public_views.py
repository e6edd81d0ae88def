from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from events.calendars import personal_feed_token, personal_feed_user
from events.models import RSVP, Event
from tests.events.factories import EventFactory, RSVPFactory
from tests.factories import (
    AdministratorFactory,
    DistrictFactory,
    InvestigatorFactory,
    LanguageFactory,
    OfficerFactory,
    OfficerProfileFactory,
    ResidentFactory,
)

LIST = "/events/"
PAST = "/events/past/"
CHICAGO = ZoneInfo("America/Chicago")
ONLINE = "https://meet.example.org/secret-room-42"


@pytest.fixture
def memory_cache(settings):
    """A cache that runs no SQL, so pinned query counts are the same on the database cache and Redis."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "events"}}
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def text(response) -> str:
    return response.content.decode()


# --- The list -------------------------------------------------------------------------------------


def test_it_lists_upcoming_published_events_and_never_drafts(db, client):
    EventFactory(title="Coffee with a Cop on Main")
    EventFactory(title="Secret planning draft", status=Event.Status.DRAFT)
    response = client.get(LIST)
    assert response.status_code == 200
    assert "Coffee with a Cop on Main" in text(response)
    assert "Secret planning draft" not in text(response)
    assert "1 upcoming event" in text(response)


def test_it_marks_cancelled_events_in_the_list(db, client):
    EventFactory(title="Rained-out picnic", status=Event.Status.CANCELLED)
    content = text(client.get(LIST))
    assert "Rained-out picnic" in content
    assert "portal-tag--cancelled" in content


def test_it_shows_seats_left_and_waitlist_in_the_list(db, client):
    full = EventFactory(capacity=2, title="Full one")
    RSVPFactory(event=full, party_size=2)
    RSVPFactory(event=full, status=RSVP.Status.WAITLISTED, queued_at=timezone.now())
    EventFactory(capacity=None, title="Open one")
    content = text(client.get(LIST))
    assert "Full; 1 on the waitlist" in content
    assert "No limit on seats" in content


def test_it_links_to_past_events_and_back(db, client):
    now = timezone.now()
    EventFactory(title="Last month's meeting", starts_at=now - timedelta(days=30), ends_at=now - timedelta(days=30))
    EventFactory(title="Next week's meeting")
    listing = text(client.get(LIST))
    assert reverse("events:past") in listing
    assert "Last month&#x27;s meeting" not in listing
    past = client.get(PAST)
    assert past.status_code == 200
    assert "Last month&#x27;s meeting" in text(past)
    assert "Next week&#x27;s meeting" not in text(past)
    assert reverse("events:list") in text(past)


@pytest.mark.parametrize(
    ("params", "shown", "hidden"),
    [
        ({"district": "east"}, "East meeting", "West meeting"),
        ({"kind": "coffee_with_a_cop"}, "West meeting", "East meeting"),
        ({"language": "vi"}, "East meeting", "West meeting"),
        ({"accessibility": "interpreter"}, "West meeting", "East meeting"),
    ],
)
def test_it_filters_the_list(db, client, params, shown, hidden):
    vietnamese = LanguageFactory(code="vi", name="Vietnamese")
    EventFactory(title="East meeting", district=DistrictFactory(slug="east"), languages=[vietnamese])
    EventFactory(
        title="West meeting",
        district=DistrictFactory(slug="west"),
        kind=Event.Kind.COFFEE_WITH_A_COP,
        interpreter=True,
    )
    response = client.get(LIST, params)
    assert response.status_code == 200
    assert shown in text(response)
    assert hidden not in text(response)
    assert "1 upcoming event matches your filters" in text(response)


def test_it_filters_by_a_date_range(db, client):
    EventFactory(title="Spring fair", starts_at=datetime(2031, 4, 10, 18, tzinfo=CHICAGO))
    EventFactory(title="Summer fair", starts_at=datetime(2031, 7, 10, 18, tzinfo=CHICAGO))
    response = client.get(LIST, {"date_from": "2031-04-01", "date_to": "2031-04-30"})
    assert response.status_code == 200
    assert "Spring fair" in text(response)
    assert "Summer fair" not in text(response)


def test_it_takes_a_date_typed_the_american_way(db, client):
    EventFactory(title="Spring fair", starts_at=datetime(2031, 4, 10, 18, tzinfo=CHICAGO))
    response = client.get(LIST, {"date_from": "04/10/2031", "date_to": "04/10/2031"})
    assert response.status_code == 200
    assert "Spring fair" in text(response)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"district": "atlantis"}, "There is no district called “atlantis”"),
        ({"kind": "rave"}, "There is no kind of event called “rave”"),
        ({"language": "xx"}, "There is no language “xx” in the list"),
        ({"accessibility": "jetpack"}, "There is no accessibility feature called “jetpack”"),
        ({"date_from": "2026-13-45"}, "Enter a real date"),
        ({"date_to": "yesterday"}, "Enter a real date"),
        ({"date_from": "2031-05-02", "date_to": "2031-05-01"}, "The “to” date must be on or after the “from” date"),
        ({"date_from": "9999-12-31"}, "Enter a date between 2000-01-01 and 2099-12-31"),
        ({"date_to": "0001-01-01"}, "Enter a date between 2000-01-01 and 2099-12-31"),
        ({"page": "two"}, "The page number must be a whole number"),
        ({"page": "0"}, "The page number must be a whole number"),
        ({"page": "-1"}, "The page number must be a whole number"),
        ({"page": "1" * 40}, "The page number must be a whole number"),
        ({"page": "٣"}, "The page number must be a whole number"),
    ],
)
def test_it_answers_bad_filters_with_a_clear_message_and_400(db, client, params, message):
    DistrictFactory(slug="east")
    EventFactory()
    response = client.get(LIST, params)
    assert response.status_code == 400
    assert message in text(response)
    assert "There is a problem" in text(response)


def test_it_links_error_messages_to_their_fields(db, client):
    content = text(client.get(LIST, {"district": "atlantis", "accessibility": "jetpack"}))
    assert 'href="#id_district"' in content
    assert 'href="#id_accessibility_0"' in content
    assert 'aria-describedby="id_district_error"' in content


def test_it_answers_bad_filters_in_spanish_in_spanish(db, client):
    response = client.get("/es/events/", {"kind": "rave"})
    assert response.status_code == 400
    assert '<html lang="es"' in text(response)


def test_it_answers_a_page_out_of_range_with_404(db, client):
    EventFactory()
    assert client.get(LIST, {"page": "99"}).status_code == 404
    assert client.get(PAST, {"page": "2"}).status_code == 404


def test_it_paginates_the_list_and_keeps_the_filters_in_its_links(db, client, settings):
    settings.EVENTS_PER_PAGE = 2
    district = DistrictFactory(slug="east")
    now = timezone.now()
    for n in range(5):
        EventFactory(title=f"Meeting number {n}", district=district, starts_at=now + timedelta(days=n + 1))
    first = text(client.get(LIST, {"district": "east"}))
    assert "Meeting number 0" in first
    assert "Meeting number 2" not in first
    assert "page 1 of 3" in first
    assert "?district=east&amp;page=2" in first
    third = text(client.get(LIST, {"district": "east", "page": "3"}))
    assert "Meeting number 4" in third
    assert "Meeting number 0" not in third


def test_it_answers_only_get_on_the_list(db, client):
    assert client.post(LIST).status_code == 405


def test_it_keeps_the_chosen_filters_in_the_form(db, client):
    DistrictFactory(slug="east", name="East")
    content = text(client.get(LIST, {"district": "east", "accessibility": ["childcare", "captioning"]}))
    assert '<option value="east" selected>' in content
    assert 'value="childcare" checked' in content
    assert 'value="captioning" checked' in content
    assert 'value="interpreter" checked' not in content


@pytest.mark.parametrize("count", [5, 50])
@pytest.mark.parametrize("signed_in", [False, True])
def test_it_keeps_the_list_query_count_flat(
    db, memory_cache, client, django_assert_max_num_queries, django_assert_num_queries, count, signed_in
):
    spanish = LanguageFactory(code="es", name="Spanish")
    district = DistrictFactory(slug="east")
    for _ in range(count):
        event = EventFactory(district=district, languages=[spanish, LanguageFactory(code=f"l{_}", name="L")])
        RSVPFactory(event=event)
        RSVPFactory(event=event, status=RSVP.Status.WAITLISTED, queued_at=timezone.now())
    if signed_in:
        client.force_login(ResidentFactory())
    # Cold cache: (session, user, user's roles,) district and language choices, the count, the rows
    # with their districts and seat counts, their languages.
    with django_assert_num_queries(8 if signed_in else 5):
        response = client.get(LIST)
    assert response.context["results"].count == count
    with django_assert_max_num_queries(8):
        client.get(LIST, {"district": "east", "page": "1"})
    with django_assert_max_num_queries(8):  # not cached (several filters), still flat
        client.get(LIST, {"district": "east", "language": "es", "accessibility": ["childcare"]})
    # Warm cache: the rows and the choices come from fragments.
    with django_assert_num_queries(3 if signed_in else 0):
        client.get(LIST)


def test_it_keeps_the_past_list_query_count_flat(db, memory_cache, client, django_assert_max_num_queries):
    now = timezone.now()
    for n in range(30):
        EventFactory(starts_at=now - timedelta(days=n + 1), ends_at=now - timedelta(days=n + 1) + timedelta(hours=1))
    with django_assert_max_num_queries(8):
        client.get(PAST)


# --- An event's page ------------------------------------------------------------------------------


def test_it_shows_what_when_and_where(db, client):
    event = EventFactory(
        title="Coffee with a Cop",
        summary="Talk with your neighbourhood officers.",
        description="Free coffee and pastries.",
        kind=Event.Kind.COFFEE_WITH_A_COP,
        starts_at=datetime(2031, 5, 6, 18, 0, tzinfo=CHICAGO),
        ends_at=datetime(2031, 5, 6, 19, 30, tzinfo=CHICAGO),
        venue_name="Riverside Library",
        address="100 Main Street, Riverside",
    )
    response = client.get(event.get_absolute_url())
    content = text(response)
    assert response.status_code == 200
    for expected in (
        "Coffee with a Cop",
        "Talk with your neighbourhood officers.",
        "Free coffee and pastries.",
        "Tuesday, May 6, 2031, 6 p.m.</time>\u2013<time",  # an en dash between the times
        '"2031-05-06T19:30:00-05:00">7:30 p.m.</time>',
        "(CDT)",
        "Riverside Library",
        "https://www.openstreetmap.org/search?query=100%20Main%20Street%2C%20Riverside",
        reverse("events_feeds:event", kwargs={"slug": event.slug}),
        event.district.name,
    ):
        assert expected in content, expected


def test_it_shows_the_date_in_the_readers_language(db, client):
    event = EventFactory(starts_at=datetime(2031, 5, 6, 18, 0, tzinfo=CHICAGO))
    with translation.override("es"):
        url = event.get_absolute_url()
    content = text(client.get(url))
    assert url.startswith("/es/")
    assert "martes" in content
    assert "mayo" in content
    assert "18:00" in content


def test_it_shows_hosts_linked_to_their_officer_pages(db, client):
    shown = OfficerProfileFactory(first_name="Ana", last_name="Ruiz", rank="Sergeant")
    hidden = OfficerProfileFactory(first_name="Hidden", last_name="Person", is_public=False)
    event = EventFactory(hosts=[shown, hidden])
    content = text(client.get(event.get_absolute_url()))
    assert f'href="{shown.get_absolute_url()}">Sergeant Ana Ruiz</a>' in content
    assert "Hidden Person" not in content


def test_it_shows_languages_and_accessibility(db, client):
    event = EventFactory(
        languages=[LanguageFactory(code="es", name="Spanish"), LanguageFactory(code="vi", name="Vietnamese")],
        step_free_access=True,
        captioning=True,
        accessibility_notes="Ramp at the side door.",
    )
    content = text(client.get(event.get_absolute_url()))
    assert "Spanish, Vietnamese" in content
    assert "Step-free access" in content
    assert "Captioning available" in content
    assert "Interpreter available" not in content
    assert "Ramp at the side door." in content


def test_it_shows_seats_left_and_the_waitlist(db, client):
    event = EventFactory(capacity=10)
    RSVPFactory(event=event, party_size=4)
    RSVPFactory(event=event, status=RSVP.Status.WAITLISTED, queued_at=timezone.now(), party_size=2)
    response = client.get(event.get_absolute_url())
    assert "6 of 10 seats left; 1 on the waitlist" in text(response)
    assert (response.context["seats_left"], response.context["waitlist_length"]) == (6, 1)


def test_it_says_when_there_is_no_limit(db, client):
    response = client.get(EventFactory(capacity=None).get_absolute_url())
    assert "No limit on seats" in text(response)
    assert response.context["seats_left"] is None


def test_it_shows_a_cancelled_event_with_its_reason(db, client):
    event = EventFactory(status=Event.Status.CANCELLED, cancellation_reason="The hall flooded.")
    response = client.get(event.get_absolute_url())
    assert response.status_code == 200
    assert "This event is cancelled" in text(response)
    assert "The hall flooded." in text(response)


def test_it_says_when_rsvps_are_closed(db, client):
    now = timezone.now()
    late = EventFactory(rsvp_deadline=now - timedelta(hours=1))
    assert "The RSVP deadline has passed" in text(client.get(late.get_absolute_url()))
    started = EventFactory(starts_at=now - timedelta(minutes=5), ends_at=now + timedelta(hours=1))
    assert "This event has started" in text(client.get(started.get_absolute_url()))
    ended = EventFactory(starts_at=now - timedelta(days=1), ends_at=now - timedelta(days=1) + timedelta(hours=1))
    assert "This event has ended." in text(client.get(ended.get_absolute_url()))


@pytest.mark.parametrize("factory", [None, ResidentFactory, OfficerFactory, InvestigatorFactory, AdministratorFactory])
def test_it_hides_drafts_from_everyone_on_public_pages(db, client, factory):
    draft = EventFactory(status=Event.Status.DRAFT)
    if factory:
        client.force_login(factory())
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(reverse("events_feeds:event", kwargs={"slug": draft.slug})).status_code == 404


def test_it_answers_an_unknown_or_malformed_slug_with_404(db, client):
    assert client.get("/events/no-such-event/").status_code == 404
    assert client.get("/events/bad%20slug!/").status_code == 404


def test_it_shows_the_online_link_only_to_someone_holding_a_confirmed_seat(db, client):
    event = EventFactory(online_url=ONLINE, venue_name="", address="")
    seat = RSVPFactory(event=event)
    waiting = RSVPFactory(event=event, status=RSVP.Status.WAITLISTED, queued_at=timezone.now())
    cancelled = RSVPFactory(event=event, status=RSVP.Status.CANCELLED)
    client.force_login(seat.user)
    assert ONLINE in text(client.get(event.get_absolute_url()))
    # The page's public part is cached now; nobody else gets the link from it.
    for user in (waiting.user, cancelled.user, ResidentFactory(), AdministratorFactory()):
        client.force_login(user)
        assert ONLINE not in text(client.get(event.get_absolute_url()))
    client.logout()
    content = text(client.get(event.get_absolute_url()))
    assert ONLINE not in content
    assert "people with a confirmed seat see the link" in content


def test_it_hides_the_online_link_of_a_cancelled_event(db, client):
    event = EventFactory(online_url=ONLINE, status=Event.Status.CANCELLED)
    client.force_login(RSVPFactory(event=event).user)
    assert ONLINE not in text(client.get(event.get_absolute_url()))


def test_it_gives_the_rsvp_panel_its_context(db, client):
    event = EventFactory(capacity=1)
    RSVPFactory(event=event)
    mine = RSVPFactory(event=event, status=RSVP.Status.WAITLISTED, queued_at=timezone.now())
    client.force_login(mine.user)
    context = client.get(event.get_absolute_url()).context
    assert context["event"] == event
    assert context["my_rsvp"] == mine
    assert context["my_rsvp"].waitlist_position == 1
    assert (context["seats_left"], context["waitlist_length"]) == (0, 1)
    assert context["rsvp_closed_reason"] is None


@pytest.mark.parametrize("signed_in", [False, True])
@pytest.mark.parametrize("count", [5, 50])
def test_it_keeps_the_event_page_query_count_flat(
    db, memory_cache, client, django_assert_max_num_queries, django_assert_num_queries, signed_in, count
):
    event = EventFactory(
        hosts=OfficerProfileFactory.create_batch(3),
        languages=[LanguageFactory(code="es", name="Spanish"), LanguageFactory()],
    )
    RSVPFactory.create_batch(count, event=event)
    if signed_in:
        client.force_login(RSVPFactory(event=event).user)
    # Cold: (session, user, roles,) the event with its seat counts, (my RSVP,) hosts, languages.
    with django_assert_num_queries(7 if signed_in else 3):
        client.get(event.get_absolute_url())
    # Warm: the public part comes from the fragment (for a visitor, the whole page from its shell).
    with django_assert_num_queries(5 if signed_in else 0):
        client.get(event.get_absolute_url())


# --- District pages -------------------------------------------------------------------------------


def test_it_lists_a_districts_upcoming_events_on_its_page(db, client):
    district = DistrictFactory(slug="east", name="East")
    now = timezone.now()
    for n in range(7):
        EventFactory(title=f"East event {n}", district=district, starts_at=now + timedelta(days=n + 1))
    EventFactory(title="East draft", district=district, status=Event.Status.DRAFT)
    EventFactory(title="West event")
    content = text(client.get(district.get_absolute_url()))
    assert "Upcoming events" in content
    assert "East event 4" in content
    assert "East event 5" not in content  # the next five only
    assert "East draft" not in content
    assert "West event" not in content
    assert f'href="{reverse("events:list")}?district=east"' in content


def test_it_leaves_the_section_out_for_a_district_without_events(db, client):
    content = text(client.get(DistrictFactory().get_absolute_url()))
    assert 'data-section="events"' not in content


def test_it_keeps_the_district_page_query_count_flat(db, memory_cache, client, django_assert_num_queries):
    district = DistrictFactory()
    for _ in range(8):
        EventFactory(district=district, languages=[LanguageFactory()])
    # The district, its officers, then the section: its events with seat counts and languages;
    # + 2 for the feedback section (published items, trust index; cached like the events);
    # + 1 for the transparency section (published updates; cached too).
    with django_assert_num_queries(7):
        client.get(district.get_absolute_url())
    with django_assert_num_queries(1):  # the officers and the events come from fragments
        client.get(district.get_absolute_url())


# --- The personal calendar page ---------------------------------------------------------------------


def test_it_sends_visitors_to_sign_in_for_the_personal_calendar(db, client):
    response = client.get(reverse("events:personal-calendar"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_it_shows_the_private_subscription_address(db, client, settings):
    settings.SITE_URL = "https://portal.example.org"
    person = ResidentFactory()
    client.force_login(person)
    content = text(client.get(reverse("events:personal-calendar")))
    token = personal_feed_token(user=person)
    assert f"https://portal.example.org/events/calendar/{token}.ics" in content
    assert f"webcal://portal.example.org/events/calendar/{token}.ics" in content
    assert "This address is private" in content


def test_it_makes_a_new_private_address_on_request(db, client):
    person = ResidentFactory()
    client.force_login(person)
    old = personal_feed_token(user=person)
    response = client.post(reverse("events:personal-calendar"), follow=True)
    assert response.status_code == 200
    assert "Your calendar has a new private address" in text(response)
    new = personal_feed_token(user=person)
    assert new != old
    assert personal_feed_user(token=old) is None
    assert client.get(f"/events/calendar/{old}.ics").status_code == 404
    assert client.get(f"/events/calendar/{new}.ics").status_code == 200


def test_it_escapes_what_it_echoes_in_the_filter(db, client):
    DistrictFactory(slug="odd", name='<b>"Odd" & Sons</b>')
    content = text(client.get(LIST, {"district": "odd"}))
    assert "&lt;b&gt;&quot;Odd&quot; &amp; Sons&lt;/b&gt;</option>" in content
    response = client.get(LIST, {"district": '"><script>alert(1)</script>'})
    assert response.status_code == 400
    assert "<script>alert(1)</script>" not in text(response)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text(response)


def test_it_shows_what_was_typed_in_a_bad_date_and_the_date_of_a_good_one(db, client):
    content = text(client.get(LIST, {"date_from": "04/10/2031", "date_to": "soon"}))
    assert 'name="date_from" id="id_date_from" value="2031-04-10"' in content
    assert 'name="date_to" id="id_date_to" value="soon"' in content
    assert 'aria-describedby="id_date_to_helptext id_date_to_error" aria-invalid="true"' in content
