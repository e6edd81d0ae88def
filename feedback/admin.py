"""The back office for feedback (administrators). Items and replies are read here; every change
goes through the same services as the staff pages (feedback.services.answering): publishing,
declining, closing, and saving reply templates. Answering and redacting happen on the staff pages
(/staff/feedback/), which the admin links to.

The anonymous sender's contact address is excluded from every admin form, list and search, and
the private link's hash is never shown.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from feedback.models import Feedback, Reply, ReplyTemplate
from feedback.services import answering

HIDDEN_FIELDS = ("contact_email", "reader_token_hash")


class ReplyInline(admin.TabularInline):
    model = Reply
    extra = 0
    can_delete = False
    fields = ["created_at", "author", "is_public", "signature", "body"]
    readonly_fields = fields
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "about", "status", "publication", "district", "created_at", "staff_link"]
    list_filter = ["status", "kind", "publication", "district"]
    list_select_related = ["district"]
    search_fields = ["message", "public_message", "complaint_reference"]  # never the contact address
    date_hierarchy = "created_at"
    ordering = ["-created_at"]
    exclude = HIDDEN_FIELDS
    readonly_fields = [
        "kind",
        "about",
        "district",
        "officer",
        "event",
        "message",
        "language",
        "may_publish",
        "author",
        "status",
        "assigned_to",
        "created_at",
        "first_reply_at",
        "closed_at",
        "publication",
        "public_message",
        "published_at",
        "decline_reason",
        "moderated_by",
        "rating",
        "rated_at",
        "follow_up",
        "follow_up_at",
        "complaint_reference",
    ]
    inlines = [ReplyInline]
    actions = ["publish_selected", "close_selected"]

    @admin.display(description=_("Staff page"))
    def staff_link(self, obj: Feedback) -> str:
        return format_html(
            '<a href="{}">{}</a>', reverse("feedback:staff-detail", kwargs={"pk": obj.pk}), _("Open to answer")
        )

    def get_fields(self, request: HttpRequest, obj: Feedback | None = None) -> list[str]:
        return [name for name in self.readonly_fields if name not in HIDDEN_FIELDS]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # feedback is sent by residents, through the sending pages

    def has_delete_permission(self, request: HttpRequest, obj: Feedback | None = None) -> bool:
        return False

    def _each(self, request: HttpRequest, queryset: QuerySet[Feedback], call: Any, done: Any) -> None:
        ok = 0
        for item in queryset:
            try:
                call(item)
            except ValidationError as exc:
                self.message_user(request, f"{item}: {' '.join(exc.messages)}", level=messages.ERROR)
            else:
                ok += 1
        if ok:
            self.message_user(request, done % {"count": ok}, level=messages.SUCCESS)

    @admin.action(description=_("Publish the selected feedback as written (the sender allowed it)"))
    def publish_selected(self, request: HttpRequest, queryset: QuerySet[Feedback]) -> None:
        self._each(
            request,
            queryset,
            lambda item: answering.feedback_publish(feedback_id=item.pk, public_text="", actor=request.user),
            ngettext_lazy("%(count)d item published.", "%(count)d items published.", "count"),
        )

    @admin.action(description=_("Close the selected feedback"))
    def close_selected(self, request: HttpRequest, queryset: QuerySet[Feedback]) -> None:
        self._each(
            request,
            queryset,
            lambda item: answering.feedback_close(feedback_id=item.pk, actor=request.user),
            ngettext_lazy("%(count)d item closed.", "%(count)d items closed.", "count"),
        )


@admin.register(Reply)
class ReplyAdmin(admin.ModelAdmin):
    list_display = ["__str__", "feedback", "is_public", "signature", "created_at"]
    list_filter = ["is_public", "signature"]
    list_select_related = ["feedback"]
    fields = ["feedback", "author", "body", "is_public", "signature", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # replies are written on the staff pages, which email the sender

    def has_change_permission(self, request: HttpRequest, obj: Reply | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Reply | None = None) -> bool:
        return False


class ReplyTemplateAdminForm(forms.ModelForm):
    """Runs the service's checks in clean(), so a refusal shows on the form."""

    class Meta:
        model = ReplyTemplate
        fields = ["title", "language", "body"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        try:
            answering.reply_template_check(title=data["title"], body=data["body"], language=data["language"])
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    self.add_error(field if field in self.fields else None, errors)
            else:
                self.add_error(None, exc)
        return data


@admin.register(ReplyTemplate)
class ReplyTemplateAdmin(admin.ModelAdmin):
    form = ReplyTemplateAdminForm
    list_display = ["title", "language", "created_at"]
    list_filter = ["language"]
    search_fields = ["title", "body"]

    def save_model(self, request: HttpRequest, obj: ReplyTemplate, form: forms.ModelForm, change: bool) -> None:
        data = {name: form.cleaned_data[name] for name in ("title", "language", "body")}
        if change:
            saved = answering.reply_template_update(template_id=obj.pk, actor=request.user, **data)
        else:
            saved = answering.reply_template_create(actor=request.user, **data)
        obj.pk = saved.pk
        obj.created_by_id = saved.created_by_id
        obj.created_at = saved.created_at

    def delete_model(self, request: HttpRequest, obj: ReplyTemplate) -> None:
        answering.reply_template_delete(template_id=obj.pk, actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[ReplyTemplate]) -> None:
        for template in queryset:
            answering.reply_template_delete(template_id=template.pk, actor=request.user)
