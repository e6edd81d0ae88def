from __future__ import annotations

import logging
import re
from functools import cache
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header

from portal import roles

logger = logging.getLogger(__name__)

HEX_COLOR = re.compile(r"#(?:[0-9a-fA-F]{3}){1,2}")
DEFAULT_PRIMARY_COLOR = "#1a4480"
DEFAULT_ACCENT_COLOR = "#e5a000"


def safe_hex_color(value: str, *, default: str) -> str:
    """`value` if it is a #rgb or #rrggbb colour, else `default`.

    The colours go into a <style> element: anything but a plain hex colour could inject CSS.
    """
    value = (value or "").strip()
    if HEX_COLOR.fullmatch(value):
        return value.lower()
    logger.warning("Ignoring department colour %r: it must be a hex colour such as #1a4480.", value)
    return default


def _relative_luminance(color: str) -> float:
    digits = color.lstrip("#")
    if len(digits) == 3:
        digits = "".join(ch * 2 for ch in digits)
    channels = []
    for i in (0, 2, 4):
        c = int(digits[i : i + 2], 16) / 255
        channels.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    red, green, blue = channels
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def text_color_on(background: str) -> str:
    """Black or white, whichever reads better on `background` (WCAG contrast)."""
    luminance = _relative_luminance(background)
    contrast_with_white = 1.05 / (luminance + 0.05)
    contrast_with_black = (luminance + 0.05) / 0.05
    return "#ffffff" if contrast_with_white >= contrast_with_black else "#1b1b1b"


@cache
def _branding(primary: str, accent: str) -> dict[str, str]:
    primary = safe_hex_color(primary, default=DEFAULT_PRIMARY_COLOR)
    accent = safe_hex_color(accent, default=DEFAULT_ACCENT_COLOR)
    return {
        "primary_color": primary,
        "primary_text_color": text_color_on(primary),
        "accent_color": accent,
        "accent_text_color": text_color_on(accent),
    }


def browser_prefers_spanish(request: HttpRequest) -> bool:
    """True when Spanish comes before English (and any other language we serve) in Accept-Language."""
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    served = {code for code, _name in settings.LANGUAGES}
    for code, _quality in parse_accept_lang_header(header[:1000]):  # sorted by quality, best first
        primary = code.split("-")[0].lower()
        if primary in served:
            return primary == "es"
    return False


def _strip_language_prefix(path: str) -> str:
    for code, _name in settings.LANGUAGES:
        if code != settings.LANGUAGE_CODE and (path == f"/{code}" or path.startswith(f"/{code}/")):
            return path[len(code) + 1 :] or "/"
    return path


def language_url(path: str, language: str) -> str:
    """The same page in `language`: English at /..., the others at /<code>/...

    translate_url() knows every route; for a path no route matches (a 404 page) the prefix is
    swapped by hand, which is right for every page under i18n_patterns.
    """
    translated = translate_url(path, language)
    if translated != path or language == translation.get_language():
        return translated
    bare = _strip_language_prefix(path)
    return bare if language == settings.LANGUAGE_CODE else f"/{language}{bare}"


def site(request: HttpRequest) -> dict[str, Any]:
    """Department branding, language links and the viewer's roles for every template."""
    current = translation.get_language() or settings.LANGUAGE_CODE
    path = request.get_full_path()
    language_links = [
        {"code": code, "name": name, "url": language_url(path, code), "current": code == current}
        for code, name in settings.LANGUAGES
    ]
    user = getattr(request, "user", None)
    return {
        "department": {
            "name": settings.DEPARTMENT_NAME,
            "short_name": settings.DEPARTMENT_SHORT_NAME,
            "logo": settings.DEPARTMENT_LOGO,
            "phone": settings.DEPARTMENT_PHONE,
            "emergency_number": settings.EMERGENCY_NUMBER,
            **_branding(settings.DEPARTMENT_PRIMARY_COLOR, settings.DEPARTMENT_ACCENT_COLOR),
        },
        "site_url": settings.SITE_URL,
        "language_links": language_links,
        "offer_spanish": current != "es" and browser_prefers_spanish(request),
        "spanish_url": language_url(path, "es"),
        "viewer_is_staff": roles.is_staff_member(user),
        "viewer_is_administrator": roles.is_administrator(user),
        "viewer_is_investigator": roles.is_investigator(user),
        "viewer_is_officer": roles.is_officer(user),
    }
