"""Home, the editable site pages, the health check and the error pages."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from portal.models import SitePage

logger = logging.getLogger(__name__)


@require_GET
def home_view(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html")


@require_GET
def site_page_view(request: HttpRequest, page: str) -> HttpResponse:
    site_page = SitePage.objects.filter(slug=page).first()
    if site_page is None and page not in SitePage.Slug.values:
        raise Http404
    language = translation.get_language() or settings.LANGUAGE_CODE
    return render(
        request,
        "portal/site_page.html",
        {
            "page": site_page,
            "page_slug": page,
            "title": site_page.title_for(language) if site_page else SitePage.Slug(page).label,
            "body": site_page.body_for(language) if site_page else "",
            "showing_english_fallback": bool(site_page and language == "es" and not site_page.body_es),
        },
    )


def _broker_state() -> str:
    from portal.celery import app

    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        return "ok" if settings.CELERY_QUEUE_DIR.is_dir() else "missing"
    try:
        with app.connection_for_read() as conn:
            conn.ensure_connection(max_retries=1, timeout=1)
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
    # Rendered without the request context: whatever broke may be what the context needs.
    from django.template.loader import get_template

    return HttpResponse(get_template("500.html").render({"department_name": settings.DEPARTMENT_NAME}), status=500)


def csrf_failure_view(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "403_csrf.html", status=403)
