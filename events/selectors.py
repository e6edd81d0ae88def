"""Reads of events and RSVPs: what the public pages, the services and other apps ask for.

Drafts are invisible to the public everywhere: every public read starts from `events_public()`.
Seats taken (the sum of CONFIRMED party sizes) and the waitlist's length are computed in the same
query as the events (correlated subqueries over the (event, status, queued_at) index), so a list
never runs one query per row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.db.models import Count, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from events.models import RSVP, Event
from portal import roles
from portal.models import District, Language, OfficerProfile

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from portal.models import User

PUBLIC_STATUSES = (Event.Status.PUBLISHED, Event.Status.CANCELLED)
# The accessibility features a visitor can filter by: each is a boolean field of Event.
ACCESSIBILITY_FEATURES = ("step_free_access", "interpreter", "childcare", "captioning")
# Places people hold: a seat, or a place in the queue for one (pending guests hold neither).
HELD_STATUSES = (RSVP.Status.CONFIRMED, RSVP.Status.WAITLISTED)


# --- Seats ----------------------------------------------------------------------------------------


def event_seats_taken(*, event: Event) -> int:
    """The sum of CONFIRMED party sizes (pending guests, the waitlist and cancellations hold none)."""
    taken = RSVP.objects.filter(event=event, status=RSVP.Status.CONFIRMED).aggregate(
        seats=Coalesce(Sum("party_size"), 0)
    )["seats"]
    return int(taken)


def waitlist_length(*, event: Event) -> int:
    """How many RSVPs (parties) are waiting for a seat."""
    return RSVP.objects.filter(event=event, status=RSVP.Status.WAITLISTED).count()


def waitlist_queue(*, event: Event) -> QuerySet[RSVP]:
    """The waitlist, head first: first come, first served by `queued_at`, then by id."""
    return RSVP.objects.filter(event=event, status=RSVP.Status.WAITLISTED).order_by(
        F("queued_at").asc(nulls_last=True), "pk"
    )


def _ahead_in_queue(rsvp: RSVP) -> Q:
    """The waitlisted RSVPs of the same event queued before `rsvp` (by queued_at, then id)."""
    if rsvp.queued_at is None:
        # Defensive: a waitlisted RSVP always has queued_at; one without sorts after all that do.
        return Q(queued_at__isnull=False) | Q(queued_at__isnull=True, pk__lt=rsvp.pk)
    return Q(queued_at__lt=rsvp.queued_at) | Q(queued_at=rsvp.queued_at, pk__lt=rsvp.pk)


def waitlist_position(*, rsvp: RSVP) -> int | None:
    """1 for the head of the waitlist; None when the RSVP is not waitlisted."""
    if rsvp.status != RSVP.Status.WAITLISTED:
        return None
    ahead = RSVP.objects.filter(_ahead_in_queue(rsvp), event_id=rsvp.event_id, status=RSVP.Status.WAITLISTED)
    return ahead.count() + 1


def _seats_taken_subquery() -> Coalesce:
    taken = (
        RSVP.objects.filter(event=OuterRef("pk"), status=RSVP.Status.CONFIRMED)
        .order_by()
        .values("event")
        .annotate(total=Sum("party_size"))
        .values("total")
    )
    return Coalesce(Subquery(taken, output_field=IntegerField()), Value(0))


def _waitlist_length_subquery() -> Coalesce:
    waiting = (
        RSVP.objects.filter(event=OuterRef("pk"), status=RSVP.Status.WAITLISTED)
        .order_by()
        .values("event")
        .annotate(total=Count("pk"))
        .values("total")
    )
    return Coalesce(Subquery(waiting, output_field=IntegerField()), Value(0))


def with_seat_counts(events: QuerySet[Event]) -> QuerySet[Event]:
    """Annotate `seats_taken` and `waitlist_length` in the same query (no query per row)."""
    return events.annotate(seats_taken=_seats_taken_subquery(), waitlist_length=_waitlist_length_subquery())


def rsvp_closed_reason(*, event: Event, now: datetime | None = None) -> str | None:
    """None while an event takes RSVPs; else why not: "draft", "cancelled", "started" or "deadline"."""
    now = now or timezone.now()
    if event.status == Event.Status.DRAFT:
        return "draft"
    if event.status == Event.Status.CANCELLED:
        return "cancelled"
    if event.starts_at <= now:
        return "started"
    if event.rsvp_deadline is not None and event.rsvp_deadline <= now:
        return "deadline"
    return None


def seats_left_of(event: Event, *, seats_taken: int | None = None) -> int | None:
    """Seats still free (never below 0), or None for an event without a limit."""
    if event.capacity is None:
        return None
    taken = seats_taken if seats_taken is not None else getattr(event, "seats_taken", None)
    if taken is None:
        taken = event_seats_taken(event=event)
    return max(0, event.capacity - taken)


# --- Public lists ---------------------------------------------------------------------------------


def events_public() -> QuerySet[Event]:
    """Every event the public may see: published or cancelled, never a draft."""
    return Event.objects.filter(status__in=PUBLIC_STATUSES)


@dataclass(frozen=True)
class EventFilters:
    """What the public list is narrowed by (all optional). Dates are days in the department's zone."""

    district: str = ""  # slug
    kind: str = ""
    language: str = ""  # code
    date_from: date | None = None
    date_to: date | None = None
    accessibility: tuple[str, ...] = ()

    @property
    def active_count(self) -> int:
        return sum(
            (
                bool(self.district),
                bool(self.kind),
                bool(self.language),
                self.date_from is not None,
                self.date_to is not None,
                len(self.accessibility),
            )
        )


