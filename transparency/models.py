"""What the department publishes: updates (with scheduled release and corrections), and the people
who subscribed to get them by email.

Delivery rows are the portal's outbox rows (one per update and subscriber, unique dedupe key
"transparency.update:<update>:<subscriber>", batch key "update:<update>"): the fan-out never keeps
a second copy of who was sent what.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models import District


class Category(models.TextChoices):
    SAFETY_ALERT = "safety_alert", _("Safety alert")
    POLICY_CHANGE = "policy_change", _("Policy change")
    COMPLAINT_STATISTICS = "complaint_statistics", _("Complaint statistics")
    MEETING_MINUTES = "meeting_minutes", _("Meeting minutes")
    TRAINING = "training", _("Training")
    COMMUNITY_NEWS = "community_news", _("Community news")


class Update(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        PUBLISHED = "published", _("Published")

    slug = models.SlugField(_("address"), max_length=120, unique=True)
    category = models.CharField(_("category"), max_length=24, choices=Category.choices)
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=500)
    body = models.TextField(_("text (Markdown)"), max_length=50000)
    body_html = models.TextField(editable=False, blank=True)  # rendered and sanitised (nh3) on save
    title_es = models.CharField(_("title (Spanish)"), max_length=200, blank=True)
    summary_es = models.CharField(_("summary (Spanish)"), max_length=500, blank=True)
    body_es = models.TextField(_("text in Spanish (Markdown)"), max_length=50000, blank=True)
    body_es_html = models.TextField(editable=False, blank=True)
    districts = models.ManyToManyField(District, verbose_name=_("districts"), blank=True, related_name="updates")
    event = models.ForeignKey(  # the meeting these are the minutes of
        "events.Event", verbose_name=_("event"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    publish_at = models.DateTimeField(_("publish at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    correction_note = models.TextField(_("correction"), max_length=2000, blank=True)
    corrected_at = models.DateTimeField(_("corrected"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    # The fan-out: planned once at publication (total = outbox rows written), then sent in batches.
    fanout_total = models.PositiveIntegerField(default=0)
    fanout_planned_at = models.DateTimeField(null=True, blank=True)
    fanout_finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-published_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "published_at"], name="update_published_idx"),
            models.Index(fields=["category", "status", "published_at"], name="update_category_idx"),
            models.Index(fields=["status", "publish_at"], name="update_due_idx"),
        ]
        verbose_name = _("update")
        verbose_name_plural = _("updates")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("transparency:detail", kwargs={"slug": self.slug})

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    def has_spanish(self) -> bool:
        return bool(self.title_es and self.body_es)

    @property
    def fanout_batch_key(self) -> str:
        return f"update:{self.pk}"


def attachment_upload_to(instance: UpdateAttachment, filename: str) -> str:
    from portal.tokens import token_new

    return f"transparency/{timezone.now():%Y/%m}/{token_new()[:24]}.pdf"


class UpdateAttachment(models.Model):
    """A PDF attached to an update (checked by content); served through a view, never from a bare path."""

    update = models.ForeignKey(Update, on_delete=models.CASCADE, related_name="attachments")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=attachment_upload_to, max_length=200)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.title


class Subscriber(models.Model):
    """Someone who gets updates by email; with or without an account. Nothing is sent until confirmed.

    `token_hash` is the keyed hash of the subscriber's private token (portal.tokens, purpose
    "transparency.subscriber"): the manage link and the one-click unsubscribe carry the token.
    The confirmation link is signed separately (it expires).
    """

    email = models.EmailField(_("email"), max_length=254)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="subscriptions"
    )
    language = models.CharField(_("language"), max_length=8, default="en")
    districts = models.ManyToManyField(  # none chosen = every district
        District, verbose_name=_("districts"), blank=True, related_name="+"
    )
    token_hash = models.CharField(max_length=128, unique=True)
    created_at = models.DateTimeField(_("signed up"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed"), null=True, blank=True)
    undeliverable_at = models.DateTimeField(_("undeliverable since"), null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(Lower("email"), name="subscriber_email_unique")]
        indexes = [
            models.Index(
                fields=["confirmed_at"],
                name="subscriber_active_idx",
                condition=Q(unsubscribed_at__isnull=True, undeliverable_at__isnull=True),
            )
        ]
        verbose_name = _("subscriber")
        verbose_name_plural = _("subscribers")

    def __str__(self) -> str:
        return self.email

    @property
    def is_active(self) -> bool:
        return bool(self.confirmed_at and not self.unsubscribed_at and not self.undeliverable_at)


class Subscription(models.Model):
    """One category a subscriber wants."""

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="subscriptions")
    category = models.CharField(_("category"), max_length=24, choices=Category.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["subscriber", "category"], name="subscription_once")]
        indexes = [models.Index(fields=["category", "subscriber"], name="subscription_category_idx")]
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")

    def __str__(self) -> str:
        return f"{self.subscriber_id}: {self.category}"
