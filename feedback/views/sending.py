"""Sending feedback (/feedback/new/ → /feedback/sent/), and the author's side: "My feedback" and
an anonymous sender's private link, where they read replies, rate the answer and write back once.

Double submits: the form redirects to the sent page (POST/redirect/GET); a second identical
message within a minute from the same session (a fingerprint kept in the session) or the same
account (checked in the database by feedback_submit) is not stored again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from allauth.account import app_settings as account_settings
from allauth.core import ratelimit
from allauth.core.internal import ratelimit as allauth_ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from feedback.forms_sending import DRAFT_FIELDS, FeedbackForm, FollowUpForm, RatingForm
from feedback.models import Feedback
from feedback.services.sending import (
    DUPLICATE_WINDOW,
    feedback_follow_up,
    feedback_for_reader,
    feedback_rate,
    feedback_sent_by,
    feedback_submit,
    private_link_url,
    replies_for_author,
)
from portal.models import District, OfficerProfile

logger = logging.getLogger(__name__)

RATE_LIMIT_ACTION = "feedback_submit"
SESSION_SENT = "feedback_sent"  # what the sent page shows once: {"pk", "token", "duplicate"}
SESSION_LAST = "feedback_last"  # {"fingerprint", "at", "pk"}: the double-submit guard
SESSION_DRAFT = "feedback_draft"  # what was typed before following the link to the complaint form
# Codes of a second attempt at something allowed once: 409, not 400.
CONFLICT_CODES = frozenset({"already_rated", "already_followed_up"})

View = Callable[..., HttpResponse]


def private_link(view: View) -> View:
    """Pages opened by a secret link: never cached, never indexed, and the link never leaves in a
    Referer header for another site. "same-origin", not "no-referrer": under "no-referrer" browsers
    send `Origin: null` with the page's own form posts, and Django's CSRF check refuses them."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response["Referrer-Policy"] = "same-origin"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return never_cache(wrapped)


# --- Sending -----------------------------------------------------------------------------------


def _submit_allowed(request: HttpRequest) -> bool:
    """The "feedback_submit" limits: per IP, and per account for signed-in senders.

    allauth refuses a per-user rate for an anonymous request (ImproperlyConfigured), so anonymous
    senders are held to the per-IP rates only."""
    if request.user.is_authenticated:
        return ratelimit.consume(request, action=RATE_LIMIT_ACTION)
    rates = account_settings.RATE_LIMITS.get(RATE_LIMIT_ACTION) or ""
    ip_rates = ",".join(rate for rate in rates.split(",") if rate.strip() and not rate.strip().endswith("/user"))
    usage = allauth_ratelimit.consume(
        request=request, app="allauth.account", action=RATE_LIMIT_ACTION, config={RATE_LIMIT_ACTION: ip_rates}
    )
    return usage is not None


