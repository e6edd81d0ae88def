"""Outreach events, the seats people hold at them, and the feeds they subscribe to."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.models import District, Language, OfficerProfile


class Event(models.Model):
    class Kind(models.TextChoices):
        COMMUNITY_MEETING = "community_meeting", _("Community meeting")
        COFFEE_WITH_A_COP = "coffee_with_a_cop", _("Coffee with a cop")
        SCHOOL_PROGRAM = "school_program", _("School program")
        SAFETY_WORKSHOP = "safety_workshop", _("Safety workshop")
        CITIZEN_ACADEMY = "citizen_academy", _("Citizen academy")
        YOUTH_ACTIVITY = "youth_activity", _("Youth activity")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CANCELLED = "cancelled", _("Cancelled")

    slug = models.SlugField(_("slug"), max_length=140, unique=True)
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True, max_length=10000)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices, default=Kind.COMMUNITY_MEETING)
    district = models.ForeignKey(
        District, verbose_name=_("district"), null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    # Where: a place (shown to everyone) and/or an online link (shown only to people with a seat).
    venue_name = models.CharField(_("venue"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    online_url = models.URLField(_("online meeting link"), max_length=500, blank=True)
    capacity = models.PositiveIntegerField(
        _("capacity"), null=True, blank=True, help_text=_("Seats available. Leave empty for no limit.")
    )
    rsvp_deadline = models.DateTimeField(_("RSVP deadline"), null=True, blank=True)
    hosts = models.ManyToManyField(
        OfficerProfile, verbose_name=_("hosting officers"), blank=True, related_name="hosted_events"
    )
    languages = models.ManyToManyField(Language, verbose_name=_("languages offered"), blank=True)
    step_free_access = models.BooleanField(_("step-free access"), default=False)
    interpreter = models.BooleanField(_("interpreter available"), default=False)
    childcare = models.BooleanField(_("childcare available"), default=False)
    captioning = models.BooleanField(_("captioning available"), default=False)
    accessibility_notes = models.TextField(_("accessibility notes"), blank=True, max_length=2000)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    cancellation_reason = models.CharField(_("reason for cancelling"), max_length=500, blank=True)
    # iCalendar SEQUENCE: raised whenever the time or the place changes, or the event is cancelled.
    sequence = models.PositiveIntegerField(_("revision"), default=0, editable=False)
    walk_ins = models.PositiveIntegerField(_("walk-ins"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [
            models.Index(fields=["status", "starts_at"], name="event_status_start_idx"),
            # The upcoming and past lists split on the end time.
            models.Index(fields=["status", "ends_at"], name="event_status_end_idx"),
            models.Index(fields=["district", "status", "starts_at"], name="event_district_start_idx"),
            models.Index(fields=["kind", "status", "starts_at"], name="event_kind_start_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gte=models.F("starts_at")), name="event_ends_after_start"),
        ]
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("events:detail", kwargs={"slug": self.slug})

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def has_started(self) -> bool:
        return self.starts_at <= timezone.now()

    @property
    def is_online(self) -> bool:
        return bool(self.online_url)


class RSVP(models.Model):
    """One person's (or one guest email's) place at an event: a seat, a waitlist place, or neither.

    A guest RSVP (no account) is PENDING until its emailed link is followed; pending holds no seat.
    Seats taken = the sum of CONFIRMED party sizes, never above the event's capacity.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for email confirmation")
        CONFIRMED = "confirmed", _("Seat confirmed")
        WAITLISTED = "waitlisted", _("On the waitlist")
        CANCELLED = "cancelled", _("Cancelled")

    class Attendance(models.TextChoices):
        UNKNOWN = "unknown", _("Not recorded")
        ATTENDED = "attended", _("Attended")
        NO_SHOW = "no_show", _("Did not attend")

    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="rsvps")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="rsvps",
    )
    # Guests (no account): who they are and the hash of their private manage link.
    guest_name = models.CharField(_("name"), max_length=150, blank=True)
    guest_email = models.EmailField(_("email address"), max_length=254, blank=True)
    manage_token_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    language = models.CharField(_("language"), max_length=8, default="en")
    party_size = models.PositiveSmallIntegerField(_("party size"), default=1)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    seat_code = models.CharField(_("seat code"), max_length=8, unique=True)
    reminders = models.BooleanField(_("send me reminders"), default=True)
    # The waitlist is first come, first served by this moment (then by id).
    queued_at = models.DateTimeField(_("joined the waitlist at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("seat confirmed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    attendance = models.CharField(
        _("attendance"), max_length=10, choices=Attendance.choices, default=Attendance.UNKNOWN
    )

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["event", "status", "queued_at"], name="rsvp_event_status_queue_idx"),
            models.Index(fields=["user", "status"], name="rsvp_user_status_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "user"], condition=Q(user__isnull=False), name="rsvp_one_per_account"
            ),
            models.UniqueConstraint(
                fields=["event", "guest_email"], condition=Q(user__isnull=True), name="rsvp_one_per_guest_email"
            ),
            models.CheckConstraint(condition=Q(party_size__gte=1), name="rsvp_party_size_positive"),
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(guest_email=""), name="rsvp_account_or_guest_email"
            ),
        ]
        verbose_name = pgettext_lazy("the name of the record, not the action", "RSVP")
        verbose_name_plural = _("RSVPs")

    def __str__(self) -> str:
        return f"{self.seat_code} · {self.event}"

    @property
    def is_guest(self) -> bool:
        return self.user_id is None

    @property
    def email(self) -> str:
        return self.user.email if self.user_id else self.guest_email

    @property
    def display_name(self) -> str:
        if self.user_id:
            return self.user.get_full_name() or self.user.email
        return self.guest_name or self.guest_email

    @property
    def holds_seat(self) -> bool:
        return self.status == self.Status.CONFIRMED


class CalendarFeed(models.Model):
    """A person's private calendar feed. Its URL carries a token derived from (user, version) with
    an HMAC, so nothing secret is stored; regenerating bumps the version and old URLs stop working."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_calendar_feed")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("personal calendar feed")
        verbose_name_plural = _("personal calendar feeds")

    def __str__(self) -> str:
        return str(_("Calendar feed of %(person)s") % {"person": self.user})
