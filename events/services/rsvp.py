"""RSVPs: seats, the waitlist, guests' private links, seat codes, and the mail each change sends.

Every change that can move a seat locks the event row first (`event_lock`), so two requests for
the last seat are served one after the other, on PostgreSQL as well as on SQLite: seats taken
(the sum of CONFIRMED party sizes) is read and changed only while the lock is held.

The waitlist is first come, first served by (queued_at, pk). While anyone is waiting, a newcomer
joins the queue even if a few seats are free; freed seats go to the head of the queue while the
head's whole party fits (the head is never skipped and a party is never split).
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Case, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from events import selectors
from events.caching import event_fragments_bump
from events.models import RSVP, Event
from portal import tokens
from portal.outbox import outbox_enqueue

if TYPE_CHECKING:
    from portal.models import User

# The purpose that keys the HMAC of guests' private links (portal.tokens.token_hash).
RSVP_TOKEN_PURPOSE = "events.rsvp"  # noqa: S105 — a label, not a secret
# A fresh seat code collides with a stored one about once in 25^8 / rows; a few tries are plenty.
SEAT_CODE_ATTEMPTS = 5
SEAT_CODE_LENGTH = 8
GUEST_NAME_MAX_LENGTH = 150
GUEST_EMAIL_MAX_LENGTH = 254
# Longer than any token_new() output: such a "token" is not looked up at all.
TOKEN_MAX_LENGTH = 100

Status = RSVP.Status
ACTIVE_STATUSES = (Status.PENDING, Status.CONFIRMED, Status.WAITLISTED)


# --- Reads (the shared ones live in events.selectors) ----------------------------------------


def guest_rsvp_get(*, token: str) -> RSVP | None:
    """The guest RSVP a private link opens (not one of a draft event), or None for a wrong token."""
    if not token or len(token) > TOKEN_MAX_LENGTH:
        return None
    rsvp = selectors.guest_rsvp_by_token_hash(token_hash=tokens.token_hash(token, purpose=RSVP_TOKEN_PURPOSE))
    if rsvp is None or rsvp.event.status == Event.Status.DRAFT:
        return None
    return rsvp


def rsvps_for_my_events(*, user: User) -> QuerySet[RSVP]:
    """A person's seats and waitlist places, soonest event first, each with `waitlist_position`
    (1 = head of the queue; None unless waitlisted) from the same query."""
    ahead = (
        RSVP.objects.filter(
            Q(queued_at__lt=OuterRef("queued_at")) | Q(queued_at=OuterRef("queued_at"), pk__lt=OuterRef("pk")),
            event_id=OuterRef("event_id"),
            status=Status.WAITLISTED,
        )
        .order_by()
        .values("event_id")
        .annotate(total=Count("pk"))
        .values("total")
    )
    return selectors.rsvps_held_by(user=user).annotate(
        waitlist_position=Case(
            When(status=Status.WAITLISTED, then=Coalesce(Subquery(ahead, output_field=IntegerField()), Value(0)) + 1),
            default=None,
            output_field=IntegerField(),
        )
    )


def seat_holder_by_code(*, code: str) -> RSVP | None:
    """The confirmed RSVP with this seat code (as typed: case, spaces and dashes do not matter)."""
    normalized = tokens.short_code_normalize(code or "")
    if len(normalized) != SEAT_CODE_LENGTH or not set(normalized) <= set(tokens.SHORT_CODE_ALPHABET):
        return None
    return RSVP.objects.filter(seat_code=normalized, status=Status.CONFIRMED).first()


CLOSED_MESSAGES = {
    "draft": _("This event is not open for RSVPs."),
    "cancelled": _("This event is cancelled, so RSVPs are closed."),
    "started": _("This event has already started, so RSVPs are closed."),
    "deadline": _("The RSVP deadline for this event has passed."),
}
CLOSED_CODES = {
    "draft": "not_open",
    "cancelled": "event_cancelled",
    "started": "event_started",
    "deadline": "deadline_passed",
}


def rsvp_closed_error(*, event: Event, now: datetime | None = None) -> ValidationError | None:
    """Why nobody may RSVP to this event now (a ValidationError to raise or show), or None."""
    reason = selectors.rsvp_closed_reason(event=event, now=now)
    if reason is None:
        return None
    return ValidationError(CLOSED_MESSAGES[reason], code=CLOSED_CODES[reason])


# --- Locking and rules -------------------------------------------------------------------------


def event_lock(*, event_id: int) -> Event:
    """The event row, locked until the surrounding transaction ends (call inside one)."""
    return Event.objects.select_for_update().get(pk=event_id)


def _check_party_size(*, party_size: Any, event: Event) -> None:
    maximum = settings.EVENTS_MAX_PARTY_SIZE
    if isinstance(party_size, bool) or not isinstance(party_size, int) or not 1 <= party_size <= maximum:
        raise ValidationError(
            _("Party size must be a whole number from 1 to %(maximum)s."),
            code="party_size",
            params={"maximum": maximum},
        )
    if event.capacity is not None and party_size > event.capacity:
        # A party larger than the room would block the head of the waitlist for ever.
        raise ValidationError(
            ngettext_lazy(
                "This event has %(capacity)s seat in all, so a party of %(party_size)s cannot fit.",
                "This event has %(capacity)s seats in all, so a party of %(party_size)s cannot fit.",
                "capacity",
            ),
            code="party_too_large",
            params={"capacity": event.capacity, "party_size": party_size},
        )


def _check_open(*, event: Event, now: datetime) -> None:
    error = rsvp_closed_error(event=event, now=now)
    if error is not None:
        raise error


def _check_can_still_change(*, event: Event, rsvp: RSVP, now: datetime) -> None:
    if event.status == Event.Status.CANCELLED:
        raise ValidationError(_("This event is cancelled, so RSVPs can no longer change."), code="event_cancelled")
    if event.starts_at <= now:
        raise ValidationError(_("This event has already started, so RSVPs can no longer change."), code="event_started")
    if rsvp.status == Status.CANCELLED:
        raise ValidationError(_("This RSVP is cancelled. You can RSVP again instead."), code="rsvp_cancelled")


def _is_verified(user: User) -> bool:
    return EmailAddress.objects.filter(user=user, verified=True).exists()


# --- Links in mail -----------------------------------------------------------------------------


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _language_of(rsvp: RSVP) -> str:
    language = rsvp.user.language if rsvp.user_id else rsvp.language
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def guest_manage_url(*, token: str, language: str) -> str:
    with translation.override(language):
        return _absolute(reverse("events:guest-manage", kwargs={"token": token}))


def _links(*, rsvp: RSVP, event: Event, token: str | None) -> dict[str, str]:
    """Where the mail points: managing the RSVP, and the calendar file (guests: their private link)."""
    language = _language_of(rsvp)
    with translation.override(language):
        links = {
            "event_url": _absolute(event.get_absolute_url()),
            "seat_qr_url": _absolute(reverse("events:seat-qr", kwargs={"code": rsvp.seat_code})),
        }
        if rsvp.is_guest:
            if token:
                links["manage_url"] = _absolute(reverse("events:guest-manage", kwargs={"token": token}))
                links["ics_url"] = _absolute(reverse("events_feeds:guest", kwargs={"token": token}))
        else:
            links["manage_url"] = _absolute(reverse("events:rsvp", kwargs={"slug": event.slug}))
            links["mine_url"] = _absolute(reverse("events:mine"))
            links["ics_url"] = _absolute(reverse("events_feeds:event", kwargs={"slug": event.slug}))
    return links


def _stamp(moment: datetime | None) -> str:
    return f"{moment.timestamp():.6f}" if moment else "none"


def _mail(*, rsvp: RSVP, event: Event, kind: str, moment: datetime | None, token: str | None, **extra: Any) -> None:
    """Queue one mail about this RSVP, in the holder's language, once per meaningful change."""
    context: dict[str, Any] = {"rsvp": rsvp, "event": event, **_links(rsvp=rsvp, event=event, token=token), **extra}
    outbox_enqueue(
        dedupe_key=f"events.rsvp-{kind}:{rsvp.pk}:{_stamp(moment)}",
        to=rsvp.email,
        template=f"events/email/rsvp_{kind}",
        context=context,
        language=_language_of(rsvp),
    )


