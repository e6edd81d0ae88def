"""Running events: create, change, publish, cancel and duplicate them; check people in at the door,
count walk-ins and record attendance afterwards.

The staff pages and the Django admin both call these. Every change locks the event row first
(so an edit, an RSVP and a cancellation never interleave), raises ValidationError with a code when
a rule says no, queues its emails in the same transaction (the outbox's unique key means one change
emails each person once), and bumps the event's cached fragments after commit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from events import permissions
from events.caching import event_fragments_bump
from events.models import RSVP, Event
from events.selectors import event_seats_taken
from events.services.rsvp import event_lock, waitlist_promote
from portal.models import Language, OfficerProfile, User
from portal.outbox import outbox_enqueue
from portal.roles import is_officer

# What staff may change with event_update (status, sequence and the stamps have services of their own).
EDITABLE_FIELDS = (
    "title",
    "summary",
    "description",
    "kind",
    "district",
    "starts_at",
    "ends_at",
    "venue_name",
    "address",
    "online_url",
    "capacity",
    "rsvp_deadline",
    "step_free_access",
    "interpreter",
    "childcare",
    "captioning",
    "accessibility_notes",
)
MANY_TO_MANY_FIELDS = ("hosts", "languages")
TIME_FIELDS = ("starts_at", "ends_at")
PLACE_FIELDS = ("venue_name", "address", "online_url")
TEXT_FIELDS = ("title", "summary", "description", "venue_name", "address", "online_url", "accessibility_notes")
SLUG_MAX_LENGTH = 120
SLUG_ATTEMPTS = 5
NOTIFIED_STATUSES = (RSVP.Status.CONFIRMED, RSVP.Status.WAITLISTED)


# --- Helpers -----------------------------------------------------------------------------------


def _require(allowed: bool) -> None:
    # Views answer 404/403 before calling; this guards the admin, commands and tasks calling in.
    if not allowed:
        raise PermissionDenied


def _lock(event_id: int) -> Event:
    return event_lock(event_id=event_id)


def _fragments_bump(event_id: int) -> None:
    """After commit, make the event's cached public fragments stale."""
    transaction.on_commit(partial(event_fragments_bump, event_id=event_id))


def rsvp_recipient_language(rsvp: RSVP) -> str:
    """Write to an account holder in the language they chose on their account; to a guest in the
    language they used to RSVP."""
    language = rsvp.user.language if rsvp.user_id else rsvp.language
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def absolute_url(name: str, *, language: str, **kwargs: Any) -> str:
    """A link for an email, in the recipient's language (the /es/ prefix for Spanish)."""
    with translation.override(language):
        return settings.SITE_URL + reverse(name, kwargs=kwargs or None)


def rsvp_links(rsvp: RSVP, *, language: str) -> dict[str, str]:
    """Where an email sends the person: the event page, and where they manage the RSVP and reminders.

    A guest's private link cannot be rebuilt from its stored hash: their emails point to the
    event page and to the link in their confirmation email instead.
    """
    links = {"event_url": absolute_url("events:detail", language=language, slug=rsvp.event.slug)}
    if rsvp.user_id:
        links["manage_url"] = absolute_url("events:mine", language=language)
        links["account_url"] = absolute_url("portal:account", language=language)
    return links


def _recipients(event: Event) -> list[RSVP]:
    """Everyone holding a seat or a waitlist place (pending guests hold neither)."""
    rsvps = event.rsvps.filter(status__in=NOTIFIED_STATUSES).select_related("user").order_by("pk")
    return [rsvp for rsvp in rsvps if rsvp.user_id is None or rsvp.user.is_active]


