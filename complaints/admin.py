"""The back office for complaints: only the allegation categories (data administrators manage).

Deliberately NOT here:
- Complaint, its officers, allegations, timeline, messages and evidence. The admin would read
  them around the two guarantees every staff path keeps: the conflict-of-interest rule
  (complaints.permissions.complaints_visible_to: nobody sees a complaint that names them) and the
  access log (every staff read is recorded). Investigators and administrators work complaints at
  /staff/complaints/, which keep both, and change them only through complaints.services.workflow.
- AccessLogEntry. The log is append-only (model, queryset and, on PostgreSQL, a trigger) and is
  read at /staff/complaints/access-log/, which is itself filtered by the conflict-of-interest
  rule; an admin page would list entries about complaints naming the reader.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from complaints.models import AllegationCategory


@admin.register(AllegationCategory)
class AllegationCategoryAdmin(admin.ModelAdmin):
    list_display = ["name_en", "name_es", "slug", "is_active", "order"]
    list_editable = ["is_active", "order"]
    list_filter = ["is_active"]
    search_fields = ["name_en", "name_es", "slug"]
    ordering = ["order", "pk"]
    prepopulated_fields = {"slug": ("name_en",)}

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Allegations keep their category (PROTECT): retire one with "offered on the form" instead.
        return False