def _capacity_alerts(*, event: Event, before: int, after: int) -> None:
    """Tell the hosts, once per threshold, when seats taken first reach a share of capacity."""
    if not event.capacity or after <= before:
        return
    reached = [
        percent
        for percent in settings.EVENTS_CAPACITY_ALERT_PERCENTS
        if before * 100 < percent * event.capacity <= after * 100
    ]
    if not reached:
        return
    from portal.models import User

    hosts = User.objects.filter(officer_profile__in=event.hosts.all(), is_active=True).order_by("pk")
    for host in hosts:
        language = host.language if host.language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        with translation.override(language):
            staff_url = _absolute(reverse("events:staff-detail", kwargs={"slug": event.slug}))
        for percent in reached:
            outbox_enqueue(
                # One key per host: the outbox holds one recipient per message.
                dedupe_key=f"events.capacity:{event.pk}:{percent}:{host.pk}",
                to=host.email,
                template="events/email/capacity_alert",
                context={
                    "event": event,
                    "percent": percent,
                    "seats_taken": after,
                    "capacity": event.capacity,
                    "staff_url": staff_url,
                },
                language=language,
            )


def _seats_changed(*, event: Event) -> None:
    """Cached public fragments show seats left: make them stale once this transaction commits."""
    transaction.on_commit(partial(event_fragments_bump, event_id=event.pk))


