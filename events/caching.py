"""Cached fragments of the public event pages (DESIGN.md §6 "Fast"), and what makes them stale.

Scopes (each a version number in the cache, see portal.fragments):

- "events.list": every list of events (the /events/ and past pages, district sections, the
  department feed). Any change to any event or its seats bumps it.
- "events.event.<id>": the public part of one event's page. A change to that event or its seats
  bumps it.
- "events.all": every event's page at once (a bump without an event id: bulk changes).

The keys also carry the directory's version (district, officer and language names are shown) and
the reader's language (portal.fragments adds it), so Spanish and English never mix. Lists also
carry the minute: what is "upcoming" changes with the clock, not only with the rows.

For visitors who are not signed in, a whole page is kept as a "shell" (see "Page shells" below):
the parts rendered for each request (the filter form, the RSVP panel, notices that depend on the
time, the CSP nonce) are holes filled in per request. That is what brings /events/ near the speed
of a bare view (bench/events_load.py); the base layout alone costs several times a bare view.

What is cached is public and impersonal: never the RSVP panel, the online link, a form, a CSRF
token or anything about the viewer. Seats are never stale after an RSVP because the services call
`event_fragments_bump()` after every change to an event or its seats (on commit), and the model
signals connected here bump as well. Note: `QuerySet.update()` and `bulk_create()` send no
signal; code that writes that way must call `event_fragments_bump()` itself.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import InvalidPage, Paginator
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render as render_to_response
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString

from events import selectors
from events.forms_public import EventFilterForm, filter_form_html
from events.models import RSVP, Event
from portal import fragments, page_shells
from portal.models import District

LIST_SCOPE = "events.list"
ALL_SCOPE = "events.all"
# A list shows what has not ended yet: its fragments are renewed at least this often, so an event
# that starts or ends leaves (or moves on) the list within a minute even though nothing bumped it.
LIST_TIME_BUCKET_SECONDS = 60
# Pages with at most this many filters are cached; rarer combinations are rendered each time
# (their keys are as many as people's choices and would push the common pages out of the cache).
CACHEABLE_FILTERS = 1
DISTRICT_SECTION_SIZE = 5


def event_scope(event_id: int) -> str:
    return f"events.event.{event_id}"


def event_fragments_bump(*, event_id: int | None = None) -> None:
    """Make the cached lists stale, and the page of `event_id` (or of every event when None).

    Services call it after every change to an event or its seats, through
    `transaction.on_commit(...)`, so no request can re-cache the rows as they were before.
    """
    fragments.fragment_version_bump(scope=LIST_SCOPE)
    fragments.fragment_version_bump(scope=ALL_SCOPE if event_id is None else event_scope(event_id))


def _bump_now_and_on_commit(event_id: int | None) -> None:
    # Now: a request in the same transaction (or a test, whose transaction never commits) sees the
    # change. On commit: a request that rendered the old rows between the first bump and the commit
    # cached them under the new version; the second bump makes those stale too.
    event_fragments_bump(event_id=event_id)
    transaction.on_commit(lambda: event_fragments_bump(event_id=event_id))


def _on_event_change(sender: type, instance: Event, **kwargs: Any) -> None:
    _bump_now_and_on_commit(instance.pk)


def _on_rsvp_change(sender: type, instance: RSVP, **kwargs: Any) -> None:
    _bump_now_and_on_commit(instance.event_id)


def _on_event_m2m_change(sender: type, instance: Any, action: str, reverse: bool, **kwargs: Any) -> None:
    if not action.startswith("post_"):
        return
    if reverse or not isinstance(instance, Event):
        # From the other side (officer.hosted_events.add(...)): which events is not at hand.
        _bump_now_and_on_commit(None)
    else:
        _bump_now_and_on_commit(instance.pk)


def connect_signals() -> None:
    """Belt and braces next to the services' own bumps (from EventsConfig.ready()).

    Signals fit here (STYLE.md): the models must not know which pages cache them.
    """
    post_save.connect(_on_event_change, sender=Event, dispatch_uid="events.caching.event.save")
    post_delete.connect(_on_event_change, sender=Event, dispatch_uid="events.caching.event.delete")
    post_save.connect(_on_rsvp_change, sender=RSVP, dispatch_uid="events.caching.rsvp.save")
    post_delete.connect(_on_rsvp_change, sender=RSVP, dispatch_uid="events.caching.rsvp.delete")
    for through, name in ((Event.hosts.through, "hosts"), (Event.languages.through, "languages")):
        m2m_changed.connect(_on_event_m2m_change, sender=through, dispatch_uid=f"events.caching.{name}")


def _directory_version() -> int:
    return fragments.fragment_version(scope=fragments.DIRECTORY)


def _time_bucket() -> int:
    return int(time.time() // LIST_TIME_BUCKET_SECONDS)


# --- Filter choices ---------------------------------------------------------------------------------


def filter_choices() -> dict[str, list[tuple[str, str]]]:
    """Districts and languages for the filter form, cached with the directory (bumped on change)."""
    return fragments.fragment_get_or_render(
        scope=fragments.DIRECTORY,
        name="events-filter-choices",
        vary_on=[],
        render=lambda: {"districts": selectors.district_choices(), "languages": selectors.language_choices()},
    )


# --- The lists --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventResults:
    html: SafeString
    count: int
    page_number: int
    num_pages: int


def filters_querystring(filters: selectors.EventFilters) -> str:
    """The filters as a query string (without the page), in a fixed order."""
    params: list[tuple[str, str]] = [
        (name, value)
        for name, value in (
            ("district", filters.district),
            ("kind", filters.kind),
            ("language", filters.language),
            ("date_from", filters.date_from.isoformat() if filters.date_from else ""),
            ("date_to", filters.date_to.isoformat() if filters.date_to else ""),
        )
        if value
    ]
    params.extend(("accessibility", feature) for feature in filters.accessibility)
    return urlencode(params)


def event_list_results(
    *, filters: selectors.EventFilters, page: int, past: bool = False, per_page: int
) -> EventResults:
    """The count, rows and pagination of an events list as HTML, cached per filter, page and language.

    A page out of range is Http404 (nothing is cached then).
    """

    def render() -> dict[str, Any]:
        events = (selectors.events_past if past else selectors.events_upcoming)(filters=filters)
        paginator = Paginator(events, per_page, allow_empty_first_page=True)
        try:
            page_obj = paginator.page(page)
        except InvalidPage as exc:
            raise Http404("No such page of events.") from exc
        rows = list(page_obj.object_list)
        for event in rows:
            event.seats_left = selectors.seats_left_of(event)
        html = render_to_string(
            "events/includes/event_results.html",
            {
                "page_obj": page_obj,
                "events": rows,
                "count": paginator.count,
                "page_range": list(paginator.get_elided_page_range(page_obj.number, on_each_side=1, on_ends=1)),
                "base_query": filters_querystring(filters),
                "is_filtered": filters.active_count > 0,
                "past": past,
            },
        )
        return {"html": html, "count": paginator.count, "page": page_obj.number, "pages": paginator.num_pages}

    value = fragments.fragment_get_or_render(
        scope=LIST_SCOPE,
        name="past-results" if past else "upcoming-results",
        vary_on=[_directory_version(), _time_bucket(), filters_querystring(filters), page, per_page],
        render=render,
        cache_it=filters.active_count <= CACHEABLE_FILTERS,
    )
    return EventResults(
        html=SafeString(value["html"]), count=value["count"], page_number=value["page"], num_pages=value["pages"]
    )


def district_events_html(*, district: District) -> SafeString:
    """A district page's section: its next few upcoming events, as cached HTML ('' when none)."""

    def render() -> str:
        events = selectors.events_upcoming_in(district=district, limit=DISTRICT_SECTION_SIZE)
        if not events:
            return ""
        for event in events:
            event.seats_left = selectors.seats_left_of(event)
        return render_to_string("events/includes/district_events.html", {"district": district, "events": events})

    return SafeString(
        fragments.fragment_get_or_render(
            scope=LIST_SCOPE,
            name="district-events",
            vary_on=[district.pk, _directory_version(), _time_bucket()],
            render=render,
        )
    )


