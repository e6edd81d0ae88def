"""The shared kernel's data: people, the directory, the mail outbox, the staff audit trail."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields) -> User:
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields) -> User:
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person with an account. Email is the login; there are no usernames."""

    username = None
    email = models.EmailField(_("email address"), unique=True)
    language = models.CharField(_("preferred language"), max_length=8, choices=settings.LANGUAGES, default="en")
    # Notification preferences; feature apps read these before queueing optional mail.
    email_event_reminders = models.BooleanField(_("email me event reminders"), default=True)
    email_replies = models.BooleanField(_("email me when staff reply to me"), default=True)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True, editable=False)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.email


class Language(models.Model):
    """A language people can be served in (spoken by officers, offered at events)."""

    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=64, help_text=_("Used when Django has no name for the code."))

    class Meta:
        ordering = ["code"]
        verbose_name = _("language")
        verbose_name_plural = _("languages")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        try:
            return str(get_language_info(self.code)["name_translated"])
        except KeyError:
            return self.name


class District(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True, max_length=4000)

    class Meta:
        ordering = ["name"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("portal:district-detail", kwargs={"slug": self.slug})


class OfficerProfile(models.Model):
    """An officer as the public directory shows them; may be linked to a staff account."""

    slug = models.SlugField(_("slug"), max_length=140, unique=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="officer_profile",
    )
    first_name = models.CharField(_("first name"), max_length=80)
    last_name = models.CharField(_("last name"), max_length=80)
    badge_number = models.CharField(_("badge number"), max_length=20, unique=True)
    rank = models.CharField(_("rank"), max_length=80, blank=True)
    district = models.ForeignKey(
        District,
        verbose_name=_("district"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="officers",
    )
    languages = models.ManyToManyField(Language, verbose_name=_("languages spoken"), blank=True)
    bio = models.TextField(_("short bio"), blank=True, max_length=2000)
    is_public = models.BooleanField(_("shown in the public directory"), default=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        indexes = [
            models.Index(fields=["is_public", "last_name", "first_name"]),
            models.Index(fields=["district", "is_public"]),
        ]
        verbose_name = _("officer profile")
        verbose_name_plural = _("officer profiles")

    def __str__(self) -> str:
        return self.full_name

    def get_absolute_url(self) -> str:
        return reverse("portal:officer-detail", kwargs={"slug": self.slug})

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class TrainingRecord(models.Model):
    officer = models.ForeignKey(
        OfficerProfile, verbose_name=_("officer"), on_delete=models.CASCADE, related_name="training_records"
    )
    course = models.CharField(_("course"), max_length=200)
    completed_on = models.DateField(_("completed on"))

    class Meta:
        ordering = ["-completed_on", "course"]
        verbose_name = _("training record")
        verbose_name_plural = _("training records")

    def __str__(self) -> str:
        return f"{self.course} ({self.completed_on:%Y-%m-%d})"


class SitePage(models.Model):
    """A page administrators edit in both languages: the privacy notice, the accessibility statement."""

    class Slug(models.TextChoices):
        PRIVACY = "privacy", _("Privacy notice")
        ACCESSIBILITY = "accessibility", _("Accessibility statement")
        COMPLAINTS = "complaints", _("How complaints work")

    slug = models.SlugField(_("page"), max_length=40, unique=True, choices=Slug.choices)
    title_en = models.CharField(_("title (English)"), max_length=200)
    body_en = models.TextField(_("text (English)"), max_length=20000)
    title_es = models.CharField(_("title (Spanish)"), max_length=200, blank=True)
    body_es = models.TextField(_("text (Spanish)"), max_length=20000, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("site page")
        verbose_name_plural = _("site pages")

    def __str__(self) -> str:
        return self.get_slug_display()

    def title_for(self, language: str) -> str:
        return (self.title_es if language == "es" else "") or self.title_en

    def body_for(self, language: str) -> str:
        return (self.body_es if language == "es" else "") or self.body_en


class OutboxMessage(models.Model):
    """One email, written in the same transaction as the change that causes it.

    `dedupe_key` is unique, so a message is never created twice; a task sends it and a beat sweep
    offers again whatever is due and unsent, so an outage delays mail but loses none.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    dedupe_key = models.CharField(_("dedupe key"), max_length=200, unique=True)
    to = models.EmailField(_("to"), max_length=254)
    language = models.CharField(_("language"), max_length=8, default="en")
    template = models.CharField(_("template"), max_length=200)
    context = models.JSONField(_("context"), default=dict, blank=True)
    headers = models.JSONField(_("headers"), default=dict, blank=True)
    # Groups the rows of one fan-out (e.g. "update:42") so its progress is one indexed count.
    batch_key = models.CharField(_("batch"), max_length=64, blank=True, default="")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    claim_token = models.CharField(_("claim token"), max_length=32, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx"),
            models.Index(fields=["to"], name="outbox_to_idx"),
            models.Index(fields=["batch_key", "status"], name="outbox_batch_idx", condition=~Q(batch_key="")),
        ]
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")

    def __str__(self) -> str:
        return f"{self.template} → {self.to} ({self.status})"


class StaffAuditEntry(models.Model):
    """Who did what to a staff account, and when. Never edited, never deleted."""

    class Action(models.TextChoices):
        INVITE = "portal.staff.invite", _("invited")
        LINK_OFFICER = "portal.staff.link_officer", _("linked to an officer profile")
        CHANGE_ROLE = "portal.staff.change_role", _("role changed")
        DEACTIVATE = "portal.staff.deactivate", _("deactivated")
        REACTIVATE = "portal.staff.reactivate", _("reactivated")
        RESET_MFA = "portal.staff.reset_mfa", _("two-factor reset")

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="staff_actions_taken")
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="staff_actions_received"
    )
    action = models.CharField(_("action"), max_length=40, choices=Action.choices)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("staff audit entry")
        verbose_name_plural = _("staff audit entries")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.subject}"
