"""Staff accounts: two-factor before any page, and sign-out after a period of inactivity."""

from __future__ import annotations

import time
from collections.abc import Callable

from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _

from portal.permissions import can_use_back_office
from portal.roles import is_staff_member

# Paths a staff member without two-factor may still open: signing in and out and setting it up
# (allauth's pages, including email and password), static files and the health check. Compared
# after the language prefix is removed, so /es/accounts/... is allowed and /es/staff/... is not.
MFA_SETUP_ALLOWED_PREFIXES = ("/accounts/", "/static/", "/healthz")
# The Django admin's own sign-in form takes a password alone, which would skip two-factor.
ADMIN_LOGIN_PATH = "/admin/login/"
LAST_SEEN_KEY = "portal_staff_last_seen"
# Recording activity writes the session; once a minute is enough for a timeout counted in minutes.
LAST_SEEN_RESOLUTION_SECONDS = 60


def _strip_language_prefix(path: str) -> str:
    for code, _name in settings.LANGUAGES:
        prefix = f"/{code}/"
        if path.startswith(prefix):
            return path[len(prefix) - 1 :]
    return path


def _login_url_for(request: HttpRequest) -> str:
    url = reverse("account_login")
    next_url = request.get_full_path() if request.method == "GET" else ""
    if next_url and url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        url = f"{url}?{urlencode({'next': next_url})}"
    return url


def _safe_next(request: HttpRequest, default: str) -> str:
    next_url = request.GET.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return default


def _admin_login(request: HttpRequest) -> HttpResponse:
    """Everyone signs in through allauth (password, then two-factor), never the admin's form."""
    next_url = _safe_next(request, reverse("admin:index"))
    if not request.user.is_authenticated:
        return redirect(f"{reverse('account_login')}?{urlencode({'next': next_url})}")
    if can_use_back_office(request.user):
        return redirect(next_url)
    raise PermissionDenied


class StaffSecurityMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _strip_language_prefix(request.path) == ADMIN_LOGIN_PATH:
            return _admin_login(request)
        user = request.user
        # is_staff_member covers every staff role and superusers; inactive users are never signed in.
        if user.is_authenticated and is_staff_member(user):
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN_KEY)
            if last_seen is not None and now - last_seen > settings.STAFF_IDLE_TIMEOUT_MINUTES * 60:
                login_url = _login_url_for(request)
                logout(request)
                messages.info(request, _("You were signed out after a period of inactivity. Please sign in again."))
                return redirect(login_url)
            if last_seen is None or now - last_seen >= LAST_SEEN_RESOLUTION_SECONDS:
                request.session[LAST_SEEN_KEY] = now
            path = _strip_language_prefix(request.path)
            if not path.startswith(MFA_SETUP_ALLOWED_PREFIXES) and not get_mfa_adapter().is_mfa_enabled(
                user, types=["totp"]
            ):
                messages.warning(request, _("Staff accounts must set up two-factor sign-in before continuing."))
                return redirect("mfa_activate_totp")
        return self.get_response(request)