# --- One event's page -----------------------------------------------------------------------------


def event_public_html(*, event: Event) -> SafeString:
    """The public part of an event's page (what, when, where, hosts, seats), cached per language.

    `event` must carry `seats_taken` and `waitlist_length` (selectors.event_get_public does).
    Never in here: the online link, the RSVP panel, anything about who is looking.
    """

    def render() -> str:
        selectors.event_prefetch_public_details(event=event)
        return render_to_string(
            "events/includes/event_public.html",
            {
                "event": event,
                "seats_left": selectors.seats_left_of(event),
                "waitlist_length": event.waitlist_length,
                "hosts": [host for host in event.hosts.all() if host.is_public],
                "languages": list(event.languages.all()),
                "department_name": settings.DEPARTMENT_NAME,
            },
        )

    return SafeString(
        fragments.fragment_get_or_render(
            scope=event_scope(event.pk),
            name="event-public",
            vary_on=[fragments.fragment_version(scope=ALL_SCOPE), _directory_version()],
            render=render,
        )
    )


def _district_section_context(district: District, request: Any) -> dict[str, Any]:
    return {"events_html": district_events_html(district=district)}


def register_district_section() -> None:
    """The district page's "Upcoming events" section (from EventsConfig.ready())."""
    from portal import district_sections

    district_sections.register(
        "events", template="events/district_section.html", context=_district_section_context, order=10
    )


