"""The public shape of every open data record. Each field here is on purpose: nothing is exposed
by listing a model's fields (tests/transparency/test_api_allowlist.py compares every key).

Never here: accounts and emails, original feedback messages, contact details, private replies,
online meeting links (only people with a seat get them), drafts, fan-out or moderation internals.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from events.models import Event
from events.selectors import PUBLIC_STATUSES, seats_left_of
from feedback.models import Feedback, Reply
from portal.models import District, Language, OfficerProfile, TrainingRecord
from transparency.models import Category, Update, UpdateAttachment


def _absolute(request: Any, path: str) -> str:
    return request.build_absolute_uri(path) if request is not None else path


class _Linked(serializers.Serializer):
    """Adds `url` (this record in the API) and `page_url` (its page on the site)."""

    api_view_name = ""
    lookup = "slug"

    url = serializers.SerializerMethodField()
    page_url = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj: Any) -> str:
        path = reverse(self.api_view_name, kwargs={self.lookup: getattr(obj, self.lookup)})
        return _absolute(self.context.get("request"), path)

    @extend_schema_field(OpenApiTypes.URI)
    def get_page_url(self, obj: Any) -> str:
        return _absolute(self.context.get("request"), obj.get_absolute_url())


class DistrictRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = District
        fields = ["slug", "name"]


class LanguageSerializer(serializers.ModelSerializer):
    class Meta:
        model = Language
        fields = ["code", "name"]


class OfficerRefSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="full_name")

    class Meta:
        model = OfficerProfile
        fields = ["slug", "name"]


# --- Districts ------------------------------------------------------------------------------------


class DistrictSerializer(_Linked, serializers.ModelSerializer):
    api_view_name = "api:district-detail"
    officer_count = serializers.IntegerField(
        source="public_officer_count", help_text="Officers in the public directory."
    )

    class Meta:
        model = District
        fields = ["slug", "name", "description", "officer_count", "url", "page_url"]


# --- Officers -------------------------------------------------------------------------------------


class OfficerSerializer(_Linked, serializers.ModelSerializer):
    api_view_name = "api:officer-detail"
    name = serializers.CharField(source="full_name")
    district = DistrictRefSerializer(allow_null=True)
    languages = LanguageSerializer(many=True)

    class Meta:
        model = OfficerProfile
        fields = [
            "slug",
            "name",
            "first_name",
            "last_name",
            "rank",
            "badge_number",
            "district",
            "languages",
            "bio",
            "url",
            "page_url",
        ]


class TrainingSerializer(serializers.ModelSerializer):
    class Meta:
        model = TrainingRecord
        fields = ["course", "completed_on"]


class OfficerDetailSerializer(OfficerSerializer):
    training = TrainingSerializer(source="training_records", many=True, help_text="As shown on the officer's page.")

    class Meta(OfficerSerializer.Meta):
        fields = [*OfficerSerializer.Meta.fields, "training"]


# --- Events ---------------------------------------------------------------------------------------


class AccessibilitySerializer(serializers.Serializer):
    step_free_access = serializers.BooleanField()
    interpreter = serializers.BooleanField()
    childcare = serializers.BooleanField()
    captioning = serializers.BooleanField()
    notes = serializers.CharField(source="accessibility_notes")


class EventSerializer(_Linked, serializers.ModelSerializer):
    api_view_name = "api:event-detail"
    kind = serializers.ChoiceField(choices=Event.Kind.choices)
    status = serializers.ChoiceField(choices=[(status.value, status.label) for status in PUBLIC_STATUSES])
    district = DistrictRefSerializer(allow_null=True)
    online = serializers.BooleanField(
        source="is_online", help_text="Whether it can be joined online (the link goes only to people with a seat)."
    )
    seats_left = serializers.SerializerMethodField(help_text="Null when there is no limit on seats.")
    waitlist_length = serializers.IntegerField()
    hosts = OfficerRefSerializer(source="public_hosts", many=True, help_text="Hosts in the public directory.")
    languages = LanguageSerializer(many=True)
    accessibility = AccessibilitySerializer(source="*")

    class Meta:
        model = Event
        fields = [
            "slug",
            "title",
            "summary",
            "description",
            "kind",
            "status",
            "cancellation_reason",
            "starts_at",
            "ends_at",
            "venue_name",
            "address",
            "online",
            "district",
            "capacity",
            "seats_left",
            "waitlist_length",
            "rsvp_deadline",
            "hosts",
            "languages",
            "accessibility",
            "url",
            "page_url",
        ]

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_seats_left(self, event: Event) -> int | None:
        return seats_left_of(event)

    def to_representation(self, event: Event) -> dict[str, Any]:
        data = super().to_representation(event)
        if event.status != Event.Status.CANCELLED:
            data["cancellation_reason"] = ""
        return data


# --- Feedback -------------------------------------------------------------------------------------


def reply_signed_by(reply: Reply) -> str:
    """Who signed a public reply: an officer in the public directory by name, else the department.

    Stricter than the wall's signature: a reply signed by an officer whose profile is hidden
    from the directory is shown as the department's, so the API never names a hidden officer.
    """
    if reply.signature == Reply.Signature.OFFICER:
        profile = getattr(reply.author, "officer_profile", None)
        if profile is not None and profile.is_public:
            return profile.full_name
    return settings.DEPARTMENT_NAME


class PublicReplySerializer(serializers.ModelSerializer):
    signed_by = serializers.SerializerMethodField()

    class Meta:
        model = Reply
        fields = ["body", "signed_by", "created_at"]

    def get_signed_by(self, reply: Reply) -> str:
        return reply_signed_by(reply)


class FeedbackSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(source="pk")
    kind = serializers.ChoiceField(choices=Feedback.Kind.choices)
    about = serializers.ChoiceField(choices=Feedback.About.choices)
    message = serializers.CharField(source="public_message", help_text="The published (moderated) text.")
    district = DistrictRefSerializer(allow_null=True)
    officer = serializers.SerializerMethodField()
    replies = PublicReplySerializer(source="public_replies", many=True, help_text="Public replies only.")
    url = serializers.SerializerMethodField()
    page_url = serializers.SerializerMethodField()

    class Meta:
        model = Feedback
        fields = ["id", "kind", "about", "message", "published_at", "district", "officer", "replies", "url", "page_url"]

    @extend_schema_field(OfficerRefSerializer(allow_null=True))
    def get_officer(self, item: Feedback) -> dict[str, str] | None:
        officer = item.officer
        if officer is None or not officer.is_public:
            return None
        return {"slug": officer.slug, "name": officer.full_name}

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, item: Feedback) -> str:
        return _absolute(self.context.get("request"), reverse("api:feedback-detail", kwargs={"pk": item.pk}))

    @extend_schema_field(OpenApiTypes.URI)
    def get_page_url(self, item: Feedback) -> str:
        return _absolute(self.context.get("request"), item.get_absolute_url())


# --- Updates --------------------------------------------------------------------------------------


class AttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = UpdateAttachment
        fields = ["title", "size", "sha256", "url"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, attachment: UpdateAttachment) -> str:
        path = reverse("transparency:attachment", kwargs={"slug": attachment.update.slug, "pk": attachment.pk})
        return _absolute(self.context.get("request"), path)


class CorrectionSerializer(serializers.Serializer):
    note = serializers.CharField(source="correction_note")
    corrected_at = serializers.DateTimeField()


class EventRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Event
        fields = ["slug", "title"]


class UpdateSerializer(_Linked, serializers.ModelSerializer):
    api_view_name = "api:update-detail"
    category = serializers.ChoiceField(choices=Category.choices)
    districts = DistrictRefSerializer(many=True, help_text="Empty when the update is for every district.")
    event = serializers.SerializerMethodField(help_text="The meeting these are the minutes of, if any.")
    correction = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()

    class Meta:
        model = Update
        fields = [
            "slug",
            "category",
            "title",
            "summary",
            "body_html",
            "title_es",
            "summary_es",
            "body_es_html",
            "districts",
            "event",
            "published_at",
            "correction",
            "attachments",
            "url",
            "page_url",
        ]

    @extend_schema_field(EventRefSerializer(allow_null=True))
    def get_event(self, update: Update) -> dict[str, str] | None:
        event = update.event
        if event is None or event.status not in PUBLIC_STATUSES:
            return None
        return {"slug": event.slug, "title": event.title}

    @extend_schema_field(CorrectionSerializer(allow_null=True))
    def get_correction(self, update: Update) -> dict[str, Any] | None:
        if not update.correction_note:
            return None
        return CorrectionSerializer(update).data

    @extend_schema_field(AttachmentSerializer(many=True))
    def get_attachments(self, update: Update) -> list[dict[str, Any]]:
        attachments = list(update.attachments.all())
        for attachment in attachments:
            attachment.update = update  # the URL needs the slug: no query per attachment
        return AttachmentSerializer(attachments, many=True, context=self.context).data


# --- Statistics -----------------------------------------------------------------------------------


class DatasetSummarySerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    url = serializers.URLField()


class DatasetListSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    results = DatasetSummarySerializer(many=True)


class DatasetColumnSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The key of this column's value in each row.")
    label = serializers.CharField()
    kind = serializers.ChoiceField(choices=["label", "count", "number"])


class DatasetFiltersSerializer(serializers.Serializer):
    district = serializers.CharField(allow_null=True, help_text="A district's slug; null for every district.")
    period = serializers.ChoiceField(choices=["month", "quarter", "year"])


ROW_HELP = (
    "One object per row, keyed by the columns' keys. A suppressed value is null, and the row's "
    '"suppressed" object gives its text by column key (for example "fewer than 5").'
)


class DatasetSerializer(serializers.Serializer):
    dataset = serializers.CharField(help_text="The dataset's slug.")
    title = serializers.CharField()
    description = serializers.CharField()
    filters = DatasetFiltersSerializer()
    columns = DatasetColumnSerializer(many=True)
    rows = serializers.ListField(child=serializers.DictField(), help_text=ROW_HELP)
    total = serializers.DictField(allow_null=True, help_text="The totals row, when the table has one.")
    notes = serializers.ListField(child=serializers.CharField())


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, in the reader's language (Accept-Language).")


class BadParametersSerializer(ErrorSerializer):
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="The messages for each query parameter that is not valid.",
    )


class ApiRootSerializer(serializers.Serializer):
    districts = serializers.URLField()
    officers = serializers.URLField()
    events = serializers.URLField()
    feedback = serializers.URLField()
    updates = serializers.URLField()
    statistics = serializers.URLField()
    schema = serializers.URLField()
    docs = serializers.URLField()