# --- Placing an RSVP: a seat or the queue ------------------------------------------------------


def _confirm(*, rsvp: RSVP, now: datetime) -> None:
    rsvp.status = Status.CONFIRMED
    rsvp.confirmed_at = now
    rsvp.save(update_fields=["status", "confirmed_at"])


def _place(*, rsvp: RSVP, event: Event, now: datetime, token: str | None = None) -> RSVP:
    """Seat the RSVP when its party fits and nobody is waiting; otherwise queue it at the end."""
    taken = selectors.event_seats_taken(event=event)
    fits = event.capacity is None or taken + rsvp.party_size <= event.capacity
    someone_waiting = selectors.waitlist_queue(event=event).exclude(pk=rsvp.pk).exists()
    if fits and not someone_waiting:
        _confirm(rsvp=rsvp, now=now)
        _mail(rsvp=rsvp, event=event, kind="confirmed", moment=rsvp.confirmed_at, token=token)
        _capacity_alerts(event=event, before=taken, after=taken + rsvp.party_size)
    else:
        rsvp.status = Status.WAITLISTED
        rsvp.queued_at = now
        rsvp.save(update_fields=["status", "queued_at"])
        _mail(
            rsvp=rsvp,
            event=event,
            kind="waitlisted",
            moment=rsvp.queued_at,
            token=token,
            position=selectors.waitlist_position(rsvp=rsvp),
        )
    _seats_changed(event=event)
    return rsvp


