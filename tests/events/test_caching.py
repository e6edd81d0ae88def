import pickle
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone, translation

from events import caching
from events.models import RSVP, Event
from portal import page_shells
from portal.models import District
from tests.events.factories import EventFactory, RSVPFactory
from tests.factories import DistrictFactory, LanguageFactory, ResidentFactory

LIST = "/events/"
ONLINE = "https://meet.example.org/never-cached-99"


@pytest.fixture
def memory_cache(settings):
    """A local-memory cache, so a test can look at everything that was cached."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "events"}}
    cache.clear()
    yield
    cache.clear()


def text(response) -> str:
    return response.content.decode()


def cached_values() -> list:
    """Everything in the local-memory cache, unpickled."""
    return [pickle.loads(value) for value in cache._cache.values()]  # noqa: S301 — our own test cache


def sneak_title(event: Event, title: str) -> None:
    """Change a row behind the cache's back: QuerySet.update() sends no signal, so nothing bumps."""
    Event.objects.filter(pk=event.pk).update(title=title)


# --- Cached, and stale only until bumped -------------------------------------------------------------


def test_it_serves_the_list_from_the_cache(db, memory_cache, client):
    event = EventFactory(title="Before")
    client.get(LIST)
    sneak_title(event, "After")
    assert "Before" in text(client.get(LIST))  # cached: update() sent no signal
    caching.event_fragments_bump(event_id=event.pk)
    assert "After" in text(client.get(LIST))


def test_it_serves_an_event_page_from_the_cache_until_that_event_is_bumped(db, memory_cache, client):
    event, other = EventFactory(title="Before"), EventFactory(title="Other before")
    client.get(event.get_absolute_url())
    client.get(other.get_absolute_url())
    sneak_title(event, "After")
    sneak_title(other, "Other after")
    caching.event_fragments_bump(event_id=event.pk)
    assert "After" in text(client.get(event.get_absolute_url()))
    assert "Other before" in text(client.get(other.get_absolute_url()))  # its own fragment is untouched
    caching.event_fragments_bump()  # no id: every event page
    assert "Other after" in text(client.get(other.get_absolute_url()))


def test_it_shows_a_new_rsvp_at_once_on_the_list_and_the_event_page(db, memory_cache, client):
    event = EventFactory(capacity=10)
    assert "10 of 10 seats left" in text(client.get(LIST))
    assert "10 of 10 seats left" in text(client.get(event.get_absolute_url()))
    rsvp = RSVPFactory(event=event, party_size=3)  # a save: the signal bumps
    assert "7 of 10 seats left" in text(client.get(LIST))
    assert "7 of 10 seats left" in text(client.get(event.get_absolute_url()))
    rsvp.status = RSVP.Status.CANCELLED
    rsvp.save(update_fields=["status"])
    assert "10 of 10 seats left" in text(client.get(LIST))
    assert "10 of 10 seats left" in text(client.get(event.get_absolute_url()))


def test_it_shows_the_waitlist_at_once(db, memory_cache, client):
    event = EventFactory(capacity=1)
    RSVPFactory(event=event)
    client.get(LIST)
    client.get(event.get_absolute_url())
    waiting = RSVPFactory(event=event, status=RSVP.Status.WAITLISTED, queued_at=timezone.now())
    assert "1 on the waitlist" in text(client.get(LIST))
    assert "1 on the waitlist" in text(client.get(event.get_absolute_url()))
    waiting.delete()
    assert "1 on the waitlist" not in text(client.get(event.get_absolute_url()))


def test_it_shows_seats_at_once_after_a_bulk_change_and_a_bump(db, memory_cache, client):
    event = EventFactory(capacity=10)
    rsvp = RSVPFactory(event=event, party_size=2)
    assert "8 of 10 seats left" in text(client.get(event.get_absolute_url()))
    # What the services do after a write that sends no signal (QuerySet.update).
    RSVP.objects.filter(pk=rsvp.pk).update(party_size=5)
    caching.event_fragments_bump(event_id=event.pk)
    assert "5 of 10 seats left" in text(client.get(event.get_absolute_url()))
    assert "5 of 10 seats left" in text(client.get(LIST))


def test_it_bumps_again_when_the_transaction_commits(db, memory_cache, django_capture_on_commit_callbacks):
    event = EventFactory()
    with django_capture_on_commit_callbacks() as callbacks:
        RSVPFactory(event=event)
    assert callbacks  # the second bump waits for the commit
    before = caching.fragments.fragment_version(scope=caching.event_scope(event.pk))
    for callback in callbacks:
        callback()
    assert caching.fragments.fragment_version(scope=caching.event_scope(event.pk)) > before


def test_it_bumps_when_an_events_languages_or_hosts_change(db, memory_cache, client):
    event = EventFactory()
    client.get(event.get_absolute_url())
    event.languages.add(LanguageFactory(code="vi", name="Vietnamese"))
    assert "Vietnamese" in text(client.get(event.get_absolute_url()))


