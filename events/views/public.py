"""Finding events: the list, past events and an event's page (public; drafts are never shown).

The views hand over to events.caching, which parses the filters (a bad one is a 400 with its
message, a page out of range a 404), reads through the selectors and serves the cached parts.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from events import caching


@require_GET
def event_list_view(request: HttpRequest) -> HttpResponse:
    return caching.event_list_page(request, past=False)


@require_GET
def event_past_list_view(request: HttpRequest) -> HttpResponse:
    return caching.event_list_page(request, past=True)


@require_GET
def event_detail_view(request: HttpRequest, slug: str) -> HttpResponse:
    return caching.event_page(request, slug=slug)
