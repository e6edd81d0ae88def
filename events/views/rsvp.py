"""RSVP with an account: make one, change the party size, cancel; "My events"; seat-code QR images."""

from __future__ import annotations

import qrcode
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from qrcode.image.svg import SvgPathFillImage

from events import permissions, selectors
from events.forms_rsvp import RemindersForm, RsvpForm
from events.models import RSVP, Event
from events.services.rsvp import (
    rsvp_cancel,
    rsvp_change_party,
    rsvp_closed_error,
    rsvp_create,
    rsvp_reminders_set,
    rsvps_for_my_events,
    seat_holder_by_code,
)

# Errors about the party size belong next to that field; every other rule is about the whole form.
PARTY_SIZE_CODES = frozenset({"party_size", "party_too_large", "no_seats", "waitlist_not_empty"})
QR_MAX_AGE_SECONDS = 60 * 60 * 24


def add_service_error(form: Form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: by the party size when it is about that."""
    code = getattr(exc, "code", None)
    form.add_error("party_size" if code in PARTY_SIZE_CODES and "party_size" in form.fields else None, exc)


def public_event_or_404(slug: str) -> Event:
    """A published or cancelled event (drafts are invisible), with its seat counts."""
    event = selectors.event_get_public(slug=slug)
    if event is None:
        raise Http404("No published event has this address.")
    return event


def _require_rsvp_rights(request: HttpRequest) -> None:
    if not permissions.can_rsvp(request.user):
        raise PermissionDenied(_("Confirm your email address before you RSVP."))


def _my_live_rsvp_or_404(request: HttpRequest, event: Event) -> RSVP:
    rsvp = selectors.rsvp_of_viewer(user=request.user, event=event)
    if rsvp is None or not permissions.can_manage_rsvp(request.user, rsvp):
        raise Http404("You have no RSVP for this event.")
    return rsvp


def reminders_message(*, enabled: bool) -> str:
    if enabled:
        return _("Reminders are on for this event. We will email you before it starts.")
    return _("Reminders are off for this event. We will not email you a reminder.")


def _detail_context(request: HttpRequest, event: Event, rsvp: RSVP, **extra: object) -> dict[str, object]:
    """The page of the viewer's own RSVP: its status, seat code, online link and reminders switch."""
    return _page_context(
        event,
        rsvp=rsvp,
        # The online meeting is for people holding a seat.
        online_url=event.online_url if rsvp.holds_seat and not event.is_cancelled else "",
        account_reminders_off=not request.user.email_event_reminders,
        **extra,
    )


def _page_context(event: Event, **extra: object) -> dict[str, object]:
    return {
        "event": event,
        "seats_left": selectors.seats_left_of(event),
        "waitlist_length": event.waitlist_length,
        **extra,
    }


@login_required
@require_http_methods(["GET", "POST"])
def rsvp_create_view(request: HttpRequest, slug: str) -> HttpResponse:
    """GET: the form, or, once the person has an RSVP, its confirmation page. POST: RSVP."""
    event = public_event_or_404(slug)
    _require_rsvp_rights(request)
    my_rsvp = selectors.rsvp_of_viewer(user=request.user, event=event)
    if request.method == "GET" and my_rsvp is not None:
        return render(request, "events/rsvp_detail.html", _detail_context(request, event, my_rsvp))
    form = RsvpForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            rsvp = rsvp_create(event_id=event.pk, user=request.user, party_size=form.cleaned_data["party_size"])
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            if rsvp.status == RSVP.Status.CONFIRMED:
                messages.success(request, _("Your seat is confirmed. We have emailed you the details."))
            else:
                messages.info(request, _("You are on the waitlist. We will email you when a seat is yours."))
            return redirect("events:rsvp", slug=event.slug)
    context = _page_context(event, form=form, my_rsvp=my_rsvp, closed=rsvp_closed_error(event=event))
    return render(request, "events/rsvp_form.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def rsvp_change_view(request: HttpRequest, slug: str) -> HttpResponse:
    """GET/POST: the party size. A POST with `reminders` (on|off) is the reminders switch of the
    RSVP's page instead."""
    event = public_event_or_404(slug)
    rsvp = _my_live_rsvp_or_404(request, event)
    if request.method == "POST" and "reminders" in request.POST:
        return _reminders_switch(request, event, rsvp)
    form = RsvpForm(request.POST if request.method == "POST" else None, initial={"party_size": rsvp.party_size})
    if request.method == "POST" and form.is_valid():
        try:
            rsvp_change_party(rsvp_id=rsvp.pk, party_size=form.cleaned_data["party_size"], actor=request.user)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Your RSVP is updated."))
            return redirect("events:rsvp", slug=event.slug)
    context = _page_context(event, form=form, rsvp=rsvp)
    return render(request, "events/rsvp_change.html", context, status=400 if form.errors else 200)


def _reminders_switch(request: HttpRequest, event: Event, rsvp: RSVP) -> HttpResponse:
    form = RemindersForm(request.POST)
    if form.is_valid():
        try:
            rsvp_reminders_set(rsvp_id=rsvp.pk, enabled=form.enabled)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, reminders_message(enabled=form.enabled))
            return redirect("events:rsvp", slug=event.slug)
    context = _detail_context(request, event, rsvp, reminders_form=form)
    return render(request, "events/rsvp_detail.html", context, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def rsvp_cancel_view(request: HttpRequest, slug: str) -> HttpResponse:
    event = public_event_or_404(slug)
    if request.method == "POST":
        # A cancelled RSVP too: a second submit of the form is answered like the first.
        rsvp = RSVP.objects.filter(event=event, user=request.user).first()
        if rsvp is None or not permissions.can_manage_rsvp(request.user, rsvp):
            raise Http404("You have no RSVP for this event.")
        form = Form(request.POST)
        try:
            rsvp_cancel(rsvp_id=rsvp.pk, actor=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Your RSVP is cancelled. Thank you for letting us know."))
            return redirect(event.get_absolute_url())
        return render(request, "events/rsvp_cancel.html", _page_context(event, form=form, rsvp=rsvp), status=400)
    rsvp = _my_live_rsvp_or_404(request, event)
    return render(request, "events/rsvp_cancel.html", _page_context(event, form=Form(), rsvp=rsvp))


@login_required
@require_GET
def my_events_view(request: HttpRequest) -> HttpResponse:
    """My seats and waitlist places: upcoming first (soonest first), then past (latest first)."""
    if not permissions.can_see_my_events(request.user):
        raise PermissionDenied
    now = timezone.now()
    upcoming, past = [], []
    for rsvp in rsvps_for_my_events(user=request.user):
        (upcoming if rsvp.event.ends_at > now else past).append(rsvp)
    past.reverse()
    return render(request, "events/my_events.html", {"upcoming": upcoming, "past": past})


@require_GET
def seat_qr_view(request: HttpRequest, code: str) -> HttpResponse:
    """The seat code as a QR image (SVG) for the door. The image holds the code and nothing else."""
    rsvp = seat_holder_by_code(code=code)
    if rsvp is None:
        raise Http404("No seat has this code.")
    image = qrcode.make(rsvp.seat_code, image_factory=SvgPathFillImage, box_size=10, border=4)
    response = HttpResponse(image.to_string(encoding="unicode"), content_type="image/svg+xml; charset=utf-8")
    # The same code always makes the same image; private, as a code is meant for its holder.
    response["Cache-Control"] = f"private, max-age={QR_MAX_AGE_SECONDS}, immutable"
    return response