def test_it_shows_a_renamed_district_at_once(db, memory_cache, client):
    district = DistrictFactory(name="Old Town")
    event = EventFactory(district=district)
    client.get(LIST)
    client.get(event.get_absolute_url())
    district.name = "New Town"
    district.save(update_fields=["name"])  # the directory's bump
    assert "New Town" in text(client.get(LIST))
    assert "New Town" in text(client.get(event.get_absolute_url()))


def test_it_shows_a_new_district_in_the_filter_at_once(db, memory_cache, client):
    client.get(LIST)
    District.objects.create(name="Harbour", slug="harbour")
    response = client.get(LIST, {"district": "harbour"})
    assert response.status_code == 200


def test_it_drops_an_event_that_ended_within_a_minute_without_a_bump(db, memory_cache, client):
    now = timezone.now()
    EventFactory(title="Ending soon", starts_at=now - timedelta(hours=1), ends_at=now + timedelta(minutes=5))
    assert "Ending soon" in text(client.get(LIST))
    with time_machine.travel(now + timedelta(minutes=7), tick=False):
        assert "Ending soon" not in text(client.get(LIST))


def test_it_does_not_cache_rare_filter_combinations(db, memory_cache, client):
    event = EventFactory(title="Before", childcare=True, captioning=True)
    params = {"accessibility": ["childcare", "captioning"]}
    client.get(LIST, params)
    sneak_title(event, "After")
    assert "After" in text(client.get(LIST, params))


def test_it_caches_single_filter_pages(db, memory_cache, client):
    event = EventFactory(title="Before", district=DistrictFactory(slug="east"))
    client.get(LIST, {"district": "east"})
    sneak_title(event, "After")
    assert "Before" in text(client.get(LIST, {"district": "east"}))


# --- Languages never mix ------------------------------------------------------------------------------


def test_it_keeps_spanish_and_english_fragments_apart(db, memory_cache, client):
    event = EventFactory(kind=Event.Kind.COFFEE_WITH_A_COP)
    with translation.override("es"):
        spanish_list, spanish_page = reverse("events:list"), event.get_absolute_url()
    english = text(client.get(LIST))
    spanish = text(client.get(spanish_list))
    assert f'href="/events/{event.slug}/"' in english
    assert f'href="/es/events/{event.slug}/"' in spanish
    assert f'href="/events/{event.slug}/"' not in spanish
    # The page's public part too (the month name is in the reader's language).
    month = event.starts_at.astimezone(timezone.get_default_timezone())
    english_page = text(client.get(event.get_absolute_url()))
    spanish_page_text = text(client.get(spanish_page))
    with translation.override("es"):
        from django.utils.dateformat import format as date_format

        spanish_month = date_format(month, "F")
    english_month = date_format(month, "F")
    assert english_month in english_page
    assert spanish_month in spanish_page_text
    if spanish_month != english_month:
        assert english_month not in spanish_page_text.split("<main", 1)[1]
    # And back: English again after the Spanish render was cached.
    assert f'href="/events/{event.slug}/"' in text(client.get(LIST))


# --- Nothing personal is cached ---------------------------------------------------------------------------


def test_it_caches_nothing_personal(db, memory_cache, client):
    event = EventFactory(online_url=ONLINE)
    rsvp = RSVPFactory(event=event)
    person = rsvp.user
    client.force_login(person)
    page = text(client.get(event.get_absolute_url()))
    assert ONLINE in page  # the seat holder sees it...
    client.get(LIST)
    client.get(event.district.get_absolute_url())
    client.get(reverse("events_feeds:department"))
    everything = repr(cached_values())
    # ...but none of it went into the cache.
    assert ONLINE not in everything
    assert "csrfmiddlewaretoken" not in everything
    assert person.email not in everything
    assert rsvp.seat_code not in everything
    assert "<form" not in everything


def test_it_never_serves_a_viewers_rsvp_from_the_cache(db, memory_cache, client):
    event = EventFactory()
    client.force_login(RSVPFactory(event=event).user)
    assert client.get(event.get_absolute_url()).context["my_rsvp"] is not None
    client.force_login(ResidentFactory())
    assert client.get(event.get_absolute_url()).context["my_rsvp"] is None


def test_it_builds_a_stable_query_string_for_the_filters(db):
    from datetime import date

    from events.selectors import EventFilters

    filters = EventFilters(
        district="east", kind="other", date_from=date(2031, 1, 2), accessibility=("childcare", "captioning")
    )
    assert caching.filters_querystring(filters) == (
        "district=east&kind=other&date_from=2031-01-02&accessibility=childcare&accessibility=captioning"
    )


# --- Page shells (visitors who are not signed in) ----------------------------------------------------


def _style_nonce(response) -> str:
    content = text(response)
    start = content.index('<style nonce="') + len('<style nonce="')
    return content[start : content.index('"', start)]