def _start_of_day(day: date) -> datetime:
    """Midnight at the start of `day` in the department's time zone (DST-safe)."""
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


def _filtered(events: QuerySet[Event], filters: EventFilters) -> QuerySet[Event]:
    if filters.district:
        events = events.filter(district__slug=filters.district)
    if filters.kind:
        events = events.filter(kind=filters.kind)
    if filters.language:
        # A subquery, not a join: an event offered in several languages is still listed once.
        events = events.filter(
            pk__in=Event.languages.through.objects.filter(language__code=filters.language).values("event_id")
        )
    if filters.date_from is not None:
        events = events.filter(starts_at__gte=_start_of_day(filters.date_from))
    if filters.date_to is not None:
        events = events.filter(starts_at__lt=_start_of_day(filters.date_to + timedelta(days=1)))
    for feature in filters.accessibility:
        if feature in ACCESSIBILITY_FEATURES:
            events = events.filter(**{feature: True})
    return events


def _for_list(events: QuerySet[Event]) -> QuerySet[Event]:
    """What a list row shows: district (joined), seat counts (subqueries) and languages (one query)."""
    return with_seat_counts(
        events.select_related("district").prefetch_related(
            Prefetch("languages", queryset=Language.objects.order_by("code"))
        )
    )


def events_upcoming(*, filters: EventFilters | None = None, now: datetime | None = None) -> QuerySet[Event]:
    """Published events that have not ended, and cancelled ones until they start, soonest first."""
    now = now or timezone.now()
    events = events_public().filter(
        Q(status=Event.Status.PUBLISHED, ends_at__gt=now) | Q(status=Event.Status.CANCELLED, starts_at__gt=now)
    )
    return _for_list(_filtered(events, filters or EventFilters())).order_by("starts_at", "pk")


def events_past(*, filters: EventFilters | None = None, now: datetime | None = None) -> QuerySet[Event]:
    """Published events that have ended, newest first."""
    now = now or timezone.now()
    events = events_public().filter(status=Event.Status.PUBLISHED, ends_at__lte=now)
    return _for_list(_filtered(events, filters or EventFilters())).order_by("-starts_at", "-pk")


def events_upcoming_in(*, district: District, limit: int = 5, now: datetime | None = None) -> list[Event]:
    """A district's next few upcoming events (for its district page)."""
    return list(events_upcoming(filters=EventFilters(district=district.slug), now=now)[:limit])


def event_get_public(*, slug: str) -> Event | None:
    """A published or cancelled event with its seat counts (one query), or None."""
    return with_seat_counts(events_public().select_related("district")).filter(slug=slug).first()


def event_prefetch_public_details(*, event: Event) -> Event:
    """Load what the event page's public part shows: hosts (public officers) and languages."""
    from django.db.models import prefetch_related_objects

    prefetch_related_objects(
        [event],
        Prefetch("hosts", queryset=OfficerProfile.objects.order_by("last_name", "first_name", "pk")),
        Prefetch("languages", queryset=Language.objects.order_by("code")),
    )
    return event


def events_for_department_feed(*, since: datetime) -> QuerySet[Event]:
    """Published and cancelled events starting from `since`, for the public calendar feed."""
    return events_public().filter(starts_at__gte=since).order_by("starts_at", "pk")


# --- Filter choices -------------------------------------------------------------------------------


def district_choices() -> list[tuple[str, str]]:
    """(slug, name) of every district, by name."""
    return list(District.objects.order_by("name").values_list("slug", "name"))


def language_choices() -> list[tuple[str, str]]:
    """(code, name in the reader's language) of every language, by code."""
    return [(language.code, language.display_name) for language in Language.objects.order_by("code")]


# --- A person's RSVPs -----------------------------------------------------------------------------


def rsvp_of_viewer(*, user: User | AnonymousUser | None, event: Event) -> RSVP | None:
    """The viewer's own live RSVP for this event (not a cancelled one), or None.

    The RSVP carries `waitlist_position` (1 = head; None unless waitlisted), computed in the
    same query.
    """
    if user is None or not user.is_authenticated:
        return None
    ahead = RSVP.objects.filter(
        Q(queued_at__lt=OuterRef("queued_at")) | Q(queued_at=OuterRef("queued_at"), pk__lt=OuterRef("pk")),
        event_id=OuterRef("event_id"),
        status=RSVP.Status.WAITLISTED,
    )
    ahead_count = ahead.order_by().values("event_id").annotate(total=Count("pk")).values("total")
    rsvp = (
        RSVP.objects.filter(event=event, user=user)
        .exclude(status=RSVP.Status.CANCELLED)
        .annotate(_ahead=Coalesce(Subquery(ahead_count, output_field=IntegerField()), Value(0)))
        .first()
    )
    if rsvp is None:
        return None
    rsvp.event = event
    rsvp.waitlist_position = rsvp._ahead + 1 if rsvp.status == RSVP.Status.WAITLISTED else None
    return rsvp