def _fingerprint(request: HttpRequest, data: dict[str, Any]) -> str:
    parts = {
        "user": request.user.pk if request.user.is_authenticated else None,
        "kind": data["kind"],
        "about": data["about"],
        "district": data["district"].pk if data.get("district") else None,
        "officer": data["officer"].pk if data.get("officer") else None,
        "event": data["event"].pk if data.get("event") else None,
        "message": data["message"],
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def _preselected(request: HttpRequest) -> tuple[dict[str, Any], list[str]]:
    """Initial subject from ?officer= / ?district= / ?event= (links from those pages), and errors
    for a slug we do not know."""
    from events.models import Event
    from events.selectors import events_public

    initial: dict[str, Any] = {}
    errors: list[str] = []
    lookups = (
        ("officer", OfficerProfile.objects.filter(is_public=True), _("We do not know the officer in this link.")),
        ("district", District.objects.all(), _("We do not know the district in this link.")),
        (
            "event",
            events_public().filter(status=Event.Status.PUBLISHED),
            _("We do not know the event in this link, or it is not published."),
        ),
    )
    for name, queryset, error in lookups:
        slug = request.GET.get(name)
        if slug is None:
            continue
        if len(slug) > 200 or not queryset.filter(slug=slug).exists():
            errors.append(error)
            continue
        if "about" not in initial:
            initial.update({"about": name, name: slug})
    return initial, errors


def _complaints_url() -> str | None:
    try:
        return reverse("complaints:start")
    except NoReverseMatch:
        return None


def _render_new(request: HttpRequest, form: FeedbackForm, *, status: int, **extra: Any) -> HttpResponse:
    context = {
        "form": form,
        "complaints_url": _complaints_url(),
        "signed_in": request.user.is_authenticated,
        **extra,
    }
    return render(request, "feedback/new.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def feedback_new_view(request: HttpRequest) -> HttpResponse:
    signed_in = request.user.is_authenticated
    if request.method != "POST":
        initial, query_errors = _preselected(request)
        draft = request.session.pop(SESSION_DRAFT, None)
        if isinstance(draft, dict):
            initial.update({k: v for k, v in draft.items() if k in DRAFT_FIELDS})
        form = FeedbackForm(initial=initial, signed_in=signed_in)
        return _render_new(
            request,
            form,
            status=400 if query_errors else 200,
            query_errors=query_errors,
            draft_restored=isinstance(draft, dict),
        )

    form = FeedbackForm(request.POST, signed_in=signed_in)
    if request.POST.get("action") == "complaint":
        # Keep what was typed (as typed, valid or not) for when they come back from the complaint form.
        request.session[SESSION_DRAFT] = {k: request.POST.get(k, "") for k in DRAFT_FIELDS if k in request.POST}
        target = _complaints_url()
        if target:
            return redirect(target)
        messages.info(
            request,
            _("To make a complaint about an officer's conduct, call %(phone)s. We kept what you typed.")
            % {"phone": settings.DEPARTMENT_PHONE},
        )
        return redirect("feedback:new")

    if form.honeypot_filled:
        logger.warning("feedback: refused a submission with the honeypot field filled (ip=%s)", _ip(request))
        return _render_new(request, form, status=400, honeypot=True)
    if not form.is_valid():
        return _render_new(request, form, status=400)

    data = form.cleaned_data
    fingerprint = _fingerprint(request, data)
    last = request.session.get(SESSION_LAST)
    if (
        isinstance(last, dict)
        and last.get("fingerprint") == fingerprint
        and time.time() - float(last.get("at", 0)) < DUPLICATE_WINDOW.total_seconds()
    ):
        sent = request.session.get(SESSION_SENT) or {"pk": last.get("pk"), "token": None}
        request.session[SESSION_SENT] = {**sent, "duplicate": True}
        return redirect("feedback:sent")

    if not _submit_allowed(request):
        return _render_new(request, form, status=429, rate_limited=True)
    started = timezone.now()
    try:
        item, token = feedback_submit(
            kind=data["kind"],
            about=data["about"],
            district=data.get("district"),
            officer=data.get("officer"),
            event=data.get("event"),
            message=data["message"],
            language=data["language"],
            may_publish=data["may_publish"],
            author=request.user if signed_in else None,
            contact_email=data.get("contact_email") or "",
        )
    except ValidationError as exc:
        form.add_error(None, exc)
        return _render_new(request, form, status=400)
    request.session[SESSION_LAST] = {"fingerprint": fingerprint, "at": time.time(), "pk": item.pk}
    previous = request.session.get(SESSION_SENT) or {}
    # feedback_submit hands back the stored item for a double submit it recognised (same account,
    # or same contact email, within a minute).
    duplicate = item.created_at < started
    request.session[SESSION_SENT] = {
        "pk": item.pk,
        "token": token or (previous.get("token") if previous.get("pk") == item.pk else None),
        "duplicate": duplicate,
        "emailed": bool(item.contact_email),
    }
    request.session.pop(SESSION_DRAFT, None)
    return redirect("feedback:sent")


def _ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "")


@private_link
@require_GET
def feedback_sent_view(request: HttpRequest) -> HttpResponse:
    """Shows the private link once: it is taken out of the session as the page is made."""
    sent = request.session.pop(SESSION_SENT, None)
    sent = sent if isinstance(sent, dict) else {}
    token = sent.get("token") if isinstance(sent.get("token"), str) else None
    item = None
    if request.user.is_authenticated and sent.get("pk"):
        item = feedback_sent_by(user=request.user).filter(pk=sent["pk"]).first()
    context = {
        "item": item,
        "private_url": private_link_url(token=token, language=request.LANGUAGE_CODE) if token else "",
        "duplicate": bool(sent.get("duplicate")),
        "emailed": bool(sent.get("emailed")),
        "has_sent": bool(sent),
    }
    return render(request, "feedback/sent.html", context)


# --- The author's side -------------------------------------------------------------------------


@login_required
@require_GET
def my_feedback_view(request: HttpRequest) -> HttpResponse:
    items = feedback_sent_by(user=request.user).annotate(reply_count=Count("replies")).order_by("-created_at", "-pk")
    page = Paginator(items, settings.FEEDBACK_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page_obj": page,
        "items": page.object_list,
        "page_range": page.paginator.get_elided_page_range(page.number),
    }
    return render(request, "feedback/mine.html", context)


def _thread_context(item: Feedback, **extra: Any) -> dict[str, Any]:
    replies = replies_for_author(feedback=item)
    return {
        "item": item,
        "replies": replies,
        "can_rate": bool(replies) and item.rating is None,
        "can_follow_up": bool(replies) and item.follow_up_at is None,
        "rating_form": extra.pop("rating_form", None) or RatingForm(),
        "follow_up_form": extra.pop("follow_up_form", None) or FollowUpForm(),
        **extra,
    }


def _answer(request: HttpRequest, item: Feedback) -> tuple[bool, int, dict[str, Any]]:
    """The rating or follow-up POST of an author: (done, status, forms for the page)."""
    action = request.POST.get("action")
    if action == "rate":
        form: RatingForm | FollowUpForm = RatingForm(request.POST)
        key = "rating_form"
    elif action == "follow_up":
        form = FollowUpForm(request.POST)
        key = "follow_up_form"
    else:
        form = RatingForm({})
        form.is_valid()
        form.errors.clear()
        form.add_error(None, _("Choose what you want to do: rate the answer or write back."))
        return False, 400, {"rating_form": form}
    if not form.is_valid():
        return False, 400, {key: form}
    try:
        if action == "rate":
            feedback_rate(feedback_id=item.pk, rating=form.cleaned_data["rating"])
            messages.success(request, _("Thank you for rating the answer."))
        else:
            feedback_follow_up(feedback_id=item.pk, text=form.cleaned_data["text"])
            messages.success(request, _("Thank you. Your reply is with our staff, and they will answer you."))
    except ValidationError as exc:
        form.add_error(None, exc)
        return False, 409 if getattr(exc, "code", None) in CONFLICT_CODES else 400, {key: form}
    return True, 200, {}


@login_required
@require_http_methods(["GET", "POST"])
def my_feedback_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(feedback_sent_by(user=request.user), pk=pk)
    status, forms = 200, {}
    if request.method == "POST":
        done, status, forms = _answer(request, item)
        if done:
            return redirect("feedback:mine-detail", pk=item.pk)
        item.refresh_from_db()
    return render(request, "feedback/mine_detail.html", _thread_context(item, **forms), status=status)


@private_link
@require_http_methods(["GET", "POST"])
def private_feedback_view(request: HttpRequest, token: str) -> HttpResponse:
    item = feedback_for_reader(token=token)
    if item is None:
        raise Http404("This private link does not work.")
    status, forms = 200, {}
    if request.method == "POST":
        done, status, forms = _answer(request, item)
        if done:
            return redirect("feedback:private", token=token)
        item.refresh_from_db()
    return render(request, "feedback/private.html", _thread_context(item, token=token, **forms), status=status)