@pytest.mark.parametrize("path", ["/events/", "/events/?district=east", "/events/past/", "event"])
def test_it_gives_every_response_its_own_csp_nonce(db, memory_cache, client, path):
    event = EventFactory(district=DistrictFactory(slug="east"))
    path = event.get_absolute_url() if path == "event" else path
    first, second = client.get(path), client.get(path)
    assert first.status_code == second.status_code == 200
    nonces = [_style_nonce(first), _style_nonce(second)]
    assert nonces[0] != nonces[1]
    for response, nonce in zip((first, second), nonces, strict=True):
        assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]
        assert page_shells._nonce_placeholder() not in text(response)


def test_it_never_serves_a_visitors_shell_to_someone_signed_in(db, memory_cache, client):
    event = EventFactory()
    assert "Sign in" in text(client.get(LIST))
    assert "Sign in" in text(client.get(event.get_absolute_url()))
    client.force_login(ResidentFactory())
    for url in (LIST, event.get_absolute_url()):
        content = text(client.get(url))
        assert "Sign out" in content
        assert reverse("account_login") + '"' not in content


def test_it_draws_the_filter_form_for_each_request(db, memory_cache, client):
    DistrictFactory(slug="east", name="East")
    first = text(client.get(LIST, {"district": "east"}))
    again = text(client.get(LIST, {"district": "east"}))  # from the shell
    for content in (first, again):
        assert '<option value="east" selected>East</option>' in content
        assert "Clear filters" in content
    assert "Clear filters" not in text(client.get(LIST))
    assert "<!--page-shell-hole" not in again


def test_it_shows_a_pending_message_instead_of_the_shell(db, memory_cache, client):
    from django.contrib.messages import constants
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.http import HttpRequest, HttpResponse

    client.get(LIST)  # the shell is cached
    # A message waiting for a visitor (as the cookie storage carries it between requests).
    storage = CookieStorage(HttpRequest())
    storage.add(constants.INFO, "A message for this visitor only.")
    carrier = HttpResponse()
    storage.update(carrier)
    client.cookies[storage.cookie_name] = carrier.cookies[storage.cookie_name].value
    assert "A message for this visitor only." in text(client.get(LIST))
    assert "A message for this visitor only." not in text(client.get(LIST))  # shown once, not shared


def test_it_renders_unknown_parameters_without_sharing_them(db, memory_cache, client):
    event = EventFactory()
    response = client.get(LIST, {"utm_source": "flyer"})
    assert response.status_code == 200
    assert "/es/events/?utm_source=flyer" in text(response)  # the layout's links for this very page
    assert "utm_source" not in text(client.get(LIST))
    assert client.get(event.get_absolute_url(), {"utm_source": "flyer"}).status_code == 200
    shells = [value for value in cached_values() if isinstance(value, dict) and "html" in value]
    assert all("utm_source" not in shell["html"] for shell in shells)


def test_it_keeps_the_language_offer_apart(db, memory_cache, client):
    spanish = "portal-language-offer"
    assert spanish not in text(client.get(LIST))
    assert spanish in text(client.get(LIST, HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9"))
    assert spanish not in text(client.get(LIST))


def test_it_links_the_language_versions_of_the_very_page(db, memory_cache, client):
    DistrictFactory(slug="east")
    client.get(LIST, {"district": "east"})
    content = text(client.get(LIST, {"district": "east", "page": "1"}))
    assert 'href="/es/events/?district=east&amp;page=1"' in content


def test_it_shows_new_seats_to_visitors_at_once_on_a_cached_event_page(db, memory_cache, client):
    event = EventFactory(capacity=10)
    assert "10 of 10 seats left" in text(client.get(event.get_absolute_url()))
    assert "10 of 10 seats left" in text(client.get(event.get_absolute_url()))
    RSVPFactory(event=event, party_size=4)
    content = text(client.get(event.get_absolute_url()))
    assert "6 of 10 seats left" in content
    assert "10 of 10 seats left" not in content  # the RSVP panel's count too


def test_it_renders_time_notices_of_a_cached_event_page_for_each_request(db, memory_cache, client):
    now = timezone.now()
    event = EventFactory(rsvp_deadline=now + timedelta(hours=1), starts_at=now + timedelta(days=1))
    assert "RSVPs are closed" not in text(client.get(event.get_absolute_url()))
    with time_machine.travel(now + timedelta(hours=2), tick=False):
        assert "The RSVP deadline has passed" in text(client.get(event.get_absolute_url()))


def test_it_does_not_cache_a_404(db, memory_cache, client):
    event = EventFactory(status=Event.Status.DRAFT)
    assert client.get(event.get_absolute_url()).status_code == 404
    event.status = Event.Status.PUBLISHED
    event.save(update_fields=["status"])
    assert client.get(event.get_absolute_url()).status_code == 200


def test_it_stops_serving_an_event_page_once_the_event_is_a_draft_again(db, memory_cache, client):
    event = EventFactory()
    client.get(event.get_absolute_url())
    event.status = Event.Status.DRAFT
    event.save(update_fields=["status"])
    assert client.get(event.get_absolute_url()).status_code == 404
