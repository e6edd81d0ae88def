"""Staff accounts: two-factor before any page, and sign-out after a period of inactivity."""

from __future__ import annotations

import time
from collections.abc import Callable

from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from portal.roles import is_staff_member

# Paths a staff member without two-factor may still open: signing in and out, setting it up.
MFA_SETUP_ALLOWED_PREFIXES = ("/accounts/", "/static/", "/healthz")
LAST_SEEN_KEY = "portal_staff_last_seen"


def _strip_language_prefix(path: str) -> str:
    for code, _name in settings.LANGUAGES:
        prefix = f"/{code}/"
        if path.startswith(prefix):
            return path[len(prefix) - 1 :]
    return path


class StaffSecurityMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and is_staff_member(user):
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN_KEY)
            if last_seen is not None and now - last_seen > settings.STAFF_IDLE_TIMEOUT_MINUTES * 60:
                logout(request)
                messages.info(request, _("You were signed out after a period of inactivity."))
                return redirect(f"{reverse('account_login')}?next={request.path}")
            request.session[LAST_SEEN_KEY] = now
            path = _strip_language_prefix(request.path)
            if not path.startswith(MFA_SETUP_ALLOWED_PREFIXES) and not get_mfa_adapter().is_mfa_enabled(
                user, types=["totp"]
            ):
                messages.warning(request, _("Staff accounts must set up two-factor sign-in before continuing."))
                return redirect("mfa_activate_totp")
        return self.get_response(request)