# --- Page shells: portal.page_shells (shared with other apps' public pages) ----------------------


# --- The list pages ---------------------------------------------------------------------------------

# The parameters of the list pages; a query with any other is rendered each time, never shared.
LIST_PARAMETERS = frozenset({"district", "kind", "language", "date_from", "date_to", "accessibility", "page"})
LIST_TEMPLATE = "events/event_list.html"


@dataclass
class _ParsedList:
    form: EventFilterForm
    values: dict[str, Any]
    choices: dict[str, list[tuple[str, str]]]

    @property
    def filters(self) -> selectors.EventFilters | None:
        return self.form.filters() if self.form.is_valid() else None

    def form_html(self, *, past: bool, has_query: bool) -> str:
        return filter_form_html(
            values=self.values,
            district_choices=self.choices["districts"],
            language_choices=self.choices["languages"],
            errors={name: list(errors) for name, errors in self.form.errors.items()},
            past=past,
            has_query=has_query,
        )


def _parse_list_request(request: HttpRequest) -> _ParsedList:
    choices = filter_choices()
    # Always bound: no parameters at all is a valid, unfiltered list.
    form = EventFilterForm(request.GET, district_choices=choices["districts"], language_choices=choices["languages"])
    form.is_valid()
    return _ParsedList(form=form, values=form.display_values(), choices=choices)


def _list_context(parsed: _ParsedList, *, past: bool) -> dict[str, Any]:
    filters = parsed.filters
    results = None
    if filters is not None:
        results = event_list_results(
            filters=filters, page=parsed.form.cleaned_data["page"], past=past, per_page=settings.EVENTS_PER_PAGE
        )
    return {"form": parsed.form, "past": past, "results": results}


def _list_page_for_one(request: HttpRequest, *, past: bool, parsed: _ParsedList | None = None) -> HttpResponse:
    """The list rendered for this request alone (its results still from the cached fragment)."""
    parsed = parsed or _parse_list_request(request)
    context = _list_context(parsed, past=past)
    context["filter_html"] = SafeString(parsed.form_html(past=past, has_query=bool(request.GET)))
    return render_to_response(request, LIST_TEMPLATE, context, status=200 if parsed.filters is not None else 400)


