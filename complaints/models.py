"""Conduct complaints: intake, the people and allegations in them, the investigation's timeline,
messages with the complainant, evidence, findings, and the append-only staff access log.

Reading rules live in complaints/permissions.py (conflict of interest: a staff member whose officer
profile is named in a complaint never sees it; officers never see complaints at all) and every
staff read goes through complaints.access_log. Public figures come only from
complaints/statistics.py (aggregates with small counts suppressed).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models import District, OfficerProfile


class AllegationCategory(models.Model):
    """What a complaint alleges (use of force, discourtesy, ...): managed as data, in both languages."""

    slug = models.SlugField(_("code"), max_length=40, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=100)
    name_es = models.CharField(_("name (Spanish)"), max_length=100)
    help_en = models.CharField(_("explanation (English)"), max_length=300, blank=True)
    help_es = models.CharField(_("explanation (Spanish)"), max_length=300, blank=True)
    is_active = models.BooleanField(_("offered on the form"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("allegation category")
        verbose_name_plural = _("allegation categories")

    def __str__(self) -> str:
        return self.name_en

    def name_for(self, language: str) -> str:
        return (self.name_es if language == "es" else "") or self.name_en

    def help_for(self, language: str) -> str:
        return (self.help_es if language == "es" else "") or self.help_en


class ComplaintCounter(models.Model):
    """The last reference number given out in a year; incremented under a row lock, so no two
    complaints ever get the same number and the numbers have no gaps but rolled-back ones."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"