def waitlist_promote(*, event: Event) -> list[RSVP]:
    """Seat waiting parties from the head of the queue while the head's whole party fits.

    Call with the event row locked (event_lock) inside a transaction: after a cancellation, a
    smaller party, or a larger capacity. Each promoted person is emailed. Nothing moves for a
    cancelled event or one that has started.
    """
    now = timezone.now()
    if event.status != Event.Status.PUBLISHED or event.starts_at <= now:
        return []
    taken = selectors.event_seats_taken(event=event)
    before = taken
    promoted: list[RSVP] = []
    for rsvp in selectors.waitlist_queue(event=event).select_related("user"):
        if event.capacity is not None and taken + rsvp.party_size > event.capacity:
            break  # the head does not fit: nobody behind it jumps the queue
        _confirm(rsvp=rsvp, now=now)
        taken += rsvp.party_size
        promoted.append(rsvp)
        _mail(rsvp=rsvp, event=event, kind="promoted", moment=rsvp.confirmed_at, token=None)
    if promoted:
        _capacity_alerts(event=event, before=before, after=taken)
        _seats_changed(event=event)
    return promoted


def _new_seat_code_rsvp(*, duplicate: Q, **fields: Any) -> RSVP:
    """Insert an RSVP with a fresh seat code; a duplicate person becomes a ValidationError."""
    for _attempt in range(SEAT_CODE_ATTEMPTS):
        try:
            with transaction.atomic():
                return RSVP.objects.create(seat_code=tokens.short_code_new(), **fields)
        except IntegrityError:
            if RSVP.objects.filter(duplicate).exists():
                raise _duplicate_error() from None
            # Otherwise the seat code was taken: draw another.
    raise ValidationError(_("Something went wrong. Please try again."), code="seat_code")


def _duplicate_error() -> ValidationError:
    return ValidationError(_("You already have an RSVP for this event."), code="duplicate")


# --- With an account ---------------------------------------------------------------------------


def rsvp_create(*, event_id: int, user: User, party_size: int) -> RSVP:
    """A verified person's RSVP: a seat when one is free and nobody waits, else a waitlist place.

    One per person per event; someone whose RSVP was cancelled may RSVP again (the same row, at
    the end of the queue).
    """
    if not user.is_authenticated or not user.is_active or not _is_verified(user):
        raise ValidationError(_("Confirm your email address before you RSVP."), code="not_verified")
    with transaction.atomic():
        event = event_lock(event_id=event_id)
        # The moment is taken once the lock is held, so queue order is lock order.
        now = timezone.now()
        _check_open(event=event, now=now)
        _check_party_size(party_size=party_size, event=event)
        existing = RSVP.objects.filter(event=event, user=user).first()
        if existing is not None and existing.status != Status.CANCELLED:
            raise _duplicate_error()
        if existing is not None:
            rsvp = existing
            rsvp.party_size = party_size
            rsvp.language = user.language
            rsvp.status = Status.PENDING
            rsvp.queued_at = rsvp.confirmed_at = rsvp.cancelled_at = rsvp.checked_in_at = None
            rsvp.attendance = RSVP.Attendance.UNKNOWN
            rsvp.save(
                update_fields=[
                    "party_size",
                    "language",
                    "status",
                    "queued_at",
                    "confirmed_at",
                    "cancelled_at",
                    "checked_in_at",
                    "attendance",
                ]
            )
        else:
            rsvp = _new_seat_code_rsvp(
                duplicate=Q(event=event, user=user),
                event=event,
                user=user,
                party_size=party_size,
                language=user.language,
                status=Status.PENDING,
                created_at=now,
            )
        return _place(rsvp=rsvp, event=event, now=now)


