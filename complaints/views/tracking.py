"""The complainant's pages: the tracking form (reference + access code), "My complaints" for a
signed-in owner, and the status page with its messages, evidence, withdrawal and review request.

Every page of one complaint answers the same way for a reference that does not exist and for one
this browser may not open: a redirect to the tracking form. The tracking form answers the same
way (one message, one status) for an unknown reference, a wrong code and a locked reference.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from complaints.access_log import staff_view_count
from complaints.evidence import EvidenceAltered, evidence_response
from complaints.forms_tracking import REVIEW_REASON_MAX_LENGTH, EvidenceForm, MessageForm, ReasonForm, TrackForm
from complaints.models import Allegation, Complaint, ComplaintEvent
from complaints.permissions import complainant_can_add_evidence
from complaints.services.messages import message_from_complainant, messages_mark_read
from complaints.services.tracking import complainant_evidence_add
from complaints.services.workflow import (
    complaint_may_request_review,
    complaint_may_withdraw,
    complaint_request_review,
    complaint_withdraw,
    review_deadline,
)
from complaints.tracking import complaint_for_complainant, tracking_forget, tracking_grant, tracking_open

TRACK_RATE_LIMIT = "complaints_track"
MESSAGE_RATE_LIMIT = "complaints_message"

View = Callable[..., HttpResponse]


def tracking_page(view: View) -> View:
    """Pages about one complaint: never cached, never indexed, and the reference never leaves in
    a Referer header for another site ("same-origin": "no-referrer" would make browsers send
    `Origin: null` with the page's own form posts, and CSRF would refuse them)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response["Referrer-Policy"] = "same-origin"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return never_cache(wrapped)


def _to_track(reference: str = "") -> HttpResponse:
    url = reverse("complaints:track")
    if reference and len(reference) <= 40:
        url = f"{url}?{urlencode({'reference': reference})}"
    return redirect(url)


def _refused_message() -> str:
    return _(
        "We could not open a complaint with this reference and access code. Check both and try again. "
        "After %(count)s wrong codes, a reference is locked for %(minutes)s minutes: if you are sure "
        "both are right, try again later."
    ) % {"count": settings.COMPLAINTS_CODE_MAX_FAILURES, "minutes": settings.COMPLAINTS_CODE_LOCKOUT_MINUTES}


# --- The tracking form -------------------------------------------------------------------------


@tracking_page
@require_http_methods(["GET", "POST"])
def track_view(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        initial = {}
        reference = request.GET.get("reference", "")
        if reference and len(reference) <= 40:
            initial["reference"] = reference
        return render(request, "complaints/tracking/track.html", {"form": TrackForm(initial=initial)})
    if request.POST.get("action") == "forget":
        # "Close it in this browser": for a shared computer, before walking away.
        tracking_forget(request)
        messages.info(request, _("Your complaint is closed in this browser. Open it again with its code."))
        return redirect("complaints:track")
    form = TrackForm(request.POST)
    status = 400
    if form.is_valid():
        reference, code = form.cleaned_data["reference"], form.cleaned_data["code"]
        # Per IP and per reference (typed, normalised): both count whether the reference exists or not.
        if not ratelimit.consume(request, action=TRACK_RATE_LIMIT, key=reference.lower()):
            status = 429
            form.add_error(
                None, _("Too many tries from here or for this reference. Wait a few minutes, then try again.")
            )
        else:
            complaint = tracking_open(reference=reference, code=code)
            if complaint is not None:
                tracking_grant(request, complaint)
                return redirect("complaints:status", reference=complaint.reference)
            status = 400
            form.add_error(None, _refused_message())
    return render(request, "complaints/tracking/track.html", {"form": form}, status=status)


# --- My complaints -----------------------------------------------------------------------------


@login_required
@tracking_page
@require_GET
def my_complaints_view(request: HttpRequest) -> HttpResponse:
    complaints = Complaint.objects.filter(filed_by=request.user).order_by("-received_at", "-pk")
    page = Paginator(complaints, settings.COMPLAINTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page_obj": page,
        "complaints": page.object_list,
        "page_range": page.paginator.get_elided_page_range(page.number),
    }
    return render(request, "complaints/tracking/mine.html", context)


# --- The status page ---------------------------------------------------------------------------


def _event_title(event: ComplaintEvent) -> str:
    """A timeline line's heading, in plain words, as the complainant reads it."""
    kind = ComplaintEvent.Kind
    if event.kind == kind.TRANSITION and event.to_status:
        return _("Status: %(status)s") % {"status": event.get_to_status_display()}
    titles = {
        kind.FILED: _("Your complaint was filed"),
        kind.ASSIGNMENT: _("An investigator was assigned"),
        kind.EVIDENCE: _("A file was added"),
        kind.FINDINGS: _("Findings recorded"),
        kind.REVIEW_REQUESTED: _("A review was asked for"),
        kind.REVIEW_DECIDED: _("The review was decided"),
        kind.DEIDENTIFIED: _("Personal details removed after the retention period"),
    }
    return titles.get(event.kind, _("Update"))


def _thread(complaint: Complaint) -> list[Any]:
    return list(complaint.messages.order_by("created_at", "pk"))


def _status_context(request: HttpRequest, complaint: Complaint, **extra: Any) -> dict[str, Any]:
    language = request.LANGUAGE_CODE
    thread = extra.pop("thread", None)
    if thread is None:
        thread = _thread(complaint)
    findings: list[dict[str, Any]] = []
    if complaint.findings_issued_at is not None:
        for allegation in Allegation.objects.filter(complaint=complaint).select_related("officer__officer", "category"):
            # The final finding only: the recommended one, discipline and notes stay internal.
            findings.append(
                {
                    "officer": str(allegation.officer),
                    "category": allegation.category.name_for(language),
                    "finding": allegation.get_finding_display() if allegation.finding else "",
                    "unable_reason": allegation.get_unable_reason_display() if allegation.unable_reason else "",
                }
            )
    now = timezone.now()
    return {
        "complaint": complaint,
        "timeline": [
            {"event": event, "title": _event_title(event)}
            for event in ComplaintEvent.objects.filter(complaint=complaint, visible_to_complainant=True).order_by(
                "created_at", "pk"
            )
        ],
        "thread": thread,
        "evidence": complaint.evidence.filter(from_complainant=True, removed_at__isnull=True).order_by(
            "created_at", "pk"
        ),
        "findings": findings,
        "staff_views": staff_view_count(complaint=complaint),
        "can_add_evidence": complainant_can_add_evidence(complaint),
        "can_withdraw": complaint_may_withdraw(complaint),
        "can_review": complaint_may_request_review(complaint, now=now),
        "review_until": review_deadline(complaint),
        "can_message": complaint.deidentified_at is None,
        "message_form": extra.pop("message_form", None) or MessageForm(),
        "is_owner": request.user.is_authenticated and complaint.filed_by_id == request.user.pk,
        **extra,
    }


@tracking_page
@require_GET
def status_view(request: HttpRequest, reference: str) -> HttpResponse:
    complaint = complaint_for_complainant(request, reference)
    if complaint is None:
        return _to_track(reference)
    thread = _thread(complaint)
    # The investigator's messages shown now count as read (no write when none is new).
    unread = [message.pk for message in thread if not message.from_complainant and message.read_at is None]
    messages_mark_read(complaint=complaint, from_complainant=False, ids=unread)
    return render(request, "complaints/tracking/status.html", _status_context(request, complaint, thread=thread))


@tracking_page
@require_POST
def message_view(request: HttpRequest, reference: str) -> HttpResponse:
    complaint = complaint_for_complainant(request, reference)
    if complaint is None:
        return _to_track(reference)
    form = MessageForm(request.POST)
    status = 400
    if form.is_valid():
        if not ratelimit.consume(request, action=MESSAGE_RATE_LIMIT):
            status = 429
            form.add_error(None, _("You have sent many messages in a short time. Wait a while, then try again."))
        else:
            try:
                message_from_complainant(complaint=complaint, body=form.cleaned_data["body"], user=request.user)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Your message is sent. The investigator will answer on this page."))
                return redirect(f"{reverse('complaints:status', kwargs={'reference': complaint.reference})}#messages")
    context = _status_context(request, complaint, message_form=form)
    return render(request, "complaints/tracking/status.html", context, status=status)


# --- Evidence ----------------------------------------------------------------------------------


def _evidence_help() -> str:
    limit_mb = settings.COMPLAINTS_EVIDENCE_MAX_BYTES // (1024 * 1024)
    return _(
        "A photo, video, sound recording or PDF (PDF, JPEG, PNG, HEIC, MP4, MP3 or M4A), at most %(size)s MB. "
        "A complaint can have at most %(count)s files."
    ) % {"size": limit_mb, "count": settings.COMPLAINTS_EVIDENCE_MAX_FILES}


@tracking_page
@require_http_methods(["GET", "POST"])
def add_evidence_view(request: HttpRequest, reference: str) -> HttpResponse:
    complaint = complaint_for_complainant(request, reference)
    if complaint is None:
        return _to_track(reference)
    if not complainant_can_add_evidence(complaint):
        raise Http404("This complaint is closed.")
    form = EvidenceForm(request.POST or None, request.FILES or None)
    form.fields["file"].help_text = _evidence_help()
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                complainant_evidence_add(complaint_id=complaint.pk, upload=form.cleaned_data["file"], user=request.user)
            except ValidationError as exc:
                form.add_error(None if hasattr(exc, "error_dict") else "file", exc)
            else:
                messages.success(request, _("Your file is added to the complaint."))
                return redirect(f"{reverse('complaints:status', kwargs={'reference': complaint.reference})}#evidence")
    count = complaint.evidence.filter(removed_at__isnull=True).count()
    context = {
        "complaint": complaint,
        "form": form,
        "files_left": max(settings.COMPLAINTS_EVIDENCE_MAX_FILES - count, 0),
    }
    return render(request, "complaints/tracking/add_evidence.html", context, status=status)


@tracking_page
@require_GET
def evidence_view(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    complaint = complaint_for_complainant(request, reference)
    if complaint is None:
        return _to_track(reference)
    # The complainant's own files only; files staff added are not theirs to download here.
    evidence = get_object_or_404(complaint.evidence, pk=pk, from_complainant=True, removed_at__isnull=True)
    try:
        return evidence_response(evidence)
    except EvidenceAltered:
        context = {"complaint": complaint, "evidence": evidence}
        return render(request, "complaints/tracking/evidence_altered.html", context, status=409)


# --- Withdrawing and asking for a review -------------------------------------------------------


@tracking_page
@require_http_methods(["GET", "POST"])
def withdraw_view(request: HttpRequest, reference: str) -> HttpResponse:
    complaint = complaint_for_complainant(request, reference)
    if complaint is None:
        return _to_track(reference)
    if not complaint_may_withdraw(complaint):
        raise Http404("This complaint cannot be withdrawn now.")
    form = ReasonForm(
        request.POST or None,
        label=_("Why do you want to withdraw your complaint?"),
        help_text=_("The investigator reads your reason. You can say as much or as little as you like."),
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                complaint_withdraw(complaint_id=complaint.pk, reason=form.cleaned_data["reason"], user=request.user)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Your complaint is withdrawn. Thank you for telling us why."))
                return redirect("complaints:status", reference=complaint.reference)
    return render(request, "complaints/tracking/withdraw.html", {"complaint": complaint, "form": form}, status=status)


@tracking_page
@require_http_methods(["GET", "POST"])
def review_view(request: HttpRequest, reference: str) -> HttpResponse:
    complaint = complaint_for_complainant(request, reference)
    if complaint is None:
        return _to_track(reference)
    if not complaint_may_request_review(complaint):
        raise Http404("A review cannot be asked for now.")
    form = ReasonForm(
        request.POST or None,
        label=_("Why should the findings be reviewed?"),
        help_text=_("Tell us what you think is wrong with the findings, and anything the investigation missed."),
        max_length=REVIEW_REASON_MAX_LENGTH,
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                complaint_request_review(
                    complaint_id=complaint.pk, reason=form.cleaned_data["reason"], user=request.user
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("We have your request for a review. An administrator will decide on it."))
                return redirect("complaints:status", reference=complaint.reference)
    context = {"complaint": complaint, "form": form, "review_until": review_deadline(complaint)}
    return render(request, "complaints/tracking/review.html", context, status=status)
