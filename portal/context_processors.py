from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django.utils import translation

from portal import roles


def _browser_prefers_spanish(request: HttpRequest) -> bool:
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    first = header.split(",")[0].split(";")[0].strip().lower()
    return first.startswith("es")


def site(request: HttpRequest) -> dict[str, Any]:
    """Department branding, language links and the viewer's roles for every template."""
    current = translation.get_language() or settings.LANGUAGE_CODE
    path = request.get_full_path()
    language_links = [
        {"code": code, "name": name, "url": translate_url(path, code), "current": code == current}
        for code, name in settings.LANGUAGES
    ]
    user = getattr(request, "user", None)
    return {
        "department": {
            "name": settings.DEPARTMENT_NAME,
            "short_name": settings.DEPARTMENT_SHORT_NAME,
            "logo": settings.DEPARTMENT_LOGO,
            "primary_color": settings.DEPARTMENT_PRIMARY_COLOR,
            "accent_color": settings.DEPARTMENT_ACCENT_COLOR,
            "phone": settings.DEPARTMENT_PHONE,
            "emergency_number": settings.EMERGENCY_NUMBER,
        },
        "language_links": language_links,
        "offer_spanish": current != "es" and _browser_prefers_spanish(request),
        "spanish_url": translate_url(path, "es"),
        "viewer_is_staff": roles.is_staff_member(user),
        "viewer_is_administrator": roles.is_administrator(user),
        "viewer_is_investigator": roles.is_investigator(user),
        "viewer_is_officer": roles.is_officer(user),
    }
