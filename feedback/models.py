"""What residents tell the department, what staff answer, and post-event trust surveys.

The link to events (`Feedback.event`, `SurveyInvitation.event`) is the documented hook between the
two apps: feedback refers to events by foreign key and reads attendance only through
`events.selectors.event_attendance_for_survey`; it never writes events' tables.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models import District, OfficerProfile


class Feedback(models.Model):
    class Kind(models.TextChoices):
        COMPLIMENT = "compliment", _("Compliment")
        SUGGESTION = "suggestion", _("Suggestion")
        CONCERN = "concern", _("Concern")
        QUESTION = "question", _("Question")

    class About(models.TextChoices):
        DEPARTMENT = "department", _("The department")
        DISTRICT = "district", _("A district")
        EVENT = "event", _("An event")
        OFFICER = "officer", _("An officer")

    class Status(models.TextChoices):
        NEW = "new", _("New")
        ASSIGNED = "assigned", _("Assigned")
        ANSWERED = "answered", _("Answered")
        CLOSED = "closed", _("Closed")

    class Publication(models.TextChoices):
        PRIVATE = "private", _("Not to be published")  # the author did not allow it
        AWAITING = "awaiting", _("Awaiting moderation")
        PUBLISHED = "published", _("Published")
        DECLINED = "declined", _("Declined")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    about = models.CharField(_("about"), max_length=16, choices=About.choices, default=About.DEPARTMENT)
    district = models.ForeignKey(
        District, verbose_name=_("district"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    officer = models.ForeignKey(
        OfficerProfile,
        verbose_name=_("officer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="feedback",
    )
    event = models.ForeignKey(
        "events.Event", verbose_name=_("event"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    message = models.TextField(_("message"), max_length=5000)
    language = models.CharField(_("language"), max_length=8, default="en")
    may_publish = models.BooleanField(_("may be published"), default=False)
    # Who sent it: an account, or nobody we know (with an optional contact email that is never shown).
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="feedback_sent",
    )
    contact_email = models.EmailField(_("contact email"), max_length=254, blank=True)
    reader_token_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.NEW)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="feedback_assigned",
    )
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    first_reply_at = models.DateTimeField(_("first reply at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Moderation: the public copy may be a redacted version; the original stays private.
    publication = models.CharField(
        _("publication"), max_length=16, choices=Publication.choices, default=Publication.PRIVATE
    )
    public_message = models.TextField(_("published text"), max_length=5000, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    decline_reason = models.CharField(_("reason for declining"), max_length=500, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The author's verdict on the answer (once), and their one reply back (reopens the item).
    rating = models.PositiveSmallIntegerField(
        _("how helpful the answer was"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)
    follow_up = models.TextField(_("reply from the author"), max_length=5000, blank=True)
    follow_up_at = models.DateTimeField(_("author replied at"), null=True, blank=True)
    # Set when an administrator turned this concern into a complaint (the complaints app's reference).
    complaint_reference = models.CharField(_("complaint reference"), max_length=32, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["publication", "published_at"], name="feedback_wall_idx"),
            models.Index(fields=["status", "created_at"], name="feedback_status_idx"),
            models.Index(fields=["district", "created_at"], name="feedback_district_idx"),
            models.Index(fields=["officer", "created_at"], name="feedback_officer_idx"),
            models.Index(fields=["author", "created_at"], name="feedback_author_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5), name="feedback_rating_1_to_5"
            ),
        ]
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("feedback:detail", kwargs={"pk": self.pk})

    @property
    def names_an_officer(self) -> bool:
        return self.officer_id is not None

    @property
    def is_published(self) -> bool:
        return self.publication == self.Publication.PUBLISHED


class Reply(models.Model):
    class Signature(models.TextChoices):
        OFFICER = "officer", _("Signed by me")
        DEPARTMENT = "department", _("Signed as the department")

    feedback = models.ForeignKey(Feedback, verbose_name=_("feedback"), on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("written by"), on_delete=models.PROTECT, related_name="+"
    )
    body = models.TextField(_("reply"), max_length=5000)
    is_public = models.BooleanField(_("public reply"), default=False)
    signature = models.CharField(_("signed"), max_length=16, choices=Signature.choices, default=Signature.DEPARTMENT)
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["feedback", "is_public", "created_at"], name="reply_feedback_idx")]
        verbose_name = _("reply")
        verbose_name_plural = _("replies")

    def __str__(self) -> str:
        return f"reply #{self.pk} to {self.feedback}"


class ReplyTemplate(models.Model):
    """Saved wording staff can start a reply from."""

    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("text"), max_length=5000)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="en")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["language", "title"]
        verbose_name = _("reply template")
        verbose_name_plural = _("reply templates")

    def __str__(self) -> str:
        return self.title


class SurveyInvitation(models.Model):
    """One emailed invitation per attendee and event; its link is signed and single-use."""

    rsvp_id = models.PositiveBigIntegerField(_("RSVP"), unique=True)  # events.RSVP, read via selectors
    event = models.ForeignKey("events.Event", verbose_name=_("event"), on_delete=models.CASCADE, related_name="+")
    district = models.ForeignKey(
        District, verbose_name=_("district"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    email = models.EmailField(_("email address"), max_length=254)
    language = models.CharField(_("language"), max_length=8, default="en")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["event"], name="survey_invitation_event_idx")]
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")

    def __str__(self) -> str:
        return f"survey invitation #{self.pk}"


SCORE_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]


class SurveyResponse(models.Model):
    """Anonymous answers: deliberately NOT linked to the invitation (which holds an email address).
    One response per invitation is enforced by claiming the invitation (responded_at) in the same
    transaction with a conditional UPDATE."""

    # Only what the trust index needs: no event, no timestamp (either could be matched back to the
    # invitation's responded_at and so to a person).
    district = models.ForeignKey(
        District, verbose_name=_("district"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    month = models.DateField(_("month"))  # the first day of the month the event took place
    trust = models.PositiveSmallIntegerField(_("I trust the police in my district"), validators=SCORE_VALIDATORS)
    respect = models.PositiveSmallIntegerField(_("Officers treated people with respect"), validators=SCORE_VALIDATORS)
    listened = models.PositiveSmallIntegerField(
        _("Officers listened to residents' concerns"), validators=SCORE_VALIDATORS
    )
    comment = models.TextField(_("comment"), max_length=2000, blank=True)

    class Meta:
        indexes = [models.Index(fields=["district", "month"], name="survey_district_month_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    trust__gte=1, trust__lte=5, respect__gte=1, respect__lte=5, listened__gte=1, listened__lte=5
                ),
                name="survey_scores_1_to_5",
            ),
        ]
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")

    def __str__(self) -> str:
        return f"survey response #{self.pk}"
