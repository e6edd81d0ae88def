"""The investigation pages (/staff/complaints/...), for investigators and administrators.

Every complaint is fetched through complaints.permissions.complaints_visible_to (via
complaints.selectors), so a complaint that names the staff member — and one that does not exist —
answer the same 404, on every page here. Residents and officers get 403 on the lists and 404 on a
complaint (they see no complaint at all). Every read of a complaint, an evidence file or an export
is written to the access log (complaints.access_log) before the response is made.

Views stay thin: a form parses, one service call (complaints.services.workflow / .messages),
render or redirect. Bad input answers 400 with the form and a message.
"""

from __future__ import annotations

import csv
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from complaints import access_log, permissions, selectors
from complaints.evidence import EvidenceAltered, evidence_response
from complaints.forms_staff import (
    AccessLogFilterForm,
    AllegationAddForm,
    AssignForm,
    FindingForm,
    QueueFilterForm,
    ReviewDecisionForm,
    StaffMessageForm,
    TransitionForm,
    complaint_assignees,
)
from complaints.models import AccessLogEntry, Allegation, Complaint
from complaints.services import workflow
from complaints.services.messages import message_from_staff, messages_mark_read

Status = Complaint.Status
Action = AccessLogEntry.Action

# --- Helpers -----------------------------------------------------------------------------------


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _add_error(form: Any, exc: ValidationError) -> None:
    """A service's errors next to the fields they are about; the rest above the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _complaint_for(request: HttpRequest, reference: str) -> Complaint:
    """The complaint, if this person may see it; the same 404 as a reference that does not exist."""
    complaints = selectors.complaint_for_staff(user=request.user, reference=reference).select_related(
        "district", "assigned_to", "filed_by", "entered_by"
    )
    return get_object_or_404(complaints)


def _work_on(request: HttpRequest, reference: str) -> Complaint:
    complaint = _complaint_for(request, reference)
    _require(permissions.can_work_complaint(request.user, complaint))
    return complaint


def _staff_targets(complaint: Complaint) -> list[tuple[str, str]]:
    """The statuses staff may move this complaint to, as the workflow's transition table says
    (a pending review is decided on the review page, by an administrator)."""
    labels = dict(Status.choices)
    return [(status, labels[status]) for status in workflow.staff_targets(complaint)]


def _language() -> str:
    return (get_language() or "en")[:2]


# --- The queue and its export ------------------------------------------------------------------


@login_required
@require_GET
def queue_view(request: HttpRequest) -> HttpResponse:
    _require(permissions.can_use_queue(request.user))
    form = QueueFilterForm(request.GET)
    valid = form.is_valid()
    context: dict[str, Any] = {
        "form": form,
        "counts": selectors.complaint_queue_counts(user=request.user),
        "complaints": [],
        "page_obj": None,
        "can_read_access_log": permissions.can_read_access_log(request.user),
        "can_enter": permissions.can_enter_for_complainant(request.user),
    }
    if valid:
        queue = selectors.complaint_queue(user=request.user, filters=form.filters())
        page = Paginator(queue, settings.COMPLAINTS_PER_PAGE).get_page(request.GET.get("page"))
        rows = list(page.object_list)
        language = _language()
        for complaint in rows:
            complaint.category_names = selectors.complaint_categories(complaint, language=language)
        base_query = urlencode(form.query())
        context.update(
            complaints=rows,
            page_obj=page,
            base_query=base_query,
            page_range=page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
            today=timezone.localdate(),
        )
    return render(request, "complaints/staff/queue.html", context, status=200 if valid else 400)


CSV_COLUMNS = [
    "reference",
    "received",
    "acknowledge_by",
    "finish_by",
    "status",
    "district",
    "categories",
    "assigned_to",
]


def _csv_safe(value: str) -> str:
    # A spreadsheet would run a cell starting with these as a formula.
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@login_required
@require_GET
def export_view(request: HttpRequest) -> HttpResponse:
    """The filtered queue as CSV, without the complainant's personal data; each row is logged."""
    _require(permissions.can_use_queue(request.user))
    form = QueueFilterForm(request.GET)
    if not form.is_valid():
        context = {
            "form": form,
            "counts": selectors.complaint_queue_counts(user=request.user),
            "complaints": [],
            "page_obj": None,
            "can_read_access_log": permissions.can_read_access_log(request.user),
        }
        return render(request, "complaints/staff/queue.html", context, status=400)
    complaints = list(selectors.complaint_queue(user=request.user, filters=form.filters()))
    access_log.access_log_record_many(request=request, complaints=complaints, action=Action.EXPORT)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="complaints-{stamp}.csv"'
    response["Cache-Control"] = "private, no-store"
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    for complaint in complaints:
        assigned = complaint.assigned_to
        writer.writerow(
            [
                _csv_safe(value)
                for value in (
                    complaint.reference,
                    timezone.localtime(complaint.received_at).date().isoformat(),
                    complaint.acknowledge_by.isoformat(),
                    complaint.finish_by.isoformat(),
                    complaint.status,
                    complaint.district.name if complaint.district else "",
                    "; ".join(selectors.complaint_categories(complaint)),
                    (assigned.get_full_name() or assigned.email) if assigned else "",
                )
            ]
        )
    return response