def _change_party(*, rsvp_id: int, party_size: int, owner: User | None, token: str | None) -> RSVP:
    with transaction.atomic():
        event_id = RSVP.objects.values_list("event_id", flat=True).get(pk=rsvp_id)
        event = event_lock(event_id=event_id)
        rsvp = RSVP.objects.select_related("user").get(pk=rsvp_id)
        if owner is not None and rsvp.user_id != owner.pk:
            raise ValidationError(_("This is not your RSVP."), code="not_yours")
        now = timezone.now()
        _check_can_still_change(event=event, rsvp=rsvp, now=now)
        _check_party_size(party_size=party_size, event=event)
        old_size = rsvp.party_size
        if party_size == old_size:
            return rsvp
        growing = party_size > old_size
        if growing:
            deadline = rsvp_closed_error(event=event, now=now)
            if deadline is not None:
                raise ValidationError(
                    _("The RSVP deadline has passed: you can make your party smaller, but not larger."),
                    code="deadline_passed",
                )
        if growing and rsvp.status == Status.CONFIRMED:
            if selectors.waitlist_queue(event=event).exists():
                raise ValidationError(
                    _("People are waiting for seats, so your party cannot grow now. Your seats are kept."),
                    code="waitlist_not_empty",
                )
            taken = selectors.event_seats_taken(event=event)
            if event.capacity is not None and taken + (party_size - old_size) > event.capacity:
                raise ValidationError(
                    _("There are not enough free seats for a larger party. Your seats are kept."),
                    code="no_seats",
                )
            rsvp.party_size = party_size
            rsvp.save(update_fields=["party_size"])
            _capacity_alerts(event=event, before=taken, after=taken + party_size - old_size)
        else:
            # A smaller seated party frees seats; a waiting party keeps its place in the queue.
            rsvp.party_size = party_size
            rsvp.save(update_fields=["party_size"])
        if rsvp.status in (Status.CONFIRMED, Status.WAITLISTED):
            waitlist_promote(event=event)
            _seats_changed(event=event)
        rsvp.refresh_from_db(fields=["status", "confirmed_at"])
        return rsvp


def rsvp_change_party(*, rsvp_id: int, party_size: int, actor: User) -> RSVP:
    """Change the party size of `actor`'s own RSVP.

    A seated party grows only into free seats and only while nobody is waiting (otherwise it keeps
    its seats and gets a clear error); a smaller party frees seats for the waitlist.
    """
    return _change_party(rsvp_id=rsvp_id, party_size=party_size, owner=actor, token=None)


def _cancel(*, rsvp_id: int, owner: User | None, notify: bool, token: str | None) -> RSVP:
    with transaction.atomic():
        event_id = RSVP.objects.values_list("event_id", flat=True).get(pk=rsvp_id)
        event = event_lock(event_id=event_id)
        rsvp = RSVP.objects.select_related("user").get(pk=rsvp_id)
        if owner is not None and rsvp.user_id != owner.pk:
            raise ValidationError(_("This is not your RSVP."), code="not_yours")
        if rsvp.status == Status.CANCELLED:
            return rsvp  # a second submit of the same form: nothing more to do
        now = timezone.now()
        if event.starts_at <= now and event.status != Event.Status.CANCELLED:
            raise ValidationError(
                _("This event has already started, so RSVPs can no longer change."), code="event_started"
            )
        held = rsvp.status in (Status.CONFIRMED, Status.WAITLISTED)
        rsvp.status = Status.CANCELLED
        rsvp.cancelled_at = now
        rsvp.save(update_fields=["status", "cancelled_at"])
        if notify:
            _mail(rsvp=rsvp, event=event, kind="cancelled", moment=rsvp.cancelled_at, token=token)
        if held:
            waitlist_promote(event=event)
            _seats_changed(event=event)
        return rsvp


def rsvp_cancel(*, rsvp_id: int, actor: User, notify: bool = True) -> RSVP:
    """Cancel `actor`'s own RSVP; its seats go to the waitlist. Safe to submit twice."""
    return _cancel(rsvp_id=rsvp_id, owner=actor, notify=notify, token=None)


# --- Without an account ------------------------------------------------------------------------


def _clean_guest(*, name: str, email: str, language: str) -> tuple[str, str, str]:
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("Enter your name."), code="name_required")
    if len(name) > GUEST_NAME_MAX_LENGTH:
        raise ValidationError(
            _("Your name can be at most %(limit)s characters long."),
            code="name_too_long",
            params={"limit": GUEST_NAME_MAX_LENGTH},
        )
    email = (email or "").strip().lower()
    if len(email) > GUEST_EMAIL_MAX_LENGTH:
        raise ValidationError(_("That email address is too long."), code="email_too_long")
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(_("Enter a valid email address."), code="email_invalid") from None
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    return name, email, language