class Complaint(models.Model):
    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        INVESTIGATING = "investigating", _("Under investigation")
        FINDINGS_ISSUED = "findings_issued", _("Findings issued")
        REVIEW_REQUESTED = "review_requested", _("Review requested")
        CLOSED = "closed", _("Closed")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        REFERRED = "referred", _("Referred to another agency")
        INFORMALLY_RESOLVED = "informally_resolved", _("Informally resolved")

    class Channel(models.TextChoices):
        ONLINE = "online", _("Online form")
        PHONE = "phone", _("By phone")
        IN_PERSON = "in_person", _("In person")
        MAIL = "mail", _("By mail")
        FEEDBACK = "feedback", _("From feedback")

    class Filer(models.TextChoices):
        SELF = "self", _("For myself")
        ON_BEHALF = "on_behalf", _("On behalf of someone else")

    class Contact(models.TextChoices):
        EMAIL = "email", _("By email")
        PHONE = "phone", _("By phone")
        NONE = "none", _("Do not contact me")

    reference = models.CharField(_("reference"), max_length=20, unique=True)  # CP-2026-00042
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"))
    status = models.CharField(_("status"), max_length=24, choices=Status.choices, default=Status.RECEIVED)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, default=Channel.ONLINE)

    # Who filed it: an account (the owner), or nobody signed in (then the access code opens it).
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("filed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="complaints_filed",
    )
    entered_by = models.ForeignKey(  # staff who typed in a complaint received by phone, in person or mail
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="complaints_entered",
    )
    access_code_hash = models.CharField(_("access code (keyed hash)"), max_length=128, blank=True)
    code_failures = models.PositiveSmallIntegerField(_("wrong access codes in a row"), default=0)
    code_locked_until = models.DateTimeField(_("access code locked until"), null=True, blank=True)

    filer = models.CharField(_("filing"), max_length=16, choices=Filer.choices, default=Filer.SELF)
    relationship = models.CharField(_("relationship to the person affected"), max_length=200, blank=True)
    affected_person_name = models.CharField(_("name of the person affected"), max_length=200, blank=True)
    complainant_name = models.CharField(_("complainant's name"), max_length=200, blank=True)
    complainant_email = models.EmailField(_("complainant's email"), max_length=254, blank=True)
    complainant_phone = models.CharField(_("complainant's phone"), max_length=40, blank=True)
    contact_preference = models.CharField(
        _("contact preference"), max_length=8, choices=Contact.choices, default=Contact.EMAIL
    )
    consent_to_contact = models.BooleanField(_("consents to be contacted"), default=False)
    language = models.CharField(_("language"), max_length=8, default="en")

    incident_date = models.DateField(_("incident date"))
    incident_date_is_approximate = models.BooleanField(_("date is approximate"), default=False)
    incident_time = models.TimeField(_("incident time"), null=True, blank=True)
    incident_time_is_approximate = models.BooleanField(_("time is approximate"), default=False)
    incident_place = models.CharField(_("place"), max_length=300, blank=True)
    district = models.ForeignKey(
        District, verbose_name=_("district"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    narrative = models.TextField(_("what happened"), max_length=10000, blank=True)
    witnesses = models.TextField(_("witnesses"), max_length=3000, blank=True)

    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="complaints_assigned",
    )
    referred_to = models.CharField(_("referred to"), max_length=200, blank=True)
    source_feedback_id = models.PositiveBigIntegerField(_("from feedback item"), null=True, blank=True)

    received_at = models.DateTimeField(_("received"), default=timezone.now)
    acknowledge_by = models.DateField(_("acknowledge by"))
    finish_by = models.DateField(_("finish by"))
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    findings_issued_at = models.DateTimeField(_("findings issued"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)  # any final state
    review_requested_at = models.DateTimeField(_("review requested"), null=True, blank=True)
    deidentified_at = models.DateTimeField(_("de-identified"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["year", "number"], name="complaint_year_number_unique")]
        indexes = [
            models.Index(fields=["status", "received_at"], name="complaint_status_idx"),
            models.Index(fields=["district", "received_at"], name="complaint_district_idx"),
            models.Index(fields=["assigned_to", "status"], name="complaint_assigned_idx"),
            models.Index(fields=["acknowledge_by"], name="complaint_ack_due_idx"),
            models.Index(fields=["finish_by"], name="complaint_finish_due_idx"),
            models.Index(fields=["closed_at"], name="complaint_closed_idx"),
        ]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")

    def __str__(self) -> str:
        return self.reference

    OPEN_STATUSES = (
        Status.RECEIVED,
        Status.ACKNOWLEDGED,
        Status.INVESTIGATING,
        Status.FINDINGS_ISSUED,
        Status.REVIEW_REQUESTED,
    )
    FINAL_STATUSES = (Status.CLOSED, Status.WITHDRAWN, Status.REFERRED, Status.INFORMALLY_RESOLVED)

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def may_email(self) -> bool:
        """Whether the complainant may be emailed at all ("don't email me" is respected everywhere)."""
        return bool(
            self.complainant_email
            and self.consent_to_contact
            and self.contact_preference == self.Contact.EMAIL
            and self.deidentified_at is None
        )


class ComplaintOfficer(models.Model):
    """An officer involved: chosen from the directory (`officer`), or described when unknown."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="officers")
    officer = models.ForeignKey(
        OfficerProfile,
        verbose_name=_("officer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,  # the conflict-of-interest rule depends on this link
        related_name="complaint_mentions",
    )
    described_name = models.CharField(_("name"), max_length=200, blank=True)
    described_badge = models.CharField(_("badge number"), max_length=40, blank=True)
    description = models.CharField(_("description"), max_length=500, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["complaint", "officer"], condition=Q(officer__isnull=False), name="complaint_officer_once"
            )
        ]
        verbose_name = _("officer involved")
        verbose_name_plural = _("officers involved")

    def __str__(self) -> str:
        if self.officer_id:
            return str(self.officer)
        return self.described_name or self.described_badge or str(_("Unidentified officer"))


class Allegation(models.Model):
    """One officer-allegation pair; it ends with a finding (recommended, then final)."""

    class Finding(models.TextChoices):
        SUSTAINED = "sustained", _("Sustained")
        NOT_SUSTAINED = "not_sustained", _("Not sustained")
        EXONERATED = "exonerated", _("Exonerated")
        UNFOUNDED = "unfounded", _("Unfounded")
        POLICY_FAILURE = "policy_failure", _("Policy failure")
        UNABLE = "unable_to_investigate", _("Unable to investigate")

    class UnableReason(models.TextChoices):
        COMPLAINANT_UNAVAILABLE = "complainant_unavailable", _("Complainant unavailable")
        OFFICER_UNIDENTIFIED = "officer_unidentified", _("Officer unidentified")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="allegations")
    officer = models.ForeignKey(ComplaintOfficer, on_delete=models.CASCADE, related_name="allegations")
    category = models.ForeignKey(
        AllegationCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="allegations"
    )
    recommended_finding = models.CharField(_("recommended finding"), max_length=24, choices=Finding.choices, blank=True)
    finding = models.CharField(_("finding"), max_length=24, choices=Finding.choices, blank=True)
    unable_reason = models.CharField(_("reason"), max_length=24, choices=UnableReason.choices, blank=True)
    discipline = models.CharField(_("discipline"), max_length=300, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["officer", "category"], name="allegation_officer_category_once")]
        indexes = [models.Index(fields=["category", "finding"], name="allegation_category_idx")]
        verbose_name = _("allegation")
        verbose_name_plural = _("allegations")

    def __str__(self) -> str:
        return f"{self.complaint_id}: {self.officer} — {self.category}"


class ComplaintEvent(models.Model):
    """One line of the timeline: a transition, an assignment, a note, a review; who, when, and a note.

    `visible_to_complainant` lines appear on the tracking page (their `note` in plain words);
    the others are internal.
    """

    class Kind(models.TextChoices):
        FILED = "filed", _("Filed")
        TRANSITION = "transition", _("Status changed")
        ASSIGNMENT = "assignment", _("Assigned")
        NOTE = "note", _("Note")
        FINDINGS = "findings", _("Findings recorded")
        EVIDENCE = "evidence", _("Evidence added")
        REVIEW_REQUESTED = "review_requested", _("Review requested")
        REVIEW_DECIDED = "review_decided", _("Review decided")
        DEIDENTIFIED = "deidentified", _("De-identified")

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    from_status = models.CharField(_("from"), max_length=24, choices=Complaint.Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=24, choices=Complaint.Status.choices, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(_("note"), max_length=5000, blank=True)
    visible_to_complainant = models.BooleanField(_("visible to the complainant"), default=False)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["complaint", "created_at"], name="complaint_event_idx")]
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.kind} {self.created_at:%Y-%m-%d}"


class ComplaintMessage(models.Model):
    """A message between the complainant and the investigator. Emails only say that one arrived."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="messages")
    from_complainant = models.BooleanField(_("from the complainant"))
    author = models.ForeignKey(  # the staff member, or the complainant's account; None for an anonymous filer
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(_("message"), max_length=5000)
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)  # by the other side

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["complaint", "created_at"], name="complaint_message_idx")]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self) -> str:
        return f"{self.complaint_id} message {self.pk}"


