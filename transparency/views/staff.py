"""Staff update pages (/staff/updates/...): administrators write, schedule, publish and correct.
Everyone else gets 403 (visitors are sent to sign in).

Views stay thin: a form parses, one service call (transparency.services.updates), render or
redirect. After publishing, the edit page shows the fan-out's progress (the subscriptions part's
partial, transparency/views/progress.py, included when it exists).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import select_template
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from transparency import permissions, selectors
from transparency.forms_staff import CorrectForm, PublishForm, UpdateForm
from transparency.models import Update
from transparency.services import updates as services

# The fan-out's progress partial (the subscriptions part's), included on the edit page when present.
PROGRESS_PARTIALS = ("transparency/staff/_progress.html", "transparency/staff/progress_partial.html")
STATUS_FILTERS = ("draft", "scheduled", "published")


# --- Helpers -----------------------------------------------------------------------------------


def _require(request: HttpRequest) -> None:
    if not permissions.can_manage_updates(request.user):
        raise PermissionDenied


def _posted(request: HttpRequest) -> QueryDict | None:
    return request.POST if request.method == "POST" else None


def _files(request: HttpRequest):
    return request.FILES if request.method == "POST" else None


def _status(form: Any) -> int:
    return 400 if form.errors else 200


def _add_error(form: Any, exc: ValidationError) -> None:
    """A service's errors next to the fields they are about; the rest above the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _update_for(pk: int) -> Update:
    update = selectors.update_for_staff(pk=pk)
    if update is None:
        raise Http404("No such update.")
    return update


def _progress_partial() -> str | None:
    try:
        return select_template(list(PROGRESS_PARTIALS)).template.name
    except TemplateDoesNotExist:
        return None


def _initial(update: Update) -> dict[str, Any]:
    return {
        "title": update.title,
        "summary": update.summary,
        "body": update.body,
        "category": update.category,
        "title_es": update.title_es,
        "summary_es": update.summary_es,
        "body_es": update.body_es,
        "districts": list(update.districts.all()),
        "event": update.event_id,
    }


# --- The list -----------------------------------------------------------------------------------


@login_required
@require_GET
def update_list_view(request: HttpRequest) -> HttpResponse:
    _require(request)
    show = request.GET.get("status", "")
    show = show if show in STATUS_FILTERS else ""
    updates = selectors.updates_for_staff()
    if show:
        updates = updates.filter(status=show)
    page = Paginator(updates, settings.TRANSPARENCY_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page_obj": page,
        "updates": list(page.object_list),
        "show": show,
        "base_query": f"status={show}" if show else "",
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
    }
    return render(request, "transparency/staff/list.html", context)


# --- Writing ------------------------------------------------------------------------------------


def _save_kwargs(form: UpdateForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "title": data["title"],
        "summary": data["summary"],
        "body": data["body"],
        "category": data["category"],
        "title_es": data["title_es"],
        "summary_es": data["summary_es"],
        "body_es": data["body_es"],
        "districts": list(data["districts"]),
        "event": data["event"],
        "attachments": data["attachments"],
        "remove_attachments": [attachment.pk for attachment in data.get("remove_attachments") or []],
    }


@login_required
@require_http_methods(["GET", "POST"])
def update_new_view(request: HttpRequest) -> HttpResponse:
    _require(request)
    form = UpdateForm(_posted(request), _files(request))
    if request.method == "POST" and form.is_valid():
        try:
            update = services.update_save(actor=request.user, **_save_kwargs(form))
        except ValidationError as exc:
            _add_error(form, exc)
        else:
            messages.success(request, _("The update is saved as a draft. Publish it when it is ready."))
            return redirect("transparency:staff-edit", pk=update.pk)
    return render(request, "transparency/staff/form.html", {"form": form, "update": None}, status=_status(form))


@login_required
@require_http_methods(["GET", "POST"])
def update_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A draft or scheduled update: the form. A published one: its state, the fan-out's progress,
    and links to the public page and to the correction form."""
    _require(request)
    update = _update_for(pk)
    form = None
    if not update.is_published:
        form = UpdateForm(_posted(request), _files(request), update=update, initial=_initial(update))
        if request.method == "POST" and form.is_valid():
            try:
                services.update_save(actor=request.user, update_id=update.pk, **_save_kwargs(form))
            except ValidationError as exc:
                _add_error(form, exc)
            else:
                messages.success(request, _("Your changes are saved."))
                return redirect("transparency:staff-edit", pk=update.pk)
    elif request.method == "POST":
        messages.error(request, _("This update is published. Correct it instead, with a note saying what changed."))
        return redirect("transparency:staff-correct", pk=update.pk)
    context = {
        "form": form,
        "update": update,
        "attachments": list(update.attachments.all()),
        "progress_partial": _progress_partial() if update.is_published else None,
    }
    return render(request, "transparency/staff/form.html", context, status=_status(form) if form else 200)


# --- Publishing ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def update_publish_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Publish now, or at a time in the future (a past time → 400 with a message); or, for a
    scheduled update, take the schedule back (it returns to the drafts)."""
    _require(request)
    update = _update_for(pk)
    form = PublishForm(
        _posted(request),
        initial={
            "when": "later" if update.status == Update.Status.SCHEDULED else "now",
            "publish_at": update.publish_at,
        },
    )
    if request.method == "POST" and not update.is_published:
        try:
            if "unschedule" in request.POST:
                services.update_unschedule(update_id=update.pk, actor=request.user)
                messages.success(request, _("The update is back among the drafts. Nothing was published."))
                return redirect("transparency:staff-edit", pk=update.pk)
            if form.is_valid():
                if form.cleaned_data["when"] == "later":
                    update = services.update_schedule(
                        update_id=update.pk, publish_at=form.cleaned_data["publish_at"], actor=request.user
                    )
                    when = formats.date_format(timezone.localtime(update.publish_at), "DATETIME_FORMAT")
                    messages.success(
                        request,
                        _("The update will be published on %(when)s, and subscribers emailed then.") % {"when": when},
                    )
                else:
                    services.update_publish(update_id=update.pk, actor=request.user)
                    messages.success(request, _("The update is published. Subscribers are being emailed."))
                return redirect("transparency:staff-edit", pk=update.pk)
        except ValidationError as exc:
            _add_error(form, exc)
    elif request.method == "POST":
        form.is_valid()
        form.add_error(None, _("This update is already published."))
    return render(request, "transparency/staff/publish.html", {"form": form, "update": update}, status=_status(form))


# --- Correcting ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def update_correct_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a published update; the note and its date appear on the public page."""
    _require(request)
    update = _update_for(pk)
    form = CorrectForm(_posted(request), _files(request), initial=_initial(update))
    if request.method == "POST" and update.is_published and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_correct(
                update_id=update.pk,
                note=data["note"],
                actor=request.user,
                attachments=data["attachments"],
                districts=list(data["districts"]),
                **{name: data[name] for name in services.CORRECTABLE},
            )
        except ValidationError as exc:
            _add_error(form, exc)
        else:
            messages.success(request, _("The correction is published, with your note."))
            return redirect("transparency:staff-edit", pk=update.pk)
    elif request.method == "POST" and not update.is_published:
        form.is_valid()
        form.add_error(None, _("Only a published update can be corrected. Edit it instead."))
    return render(request, "transparency/staff/correct.html", {"form": form, "update": update}, status=_status(form))