def _send_guest_link(*, rsvp: RSVP, event: Event, token: str, again: bool) -> None:
    outbox_enqueue(
        # A new link is a new message; the same link is never mailed twice.
        dedupe_key=f"events.guest-link:{rsvp.pk}:{rsvp.manage_token_hash[:24]}",
        to=rsvp.guest_email,
        template="events/email/guest_link",
        context={
            "rsvp": rsvp,
            "event": event,
            "again": again,
            "manage_url": guest_manage_url(token=token, language=rsvp.language),
        },
        language=rsvp.language,
    )


def guest_rsvp_create(*, event_id: int, name: str, email: str, party_size: int, language: str) -> tuple[RSVP, str]:
    """An RSVP without an account: PENDING (no seat) until the emailed link is followed.

    Returns the RSVP and the secret of its private link (only its HMAC is stored). One RSVP per
    email per event: asking again for the same email mails a fresh link to that address (the old
    link stops working) and changes nothing else, so someone typing another person's address
    learns nothing and can change nothing.
    """
    name, email, language = _clean_guest(name=name, email=email, language=language)
    token = tokens.token_new()
    digest = tokens.token_hash(token, purpose=RSVP_TOKEN_PURPOSE)
    with transaction.atomic():
        event = event_lock(event_id=event_id)
        now = timezone.now()
        _check_open(event=event, now=now)
        _check_party_size(party_size=party_size, event=event)
        existing = RSVP.objects.filter(event=event, user__isnull=True, guest_email=email).first()
        if existing is not None and existing.status != Status.CANCELLED:
            existing.manage_token_hash = digest
            existing.save(update_fields=["manage_token_hash"])
            _send_guest_link(rsvp=existing, event=event, token=token, again=True)
            return existing, token
        if existing is not None:
            rsvp = existing
            rsvp.guest_name, rsvp.language, rsvp.party_size = name, language, party_size
            rsvp.manage_token_hash = digest
            rsvp.status = Status.PENDING
            rsvp.queued_at = rsvp.confirmed_at = rsvp.cancelled_at = rsvp.checked_in_at = None
            rsvp.attendance = RSVP.Attendance.UNKNOWN
            rsvp.save(
                update_fields=[
                    "guest_name",
                    "language",
                    "party_size",
                    "manage_token_hash",
                    "status",
                    "queued_at",
                    "confirmed_at",
                    "cancelled_at",
                    "checked_in_at",
                    "attendance",
                ]
            )
        else:
            try:
                rsvp = _new_seat_code_rsvp(
                    duplicate=Q(event=event, user__isnull=True, guest_email=email),
                    event=event,
                    guest_name=name,
                    guest_email=email,
                    manage_token_hash=digest,
                    language=language,
                    party_size=party_size,
                    status=Status.PENDING,
                    created_at=now,
                )
            except ValidationError as exc:
                if exc.code != "duplicate":
                    raise
                # Unreachable while the event lock serialises requests; kept so a duplicate
                # address still gets its link rather than an error.
                existing = RSVP.objects.get(event=event, user__isnull=True, guest_email=email)
                existing.manage_token_hash = digest
                existing.save(update_fields=["manage_token_hash"])
                _send_guest_link(rsvp=existing, event=event, token=token, again=True)
                return existing, token
        _send_guest_link(rsvp=rsvp, event=event, token=token, again=False)
        return rsvp, token


def _guest_rsvp_id(token: str) -> int:
    rsvp = guest_rsvp_get(token=token)
    if rsvp is None:
        raise ValidationError(_("This link does not work. Check that you copied all of it."), code="not_found")
    return rsvp.pk


