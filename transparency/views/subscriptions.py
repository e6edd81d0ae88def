"""Subscribing to updates by email, confirming, managing, leaving.

The subscribe form answers with the same "check your email" page whatever address is typed, so
it tells nobody whether that address is subscribed. Nothing is confirmed or changed by a GET
(mail scanners open links): confirm, change and unsubscribe are POSTs behind a button. The
one-click unsubscribe (RFC 8058) is the one POST that needs no session and no CSRF token: a mail
provider sends it with the body "List-Unsubscribe=One-Click"; it is idempotent and its secret is
the link itself. A wrong, tampered or expired link is a 404 page that says what to do.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from transparency.forms_subscriptions import ManageForm, SubscribeForm
from transparency.models import Subscriber
from transparency.services.subscriptions import (
    subscriber_confirm,
    subscriber_for_user,
    subscriber_resume,
    subscriber_save_for_user,
    subscriber_subscribe,
    subscriber_unsubscribe,
    subscriber_update,
)
from transparency.subscription_links import (
    subscriber_from_confirmation_token,
    subscriber_from_link_token,
    subscriber_link_token,
)

RATE_LIMIT_ACTION = "transparency_subscribe"

View = Callable[..., HttpResponse]


def private_link(view: View) -> View:
    """Pages opened by a secret link: never cached, never indexed, the link never sent on as a Referer."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response["Referrer-Policy"] = "same-origin"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return never_cache(wrapped)


def _link_invalid(request: HttpRequest, *, kind: str) -> HttpResponse:
    context = {"kind": kind, "confirm_days": settings.TRANSPARENCY_CONFIRM_DAYS}
    return render(request, "transparency/subscriptions/link_invalid.html", context, status=404)


def _add_error(form: Form, exc: ValidationError) -> None:
    field = {"no_category": "categories", "district": "districts", "language": "language"}.get(
        getattr(exc, "code", None) or ""
    )
    if field and field in form.fields:
        form.add_error(field, exc)
    else:
        form.add_error(None, exc)


# --- Subscribing (double opt-in) -------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def subscribe_view(request: HttpRequest) -> HttpResponse:
    language = get_language() or "en"
    form = SubscribeForm(request.POST if request.method == "POST" else None, initial={"language": language})
    status, rate_limited = 200, False
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        # Per connection and per address (settings: ACCOUNT_RATE_LIMITS["transparency_subscribe"]).
        if not ratelimit.consume(request, action=RATE_LIMIT_ACTION, key=email):
            rate_limited, status = True, 429
        else:
            try:
                subscriber_subscribe(
                    email=email,
                    categories=form.cleaned_data["categories"],
                    district_ids=form.district_ids,
                    language=form.cleaned_data["language"],
                )
            except ValidationError as exc:
                _add_error(form, exc)
            else:
                return redirect("transparency:subscribe-sent")
    if form.errors:
        status = 400
    context = {"form": form, "rate_limited": rate_limited}
    return render(request, "transparency/subscriptions/subscribe.html", context, status=status)


@require_http_methods(["GET"])
def subscribe_sent_view(request: HttpRequest) -> HttpResponse:
    # The same page whatever the address was: it tells nobody whether it was subscribed.
    return render(request, "transparency/subscriptions/sent.html", {"confirm_days": settings.TRANSPARENCY_CONFIRM_DAYS})