def _slug_for(title: str, starts_at: datetime) -> str:
    """A free slug: the title; else the title and the day (a monthly series); else a number too."""
    base = slugify(title)[: SLUG_MAX_LENGTH - 16].strip("-") or "event"
    day = timezone.localtime(starts_at).date().isoformat()
    taken = set(Event.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    for candidate in (base, f"{base}-{day}"):
        if candidate not in taken:
            return candidate
    number = 2
    while f"{base}-{day}-{number}" in taken:
        number += 1
    return f"{base}-{day}-{number}"


# --- Rules -------------------------------------------------------------------------------------


def _check(event: Event) -> None:
    """The rules every saved event keeps (field shapes by the model, then ours), field by field."""
    errors: dict[str, list[ValidationError]] = {}
    try:
        event.full_clean(exclude=["slug"], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        errors.update(exc.error_dict)
    if not (event.title or "").strip():
        errors.setdefault("title", []).append(ValidationError(_("Give the event a title."), code="required"))
    if event.starts_at and event.ends_at and event.ends_at <= event.starts_at:
        errors.setdefault("ends_at", []).append(
            ValidationError(_("The event must end after it starts."), code="ends_before_start")
        )
    if event.capacity is not None and event.capacity < 1:
        errors.setdefault("capacity", []).append(
            ValidationError(
                _("Capacity must be at least 1 seat. Leave it empty for no limit."), code="capacity_too_small"
            )
        )
    if event.rsvp_deadline and event.starts_at and event.rsvp_deadline > event.starts_at:
        errors.setdefault("rsvp_deadline", []).append(
            ValidationError(_("The RSVP deadline must be before the event starts."), code="deadline_after_start")
        )
    if errors:
        raise ValidationError(errors)


def _check_publishable(event: Event, *, now: datetime) -> None:
    """What a published event must have: a start in the future, an end after it, somewhere to go."""
    errors: dict[str, list[ValidationError]] = {}
    if event.starts_at <= now:
        errors["starts_at"] = [ValidationError(_("The event must start in the future."), code="starts_in_past")]
    if event.ends_at <= event.starts_at:
        errors["ends_at"] = [ValidationError(_("The event must end after it starts."), code="ends_before_start")]
    if not ((event.venue_name or event.address) or event.online_url):
        errors["venue_name"] = [
            ValidationError(_("Give a place (a venue or an address) or an online meeting link."), code="no_place")
        ]
    if errors:
        raise ValidationError(errors)


# --- Creating and changing events --------------------------------------------------------------


def event_create_check(**values: Any) -> None:
    """The rules event_create applies to these values, without saving (for forms)."""
    fields = {name: value for name, value in values.items() if name in EDITABLE_FIELDS}
    for name in TEXT_FIELDS:
        if fields.get(name, "") is None:
            fields[name] = ""
    _check(Event(**fields))


@transaction.atomic
def event_create(
    *,
    actor: User,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    kind: str = Event.Kind.COMMUNITY_MEETING,
    district: Any = None,
    summary: str = "",
    description: str = "",
    venue_name: str = "",
    address: str = "",
    online_url: str = "",
    capacity: int | None = None,
    rsvp_deadline: datetime | None = None,
    hosts: Iterable[OfficerProfile] = (),
    languages: Iterable[Language] = (),
    step_free_access: bool = False,
    interpreter: bool = False,
    childcare: bool = False,
    captioning: bool = False,
    accessibility_notes: str = "",
) -> Event:
    """A new draft. Its slug comes from the title (unique); an officer who creates it hosts it."""
    _require(permissions.can_host_events(actor))
    own_profile = OfficerProfile.objects.filter(user=actor).first()
    if own_profile is None and not permissions.can_manage_all_events(actor):
        # The officer would host it through their profile; without one they could not open it again.
        raise ValidationError(
            _("Your account is not linked to an officer profile yet. Ask an administrator to link it."),
            code="no_officer_profile",
        )
    event = Event(
        title=(title or "").strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        kind=kind,
        district=district,
        summary=summary,
        description=description,
        venue_name=venue_name,
        address=address,
        online_url=online_url,
        capacity=capacity,
        rsvp_deadline=rsvp_deadline,
        step_free_access=step_free_access,
        interpreter=interpreter,
        childcare=childcare,
        captioning=captioning,
        accessibility_notes=accessibility_notes,
        status=Event.Status.DRAFT,
        created_by=actor,
    )
    _check(event)
    for _attempt in range(SLUG_ATTEMPTS):
        event.slug = _slug_for(event.title, event.starts_at)
        try:
            with transaction.atomic():
                event.save()
            break
        except IntegrityError:
            # Someone took the same slug between our look and our insert: look again.
            event.pk = None
    else:
        raise ValidationError(_("Could not find a free web address for this title. Try again."), code="slug_taken")
    host_ids = {host.pk for host in hosts}
    if own_profile is not None and is_officer(actor):
        host_ids.add(own_profile.pk)
    event.hosts.set(host_ids)
    event.languages.set(list(languages))
    _fragments_bump(event.pk)
    return event


@dataclass(frozen=True)
class _Update:
    before: dict[str, Any]
    time_changed: bool
    place_changed: bool
    more_seats: bool


def _apply_changes(event: Event, *, changes: Mapping[str, Any], actor: User) -> _Update:
    """Set `changes` on the (in-memory) event and check every rule; raises ValidationError."""
    unknown = sorted(set(changes) - set(EDITABLE_FIELDS) - set(MANY_TO_MANY_FIELDS))
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed here: %(fields)s."),
            code="not_editable",
            params={"fields": ", ".join(unknown)},
        )
    if event.is_cancelled:
        raise ValidationError(_("A cancelled event cannot be changed."), code="cancelled")
    before = {name: getattr(event, name) for name in (*TIME_FIELDS, *PLACE_FIELDS, "capacity")}
    for name, value in changes.items():
        if name in EDITABLE_FIELDS:
            # An emptied text field is "", never None (the columns are NOT NULL).
            setattr(event, name, "" if value is None and name in TEXT_FIELDS else value)
    event.title = (event.title or "").strip()
    _check(event)
    time_changed = any(getattr(event, name) != before[name] for name in TIME_FIELDS)
    place_changed = any(getattr(event, name) != before[name] for name in PLACE_FIELDS)
    errors: dict[str, ValidationError] = {}
    if event.is_published:
        if time_changed and event.starts_at <= timezone.now():
            errors["starts_at"] = ValidationError(
                _("A published event must start in the future."), code="starts_in_past"
            )
        if not ((event.venue_name or event.address) or event.online_url):
            errors["venue_name"] = ValidationError(
                _("Give a place (a venue or an address) or an online meeting link."), code="no_place"
            )
    if event.capacity is not None and (before["capacity"] is None or event.capacity < before["capacity"]):
        taken = event_seats_taken(event=event)
        if event.capacity < taken:
            errors["capacity"] = ValidationError(
                _(
                    "%(taken)s seats are already taken, so capacity cannot go below %(taken)s. "
                    "Cancel RSVPs first if you need fewer seats."
                ),
                code="capacity_below_seats",
                params={"taken": taken},
            )
    if "hosts" in changes and not permissions.can_manage_all_events(actor):
        own_profile = OfficerProfile.objects.filter(user=actor).first()
        if own_profile is None or own_profile.pk not in {host.pk for host in changes["hosts"]}:
            # An officer who removed themselves would lose the page they are on.
            errors["hosts"] = ValidationError(
                _("You cannot remove yourself as a host. Ask an administrator to do it."), code="host_self"
            )
    if errors:
        raise ValidationError(errors)
    more_seats = before["capacity"] is not None and (event.capacity is None or event.capacity > before["capacity"])
    return _Update(before=before, time_changed=time_changed, place_changed=place_changed, more_seats=more_seats)


def event_update_check(*, event_id: int, changes: Mapping[str, Any], actor: User) -> None:
    """The rules of event_update without saving (for forms that must show a refusal in place,
    such as the Django admin's); event_update checks again under the lock."""
    event = Event.objects.get(pk=event_id)
    _require(permissions.can_manage_event(actor, event))
    _apply_changes(event, changes=changes, actor=actor)


@transaction.atomic
def event_update(*, event_id: int, changes: Mapping[str, Any], actor: User) -> Event:
    """Change an event. On a published event a new time or place raises the iCalendar SEQUENCE
    and emails everyone with a seat or a waitlist place what changed; more seats promote from the
    waitlist; fewer seats than are taken is refused."""
    event = _lock(event_id)
    _require(permissions.can_manage_event(actor, event))
    update = _apply_changes(event, changes=changes, actor=actor)
    notify = event.is_published and (update.time_changed or update.place_changed)
    if notify:
        event.sequence += 1
    update_fields = [name for name in EDITABLE_FIELDS if name in changes]
    event.save(update_fields=[*update_fields, *(["sequence"] if notify else []), "updated_at"])
    if "hosts" in changes:
        event.hosts.set(list(changes["hosts"]))
    if "languages" in changes:
        event.languages.set(list(changes["languages"]))
    if notify:
        _notify_changed(
            event, before=update.before, time_changed=update.time_changed, place_changed=update.place_changed
        )
    if update.more_seats and event.is_published:
        waitlist_promote(event=event)
    _fragments_bump(event.pk)
    return event


def _notify_changed(event: Event, *, before: dict[str, Any], time_changed: bool, place_changed: bool) -> int:
    """One email per person with a seat or a waitlist place, per revision of the event."""
    old = {name: before[name] for name in (*TIME_FIELDS, *PLACE_FIELDS)}
    new = {name: getattr(event, name) for name in (*TIME_FIELDS, *PLACE_FIELDS)}
    queued = 0
    for rsvp in _recipients(event):
        language = rsvp_recipient_language(rsvp)
        message = outbox_enqueue(
            dedupe_key=f"events.changed:{event.pk}:{event.sequence}:{rsvp.pk}",
            to=rsvp.email,
            template="events/email/event_changed",
            language=language,
            context={
                "event": event,
                "rsvp": rsvp,
                "holds_seat": rsvp.holds_seat,
                "time_changed": time_changed,
                "place_changed": place_changed,
                "online_changed": old["online_url"] != new["online_url"],
                "old": old,
                "new": new,
                **rsvp_links(rsvp, language=language),
            },
        )
        queued += message is not None
    return queued


@transaction.atomic
def event_publish(*, event_id: int, actor: User) -> Event:
    """Draft → published: it appears on the public pages and opens for RSVPs."""
    event = _lock(event_id)
    _require(permissions.can_manage_event(actor, event))
    if event.is_published:
        raise ValidationError(_("This event is already published."), code="already_published")
    if event.is_cancelled:
        raise ValidationError(_("A cancelled event cannot be published."), code="cancelled")
    now = timezone.now()
    _check(event)
    _check_publishable(event, now=now)
    event.status = Event.Status.PUBLISHED
    event.published_at = now
    event.save(update_fields=["status", "published_at", "updated_at"])
    _fragments_bump(event.pk)
    return event


@transaction.atomic
def event_cancel(*, event_id: int, reason: str, actor: User) -> Event:
    """Cancel: RSVPs close, calendars show it cancelled (SEQUENCE + 1), and everyone with a seat
    or a waitlist place is emailed, with the reason."""
    event = _lock(event_id)
    _require(permissions.can_manage_event(actor, event))
    if event.is_cancelled:
        raise ValidationError(_("This event is already cancelled."), code="already_cancelled")
    now = timezone.now()
    if event.ends_at <= now:
        raise ValidationError(_("This event has already ended, so it cannot be cancelled."), code="ended")
    reason = (reason or "").strip()
    max_length = Event._meta.get_field("cancellation_reason").max_length
    if len(reason) > max_length:
        raise ValidationError(
            {
                "reason": ValidationError(
                    _("Keep the reason to %(max)s characters or fewer."), code="max_length", params={"max": max_length}
                )
            }
        )
    event.status = Event.Status.CANCELLED
    event.cancelled_at = now
    event.cancellation_reason = reason
    event.sequence += 1
    event.save(update_fields=["status", "cancelled_at", "cancellation_reason", "sequence", "updated_at"])
    for rsvp in _recipients(event):
        language = rsvp_recipient_language(rsvp)
        outbox_enqueue(
            dedupe_key=f"events.cancelled:{event.pk}:{rsvp.pk}",
            to=rsvp.email,
            template="events/email/event_cancelled",
            language=language,
            context={
                "event": event,
                "rsvp": rsvp,
                "holds_seat": rsvp.holds_seat,
                "reason": reason,
                **rsvp_links(rsvp, language=language),
            },
        )
    _fragments_bump(event.pk)
    return event


@transaction.atomic
def event_duplicate(*, event_id: int, starts_at: datetime, actor: User) -> Event:
    """A copy as a draft at a new time (the next of a monthly series): same everything, a new
    slug, the same length and RSVP deadline lead time, no RSVPs."""
    source = Event.objects.get(pk=event_id)
    _require(permissions.can_manage_event(actor, source))
    if starts_at <= timezone.now():
        raise ValidationError(
            {"starts_at": ValidationError(_("The copy must start in the future."), code="starts_in_past")}
        )
    shift = starts_at - source.starts_at
    return event_create(
        actor=actor,
        title=source.title,
        starts_at=starts_at,
        ends_at=source.ends_at + shift,
        kind=source.kind,
        district=source.district,
        summary=source.summary,
        description=source.description,
        venue_name=source.venue_name,
        address=source.address,
        online_url=source.online_url,
        capacity=source.capacity,
        rsvp_deadline=source.rsvp_deadline + shift if source.rsvp_deadline else None,
        hosts=list(source.hosts.all()),
        languages=list(source.languages.all()),
        step_free_access=source.step_free_access,
        interpreter=source.interpreter,
        childcare=source.childcare,
        captioning=source.captioning,
        accessibility_notes=source.accessibility_notes,
    )


# --- At the door and afterwards ----------------------------------------------------------------


@transaction.atomic
def rsvp_check_in(*, event_id: int, rsvp_id: int, arrived: bool, actor: User) -> RSVP:
    """Mark a seat holder arrived (or, to undo a mistaken tap, not arrived). A second tap keeps
    the first arrival time."""
    event = Event.objects.get(pk=event_id)
    _require(permissions.can_manage_event(actor, event))
    if event.is_cancelled:
        raise ValidationError(_("This event is cancelled."), code="cancelled")
    rsvp = RSVP.objects.select_for_update().filter(pk=rsvp_id, event_id=event_id).first()
    if rsvp is None:
        raise ValidationError(_("There is no such RSVP for this event."), code="not_found")
    if rsvp.status != RSVP.Status.CONFIRMED:
        raise ValidationError(_("Only people with a confirmed seat can be checked in."), code="no_seat")
    if arrived and rsvp.checked_in_at is None:
        rsvp.checked_in_at = timezone.now()
        rsvp.save(update_fields=["checked_in_at"])
    elif not arrived and rsvp.checked_in_at is not None:
        rsvp.checked_in_at = None
        rsvp.save(update_fields=["checked_in_at"])
    return rsvp


@transaction.atomic
def event_walk_ins_adjust(*, event_id: int, delta: int, actor: User) -> Event:
    """Count people who came without an RSVP, one tap at a time (+1, or -1 to correct)."""
    event = _lock(event_id)
    _require(permissions.can_manage_event(actor, event))
    if event.is_cancelled:
        raise ValidationError(_("This event is cancelled."), code="cancelled")
    if event.walk_ins + delta < 0:
        raise ValidationError(_("The walk-in count cannot go below zero."), code="walk_ins_negative")
    event.walk_ins += delta
    event.save(update_fields=["walk_ins", "updated_at"])
    return event


@transaction.atomic
def attendance_record(*, event_id: int, attendance: Mapping[int, str], actor: User) -> int:
    """After the event starts: attended / no-show (or back to not recorded) per confirmed RSVP.
    Returns how many RSVPs changed. The feedback app invites those who attended to a survey."""
    event = _lock(event_id)
    _require(permissions.can_manage_event(actor, event))
    if event.is_cancelled:
        raise ValidationError(_("This event was cancelled, so there is no attendance to record."), code="cancelled")
    if event.starts_at > timezone.now():
        raise ValidationError(_("Attendance can be recorded once the event has started."), code="not_started")
    allowed = set(RSVP.Attendance.values)
    if any(value not in allowed for value in attendance.values()):
        raise ValidationError(_("Choose attended, did not attend, or not recorded."), code="invalid_attendance")
    seats = dict(
        RSVP.objects.filter(event=event, status=RSVP.Status.CONFIRMED, pk__in=list(attendance)).values_list(
            "pk", "attendance"
        )
    )
    if set(attendance) - set(seats):
        raise ValidationError(_("Some of these people do not hold a seat at this event."), code="unknown_rsvp")
    changed = 0
    for value in allowed:
        ids = [pk for pk, wanted in attendance.items() if wanted == value and seats[pk] != value]
        if ids:
            changed += RSVP.objects.filter(pk__in=ids).update(attendance=value)
    return changed
