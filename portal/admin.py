"""The back office (Django admin) for administrators: the directory, the site pages, and read-only
views of the mail outbox and the staff audit trail.

Staff accounts are invited, linked, deactivated and reset in the portal's /staff/ pages, which
record who did what; here accounts are read-only except for what those pages do not cover.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from portal.models import (
    District,
    Language,
    OfficerProfile,
    OutboxMessage,
    SitePage,
    StaffAuditEntry,
    TrainingRecord,
    User,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows that are a record of what happened: nobody adds, edits or deletes them here."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return False


@admin.register(Language)
class LanguageAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "display_name"]
    search_fields = ["code", "name"]
    ordering = ["code"]

    @admin.display(description=_("shown as"))
    def display_name(self, obj: Language) -> str:
        return obj.display_name


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "officer_count"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request: HttpRequest) -> QuerySet[District]:
        return super().get_queryset(request).annotate(_officer_count=Count("officers"))

    @admin.display(description=_("officers"), ordering="_officer_count")
    def officer_count(self, obj: District) -> int:
        return obj._officer_count


class TrainingRecordInline(admin.TabularInline):
    model = TrainingRecord
    extra = 1
    fields = ["course", "completed_on"]


@admin.register(OfficerProfile)
class OfficerProfileAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "badge_number", "rank", "district", "is_public", "user"]
    list_display_links = ["last_name", "first_name"]
    list_filter = ["is_public", "district", "languages"]
    list_select_related = ["district", "user"]
    search_fields = ["first_name", "last_name", "badge_number", "slug"]
    prepopulated_fields = {"slug": ["first_name", "last_name"]}
    filter_horizontal = ["languages"]
    # The account link is made (and recorded) in /staff/people/<id>/officer/.
    readonly_fields = ["user"]
    inlines = [TrainingRecordInline]
    fieldsets = [
        (None, {"fields": ["first_name", "last_name", "slug", "badge_number", "rank", "district"]}),
        (_("Public directory"), {"fields": ["is_public", "languages", "bio"]}),
        (_("Account"), {"fields": ["user"]}),
    ]


@admin.register(SitePage)
class SitePageAdmin(admin.ModelAdmin):
    list_display = ["slug", "title_en", "title_es", "updated_at", "updated_by"]
    readonly_fields = ["updated_at", "updated_by"]
    fieldsets = [
        (None, {"fields": ["slug"]}),
        (_("English"), {"fields": ["title_en", "body_en"]}),
        (_("Spanish"), {"fields": ["title_es", "body_es"]}),
        (_("History"), {"fields": ["updated_at", "updated_by"]}),
    ]

    def get_readonly_fields(self, request: HttpRequest, obj: SitePage | None = None) -> list[str]:
        # The slug is the page's address: fixed once the page exists.
        return [*self.readonly_fields, "slug"] if obj is not None else list(self.readonly_fields)

    def save_model(self, request: HttpRequest, obj: SitePage, form: object, change: bool) -> None:
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "to", "template", "language", "status", "attempts", "sent_at"]
    list_filter = ["status", "language", "template"]
    search_fields = ["to", "dedupe_key", "template"]
    date_hierarchy = "created_at"
    ordering = ["-created_at"]
    # The context may hold links with one-time tokens: shown to administrators, never editable.
    readonly_fields = [field.name for field in OutboxMessage._meta.fields]


@admin.register(StaffAuditEntry)
class StaffAuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "actor", "action", "subject"]
    list_filter = ["action"]
    list_select_related = ["actor", "subject"]
    search_fields = ["actor__email", "subject__email"]
    date_hierarchy = "created_at"
    readonly_fields = ["created_at", "actor", "action", "subject", "detail"]


class UserCreationAdminForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ["email"]


class UserChangeAdminForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Accounts by email. Roles and deactivation go through /staff/ (recorded there)."""

    form = UserChangeAdminForm
    add_form = UserCreationAdminForm

    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "language", "is_active", "is_staff", "last_login"]
    list_filter = ["is_active", "is_staff", "is_superuser", "groups", "language"]
    search_fields = ["email", "first_name", "last_name"]
    readonly_fields = ["last_login", "date_joined", "deleted_at", "groups", "is_active"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Personal details"), {"fields": ["first_name", "last_name", "language"]}),
        (_("Notifications"), {"fields": ["email_event_reminders", "email_replies"]}),
        (_("Role and access"), {"fields": ["is_active", "groups", "is_staff", "is_superuser", "user_permissions"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined", "deleted_at"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "usable_password", "password1", "password2"]})]

    def has_delete_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        # Accounts are anonymised (residents) or deactivated (staff), never deleted.
        return False