def event_list_page(request: HttpRequest, *, past: bool = False) -> HttpResponse:
    """An events list page (upcoming, or past): filter form, results count, rows and pagination.

    Invalid filters are a 400 with the form's messages; a page out of range is a 404. For visitors
    who are not signed in, a valid query with at most one filter is served from a cached shell
    (keyed by its full path), with the filter form drawn for each request.
    """
    if not (page_shells.shell_allowed(request) and set(request.GET) <= LIST_PARAMETERS):
        return _list_page_for_one(request, past=past)

    def render_page() -> dict[str, Any]:
        parsed = _parse_list_request(request)
        filters = parsed.filters
        if filters is None or filters.active_count > CACHEABLE_FILTERS:
            raise page_shells.NotShared(_list_page_for_one(request, past=past, parsed=parsed))
        html = page_shells.render_shell(request, LIST_TEMPLATE, _list_context(parsed, past=past), ["filter_html"])
        # What drawing the form needs (data, not HTML): a form is never cached.
        return {"html": html, "values": parsed.values, "choices": parsed.choices}

    try:
        shell = page_shells.shell_get_or_render(
            name="past-page" if past else "upcoming-page",
            vary_on=[
                request.get_full_path(),
                page_shells.offers_spanish(request),
                _time_bucket(),
                settings.EVENTS_PER_PAGE,
            ],
            scopes=(LIST_SCOPE, fragments.DIRECTORY),
            render=render_page,
        )
    except page_shells.NotShared as not_shared:
        return not_shared.response
    form_html = filter_form_html(
        values=shell["values"],
        district_choices=shell["choices"]["districts"],
        language_choices=shell["choices"]["languages"],
        errors={},
        past=past,
        has_query=bool(request.GET),
    )
    return page_shells.fill_shell(request, shell["html"], {"filter_html": form_html})


# --- An event's page --------------------------------------------------------------------------------

DETAIL_TEMPLATE = "events/event_detail.html"


def _detail_context(request: HttpRequest, event: Event, *, my_rsvp: RSVP | None) -> dict[str, Any]:
    holds_seat = my_rsvp is not None and my_rsvp.status == RSVP.Status.CONFIRMED
    now = timezone.now()
    return {
        "event": event,
        "my_rsvp": my_rsvp,
        "seats_left": selectors.seats_left_of(event),
        "waitlist_length": event.waitlist_length,
        "rsvp_closed_reason": selectors.rsvp_closed_reason(event=event, now=now),
        "has_ended": event.ends_at <= now,
        # The online link is for people holding a confirmed seat, and never in a cached fragment.
        "online_url": event.online_url if holds_seat and not event.is_cancelled else "",
    }


def _event_page_for_one(request: HttpRequest, *, slug: str) -> HttpResponse:
    event = selectors.event_get_public(slug=slug)
    if event is None:
        raise Http404("No published event has this address.")
    context = _detail_context(request, event, my_rsvp=selectors.rsvp_of_viewer(user=request.user, event=event))
    context["public_html"] = event_public_html(event=event)
    return render_to_response(request, DETAIL_TEMPLATE, context)


def event_page(request: HttpRequest, *, slug: str) -> HttpResponse:
    """An event's page. Drafts and unknown slugs are a 404.

    The public part comes from its cached fragment. For visitors who are not signed in, the whole
    page is a cached shell: the notices that depend on the time and the RSVP panel are rendered
    for each request (the panel may hold a form), with the event as it was cached (every change
    to it or its seats bumps its scope, so its seats are never stale).
    """
    if request.GET or not page_shells.shell_allowed(request):
        return _event_page_for_one(request, slug=slug)

    def render_page() -> dict[str, Any]:
        event = selectors.event_get_public(slug=slug)
        if event is None:
            raise Http404("No published event has this address.")
        own_scope = event_scope(event.pk)
        own_version = fragments.fragment_version(scope=own_scope)
        context = {**_detail_context(request, event, my_rsvp=None), "public_html": event_public_html(event=event)}
        html = page_shells.render_shell(request, DETAIL_TEMPLATE, context, ["notices_html", "panel_html"])
        # The event without what its fragment prefetched: the holes need only its own fields.
        event._prefetched_objects_cache = {}
        return {"html": html, "event": event, "own_scope": own_scope, "own_version": own_version}

    shell = page_shells.shell_get_or_render(
        name="event-page",
        vary_on=[request.get_full_path(), page_shells.offers_spanish(request)],
        scopes=(ALL_SCOPE, fragments.DIRECTORY),
        render=render_page,
    )
    context = _detail_context(request, shell["event"], my_rsvp=None)
    return page_shells.fill_shell(
        request,
        shell["html"],
        {
            "notices_html": render_to_string("events/includes/event_notices.html", context),
            "panel_html": render_to_string("events/includes/rsvp_panel.html", context, request=request),
        },
    )
