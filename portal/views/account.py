"""My account: preferences, links to sign-in settings, data export and deletion."""

from __future__ import annotations

import json

from allauth.account.models import EmailAddress
from allauth.core import ratelimit
from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse, translate_url
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from portal import permissions
from portal.accounts import account_delete, account_export, account_update_preferences, is_staff_account
from portal.forms import AccountDeleteForm, AccountPreferencesForm


def _posted(request: HttpRequest) -> QueryDict | None:
    """The submitted data on a POST (even an empty one, so it is validated), else None."""
    return request.POST if request.method == "POST" else None


def _require_account(request: HttpRequest) -> None:
    if not permissions.can_use_my_account(request.user):
        raise PermissionDenied


@login_required
@require_http_methods(["GET", "POST"])
def account_view(request: HttpRequest) -> HttpResponse:
    _require_account(request)
    user = request.user
    form = AccountPreferencesForm(_posted(request), instance=user)
    if request.method == "POST" and form.is_valid():
        try:
            account_update_preferences(
                user=user,
                language=form.cleaned_data["language"],
                email_event_reminders=form.cleaned_data["email_event_reminders"],
                email_replies=form.cleaned_data["email_replies"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Your preferences are saved."))
            # Show the account page in the language the person just chose.
            return redirect(translate_url(reverse("portal:account"), user.language))
    if form.errors:
        user.refresh_from_db(fields=["language", "email_event_reminders", "email_replies"])
    context = {
        "form": form,
        "primary_email": EmailAddress.objects.filter(user=user, primary=True).first(),
        "has_two_factor": get_mfa_adapter().is_mfa_enabled(user),
        "is_staff_account": is_staff_account(user),
    }
    return render(request, "portal/account/index.html", context, status=400 if form.errors else 200)


@never_cache
@login_required
@require_GET
def account_export_view(request: HttpRequest) -> HttpResponse:
    _require_account(request)
    data = account_export(user=request.user)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
    filename = f"my-data-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def account_delete_view(request: HttpRequest) -> HttpResponse:
    _require_account(request)
    user = request.user
    form = AccountDeleteForm(_posted(request), user=user)
    status = 200
    rate_limited = False
    if request.method == "POST":
        # The password check is a reauthentication: limit guesses like allauth's own.
        if not ratelimit.consume(request, action="reauthenticate", user=user):
            form, rate_limited, status = AccountDeleteForm(user=user), True, 429
        elif form.is_valid():
            try:
                outcome = account_delete(user=user)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                logout(request)
                if outcome == "deactivated":
                    messages.success(request, _("Your staff account is deactivated. You have been signed out."))
                else:
                    messages.success(request, _("Your account is deleted. You have been signed out."))
                return redirect("portal:home")
        if form.errors:
            status = 400
    context = {"form": form, "is_staff_account": is_staff_account(user), "rate_limited": rate_limited}
    return render(request, "portal/account/delete.html", context, status=status)