def guest_rsvp_confirm(*, token: str) -> RSVP:
    """Following the emailed link (by a POST, not a prefetched GET): the same seat rules as anyone.

    Confirming again does nothing; so does confirming a seat or waitlist place already held.
    """
    rsvp_id = _guest_rsvp_id(token)
    with transaction.atomic():
        event = event_lock(event_id=RSVP.objects.values_list("event_id", flat=True).get(pk=rsvp_id))
        rsvp = RSVP.objects.get(pk=rsvp_id)
        if rsvp.status in (Status.CONFIRMED, Status.WAITLISTED):
            return rsvp
        if rsvp.status == Status.CANCELLED:
            raise ValidationError(_("This RSVP is cancelled. You can RSVP again instead."), code="rsvp_cancelled")
        now = timezone.now()
        _check_open(event=event, now=now)
        return _place(rsvp=rsvp, event=event, now=now, token=token)


def guest_rsvp_change_party(*, token: str, party_size: int) -> RSVP:
    """Change the party size through the private link: the same rules as rsvp_change_party."""
    return _change_party(rsvp_id=_guest_rsvp_id(token), party_size=party_size, owner=None, token=token)


def guest_rsvp_cancel(*, token: str) -> RSVP:
    """Cancel through the private link; its seats go to the waitlist. Safe to submit twice."""
    return _cancel(rsvp_id=_guest_rsvp_id(token), owner=None, notify=True, token=token)


# --- Deleting an account -----------------------------------------------------------------------


def rsvps_erase_for(*, user: User) -> int:
    """For account deletion: cancel the person's places at future events (their seats go to the
    waitlist) and keep nothing that names them. Returns how many places were given up.

    Past seats stay (attendance counts), tied only to the anonymised account. Guest RSVPs made
    with the same address lose the name and address; future ones are cancelled first.
    """
    now = timezone.now()
    given_up = 0
    future = Q(event__starts_at__gt=now, status__in=ACTIVE_STATUSES)
    for rsvp_id in RSVP.objects.filter(future, user=user).values_list("pk", flat=True):
        _cancel(rsvp_id=rsvp_id, owner=None, notify=False, token=None)
        given_up += 1
    address = (user.email or "").lower()
    guest_rows = RSVP.objects.filter(user__isnull=True, guest_email=address) if address else RSVP.objects.none()
    for rsvp_id in guest_rows.filter(future).values_list("pk", flat=True):
        _cancel(rsvp_id=rsvp_id, owner=None, notify=False, token=None)
        given_up += 1
    for rsvp in guest_rows.only("pk"):
        rsvp.guest_name = ""
        rsvp.guest_email = f"erased-{rsvp.pk}@invalid.example"
        rsvp.manage_token_hash = ""
        rsvp.save(update_fields=["guest_name", "guest_email", "manage_token_hash"])
    # Nothing left to keep of places never held or given up (past seats stay, see above).
    RSVP.objects.filter(user=user).exclude(status=Status.CONFIRMED).delete()
    return given_up


# --- Reminders ---------------------------------------------------------------------------------


@transaction.atomic
def rsvp_reminders_set(*, rsvp_id: int, enabled: bool) -> RSVP:
    """Turn reminder emails for one RSVP on or off (guests through their private link, account
    holders for one event; the account's own preference still applies on top). Setting the value
    it already has changes nothing, so a second submit is harmless. Callers check who may do it."""
    if not isinstance(enabled, bool):
        raise ValidationError(_("Choose whether to get reminders."), code="invalid_choice")
    rsvp = RSVP.objects.select_for_update().filter(pk=rsvp_id).first()
    if rsvp is None:
        raise ValidationError(_("There is no such RSVP."), code="not_found")
    if rsvp.reminders != enabled:
        rsvp.reminders = enabled
        rsvp.save(update_fields=["reminders"])
    return rsvp
