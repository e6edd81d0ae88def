"""The back office for events (administrators). Saving and the publish / cancel actions go through
the same services as the staff pages (events.services.hosting), so the rules, the emails to
people with a seat and the cache bumps are the same; RSVPs are read-only here (people change their
own, hosts check them in on the staff pages).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from events.forms_staff import CancelForm
from events.models import RSVP, Event
from events.services import hosting

SERVICE_FIELDS = (*hosting.EDITABLE_FIELDS, *hosting.MANY_TO_MANY_FIELDS)


def _formfield(db_field: models.Field, **kwargs: Any) -> forms.Field | None:
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return db_field.formfield(**kwargs)


class EventAdminForm(forms.ModelForm):
    """Runs the services' checks in clean(), so a refusal shows on the form, not as an error page."""

    actor: Any = None  # set per request by EventAdmin.get_form

    class Meta:
        model = Event
        fields = list(SERVICE_FIELDS)
        formfield_callback = _formfield

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        try:
            if self.instance.pk:
                changes = {name: data[name] for name in self.changed_data if name in data}
                hosting.event_update_check(event_id=self.instance.pk, changes=changes, actor=self.actor)
            else:
                hosting.event_create_check(**data)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    self.add_error(field if field in self.fields else None, errors)
            else:
                self.add_error(None, exc)
        return data


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    form = EventAdminForm
    list_display = ["title", "starts_at", "status", "kind", "district", "capacity", "sequence"]
    list_filter = ["status", "kind", "district", "starts_at"]
    list_select_related = ["district"]
    search_fields = ["title", "slug", "venue_name", "address"]
    date_hierarchy = "starts_at"
    ordering = ["-starts_at"]
    filter_horizontal = ["hosts", "languages"]
    readonly_fields = [
        "slug",
        "status",
        "sequence",
        "walk_ins",
        "published_at",
        "cancelled_at",
        "cancellation_reason",
        "created_by",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": ["title", "slug", "status", "kind", "district", "summary", "description"]}),
        (_("When"), {"fields": ["starts_at", "ends_at", "rsvp_deadline"]}),
        (_("Where"), {"fields": ["venue_name", "address", "online_url"]}),
        (_("Seats and hosts"), {"fields": ["capacity", "hosts"]}),
        (
            _("Languages and accessibility"),
            {
                "fields": [
                    "languages",
                    "step_free_access",
                    "interpreter",
                    "childcare",
                    "captioning",
                    "accessibility_notes",
                ]
            },
        ),
        (
            _("History"),
            {
                "fields": [
                    "sequence",
                    "walk_ins",
                    "published_at",
                    "cancelled_at",
                    "cancellation_reason",
                    "created_by",
                    "created_at",
                    "updated_at",
                ]
            },
        ),
    ]
    actions = ["publish_selected", "cancel_selected"]

    def has_delete_permission(self, request: HttpRequest, obj: Event | None = None) -> bool:
        # Events with RSVPs are history (attendance, surveys): cancel them instead.
        return False

    def has_change_permission(self, request: HttpRequest, obj: Event | None = None) -> bool:
        if obj is not None and obj.is_cancelled:
            return False  # a cancelled event cannot change (the service refuses too)
        return super().has_change_permission(request, obj)

    def formfield_for_dbfield(self, db_field: models.Field, request: HttpRequest, **kwargs: Any) -> Any:
        if isinstance(db_field, models.URLField):
            kwargs.setdefault("assume_scheme", "https")
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_form(self, request: HttpRequest, obj: Event | None = None, change: bool = False, **kwargs: Any):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        return type(form_class.__name__, (form_class,), {"actor": request.user})

    def save_model(self, request: HttpRequest, obj: Event, form: forms.ModelForm, change: bool) -> None:
        """Through the services; a rule they enforce becomes a form error before we get here."""
        if change:
            changes = {name: form.cleaned_data[name] for name in form.changed_data if name in SERVICE_FIELDS}
            saved = hosting.event_update(event_id=obj.pk, changes=changes, actor=request.user)
        else:
            values = {name: form.cleaned_data[name] for name in SERVICE_FIELDS if name in form.cleaned_data}
            saved = hosting.event_create(actor=request.user, **values)
        # The admin logs and redirects to `obj`: make it the saved row.
        obj.pk, obj.slug, obj.status, obj.sequence = saved.pk, saved.slug, saved.status, saved.sequence

    def save_related(self, request: HttpRequest, form: forms.ModelForm, formsets: Any, change: bool) -> None:
        # The services set hosts and languages; form.save_m2m() would undo what they added
        # (an officer who creates an event hosts it).
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    @admin.action(description=_("Publish the selected draft events"))
    def publish_selected(self, request: HttpRequest, queryset: QuerySet[Event]) -> None:
        done = 0
        for event in queryset.order_by("pk"):
            try:
                hosting.event_publish(event_id=event.pk, actor=request.user)
            except ValidationError as exc:
                self.message_user(request, f"{event.title}: {' '.join(exc.messages)}", level=messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(
                request,
                ngettext("%(count)d event published.", "%(count)d events published.", done) % {"count": done},
                level=messages.SUCCESS,
            )

    @admin.action(description=_("Cancel the selected events (asks for a reason)"))
    def cancel_selected(self, request: HttpRequest, queryset: QuerySet[Event]) -> HttpResponse | None:
        """A confirmation page with the reason (it goes to everyone with a seat), then the service."""
        form = CancelForm(request.POST if "confirm" in request.POST else None)
        if "confirm" in request.POST and form.is_valid():
            done = 0
            for event in queryset.order_by("pk"):
                try:
                    hosting.event_cancel(event_id=event.pk, reason=form.cleaned_data["reason"], actor=request.user)
                except ValidationError as exc:
                    self.message_user(request, f"{event.title}: {' '.join(exc.messages)}", level=messages.ERROR)
                else:
                    done += 1
            if done:
                self.message_user(
                    request,
                    ngettext("%(count)d event cancelled.", "%(count)d events cancelled.", done) % {"count": done},
                    level=messages.SUCCESS,
                )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Cancel events"),
            "opts": self.model._meta,
            "events": list(queryset.order_by("starts_at")),
            "form": form,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return render(request, "events/staff/admin_cancel_confirm.html", context, status=400 if form.errors else 200)


@admin.register(RSVP)
class RSVPAdmin(admin.ModelAdmin):
    """Read-only: a record of who held what. Changes go through the people themselves and the hosts."""

    list_display = ["seat_code", "event", "person", "party_size", "status", "checked_in_at", "attendance"]
    list_filter = ["status", "attendance", "reminders"]
    list_select_related = ["event", "user"]
    search_fields = ["seat_code", "guest_email", "guest_name", "user__email", "event__title"]
    raw_id_fields = ["event", "user"]
    ordering = ["-created_at"]
    exclude = ["manage_token_hash"]

    @admin.display(description=_("person"))
    def person(self, obj: RSVP) -> str:
        return obj.display_name

    def get_readonly_fields(self, request: HttpRequest, obj: RSVP | None = None) -> list[str]:
        return [field.name for field in RSVP._meta.fields if field.name != "manage_token_hash"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: RSVP | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: RSVP | None = None) -> bool:
        return False
