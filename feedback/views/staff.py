"""The staff inbox (/staff/feedback/...): officers for the feedback in their scope, administrators
for all of it (feedback.permissions.feedback_visible_to). An item outside someone's scope answers
404 exactly like one that does not exist; the list, moderation, the complaint hook and the reply
templates answer 403 to people without the role.

Views stay thin: a form parses, one service call (feedback.services.answering), render or redirect.
The anonymous sender's contact address is never put in a page: staff only see whether one was left.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from feedback import hooks, permissions
from feedback.forms_staff import (
    AssignForm,
    CloseForm,
    DeclineForm,
    InboxFilterForm,
    PublishForm,
    ReplyForm,
    ReplyTemplateForm,
    TemplatePickForm,
    UnpublishForm,
)
from feedback.models import Feedback, ReplyTemplate
from feedback.services import answering

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


def _item_for(request: HttpRequest, pk: int) -> Feedback:
    """The item, if it is in this person's scope; 404 otherwise (never a hint that it exists)."""
    items = permissions.feedback_visible_to(user=request.user).select_related(
        "district", "officer", "event", "assigned_to", "author"
    )
    return get_object_or_404(items, pk=pk)


def _counts(items: Any) -> dict[str, int]:
    """How many items of each status the person can see, in one query."""
    statuses = Feedback.Status
    return items.aggregate(
        total=Count("pk"),
        new=Count("pk", filter=Q(status=statuses.NEW)),
        assigned=Count("pk", filter=Q(status=statuses.ASSIGNED)),
        answered=Count("pk", filter=Q(status=statuses.ANSWERED)),
        closed=Count("pk", filter=Q(status=statuses.CLOSED)),
    )


# --- The inbox ---------------------------------------------------------------------------------


@login_required
@require_GET
def inbox_view(request: HttpRequest) -> HttpResponse:
    _require(permissions.can_use_inbox(request.user))
    scoped = permissions.feedback_visible_to(user=request.user)
    form = InboxFilterForm(request.GET)
    valid = form.is_valid()
    context: dict[str, Any] = {"form": form, "counts": _counts(scoped), "items": [], "page_obj": None}
    if valid:
        items = (
            form.filter(scoped, user=request.user)
            .select_related("district", "officer", "event", "assigned_to")
            .annotate(reply_count=Count("replies"))
            .order_by("-created_at", "-pk")
        )
        page = Paginator(items, settings.FEEDBACK_PER_PAGE).get_page(request.GET.get("page"))
        context.update(
            page_obj=page,
            items=list(page.object_list),
            base_query=urlencode(form.query()),
            page_range=page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        )
    context["can_manage_templates"] = permissions.can_manage_templates(request.user)
    return render(request, "feedback/staff/inbox.html", context, status=200 if valid else 400)


# --- One item: the thread, reply, assign, close ------------------------------------------------


def _detail_context(request: HttpRequest, item: Feedback, **forms: Any) -> dict[str, Any]:
    replies = list(item.replies.select_related("author", "author__officer_profile"))
    for reply in replies:
        reply.signed_as = answering.reply_signed_name(reply)
    context = {
        "item": item,
        "replies": replies,
        # Only whether an address was left, never the address itself.
        "has_contact_address": item.author_id is None and bool(item.contact_email),
        "has_account": item.author_id is not None,
        "can_reply": permissions.can_reply(request.user, item),
        "can_assign": permissions.can_assign(request.user, item),
        "can_moderate": permissions.can_moderate(request.user),
        "can_convert": permissions.can_convert_to_complaint(request.user, item),
        "templates_exist": ReplyTemplate.objects.exists(),
    }
    context["pick_form"] = forms.get("pick_form") or TemplatePickForm()
    context["reply_form"] = forms.get("reply_form") or ReplyForm()
    context["assign_form"] = forms.get("assign_form") or AssignForm(
        assignees=permissions.feedback_assignable_users(feedback=item),
        initial={"assignee": item.assigned_to_id},
    )
    context["close_form"] = forms.get("close_form") or CloseForm()
    context["action_error"] = forms.get("action_error")
    return context


@login_required
@require_http_methods(["GET", "POST"])
def feedback_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item_for(request, pk)
    if request.method == "GET":
        pick_form = TemplatePickForm(request.GET)
        status = 200
        reply_form = ReplyForm()
        if "template" in request.GET:
            if pick_form.is_valid():
                template = pick_form.cleaned_data["template"]
                if template is not None:
                    reply_form = ReplyForm(initial={"body": template.body})
            else:
                status = 400
        else:
            pick_form = TemplatePickForm()
        context = _detail_context(request, item, pick_form=pick_form, reply_form=reply_form)
        return render(request, "feedback/staff/detail.html", context, status=status)

    action = request.POST.get("action")
    if action == "reply":
        form = ReplyForm(request.POST)
        if form.is_valid():
            try:
                answering.feedback_reply(
                    feedback_id=item.pk,
                    author=request.user,
                    body=form.cleaned_data["body"],
                    is_public=form.is_public,
                    signature=form.cleaned_data["signature"],
                )
            except ValidationError as exc:
                _add_error(form, exc)
            else:
                messages.success(request, _("Your reply is saved and the sender is told about it."))
                return redirect("feedback:staff-detail", pk=item.pk)
        context = _detail_context(request, item, reply_form=form)
    elif action == "assign":
        form = AssignForm(request.POST, assignees=permissions.feedback_assignable_users(feedback=item))
        if form.is_valid():
            try:
                answering.feedback_assign(
                    feedback_id=item.pk, assignee=form.cleaned_data["assignee"], actor=request.user
                )
            except ValidationError as exc:
                _add_error(form, exc)
            else:
                messages.success(request, _("The feedback is assigned and your colleague is told by email."))
                return redirect("feedback:staff-detail", pk=item.pk)
        context = _detail_context(request, item, assign_form=form)
    elif action == "close":
        form = CloseForm(request.POST)
        form.is_valid()
        try:
            answering.feedback_close(feedback_id=item.pk, actor=request.user)
        except ValidationError as exc:
            _add_error(form, exc)
        else:
            messages.success(request, _("The feedback is closed."))
            return redirect("feedback:staff-detail", pk=item.pk)
        context = _detail_context(request, item, close_form=form)
    else:
        context = _detail_context(request, item, action_error=_("Choose what to do: reply, assign or close."))
    return render(request, "feedback/staff/detail.html", context, status=400)