def evidence_upload_to(instance: Evidence, filename: str) -> str:
    # A random name: the original one is kept in a field, never trusted as a path.
    from portal.tokens import token_new

    return f"complaints/{timezone.now():%Y/%m}/{token_new()[:32]}"


def evidence_storage():
    from django.core.files.storage import storages

    return storages["complaint_evidence"]


class IntakeDraft(models.Model):
    """A complaint being written: the answers so far, kept on the server step by step.

    The browser holds only a random key (a cookie); its keyed hash finds the draft, so a refresh,
    the back button or coming back later in the same browser loses nothing.
    """

    key_hash = models.CharField(max_length=128, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    entered_by = models.ForeignKey(  # staff entering a complaint received by phone, in person or by mail
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)  # answers by step
    completed_steps = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("complaint draft")
        verbose_name_plural = _("complaint drafts")

    def __str__(self) -> str:
        return f"draft {self.pk}"


class Evidence(models.Model):
    """A file the complainant gave: type checked by content, SHA-256 kept, stored privately.

    Attached to a draft while the complaint is being written, then to the complaint.
    """

    complaint = models.ForeignKey(Complaint, null=True, blank=True, on_delete=models.CASCADE, related_name="evidence")
    draft = models.ForeignKey(IntakeDraft, null=True, blank=True, on_delete=models.SET_NULL, related_name="evidence")
    file = models.FileField(_("file"), upload_to=evidence_upload_to, storage=evidence_storage, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    from_complainant = models.BooleanField(default=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    removed_at = models.DateTimeField(_("removed"), null=True, blank=True)  # retention removes the file

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self) -> str:
        return self.original_name


class AccessLogQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionDenied("The complaint access log is append-only.")

    def delete(self):
        raise PermissionDenied("The complaint access log is append-only.")


class AccessLogEntry(models.Model):
    """Every staff read of a complaint, its evidence, or an export: who, when, what, from where.

    Append-only: saving an existing row or deleting raises (and on PostgreSQL a trigger refuses
    UPDATE and DELETE too, whoever asks).
    """

    class Action(models.TextChoices):
        VIEW = "view", _("Opened the complaint")
        EVIDENCE = "evidence", _("Opened an evidence file")
        EXPORT = "export", _("Exported")
        LIST = "list", _("Listed in the queue")

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="access_log")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    target = models.CharField(_("what"), max_length=200, blank=True)  # e.g. the evidence file's name
    ip_address = models.GenericIPAddressField(_("from"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["complaint", "created_at"], name="access_log_complaint_idx"),
            models.Index(fields=["actor", "created_at"], name="access_log_actor_idx"),
        ]
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log entries")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_id} {self.action} {self.complaint_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise PermissionDenied("The complaint access log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("The complaint access log is append-only.")