@private_link
@require_http_methods(["GET", "POST"])
def confirm_view(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows the "Confirm" button (a prefetching scanner confirms nothing); POST confirms."""
    subscriber = subscriber_from_confirmation_token(token=token)
    if subscriber is None:
        return _link_invalid(request, kind="confirm")
    if request.method == "POST":
        subscriber_confirm(subscriber_id=subscriber.pk)
        messages.success(request, _("Thank you: your subscription is confirmed. Here you can change it at any time."))
        return redirect("transparency:manage", token=subscriber_link_token(subscriber=subscriber))
    return render(request, "transparency/subscriptions/confirm.html", {"subscriber": subscriber, "token": token})


# --- Managing through the private link -------------------------------------------------------------


@private_link
@require_http_methods(["GET", "POST"])
def manage_view(request: HttpRequest, token: str) -> HttpResponse:
    """GET: the subscription. POST action=save (choices), unsubscribe, or resume."""
    subscriber = subscriber_from_link_token(token=token)
    if subscriber is None:
        return _link_invalid(request, kind="manage")
    action = request.POST.get("action", "save") if request.method == "POST" else ""
    form = ManageForm(request.POST if action == "save" else None, subscriber=subscriber)
    if action == "unsubscribe":
        subscriber_unsubscribe(subscriber_id=subscriber.pk)
        messages.success(request, _("You are unsubscribed. We will not email you updates any more."))
        return redirect("transparency:manage", token=token)
    if action == "resume":
        subscriber_resume(subscriber_id=subscriber.pk)
        messages.success(request, _("Welcome back: your subscription is on again."))
        return redirect("transparency:manage", token=token)
    if action == "save" and form.is_valid():
        try:
            subscriber_update(
                subscriber_id=subscriber.pk,
                categories=form.cleaned_data["categories"],
                district_ids=form.district_ids,
                language=form.cleaned_data["language"],
            )
        except ValidationError as exc:
            _add_error(form, exc)
        else:
            messages.success(request, _("Your choices are saved."))
            return redirect("transparency:manage", token=token)
    context = {"subscriber": subscriber, "form": form, "token": token}
    return render(request, "transparency/subscriptions/manage.html", context, status=400 if form.errors else 200)


# --- Signed-in residents ----------------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def my_subscriptions_view(request: HttpRequest) -> HttpResponse:
    subscriber = subscriber_for_user(user=request.user)
    action = request.POST.get("action", "save") if request.method == "POST" else ""
    if subscriber is None:
        initial = {"language": request.user.language or get_language() or "en"}
        form = ManageForm(request.POST if action == "save" else None, initial=initial)
    else:
        form = ManageForm(request.POST if action == "save" else None, subscriber=subscriber)
    if action == "unsubscribe" and subscriber is not None:
        subscriber_unsubscribe(subscriber_id=subscriber.pk)
        messages.success(request, _("You are unsubscribed. We will not email you updates any more."))
        return redirect("transparency:my-subscriptions")
    if action == "save" and form.is_valid():
        try:
            _subscriber, needs_confirmation = subscriber_save_for_user(
                user=request.user,
                categories=form.cleaned_data["categories"],
                district_ids=form.district_ids,
                language=form.cleaned_data["language"],
            )
        except ValidationError as exc:
            _add_error(form, exc)
        else:
            if needs_confirmation:
                messages.info(request, _("We have emailed you a link: follow it to start getting updates."))
            else:
                messages.success(request, _("Your choices are saved. Updates will come to your email address."))
            return redirect("transparency:my-subscriptions")
    context = {"subscriber": subscriber, "form": form}
    return render(request, "transparency/subscriptions/mine.html", context, status=400 if form.errors else 200)


# --- One-click unsubscribe (RFC 8058), no language prefix ---------------------------------------------


@csrf_exempt  # RFC 8058: the mail provider posts without a session or a token; the link is the secret
@private_link
@require_http_methods(["GET", "POST"])
def unsubscribe_view(request: HttpRequest, token: str) -> HttpResponse:
    """GET: a page with an "Unsubscribe" button. POST (the button, or a mail provider's one-click
    request with "List-Unsubscribe=One-Click"): unsubscribed, the same answer every time."""
    subscriber: Subscriber | None = subscriber_from_link_token(token=token)
    if subscriber is None:
        return _link_invalid(request, kind="unsubscribe")
    # No prefix in the address: the page speaks the subscriber's language.
    with translation.override(subscriber.language):
        if request.method == "POST":
            subscriber_unsubscribe(subscriber_id=subscriber.pk)
            manage_url = reverse("transparency:manage", kwargs={"token": token})
            context = {"subscriber": subscriber, "manage_url": manage_url}
            return render(request, "transparency/subscriptions/unsubscribed.html", context)
        return render(
            request, "transparency/subscriptions/unsubscribe.html", {"subscriber": subscriber, "token": token}
        )
