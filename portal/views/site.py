"""Home, the editable site pages, the health check and the error pages."""

from __future__ import annotations

import logging
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import get_template
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from portal.models import SitePage
from portal.site_pages import site_page_for_language

logger = logging.getLogger(__name__)


@require_GET
def home_view(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html")


@require_GET
def site_page_view(request: HttpRequest, page: str) -> HttpResponse:
    if page not in SitePage.Slug.values:
        raise Http404("No such site page.")
    shown = site_page_for_language(slug=page, language=translation.get_language() or settings.LANGUAGE_CODE)
    return render(request, "portal/site_page.html", {"page": shown})


def _broker_state() -> str:
    """ "ok", "down" (Redis unreachable) or "missing" (the embedded broker's folder is gone).

    One connection attempt, no retry: a health check must answer at once when Redis is down.
    """
    from portal.celery import app

    if (app.conf.broker_url or "").startswith("filesystem://"):
        folder = app.conf.broker_transport_options.get("data_folder_in")
        return "ok" if folder and Path(folder).is_dir() else "missing"
    try:
        with app.connection_for_read() as conn:
            conn.ensure_connection(max_retries=0, timeout=2)
    except Exception as exc:  # noqa: BLE001 — any broker error means "down" here
        logger.warning("healthz: broker unreachable: %s", exc)
        return "down"
    return "ok"


@never_cache
@require_GET
def healthz_view(request: HttpRequest) -> JsonResponse:
    """200 with the database and broker state; 503 when the database is unreachable."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except Exception as exc:  # noqa: BLE001
        logger.error("healthz: database unreachable: %s", exc)
        database = "down"
    broker = _broker_state()
    status = 200 if database == "ok" else 503
    return JsonResponse(
        {"status": "ok" if status == 200 else "error", "database": database, "broker": broker}, status=status
    )


def bad_request_view(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "400.html", status=400)


def permission_denied_view(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def not_found_view(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error_view(request: HttpRequest) -> HttpResponse:
    """The 500 page: standalone, no database and no context processors.

    Whatever broke may be what a context processor or the database needs, so this page renders
    from settings alone, in the language that was active when the error happened.
    """
    language = translation.get_language() or settings.LANGUAGE_CODE
    prefix = "" if language == settings.LANGUAGE_CODE else f"/{language}"
    context = {
        "department_name": settings.DEPARTMENT_NAME,
        "department_phone": settings.DEPARTMENT_PHONE,
        "emergency_number": settings.EMERGENCY_NUMBER,
        "home_url": f"{prefix}/",
    }
    return HttpResponse(get_template("500.html").render(context), status=500)


def csrf_failure_view(request: HttpRequest, reason: str = "") -> HttpResponse:
    # `reason` is for developers (and Django's log); the visitor gets a plain explanation.
    return render(request, "403_csrf.html", status=403)
