"""Calendar feeds (.ics, no language prefix) and the page of a person's private feed URL.

Public feeds (one event, the department's) never carry an online link or anything about a person.
The private feeds (a person's, a guest's) open only with their secret; a wrong, stale or
malformed one is a 404, the same as a feed that does not exist.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from events import calendars, selectors
from events.models import RSVP
from portal import tokens

GUEST_TOKEN_PURPOSE = "events.rsvp"  # noqa: S105 — a label, not a secret (as in events.services.rsvp)
# Real tokens are 43 characters (portal.tokens) or about 50 (personal feeds); anything far longer
# is not worth hashing.
MAX_TOKEN_LENGTH = 200


def _ics(body: bytes, *, filename: str | None = None) -> HttpResponse:
    response = HttpResponse(body, content_type=calendars.ICALENDAR_CONTENT_TYPE)
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Private feeds must not be kept by shared caches; public ones change with every RSVP anyway.
    response["Cache-Control"] = "private, max-age=0, must-revalidate"
    return response


@require_GET
def event_feed_view(request: HttpRequest, slug: str) -> HttpResponse:
    event = selectors.events_public().filter(slug=slug).first()
    if event is None:
        raise Http404("No published event has this address.")
    return _ics(calendars.event_calendar(event=event), filename=f"{event.slug}.ics")


@require_GET
def department_feed_view(request: HttpRequest) -> HttpResponse:
    return _ics(calendars.department_calendar())


@require_GET
def personal_feed_view(request: HttpRequest, token: str) -> HttpResponse:
    user = calendars.personal_feed_user(token=token) if len(token) <= MAX_TOKEN_LENGTH else None
    if user is None:
        raise Http404("No calendar feed has this address.")
    return _ics(calendars.personal_calendar(user=user))


@require_GET
def guest_rsvp_feed_view(request: HttpRequest, token: str) -> HttpResponse:
    rsvp: RSVP | None = None
    if len(token) <= MAX_TOKEN_LENGTH:
        rsvp = selectors.guest_rsvp_by_token_hash(token_hash=tokens.token_hash(token, purpose=GUEST_TOKEN_PURPOSE))
    if (
        rsvp is None
        or not tokens.token_matches(token, rsvp.manage_token_hash, purpose=GUEST_TOKEN_PURPOSE)
        or rsvp.event.status not in selectors.PUBLIC_STATUSES
    ):
        raise Http404("No RSVP has this link.")
    return _ics(calendars.guest_calendar(rsvp=rsvp), filename=f"{rsvp.event.slug}.ics")


@login_required
@require_http_methods(["GET", "POST"])
def personal_calendar_view(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        calendars.personal_feed_regenerate(user=request.user)
        messages.success(
            request,
            _("Your calendar has a new private address. The old one no longer works: subscribe with the new one."),
        )
        return redirect("events:personal-calendar")
    token = calendars.personal_feed_token(user=request.user)
    feed_url = calendars.absolute_url(reverse("events_feeds:personal", kwargs={"token": token}))
    return render(
        request,
        "events/personal_calendar.html",
        {"feed_url": feed_url, "webcal_url": calendars.webcal_url(feed_url)},
    )