def rsvps_held_by(*, user: User) -> QuerySet[RSVP]:
    """A person's seats and waitlist places at events the public can see, soonest first."""
    return (
        RSVP.objects.filter(user=user, status__in=HELD_STATUSES, event__status__in=PUBLIC_STATUSES)
        .select_related("event", "event__district")
        .order_by("event__starts_at", "event_id")
    )


def guest_rsvp_by_token_hash(*, token_hash: str) -> RSVP | None:
    """The guest RSVP whose private link hashes to `token_hash` (with its event), or None."""
    if not token_hash:
        return None
    return RSVP.objects.select_related("event").filter(manage_token_hash=token_hash, user__isnull=True).first()


# --- Hosting and other apps -----------------------------------------------------------------------


def events_hosted_by(*, user: User | AnonymousUser | None) -> QuerySet[Event]:
    """Every event for administrators; the events an officer hosts; none for anyone else."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Event.objects.none()
    if roles.is_administrator(user):
        return Event.objects.all()
    if roles.is_officer(user):
        # One account has at most one officer profile, so the join lists each event once.
        return Event.objects.filter(hosts__user=user)
    return Event.objects.none()


def attendees_of(*, event: Event) -> QuerySet[RSVP]:
    """The confirmed seats of an event, with their accounts, by name."""
    return (
        RSVP.objects.filter(event=event, status=RSVP.Status.CONFIRMED)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "guest_name", "pk")
    )


def event_attendance_for_survey(*, ended_before: datetime) -> QuerySet[RSVP]:
    """RSVPs marked as attended at events that ended before `ended_before` (for feedback surveys)."""
    return (
        RSVP.objects.filter(
            attendance=RSVP.Attendance.ATTENDED,
            event__ends_at__lt=ended_before,
            event__status=Event.Status.PUBLISHED,
        )
        .select_related("event", "user")
        .order_by("event__ends_at", "pk")
    )


# --- Statistics for the transparency dashboard (dashboard helper) --------------------------------


@dataclass(frozen=True)
class AttendancePeriod:
    period: date  # the first day of the bucket, in the department's time zone
    events: int  # published events that started in the bucket (cancelled ones are not counted)
    booked: int  # seats confirmed (party sizes)
    attended: int  # people marked as attended or checked in (party sizes), plus walk-ins


def event_attendance_by_period(
    *, start: datetime, end: datetime, trunc: type, district: District | None = None
) -> list[AttendancePeriod]:
    """Events and their attendance per period, for events starting in [start, end).

    `trunc` is a Django truncation (TruncMonth, TruncQuarter, TruncYear); buckets are cut in the
    current time zone. Two grouped queries (events, then RSVPs) whatever the number of rows.
    """
    zone = timezone.get_current_timezone()
    events = Event.objects.filter(status=Event.Status.PUBLISHED, starts_at__gte=start, starts_at__lt=end).order_by()
    if district is not None:
        events = events.filter(district=district)
    per_event = (
        events.annotate(bucket=trunc("starts_at", tzinfo=zone))
        .values("bucket")
        .annotate(n=Count("pk"), walk_ins=Coalesce(Sum("walk_ins"), 0))
    )
    rsvps = (
        RSVP.objects.filter(event__in=events.values("pk"), status=RSVP.Status.CONFIRMED)
        .order_by()
        .annotate(bucket=trunc("event__starts_at", tzinfo=zone))
        .values("bucket")
        .annotate(
            booked=Coalesce(Sum("party_size"), 0),
            attended=Coalesce(
                Sum(
                    "party_size",
                    filter=Q(attendance=RSVP.Attendance.ATTENDED) | Q(checked_in_at__isnull=False),
                ),
                0,
            ),
        )
    )

    def day(value: datetime | date) -> date:
        if isinstance(value, datetime):
            return (timezone.localtime(value) if timezone.is_aware(value) else value).date()
        return value

    totals: dict[date, dict[str, int]] = {}
    for group in per_event:
        row = totals.setdefault(day(group["bucket"]), {"events": 0, "booked": 0, "attended": 0})
        row["events"] += group["n"]
        row["attended"] += int(group["walk_ins"])
    for group in rsvps:
        row = totals.setdefault(day(group["bucket"]), {"events": 0, "booked": 0, "attended": 0})
        row["booked"] += int(group["booked"])
        row["attended"] += int(group["attended"])
    return [AttendancePeriod(period=key, **value) for key, value in sorted(totals.items())]
