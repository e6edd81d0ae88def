"""RSVP without an account: a form, then everything through the private link emailed to the guest.

The link's secret is the only right a guest has, so a wrong token is a 404 on every page. Nothing
is confirmed by a GET (mail scanners open links): confirming, changing and cancelling are POSTs.
Whatever email address is typed, the form answers with the same "check your email" page, so it
tells nobody whether that address already has an RSVP.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from allauth.core import ratelimit
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from events import selectors
from events.forms_rsvp import GuestRsvpForm, RemindersForm, RsvpForm
from events.models import RSVP
from events.services.rsvp import (
    guest_rsvp_cancel,
    guest_rsvp_change_party,
    guest_rsvp_confirm,
    guest_rsvp_create,
    guest_rsvp_get,
    rsvp_closed_error,
    rsvp_reminders_set,
)
from events.views.rsvp import add_service_error, public_event_or_404, reminders_message

RATE_LIMIT_ACTION = "events_guest_rsvp"

View = Callable[..., HttpResponse]


def private_link(view: View) -> View:
    """Pages opened by a secret link: never cached, never indexed, and the link never leaves in a
    Referer header for another site (the page links to maps and, for seat holders, the online
    meeting).

    "same-origin", not "no-referrer": under "no-referrer" browsers send `Origin: null` with the
    page's own form posts, and Django's CSRF check refuses them (confirm, change, cancel would
    all fail with a 403 in a real browser)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response["Referrer-Policy"] = "same-origin"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return never_cache(wrapped)


def _guest_rsvp_or_404(token: str) -> RSVP:
    rsvp = guest_rsvp_get(token=token)
    if rsvp is None:
        raise Http404("This private link does not work.")
    return rsvp


def _manage_context(rsvp: RSVP, token: str, **extra: object) -> dict[str, object]:
    event = rsvp.event
    return {
        "rsvp": rsvp,
        "event": event,
        "token": token,
        "position": selectors.waitlist_position(rsvp=rsvp),
        "closed": rsvp_closed_error(event=event),
        "seats_left": selectors.seats_left_of(event),
        # The online meeting is for people holding a seat.
        "online_url": event.online_url if rsvp.holds_seat and not event.is_cancelled else "",
        **extra,
    }


@never_cache
@require_http_methods(["GET", "POST"])
def guest_rsvp_create_view(request: HttpRequest, slug: str) -> HttpResponse:
    event = public_event_or_404(slug)
    if request.method == "GET" and request.GET.get("sent"):
        return render(request, "events/guest_check_email.html", {"event": event})
    form = GuestRsvpForm(request.POST if request.method == "POST" else None)
    status = 200
    rate_limited = False
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].strip().lower()
        if not ratelimit.consume(request, action=RATE_LIMIT_ACTION, key=email):
            rate_limited, status = True, 429
        else:
            try:
                guest_rsvp_create(
                    event_id=event.pk,
                    name=form.cleaned_data["name"],
                    email=email,
                    party_size=form.cleaned_data["party_size"],
                    language=get_language() or "en",
                )
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                # The same page whatever the address: it tells nobody whether it had an RSVP.
                url = reverse("events:guest-rsvp", kwargs={"slug": event.slug})
                return redirect(f"{url}?{urlencode({'sent': 1})}")
    if form.errors:
        status = 400
    context = {
        "event": event,
        "form": form,
        "rate_limited": rate_limited,
        "closed": rsvp_closed_error(event=event),
        "seats_left": selectors.seats_left_of(event),
        "waitlist_length": event.waitlist_length,
    }
    return render(request, "events/guest_form.html", context, status=status)


@private_link
@require_http_methods(["GET", "POST"])
def guest_rsvp_manage_view(request: HttpRequest, token: str) -> HttpResponse:
    """GET: the guest's RSVP. POST: the reminders switch (reminders=on|off), as the reminder
    emails promise ("use the private link to stop reminders")."""
    rsvp = _guest_rsvp_or_404(token)
    if request.method != "POST":
        return render(request, "events/guest_manage.html", _manage_context(rsvp, token, form=Form()))
    reminders_form = RemindersForm(request.POST)
    if reminders_form.is_valid():
        try:
            rsvp_reminders_set(rsvp_id=rsvp.pk, enabled=reminders_form.enabled)
        except ValidationError as exc:
            reminders_form.add_error(None, exc)
        else:
            messages.success(request, reminders_message(enabled=reminders_form.enabled))
            return redirect("events:guest-manage", token=token)
    context = _manage_context(rsvp, token, form=Form(), reminders_form=reminders_form)
    return render(request, "events/guest_manage.html", context, status=400)


@private_link
@require_http_methods(["GET", "POST"])
def guest_rsvp_confirm_view(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows the "Confirm my RSVP" button (a prefetching scanner confirms nothing); POST confirms."""
    rsvp = _guest_rsvp_or_404(token)
    form = Form(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        try:
            rsvp = guest_rsvp_confirm(token=token)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if rsvp.status == RSVP.Status.CONFIRMED:
                messages.success(request, _("Your seat is confirmed. We have emailed you the details."))
            else:
                messages.info(request, _("You are on the waitlist. We will email you when a seat is yours."))
            return redirect("events:guest-manage", token=token)
    context = _manage_context(rsvp, token, form=form)
    return render(request, "events/guest_manage.html", context, status=400 if form.errors else 200)


@private_link
@require_http_methods(["GET", "POST"])
def guest_rsvp_change_view(request: HttpRequest, token: str) -> HttpResponse:
    rsvp = _guest_rsvp_or_404(token)
    form = RsvpForm(request.POST if request.method == "POST" else None, initial={"party_size": rsvp.party_size})
    if request.method == "POST" and form.is_valid():
        try:
            guest_rsvp_change_party(token=token, party_size=form.cleaned_data["party_size"])
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Your RSVP is updated."))
            return redirect("events:guest-manage", token=token)
    context = _manage_context(rsvp, token, form=form)
    return render(request, "events/guest_change.html", context, status=400 if form.errors else 200)


@private_link
@require_http_methods(["GET", "POST"])
def guest_rsvp_cancel_view(request: HttpRequest, token: str) -> HttpResponse:
    rsvp = _guest_rsvp_or_404(token)
    form = Form(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        try:
            guest_rsvp_cancel(token=token)  # a second submit does nothing more
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Your RSVP is cancelled. Thank you for letting us know."))
            return redirect("events:guest-manage", token=token)
    context = _manage_context(rsvp, token, form=form)
    return render(request, "events/guest_cancel.html", context, status=400 if form.errors else 200)