# --- One complaint -----------------------------------------------------------------------------


def _detail_context(request: HttpRequest, complaint: Complaint, **forms: Any) -> dict[str, Any]:
    allegations = _with_category_names(complaint)
    return {
        "complaint": complaint,
        "officers": list(complaint.officers.select_related("officer")),
        "allegations": allegations,
        "events": list(complaint.events.select_related("actor")),
        "thread": list(complaint.messages.select_related("author")),
        "evidence_files": list(complaint.evidence.all()),
        "view_count": access_log.staff_view_count(complaint=complaint),
        "can_work": permissions.can_work_complaint(request.user, complaint),
        "can_decide_review": permissions.can_decide_review(request.user, complaint)
        and complaint.status == Status.REVIEW_REQUESTED,
        "message_form": forms.get("message_form") or StaffMessageForm(),
        "today": timezone.localdate(),
        "language": _language(),
    }


@login_required
@require_GET
def detail_view(request: HttpRequest, reference: str) -> HttpResponse:
    complaint = _complaint_for(request, reference)
    access_log.access_log_record(request=request, complaint=complaint, action=Action.VIEW)
    context = _detail_context(request, complaint)
    # The complainant's messages shown here are read now (they keep their "new" mark on this page).
    unread = [message.pk for message in context["thread"] if message.from_complainant and message.read_at is None]
    if unread:
        messages_mark_read(complaint=complaint, from_complainant=True, ids=unread)
    return render(request, "complaints/staff/detail.html", context)


@require_POST
@login_required
def message_view(request: HttpRequest, reference: str) -> HttpResponse:
    complaint = _work_on(request, reference)
    form = StaffMessageForm(request.POST)
    if form.is_valid():
        try:
            message_from_staff(complaint=complaint, body=form.cleaned_data["body"], actor=request.user)
        except ValidationError as exc:
            _add_error(form, exc)
        else:
            messages.success(request, _("Your message is sent. The complainant is told there is a new message."))
            return redirect(f"{complaint_url(complaint)}#messages")
    # The page is shown again with the problem: that is a read, so it is logged too.
    access_log.access_log_record(request=request, complaint=complaint, action=Action.VIEW)
    return render(
        request, "complaints/staff/detail.html", _detail_context(request, complaint, message_form=form), status=400
    )


def complaint_url(complaint: Complaint) -> str:
    return reverse("complaints:staff-detail", kwargs={"reference": complaint.reference})


