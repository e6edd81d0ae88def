"""The fan-out's progress for administrators: sent / failed / total and a bar, polled with htmx.

An htmx request (every 2 s while unfinished) gets the partial alone; a plain request gets the
page around it, so it works without JavaScript too (reload to refresh). No inline script: the
polling is the partial's hx-get / hx-trigger attributes, dropped once the fan-out finished.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from transparency.models import Update
from transparency.permissions import can_manage_updates
from transparency.services.fanout import fanout_report

PARTIAL = "transparency/staff/_progress.html"


@never_cache
@login_required
@require_GET
def update_progress_view(request: HttpRequest, pk: int) -> HttpResponse:
    if not can_manage_updates(request.user):
        raise PermissionDenied
    update = get_object_or_404(Update, pk=pk)
    context = {"update": update, "progress": fanout_report(update=update)}
    if getattr(request, "htmx", False):
        return render(request, PARTIAL, context)
    return render(request, "transparency/staff/progress.html", context)
