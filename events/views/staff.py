"""Hosting pages (/staff/events/...): administrators for every event, officers for the events they
host. Everyone else gets 404 on an event's pages (the scoped queryset: "not yours" and "does not
exist" look the same) and 403 on the list and the create page.

Views stay thin: a form parses, one service call (events.services.hosting), render or redirect.
The check-in page works on a phone and without JavaScript; with htmx, marking someone arrived
or counting a walk-in swaps just the row or the counter.
"""

from __future__ import annotations

import csv
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import CharField, Count, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, Concat, Lower, NullIf, Trim
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from events import permissions
from events.forms_staff import (
    AttendanceForm,
    CancelForm,
    CheckinMarkForm,
    CheckinSearchForm,
    DuplicateForm,
    EventForm,
    PublishForm,
    WalkInsForm,
)
from events.models import RSVP, Event
from events.selectors import attendees_of, events_hosted_by
from events.services import hosting
from portal.tokens import short_code_normalize

CHECKIN_PER_PAGE = 50
WAITLIST_SHOWN = 50
DUPLICATE_DEFAULT_GAP = timedelta(weeks=4)
# Cells a spreadsheet would read as a formula (CSV injection); such a cell is prefixed with a quote.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


# --- Helpers -----------------------------------------------------------------------------------


def _posted(request: HttpRequest) -> QueryDict | None:
    return request.POST if request.method == "POST" else None


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _event_for(request: HttpRequest, slug: str) -> Event:
    """The event, if this person runs it; 404 otherwise (never a hint that it exists)."""
    return get_object_or_404(events_hosted_by(user=request.user).select_related("district"), slug=slug)


def _status(form_or_errors: Any) -> int:
    return 400 if form_or_errors.errors else 200