@login_required
@require_GET
def evidence_view(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    complaint = _complaint_for(request, reference)
    evidence = get_object_or_404(complaint.evidence.all(), pk=pk)
    access_log.access_log_record(
        request=request, complaint=complaint, action=Action.EVIDENCE, target=evidence.original_name
    )
    try:
        return evidence_response(evidence)
    except (EvidenceAltered, OSError):
        # Never the file: a changed or missing file is shown as such (the upload's hash is the proof).
        context = {"complaint": complaint, "evidence": evidence}
        return render(request, "complaints/staff/evidence_altered.html", context, status=409)


# --- Working on it: transition, assign, findings, review ---------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def transition_view(request: HttpRequest, reference: str) -> HttpResponse:
    complaint = _work_on(request, reference)
    targets = _staff_targets(complaint)
    form = TransitionForm(request.POST if request.method == "POST" else None, targets=targets)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            workflow.complaint_transition(
                complaint_id=complaint.pk,
                to_status=data["to_status"],
                actor=request.user,
                note=data["note"],
                public_note=data["public_note"],
                referred_to=data["referred_to"].strip(),
            )
        except ValidationError as exc:
            _add_error(form, exc)
        else:
            messages.success(request, _("The status is changed and the complainant is told."))
            return redirect(complaint_url(complaint))
    context = {"complaint": complaint, "form": form, "targets": targets}
    return render(request, "complaints/staff/transition.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def assign_view(request: HttpRequest, reference: str) -> HttpResponse:
    complaint = _work_on(request, reference)
    assignees = complaint_assignees(complaint=complaint)
    if request.method == "POST" and request.POST.get("action") == "unassign":
        # A bound form showing the current choice, so a refusal is shown like any other error.
        form = AssignForm({"assignee": complaint.assigned_to_id}, assignees=assignees)
        form.is_valid()
        try:
            workflow.complaint_assign(complaint_id=complaint.pk, assignee=None, actor=request.user)
        except ValidationError as exc:
            _add_error(form, exc)
        else:
            messages.success(request, _("The complaint is no longer assigned to anyone."))
            return redirect(complaint_url(complaint))
    elif request.method == "POST":
        form = AssignForm(request.POST, assignees=assignees)
        if form.is_valid():
            try:
                workflow.complaint_assign(
                    complaint_id=complaint.pk, assignee=form.cleaned_data["assignee"], actor=request.user
                )
            except ValidationError as exc:
                _add_error(form, exc)
            else:
                messages.success(request, _("The complaint is assigned."))
                return redirect(complaint_url(complaint))
    else:
        form = AssignForm(assignees=assignees, initial={"assignee": complaint.assigned_to_id})
    context = {"complaint": complaint, "form": form}
    return render(request, "complaints/staff/assign.html", context, status=400 if form.errors else 200)


def _with_category_names(complaint: Complaint) -> list[Allegation]:
    language = _language()
    allegations = list(complaint.allegations.select_related("category", "officer__officer"))
    for allegation in allegations:
        allegation.category_name = allegation.category.name_for(language)
    return allegations


def _findings_context(complaint: Complaint, *, bound: FindingForm | None = None, add_form: Any = None) -> dict:
    allegations = _with_category_names(complaint)
    rows = []
    for allegation in allegations:
        if bound is not None and bound.data.get("allegation") == str(allegation.pk):
            form = bound
        else:
            form = FindingForm(
                complaint=complaint,
                prefix=None,
                auto_id=f"id_a{allegation.pk}_%s",
                initial={
                    "allegation": allegation.pk,
                    "recommended_finding": allegation.recommended_finding,
                    "finding": allegation.finding,
                    "unable_reason": allegation.unable_reason,
                    "discipline": allegation.discipline,
                },
            )
        rows.append((allegation, form))
    orphan_error = bound is not None and not any(form is bound for _allegation, form in rows)
    return {
        "complaint": complaint,
        "rows": rows,
        "bound_error_form": bound if orphan_error else None,
        "add_form": add_form or AllegationAddForm(complaint=complaint),
        "missing": sum(1 for allegation in allegations if not allegation.finding),
        "editable": complaint.status in workflow.FINDINGS_EDITABLE,
    }


@login_required
@require_http_methods(["GET", "POST"])
def findings_view(request: HttpRequest, reference: str) -> HttpResponse:
    complaint = _work_on(request, reference)
    if request.method == "GET":
        return render(request, "complaints/staff/findings.html", _findings_context(complaint))
    action = request.POST.get("action")
    if action == "add":
        add_form = AllegationAddForm(request.POST, complaint=complaint)
        if add_form.is_valid():
            try:
                workflow.allegation_add(
                    complaint_id=complaint.pk,
                    officer_id=add_form.cleaned_data["officer"].pk,
                    category_id=add_form.cleaned_data["category"].pk,
                    actor=request.user,
                )
            except ValidationError as exc:
                _add_error(add_form, exc)
            else:
                messages.success(request, _("The allegation is added."))
                return redirect("complaints:staff-findings", reference=complaint.reference)
        context = _findings_context(complaint, add_form=add_form)
    elif action == "finding":
        allegation_id = "".join(ch for ch in request.POST.get("allegation", "") if ch.isdigit())[:12]
        form = FindingForm(request.POST, complaint=complaint, auto_id=f"id_a{allegation_id}_%s")
        if form.is_valid():
            data = form.cleaned_data
            allegation: Allegation = data["allegation"]
            try:
                workflow.allegation_record_finding(
                    allegation_id=allegation.pk,
                    actor=request.user,
                    recommended_finding=data["recommended_finding"],
                    finding=data["finding"],
                    unable_reason=data["unable_reason"],
                    discipline=data["discipline"],
                )
            except ValidationError as exc:
                _add_error(form, exc)
            else:
                messages.success(request, _("The finding is recorded."))
                return redirect("complaints:staff-findings", reference=complaint.reference)
        context = _findings_context(complaint, bound=form)
    else:
        context = _findings_context(complaint)
        context["action_error"] = _("Choose what to do: record a finding or add an allegation.")
    return render(request, "complaints/staff/findings.html", context, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def review_decision_view(request: HttpRequest, reference: str) -> HttpResponse:
    complaint = _complaint_for(request, reference)
    _require(permissions.can_decide_review(request.user, complaint))
    if complaint.status != Status.REVIEW_REQUESTED:
        raise Http404
    form = ReviewDecisionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            workflow.complaint_decide_review(
                complaint_id=complaint.pk,
                actor=request.user,
                decision=form.cleaned_data["decision"],
                note=form.cleaned_data["note"],
                public_note=form.cleaned_data["public_note"],
            )
        except ValidationError as exc:
            _add_error(form, exc)
        else:
            messages.success(request, _("The review is decided and the complainant is told."))
            return redirect(complaint_url(complaint))
    context = {"complaint": complaint, "form": form}
    return render(request, "complaints/staff/review.html", context, status=400 if form.errors else 200)


# --- The access log (administrators) -----------------------------------------------------------


@login_required
@require_GET
def access_log_view(request: HttpRequest) -> HttpResponse:
    _require(permissions.can_read_access_log(request.user))
    form = AccessLogFilterForm(request.GET)
    valid = form.is_valid()
    context: dict[str, Any] = {"form": form, "entries": [], "page_obj": None}
    if valid:
        data = form.cleaned_data
        complaints = permissions.complaints_visible_to(user=request.user)
        if (data.get("reference") or "").strip():
            complaints = complaints.filter(selectors.reference_q(data["reference"]))
        entries = access_log.access_log_entries(complaints=complaints)
        if data.get("actor") is not None:
            entries = entries.filter(actor=data["actor"])
        if data.get("date_from"):
            entries = entries.filter(created_at__date__gte=data["date_from"])
        if data.get("date_to"):
            entries = entries.filter(created_at__date__lte=data["date_to"])
        page = Paginator(entries.order_by("-created_at", "-pk"), settings.COMPLAINTS_PER_PAGE).get_page(
            request.GET.get("page")
        )
        context.update(
            entries=list(page.object_list),
            page_obj=page,
            base_query=urlencode(form.query()),
            page_range=page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        )
    return render(request, "complaints/staff/access_log.html", context, status=200 if valid else 400)
