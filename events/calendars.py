"""iCalendar output (the `icalendar` library) and the tokens of personal feeds."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from events import caching, selectors
from events.models import RSVP, CalendarFeed, Event
from portal import fragments
from portal.models import User


def _feed_signature(*, user_id: int, version: int) -> str:
    key = f"{settings.SECRET_KEY}:events.calendar-feed".encode()
    return hmac.new(key, f"{user_id}:{version}".encode(), hashlib.sha256).hexdigest()[:40]


def personal_feed_token(*, user: User) -> str:
    """The secret part of a person's feed URL (made on first use). Nothing secret is stored."""
    feed = CalendarFeed.objects.filter(user=user).first()
    if feed is None:
        try:
            with transaction.atomic():
                feed = CalendarFeed.objects.create(user=user)
        except IntegrityError:
            feed = CalendarFeed.objects.get(user=user)
    return f"{user.pk}-{feed.version}-{_feed_signature(user_id=user.pk, version=feed.version)}"


def personal_feed_user(*, token: str) -> User | None:
    """Whose feed this token opens, or None for a wrong, stale or malformed token."""
    try:
        user_id_text, version_text, signature = token.split("-", 2)
        user_id, version = int(user_id_text), int(version_text)
    except ValueError:
        return None
    if not hmac.compare_digest(signature, _feed_signature(user_id=user_id, version=version)):
        return None
    feed = CalendarFeed.objects.select_related("user").filter(user_id=user_id, version=version).first()
    if feed is None or not feed.user.is_active:
        return None
    return feed.user


@transaction.atomic
def personal_feed_regenerate(*, user: User) -> str:
    """A new secret URL; the old one stops working at once."""
    feed, _created = CalendarFeed.objects.select_for_update().get_or_create(user=user)
    feed.version += 1
    feed.save(update_fields=["version"])
    return personal_feed_token(user=user)


# --- iCalendar files ---------------------------------------------------------------------------------
#
# Every event has one UID wherever it appears (its own file, the department's feed, a person's
# feed), so calendar apps update the entry they already have; SEQUENCE is the event's revision
# (raised by the hosting services when the time or place changes, or on cancelling). Times are in
# the department's time zone, with its VTIMEZONE. Public files never carry the online link or
# anything about a person; a person's own feed carries the link only for a confirmed seat.

PRODID = "-//Common Ground//Events//EN"
ICALENDAR_CONTENT_TYPE = "text/calendar; charset=utf-8"
# The department's feed starts this many days back, so a recent event stays in calendars a while.
DEPARTMENT_FEED_DAYS_BACK = 30


def _site_host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def event_uid(*, event: Event) -> str:
    return f"event-{event.pk}@{_site_host()}"


def event_absolute_url(*, event: Event) -> str:
    return f"{settings.SITE_URL}{event.get_absolute_url()}"


def event_location(*, event: Event) -> str:
    return ", ".join(part for part in (event.venue_name, event.address) if part)


def _vevent(*, event: Event, online_url: str = "", note: str = "", cancelled: bool = False) -> icalendar.Event:
    """One VEVENT. `online_url` only for someone holding a seat; `note` is a line about their place."""
    department_zone = ZoneInfo(settings.TIME_ZONE)
    url = event_absolute_url(event=event)
    component = icalendar.Event()
    component.add("uid", event_uid(event=event))
    component.add("dtstamp", timezone.now().astimezone(UTC))
    component.add("sequence", event.sequence)
    component.add("summary", event.title)
    component.add("dtstart", event.starts_at.astimezone(department_zone))
    component.add("dtend", event.ends_at.astimezone(department_zone))
    component.add("status", "CANCELLED" if cancelled or event.is_cancelled else "CONFIRMED")
    location = event_location(event=event)
    if not location and event.online_url:
        location = str(_("Online"))
    if location:
        component.add("location", location)
    component.add("url", url)
    component.add("last-modified", event.updated_at.astimezone(UTC))
    component.add("categories", [str(event.get_kind_display())])
    lines = [line for line in (note, event.summary) if line]
    if event.is_cancelled:
        lines.insert(
            0,
            str(_("This event is cancelled.")) + (f" {event.cancellation_reason}" if event.cancellation_reason else ""),
        )
    if online_url:
        lines.append(str(_("Join online: %(url)s")) % {"url": online_url})
    lines.append(str(_("Details: %(url)s")) % {"url": url})
    component.add("description", "\n\n".join(lines))
    return component


def _calendar_bytes(*, components: list[icalendar.Event], name: str) -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    for component in components:
        calendar.add_component(component)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def event_calendar(*, event: Event) -> bytes:
    """One event's public .ics file (no online link)."""
    return _calendar_bytes(components=[_vevent(event=event)], name=event.title)


def department_calendar(*, now: datetime | None = None) -> bytes:
    """The public feed: published and cancelled events from a month ago on (cached with the lists)."""
    now = now or timezone.now()
    since = now - timedelta(days=DEPARTMENT_FEED_DAYS_BACK)

    def render() -> bytes:
        events = selectors.events_for_department_feed(since=since)
        name = str(_("%(department)s events")) % {"department": settings.DEPARTMENT_NAME}
        return _calendar_bytes(components=[_vevent(event=event) for event in events], name=name)

    return fragments.fragment_get_or_render(
        scope=caching.LIST_SCOPE, name="department-feed", vary_on=[since.date().isoformat()], render=render
    )


def personal_calendar(*, user: User) -> bytes:
    """A person's feed: the events where they hold a seat or a waitlist place, in their language.

    The online link is theirs for a confirmed seat, so it is included then.
    """
    with translation.override(user.language or settings.LANGUAGE_CODE):
        components = [_rsvp_vevent(rsvp=rsvp) for rsvp in selectors.rsvps_held_by(user=user)]
        name = str(_("My events: %(department)s")) % {"department": settings.DEPARTMENT_NAME}
        return _calendar_bytes(components=components, name=name)


def guest_calendar(*, rsvp: RSVP) -> bytes:
    """A guest's one event, from their private link (the online link only for a confirmed seat)."""
    with translation.override(rsvp.language or settings.LANGUAGE_CODE):
        return _calendar_bytes(components=[_rsvp_vevent(rsvp=rsvp)], name=rsvp.event.title)


def _rsvp_vevent(*, rsvp: RSVP) -> icalendar.Event:
    event = rsvp.event
    notes = {
        RSVP.Status.CONFIRMED: _("Your seat is confirmed (seat code %(code)s)."),
        RSVP.Status.WAITLISTED: _("You are on the waitlist; we will email you if a seat opens."),
        RSVP.Status.PENDING: _("Not confirmed yet: follow the link in the email we sent you."),
        RSVP.Status.CANCELLED: _("This RSVP is cancelled: it holds no seat."),
    }
    note = str(notes[RSVP.Status(rsvp.status)]) % {"code": rsvp.seat_code}
    holds_seat = rsvp.status == RSVP.Status.CONFIRMED and not event.is_cancelled
    return _vevent(
        event=event,
        online_url=event.online_url if holds_seat else "",
        note=note,
        cancelled=rsvp.status == RSVP.Status.CANCELLED,
    )


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def webcal_url(url: str) -> str:
    """The same address with the webcal:// scheme, which calendar apps open as a subscription."""
    scheme, _sep, rest = url.partition("://")
    return f"webcal://{rest}" if scheme in ("http", "https") else url
