"""The back office for updates (administrators). Saving goes through the same service as the staff
pages (transparency.services.updates), so the Markdown is rendered and sanitised the same way and
the cache is bumped; publishing is an action calling `update_publish` (once, with the fan-out).
A published update is read-only here: correct it on the staff page, where the note is recorded.
Attachments are listed read-only (they are checked by content when added on the staff pages).

Other parts (subscribers) add their admin classes at the END of this file.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from transparency import permissions
from transparency.models import Update, UpdateAttachment
from transparency.services import updates as services

TEXT_FIELDS = ["title", "category", "summary", "body", "title_es", "summary_es", "body_es"]


class UpdateAdminForm(forms.ModelForm):
    """Runs the service's checks in clean(), so a refusal shows on the form, not as an error page."""

    class Meta:
        model = Update
        fields = [*TEXT_FIELDS, "districts", "event"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        try:
            services._clean_text(**{name: data.get(name, "") for name in TEXT_FIELDS})
        except ValidationError as exc:
            for field, errors in exc.error_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        return data


class UpdateAttachmentInline(admin.TabularInline):
    model = UpdateAttachment
    extra = 0
    can_delete = False
    fields = ["title", "size", "sha256", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Update)
class UpdateAdmin(admin.ModelAdmin):
    form = UpdateAdminForm
    list_display = ["title", "category", "status", "publish_at", "published_at", "corrected_at"]
    list_filter = ["status", "category", "districts"]
    search_fields = ["title", "title_es", "slug", "summary"]
    date_hierarchy = "created_at"
    ordering = ["-created_at"]
    filter_horizontal = ["districts"]
    raw_id_fields = ["event"]
    inlines = [UpdateAttachmentInline]
    actions = ["publish_now"]

    def get_readonly_fields(self, request: HttpRequest, obj: Update | None = None) -> list[str]:
        state = ["slug", "status", "publish_at", "published_at", "correction_note", "corrected_at", "fanout_total"]
        if obj is not None and obj.is_published:
            return [*TEXT_FIELDS, "districts", "event", *state]
        return state

    def has_module_permission(self, request: HttpRequest) -> bool:
        return permissions.can_manage_updates(request.user) and super().has_module_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Update | None = None) -> bool:
        # A published update stays on the record; a draft may go.
        if obj is not None and obj.is_published:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: Update, form: forms.ModelForm, change: bool) -> None:
        data = form.cleaned_data
        saved = services.update_save(
            actor=request.user,
            update_id=obj.pk if change else None,
            event=data.get("event"),
            districts=list(data.get("districts") or []),
            **{name: data.get(name, "") for name in TEXT_FIELDS},
        )
        obj.pk, obj.slug, obj.body_html, obj.body_es_html = saved.pk, saved.slug, saved.body_html, saved.body_es_html

    def save_related(self, request: HttpRequest, form: forms.ModelForm, formsets: Any, change: bool) -> None:
        # The service has set the districts (no form.save_m2m()); the attachment inline is read-only,
        # saving it changes nothing but gives the admin's change message what it reads.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    @admin.action(description=_("Publish the selected updates now (and email subscribers)"))
    def publish_now(self, request: HttpRequest, queryset: QuerySet[Update]) -> None:
        published = 0
        for update in queryset.exclude(status=Update.Status.PUBLISHED):
            try:
                services.update_publish(update_id=update.pk, actor=request.user)
            except ValidationError as exc:
                self.message_user(request, f"{update.title}: {' '.join(exc.messages)}", level=messages.ERROR)
            else:
                published += 1
        self.message_user(
            request,
            ngettext("%(count)d update published.", "%(count)d updates published.", published) % {"count": published},
        )