def _add_error(form: Any, exc: ValidationError) -> None:
    """A service's errors next to the fields they are about; the rest above the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _with_counts(events: QuerySet[Event]) -> QuerySet[Event]:
    return events.annotate(
        seats_taken=Coalesce(Sum("rsvps__party_size", filter=Q(rsvps__status=RSVP.Status.CONFIRMED)), 0),
        waitlist_length=Count("rsvps", filter=Q(rsvps__status=RSVP.Status.WAITLISTED)),
    )


def _event_counts(event: Event) -> dict[str, int]:
    """Seats taken, waitlist, pending guests and door figures, in one query."""
    return RSVP.objects.filter(event=event).aggregate(
        seats_taken=Coalesce(Sum("party_size", filter=Q(status=RSVP.Status.CONFIRMED)), 0),
        confirmed=Count("pk", filter=Q(status=RSVP.Status.CONFIRMED)),
        waitlisted=Count("pk", filter=Q(status=RSVP.Status.WAITLISTED)),
        pending=Count("pk", filter=Q(status=RSVP.Status.PENDING)),
        arrived=Count("pk", filter=Q(status=RSVP.Status.CONFIRMED, checked_in_at__isnull=False)),
        arrived_people=Coalesce(
            Sum("party_size", filter=Q(status=RSVP.Status.CONFIRMED, checked_in_at__isnull=False)), 0
        ),
    )


def _seats(event: Event) -> QuerySet[RSVP]:
    """Confirmed seats (events.selectors.attendees_of), by the name the door sees."""
    return (
        attendees_of(event=event)
        .annotate(
            sort_name=Lower(
                Coalesce(
                    NullIf(Trim(Concat("user__first_name", Value(" "), "user__last_name")), Value("")),
                    NullIf("guest_name", Value("")),
                    "user__email",
                    "guest_email",
                    output_field=CharField(),
                )
            )
        )
        .order_by("sort_name", "pk")
    )


def _search(rsvps: QuerySet[RSVP], query: str) -> QuerySet[RSVP]:
    """By name or email (any part), or by seat code (as typed at a door: case, spaces, dashes)."""
    query = query.strip()
    if not query:
        return rsvps
    matches = (
        Q(user__first_name__icontains=query)
        | Q(user__last_name__icontains=query)
        | Q(user__email__icontains=query)
        | Q(guest_name__icontains=query)
        | Q(guest_email__icontains=query)
        | Q(sort_name__contains=query.lower())
    )
    code = short_code_normalize(query)
    if code:
        matches |= Q(seat_code=code)
    return rsvps.filter(matches)


def _checkin_url(event: Event, query: str = "") -> str:
    url = reverse("events:staff-checkin", kwargs={"slug": event.slug})
    return f"{url}?{urlencode({'q': query})}" if query else url


# --- Events ------------------------------------------------------------------------------------


@login_required
@require_GET
def staff_event_list_view(request: HttpRequest) -> HttpResponse:
    _require(permissions.can_host_events(request.user))
    show = request.GET.get("show")
    show = show if show in ("upcoming", "past") else "upcoming"
    now = timezone.now()
    events = _with_counts(events_hosted_by(user=request.user).select_related("district"))
    if show == "past":
        events = events.filter(ends_at__lt=now).order_by("-starts_at", "-pk")
    else:
        events = events.filter(ends_at__gte=now).order_by("starts_at", "pk")
    page = Paginator(events, settings.EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page_obj": page,
        "events": list(page.object_list),
        "show": show,
        "base_query": urlencode({"show": show}),
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "is_administrator": permissions.can_manage_all_events(request.user),
    }
    return render(request, "events/staff/list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def staff_event_create_view(request: HttpRequest) -> HttpResponse:
    _require(permissions.can_host_events(request.user))
    form = EventForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            event = hosting.event_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _add_error(form, exc)
        else:
            messages.success(request, _("The event is saved as a draft. Publish it when it is ready."))
            return redirect("events:staff-detail", slug=event.slug)
    context = {
        "form": form,
        "event": None,
        "needs_profile": not permissions.can_manage_all_events(request.user)
        and getattr(request.user, "officer_profile", None) is None,
    }
    return render(request, "events/staff/form.html", context, status=_status(form))


@login_required
@require_GET
def staff_event_detail_view(request: HttpRequest, slug: str) -> HttpResponse:
    event = _event_for(request, slug)
    waitlist = list(
        RSVP.objects.filter(event=event, status=RSVP.Status.WAITLISTED)
        .select_related("user")
        .order_by(F("queued_at").asc(nulls_last=True), "pk")[:WAITLIST_SHOWN]
    )
    context = {
        "event": event,
        "hosts": list(event.hosts.order_by("last_name", "first_name")),
        "languages": list(event.languages.all()),
        "counts": _event_counts(event),
        "waitlist": waitlist,
        "has_ended": event.ends_at < timezone.now(),
        "has_started": event.has_started,
    }
    return render(request, "events/staff/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def staff_event_edit_view(request: HttpRequest, slug: str) -> HttpResponse:
    event = _event_for(request, slug)
    form = EventForm(_posted(request), initial=EventForm.initial_for(event))
    if request.method == "POST" and not event.is_cancelled and form.is_valid():
        try:
            hosting.event_update(event_id=event.pk, changes=form.changes(), actor=request.user)
        except ValidationError as exc:
            _add_error(form, exc)
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect("events:staff-detail", slug=event.slug)
    status = 400 if form.errors or (request.method == "POST" and event.is_cancelled) else 200
    return render(request, "events/staff/form.html", {"form": form, "event": event}, status=status)


def _confirm_view(
    request: HttpRequest,
    slug: str,
    *,
    form_class: type,
    template: str,
    act: Any,
    done: str,
    initial: Any = None,
    redirect_to: Any = None,
) -> HttpResponse:
    """GET: a confirmation page (with a form when the action needs input). POST: do it."""
    event = _event_for(request, slug)
    form = form_class(_posted(request), initial=initial(event) if initial else None)
    if request.method == "POST" and form.is_valid():
        try:
            result = act(event, form.cleaned_data)
        except ValidationError as exc:
            _add_error(form, exc)
        else:
            messages.success(request, done)
            target = redirect_to(result) if redirect_to else event
            return redirect("events:staff-detail", slug=target.slug)
    context = {"event": event, "form": form, "now": timezone.now()}
    return render(request, template, context, status=_status(form))


@login_required
@require_http_methods(["GET", "POST"])
def staff_event_publish_view(request: HttpRequest, slug: str) -> HttpResponse:
    return _confirm_view(
        request,
        slug,
        form_class=PublishForm,
        template="events/staff/publish.html",
        act=lambda event, data: hosting.event_publish(event_id=event.pk, actor=request.user),
        done=_("The event is published. People can now find it and RSVP."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def staff_event_cancel_view(request: HttpRequest, slug: str) -> HttpResponse:
    return _confirm_view(
        request,
        slug,
        form_class=CancelForm,
        template="events/staff/cancel.html",
        act=lambda event, data: hosting.event_cancel(event_id=event.pk, reason=data["reason"], actor=request.user),
        done=_("The event is cancelled. Everyone with a seat or a waitlist place is being emailed."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def staff_event_duplicate_view(request: HttpRequest, slug: str) -> HttpResponse:
    def initial(event: Event) -> dict[str, Any]:
        starts_at = event.starts_at + DUPLICATE_DEFAULT_GAP
        while starts_at <= timezone.now():
            starts_at += DUPLICATE_DEFAULT_GAP
        return {"starts_at": timezone.localtime(starts_at).replace(second=0, microsecond=0)}

    return _confirm_view(
        request,
        slug,
        form_class=DuplicateForm,
        template="events/staff/duplicate.html",
        act=lambda event, data: hosting.event_duplicate(
            event_id=event.pk, starts_at=data["starts_at"], actor=request.user
        ),
        done=_("The copy is saved as a draft. Check it, then publish it."),
        initial=initial,
        redirect_to=lambda copy: copy,
    )


# --- Attendee list -----------------------------------------------------------------------------


def csv_safe(value: object) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text


@login_required
@require_GET
def staff_attendees_csv_view(request: HttpRequest, slug: str) -> HttpResponse:
    event = _event_for(request, slug)
    with_contacts = permissions.can_view_attendee_contacts(request.user, event)
    rsvps = (
        RSVP.objects.filter(event=event, status__in=[RSVP.Status.CONFIRMED, RSVP.Status.WAITLISTED])
        .select_related("user")
        .order_by("status", F("queued_at").asc(nulls_first=True), "pk")
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{event.slug}-attendees.csv"'
    response["Cache-Control"] = "no-store"
    writer = csv.writer(response)
    header = [_("Name"), *([_("Email address")] if with_contacts else []), _("Party size"), _("Seat code")]
    writer.writerow([*header, _("Status"), _("Checked in at"), _("Attendance")])
    for rsvp in rsvps:
        checked_in = timezone.localtime(rsvp.checked_in_at).strftime("%Y-%m-%d %H:%M") if rsvp.checked_in_at else ""
        row = [rsvp.display_name, *([rsvp.email] if with_contacts else []), rsvp.party_size, rsvp.seat_code]
        row += [rsvp.get_status_display(), checked_in, rsvp.get_attendance_display()]
        writer.writerow([csv_safe(cell) for cell in row])
    return response


# --- At the door -------------------------------------------------------------------------------


def _checkin_context(request: HttpRequest, event: Event, query: str) -> dict[str, Any]:
    rsvps = _search(_seats(event), query)
    page = Paginator(rsvps, CHECKIN_PER_PAGE).get_page(request.GET.get("page"))
    return {
        "event": event,
        "rows": list(page.object_list),
        "page_obj": page,
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1),
        "base_query": urlencode({"q": query}) if query else "",
        "q": query,
        "counts": _event_counts(event),
    }


@login_required
@require_GET
def staff_checkin_view(request: HttpRequest, slug: str) -> HttpResponse:
    event = _event_for(request, slug)
    form = CheckinSearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    context = {**_checkin_context(request, event, query), "form": form}
    return render(request, "events/staff/checkin.html", context, status=_status(form) if request.GET else 200)


@require_POST
@login_required
def staff_checkin_mark_view(request: HttpRequest, slug: str, rsvp_id: int) -> HttpResponse:
    event = _event_for(request, slug)
    rsvp = get_object_or_404(_seats(event), pk=rsvp_id)
    form = CheckinMarkForm(request.POST)
    query = form.data.get("q", "")[:100]
    error = ""
    if not form.is_valid():
        error = _("Choose arrived or not arrived.")
    else:
        try:
            rsvp = hosting.rsvp_check_in(
                event_id=event.pk, rsvp_id=rsvp.pk, arrived=form.cleaned_data["arrived"], actor=request.user
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            rsvp = _seats(event).get(pk=rsvp.pk)
    if request.htmx:
        context = {"event": event, "rsvp": rsvp, "q": query, "error": error, "counts": _event_counts(event)}
        return render(request, "events/staff/_checkin_row.html", {**context, "oob": True}, status=400 if error else 200)
    if error:
        messages.error(request, error)
    elif rsvp.checked_in_at:
        messages.success(request, _("%(name)s is marked as arrived.") % {"name": rsvp.display_name})
    else:
        messages.info(request, _("%(name)s is marked as not arrived.") % {"name": rsvp.display_name})
    return redirect(_checkin_url(event, query))


@require_POST
@login_required
def staff_walk_ins_view(request: HttpRequest, slug: str) -> HttpResponse:
    event = _event_for(request, slug)
    form = WalkInsForm(request.POST)
    query = request.POST.get("q", "")[:100]
    error = ""
    if not form.is_valid():
        error = _("Choose +1 or -1.")
    else:
        try:
            event = hosting.event_walk_ins_adjust(
                event_id=event.pk, delta=form.cleaned_data["change"], actor=request.user
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
    if request.htmx:
        context = {"event": event, "q": query, "error": error}
        return render(request, "events/staff/_walk_ins.html", context, status=400 if error else 200)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Walk-ins: %(count)s.") % {"count": event.walk_ins})
    return redirect(_checkin_url(event, query))


# --- After the event ---------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def staff_attendance_view(request: HttpRequest, slug: str) -> HttpResponse:
    event = _event_for(request, slug)
    can_record = event.has_started and not event.is_cancelled
    rsvps = list(_seats(event)) if can_record else []
    form = AttendanceForm(_posted(request), rsvps=rsvps)
    if request.method == "POST":
        if not can_record:
            form.add_error(None, _("Attendance can be recorded once the event has started."))
        elif form.is_valid():
            try:
                changed = hosting.attendance_record(event_id=event.pk, attendance=form.attendance(), actor=request.user)
            except ValidationError as exc:
                _add_error(form, exc)
            else:
                messages.success(request, _("Attendance is saved (%(count)s changed).") % {"count": changed})
                return redirect("events:staff-detail", slug=event.slug)
    context = {"event": event, "form": form, "can_record": can_record, "counts": _event_counts(event)}
    return render(request, "events/staff/attendance.html", context, status=_status(form))