# --- Moderation (administrators) ---------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def moderate_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require(permissions.can_moderate(request.user))
    item = _item_for(request, pk)
    publish_form = PublishForm(initial={"public_text": item.public_message or item.message})
    decline_form = DeclineForm()
    unpublish_form = UnpublishForm()
    action_error = ""
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "publish":
                publish_form = PublishForm(request.POST)
                if publish_form.is_valid():
                    answering.feedback_publish(
                        feedback_id=item.pk, public_text=publish_form.cleaned_data["public_text"], actor=request.user
                    )
                    messages.success(request, _("The feedback is published."))
                    return redirect("feedback:staff-moderate", pk=item.pk)
            elif action == "decline":
                decline_form = DeclineForm(request.POST)
                if decline_form.is_valid():
                    answering.feedback_decline(
                        feedback_id=item.pk, reason=decline_form.cleaned_data["reason"], actor=request.user
                    )
                    messages.success(request, _("The feedback is declined; your reason is recorded."))
                    return redirect("feedback:staff-moderate", pk=item.pk)
            elif action == "unpublish":
                unpublish_form = UnpublishForm(request.POST)
                unpublish_form.is_valid()
                answering.feedback_unpublish(feedback_id=item.pk, actor=request.user)
                messages.success(request, _("The feedback is no longer published."))
                return redirect("feedback:staff-moderate", pk=item.pk)
            else:
                action_error = _("Choose what to do: publish or decline.")
        except ValidationError as exc:
            target = {"decline": decline_form, "unpublish": unpublish_form}.get(action, publish_form)
            if target.is_bound:
                _add_error(target, exc)
            else:
                action_error = " ".join(exc.messages)
        status = 400
    context = {
        "item": item,
        "publish_form": publish_form,
        "decline_form": decline_form,
        "unpublish_form": unpublish_form,
        "action_error": action_error,
        "author_allowed": item.may_publish and item.publication != Feedback.Publication.PRIVATE,
    }
    return render(request, "feedback/staff/moderate.html", context, status=status)


# --- Turning a concern into a complaint (administrators; through feedback.hooks) ---------------


@login_required
@require_http_methods(["GET", "POST"])
def to_complaint_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require(permissions.can_open_complaint_conversion(request.user))
    item = _item_for(request, pk)
    if item.kind != Feedback.Kind.CONCERN:
        raise PermissionDenied
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        try:
            item = answering.feedback_to_complaint(feedback_id=item.pk, actor=request.user)
        except ValidationError as exc:
            errors = list(exc.messages)
            status = 400
        else:
            messages.success(
                request,
                _("The concern is now complaint %(reference)s. The feedback is closed.")
                % {"reference": item.complaint_reference},
            )
            return redirect("feedback:staff-detail", pk=item.pk)
    context = {"item": item, "available": hooks.complaint_conversion_available(), "errors": errors}
    return render(request, "feedback/staff/to_complaint.html", context, status=status)


# --- Reply templates (administrators) ----------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def reply_template_list_view(request: HttpRequest) -> HttpResponse:
    _require(permissions.can_manage_templates(request.user))
    form = ReplyTemplateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            answering.reply_template_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _add_error(form, exc)
        else:
            messages.success(request, _("The reply template is saved."))
            return redirect("feedback:staff-templates")
    context = {"form": form, "templates": list(ReplyTemplate.objects.order_by("language", "title"))}
    return render(request, "feedback/staff/templates.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def reply_template_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require(permissions.can_manage_templates(request.user))
    template = get_object_or_404(ReplyTemplate, pk=pk)
    initial = {"title": template.title, "language": template.language, "body": template.body}
    form = ReplyTemplateForm(initial=initial)
    if request.method == "POST":
        if request.POST.get("action") == "delete":
            answering.reply_template_delete(template_id=template.pk, actor=request.user)
            messages.success(request, _("The reply template is deleted."))
            return redirect("feedback:staff-templates")
        form = ReplyTemplateForm(request.POST)
        if form.is_valid():
            try:
                answering.reply_template_update(template_id=template.pk, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                _add_error(form, exc)
            else:
                messages.success(request, _("The reply template is saved."))
                return redirect("feedback:staff-templates")
    context = {"form": form, "template": template}
    return render(request, "feedback/staff/template_edit.html", context, status=400 if form.errors else 200)
