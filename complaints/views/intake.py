"""Filing a complaint (/complaints/new/ …), GOV.UK style: a start page (how complaints work), one
topic a page, "check your answers", then the confirmation with the reference and — shown once — the
access code. Staff enter complaints received by phone, in person or by mail through the same steps
after choosing the channel (/staff/complaints/new/).

Answers live on the server (complaints.drafts), so everything works without JavaScript and a refresh
or the back button loses nothing. Without a draft every step, the check page and the done page
send people to the start page; a step opened before the earlier ones are answered sends them to the
first unanswered one.
"""

from __future__ import annotations

from datetime import date, time
from typing import Any

from allauth.account import app_settings as account_settings
from allauth.core import ratelimit
from allauth.core.internal import ratelimit as allauth_ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from complaints import drafts
from complaints.evidence import evidence_discard, evidence_store
from complaints.forms_intake import (
    OFFICERS_MAX,
    EvidenceUploadForm,
    OfficerAddForm,
    OfficerDescribeForm,
    OfficerSearchForm,
    StaffChannelForm,
    answers_of,
    step_form,
)
from complaints.models import AllegationCategory, Complaint, Evidence, IntakeDraft
from complaints.permissions import can_enter_for_complainant
from complaints.services.intake import complaint_file, draft_officer_rows, draft_officers
from portal.directory import officer_list_filtered
from portal.models import District, SitePage
from portal.site_pages import site_page_for_language

RATE_LIMIT_ACTION = "complaints_submit"
# Uploads to drafts, per IP (each upload holds at most COMPLAINTS_EVIDENCE_MAX_FILES files); an
# ACCOUNT_RATE_LIMITS["complaints_evidence"] entry overrides this default.
UPLOAD_RATE_ACTION = "complaints_evidence"
UPLOAD_RATE_DEFAULT = "30/h/ip"
SESSION_FILED = "complaints_filed"  # what the done page shows once: {"reference", "code", "staff"}
SEARCH_RESULTS_MAX = 20
# What the feedback form keeps in the session when its sender goes to the complaint form
# (feedback.views.sending.SESSION_DRAFT; a session key, not an import: the apps stay apart).
FEEDBACK_DRAFT_SESSION_KEY = "feedback_draft"

STEP_TITLES = {
    "about-you": gettext_lazy("Who the complaint is for"),
    "when": gettext_lazy("When it happened"),
    "where": gettext_lazy("Where it happened"),
    "what-happened": gettext_lazy("What happened"),
    "officers": gettext_lazy("Officers involved"),
    "allegations": gettext_lazy("What the complaint is about"),
    "witnesses": gettext_lazy("Witnesses"),
    "evidence": gettext_lazy("Evidence"),
    "contact": gettext_lazy("How we can contact you"),
}


# --- Helpers -----------------------------------------------------------------------------------


def _language(request: HttpRequest) -> str:
    return getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE) or settings.LANGUAGE_CODE


def _to_start(request: HttpRequest, *, notice: bool = True) -> HttpResponse:
    if notice and request.method == "POST":
        messages.info(request, _("That complaint form has already been sent or has expired. You can start a new one."))
    return redirect("complaints:start")


def _step_url(step: str, *, change: bool = False) -> str:
    url = reverse("complaints:step", kwargs={"step": step})
    return f"{url}?change=1" if change else url


def _back_url(step: str, *, change: bool) -> str:
    if change:
        return reverse("complaints:check")
    previous = drafts.previous_step(step)
    return _step_url(previous) if previous else reverse("complaints:start")


def _after_step(draft: IntakeDraft, step: str, *, change: bool) -> HttpResponse:
    following = drafts.next_step(step)
    if change or following is None:
        return redirect("complaints:check")
    return redirect(_step_url(following))


def _step_context(request: HttpRequest, draft: IntakeDraft, step: str, **extra: Any) -> dict[str, Any]:
    change = request.GET.get("change") == "1"
    return {
        "draft": draft,
        "step": step,
        "title": STEP_TITLES[step],
        "step_number": drafts.STEPS.index(step) + 1,
        "step_count": len(drafts.STEPS),
        "change": change,
        "action_url": _step_url(step, change=change),
        "back_url": _back_url(step, change=change),
        "staff_entry": draft.entered_by_id is not None,
        "channel_label": Complaint.Channel(drafts.draft_channel(draft)).label,
        **extra,
    }


def _submit_allowed(request: HttpRequest) -> bool:
    """The "complaints_submit" limits: per IP, and per account for signed-in filers (allauth refuses
    a per-user rate for an anonymous request, so anonymous filers are held to the per-IP rates)."""
    if request.user.is_authenticated:
        return ratelimit.consume(request, action=RATE_LIMIT_ACTION)
    rates = account_settings.RATE_LIMITS.get(RATE_LIMIT_ACTION) or ""
    ip_rates = ",".join(rate for rate in rates.split(",") if rate.strip() and not rate.strip().endswith("/user"))
    usage = allauth_ratelimit.consume(
        request=request, app="allauth.account", action=RATE_LIMIT_ACTION, config={RATE_LIMIT_ACTION: ip_rates}
    )
    return usage is not None


def _upload_allowed(request: HttpRequest) -> bool:
    rates = account_settings.RATE_LIMITS.get(UPLOAD_RATE_ACTION) or UPLOAD_RATE_DEFAULT
    ip_rates = ",".join(rate for rate in rates.split(",") if rate.strip().endswith("/ip"))
    usage = allauth_ratelimit.consume(
        request=request, app="allauth.account", action=UPLOAD_RATE_ACTION, config={UPLOAD_RATE_ACTION: ip_rates}
    )
    return usage is not None


def _defaults(request: HttpRequest, draft: IntakeDraft, step: str) -> dict[str, Any]:
    """What a step starts with before it was ever answered."""
    if step == "contact":
        initial: dict[str, Any] = {"language": _language(request)}
        if draft.entered_by_id is None and request.user.is_authenticated:
            initial["complainant_email"] = request.user.email
            initial["complainant_name"] = request.user.get_full_name()
        return initial
    return {}


def _private(response: HttpResponse) -> HttpResponse:
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


# --- Start -------------------------------------------------------------------------------------


def _seed_from_feedback(request: HttpRequest, draft: IntakeDraft) -> None:
    """Someone who pressed "go to the complaint form" on the feedback form finds what they typed
    there in "what happened" (not answered for them: they still read it and continue). Feedback
    keeps its own copy in the session for when they go back."""
    typed = request.session.get(FEEDBACK_DRAFT_SESSION_KEY)
    message = typed.get("message") if isinstance(typed, dict) else None
    if isinstance(message, str) and message.strip():
        drafts.draft_save_step(
            draft_id=draft.pk,
            step="what-happened",
            answers={"narrative": message.strip()[: Complaint._meta.get_field("narrative").max_length]},
            complete=False,
        )


def _discard_current(request: HttpRequest) -> None:
    """Starting again replaces the browser's unsent draft (the start page says so)."""
    current = drafts.draft_for_request(request)
    if current is not None:
        drafts.draft_discard(draft=current)


@never_cache
@require_http_methods(["GET", "POST"])
def start_view(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        _discard_current(request)
        draft, key = drafts.draft_start(user=request.user)
        _seed_from_feedback(request, draft)
        response = redirect(_step_url(drafts.STEPS[0]))
        drafts.draft_set_cookie(response, key)
        return response
    draft = drafts.draft_for_request(request)
    resume_url = None
    if draft is not None and draft.entered_by_id is None:
        missing = drafts.first_incomplete_step(draft)
        resume_url = _step_url(missing) if missing else reverse("complaints:check")
    context = {
        "page": site_page_for_language(slug=SitePage.Slug.COMPLAINTS, language=_language(request)),
        "resume_url": resume_url,
    }
    return render(request, "complaints/intake/start.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def staff_intake_view(request: HttpRequest) -> HttpResponse:
    if not can_enter_for_complainant(request.user):
        raise PermissionDenied
    form = StaffChannelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _discard_current(request)
        _draft, key = drafts.draft_start(entered_by=request.user, channel=form.cleaned_data["channel"])
        response = redirect(_step_url(drafts.STEPS[0]))
        drafts.draft_set_cookie(response, key)
        return response
    current = drafts.draft_for_request(request)
    resume_url = None
    if current is not None and current.entered_by_id is not None:
        missing = drafts.first_incomplete_step(current)
        resume_url = _step_url(missing) if missing else reverse("complaints:check")
    context = {"form": form, "resume_url": resume_url}
    return render(request, "complaints/intake/staff_start.html", context, status=400 if form.errors else 200)


# --- Steps -------------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def step_view(request: HttpRequest, step: str) -> HttpResponse:
    draft = drafts.draft_for_request(request)
    if draft is None:
        return _to_start(request)
    if step not in drafts.STEPS:
        raise Http404("No such step.")
    if not drafts.step_reachable(draft, step):
        return redirect(_step_url(drafts.first_incomplete_step(draft) or drafts.STEPS[0]))
    if step == "officers":
        return _private(_officers_step(request, draft))
    if step == "evidence":
        return _private(_evidence_step(request, draft))
    return _private(_form_step(request, draft, step))


def _form_step(request: HttpRequest, draft: IntakeDraft, step: str) -> HttpResponse:
    language = _language(request)
    change = request.GET.get("change") == "1"
    if request.method == "POST":
        form = step_form(step, data=request.POST, language=language)
        if form.is_valid():
            drafts.draft_save_step(draft_id=draft.pk, step=step, answers=answers_of(form))
            return _after_step(draft, step, change=change)
    else:
        answers = drafts.draft_answers(draft, step)
        form = step_form(step, initial=answers or _defaults(request, draft, step), language=language)
    context = _step_context(request, draft, step, form=form)
    return render(request, "complaints/intake/step.html", context, status=400 if form.errors else 200)


def _officers_step(request: HttpRequest, draft: IntakeDraft) -> HttpResponse:
    step = "officers"
    change = request.GET.get("change") == "1"
    search = OfficerSearchForm(request.GET or None)
    add_form, describe_form = OfficerAddForm(), OfficerDescribeForm()
    errors: list[str] = []
    if request.method == "POST":
        action = request.POST.get("action")
        entries = draft_officers(draft)
        complete = step in drafts.draft_completed(draft)
        changed = False
        if action == "continue":
            drafts.draft_save_step(draft_id=draft.pk, step=step, answers={"officers": entries})
            return _after_step(draft, step, change=change)
        if action in ("add", "describe") and len(entries) >= OFFICERS_MAX:
            errors.append(_("You can name at most %(limit)s officers.") % {"limit": OFFICERS_MAX})
        elif action == "add":
            add_form = OfficerAddForm(request.POST)
            if add_form.is_valid():
                pk = add_form.cleaned_data["officer"].pk
                if not any(entry.get("officer") == pk for entry in entries):
                    entries.append({"officer": pk})
                changed = True
            else:
                errors.extend(str(e) for field_errors in add_form.errors.values() for e in field_errors)
        elif action == "describe":
            describe_form = OfficerDescribeForm(request.POST)
            if describe_form.is_valid():
                data = describe_form.cleaned_data
                entries.append(
                    {
                        "name": data["described_name"],
                        "badge": data["described_badge"],
                        "description": data["description"],
                    }
                )
                changed = True
        elif action == "remove":
            index = request.POST.get("index", "")
            if index.isdecimal() and int(index) < len(entries):
                entries.pop(int(index))
                changed = True
            else:
                errors.append(_("We could not find that officer in your list. It may already be removed."))
        else:
            errors.append(_("Choose what you want to do: add an officer, describe one, remove one or continue."))
        if changed:
            drafts.draft_save_step(draft_id=draft.pk, step=step, answers={"officers": entries}, complete=complete)
            return redirect(_step_url(step, change=change))
    results, more_results = None, False
    if search.is_bound and search.is_valid() and search.cleaned_data["q"].strip():
        results = list(officer_list_filtered(query=search.cleaned_data["q"].strip())[: SEARCH_RESULTS_MAX + 1])
        more_results, results = len(results) > SEARCH_RESULTS_MAX, results[:SEARCH_RESULTS_MAX]
    failed = bool(errors or add_form.errors or describe_form.errors or search.errors)
    context = _step_context(
        request,
        draft,
        step,
        listed=draft_officer_rows(draft),
        search=search,
        results=results,
        more_results=more_results,
        results_max=SEARCH_RESULTS_MAX,
        add_form=add_form,
        describe_form=describe_form,
        errors=errors,
        can_add=len(draft_officers(draft)) < OFFICERS_MAX,
    )
    return render(request, "complaints/intake/officers.html", context, status=400 if failed else 200)


def _evidence_step(request: HttpRequest, draft: IntakeDraft) -> HttpResponse:
    step = "evidence"
    change = request.GET.get("change") == "1"
    form = EvidenceUploadForm()
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "continue":
            drafts.draft_save_step(draft_id=draft.pk, step=step, answers={})
            return _after_step(draft, step, change=change)
        if action == "upload" and draft.entered_by_id is None and not _upload_allowed(request):
            errors.append(_("Too many files have been sent from your connection in a short time. Please wait a while."))
            status = 429
        elif action == "upload":
            form = EvidenceUploadForm(request.POST, request.FILES)
            if form.is_valid():
                for upload in form.cleaned_data["files"]:
                    try:
                        evidence_store(upload=upload, draft=draft, uploaded_by=request.user)
                    except ValidationError as exc:
                        form.add_error("files", exc)
                if not form.errors:
                    messages.success(request, _("Your files were added."))
                    return redirect(_step_url(step, change=change))
        elif action == "remove":
            pk = request.POST.get("evidence", "")
            if pk.isdecimal() and len(pk) < 19 and evidence_discard(draft=draft, evidence_id=int(pk)):
                return redirect(_step_url(step, change=change))
            errors.append(_("We could not find that file. It may already be removed."))
        else:
            errors.append(_("Choose what you want to do: add files, remove one or continue."))
    files = list(Evidence.objects.filter(draft=draft, complaint__isnull=True, removed_at__isnull=True))
    context = _step_context(
        request,
        draft,
        step,
        form=form,
        files=files,
        errors=errors,
        can_add=len(files) < settings.COMPLAINTS_EVIDENCE_MAX_FILES,
        max_files=settings.COMPLAINTS_EVIDENCE_MAX_FILES,
    )
    if status == 200 and (errors or form.errors):
        status = 400
    return render(request, "complaints/intake/evidence.html", context, status=status)


# --- Check your answers, submit, confirmation --------------------------------------------------


def _shown_date(value: Any) -> str:
    try:
        return date_format(date.fromisoformat(str(value)), "DATE_FORMAT")
    except ValueError:
        return ""


def _shown_time(value: Any) -> str:
    try:
        return time_format(time.fromisoformat(str(value)), "TIME_FORMAT") if value else ""
    except ValueError:
        return ""


def _yes_no(value: Any) -> str:
    return _("Yes") if value else _("No")


def _summary(draft: IntakeDraft, language: str) -> list[dict[str, Any]]:
    """The answers as "check your answers" shows them: a section per step, with its change link."""
    a = {step: drafts.draft_answers(draft, step) for step in drafts.STEPS}
    about = a["about-you"]
    about_rows = [
        (
            _("Filing"),
            Complaint.Filer(about.get("filer", "self")).label if about.get("filer") in Complaint.Filer.values else "",
        )
    ]
    if about.get("filer") == Complaint.Filer.ON_BEHALF:
        about_rows += [
            (_("Your relationship to them"), about.get("relationship", "")),
            (_("Their name"), about.get("affected_person_name", "")),
        ]
    when = a["when"]
    approximate = f" ({_('approximate')})"
    when_rows = [
        (
            _("Date"),
            _shown_date(when.get("incident_date")) + (approximate if when.get("incident_date_is_approximate") else ""),
        ),
        (
            _("Time"),
            (_shown_time(when.get("incident_time")) or _("Not given"))
            + (approximate if when.get("incident_time") and when.get("incident_time_is_approximate") else ""),
        ),
    ]
    where = a["where"]
    district = District.objects.filter(slug=where.get("district") or "").first() if where.get("district") else None
    where_rows = [
        (_("Place"), where.get("incident_place", "")),
        (_("District"), district.name if district else _("Not known")),
    ]
    officer_values = []
    for row in draft_officer_rows(draft):
        if row["profile"] is not None:
            officer_values.append(f"{row['profile'].full_name} ({_('badge')} {row['profile'].badge_number})")
        elif row["name"] or row["badge"] or row["description"]:
            parts = [p for p in (row["name"], row["badge"] and f"{_('badge')} {row['badge']}", row["description"]) if p]
            officer_values.append(" — ".join(parts))
        else:
            officer_values.append(_("An officer no longer in the directory"))
    ids = [int(pk) for pk in a["allegations"].get("categories", []) if str(pk).isdecimal()]
    categories = [c.name_for(language) for c in AllegationCategory.objects.filter(pk__in=ids).order_by("order", "pk")]
    files = list(Evidence.objects.filter(draft=draft, complaint__isnull=True).values_list("original_name", flat=True))
    contact = a["contact"]
    preference = contact.get("contact_preference")
    language_names = dict(settings.LANGUAGES)
    contact_rows = [
        (_("Name"), contact.get("complainant_name") or _("Not given")),
        (_("Email address"), contact.get("complainant_email") or _("Not given")),
        (_("Phone number"), contact.get("complainant_phone") or _("Not given")),
        (
            _("How we may contact you"),
            Complaint.Contact(preference).label if preference in Complaint.Contact.values else "",
        ),
        (_("Language"), str(language_names.get(contact.get("language"), ""))),
        (_("You agree to be contacted"), _yes_no(contact.get("consent_to_contact"))),
    ]
    sections = [
        ("about-you", about_rows),
        ("when", when_rows),
        ("where", where_rows),
        ("what-happened", [(_("What happened"), a["what-happened"].get("narrative", ""))]),
        ("officers", [(_("Officers"), "\n".join(officer_values) or _("None named"))]),
        ("allegations", [(_("Kinds of complaint"), "\n".join(categories))]),
        ("witnesses", [(_("Witnesses"), a["witnesses"].get("witnesses") or _("None given"))]),
        ("evidence", [(_("Files"), "\n".join(files) or _("No files"))]),
        ("contact", contact_rows),
    ]
    return [
        {"step": step, "title": STEP_TITLES[step], "rows": rows, "change_url": _step_url(step, change=True)}
        for step, rows in sections
    ]


@never_cache
@require_http_methods(["GET", "POST"])
def check_view(request: HttpRequest) -> HttpResponse:
    draft = drafts.draft_for_request(request)
    if draft is None:
        return _to_start(request)
    missing = drafts.first_incomplete_step(draft)
    if missing is not None:
        return redirect(_step_url(missing))
    language = _language(request)
    status, error, rate_limited = 200, "", False
    if request.method == "POST":
        staff_entry = draft.entered_by_id is not None
        # Staff typing in complaints from the phone are not held to the public filing limits.
        if not staff_entry and not _submit_allowed(request):
            status, rate_limited = 429, True
        else:
            try:
                complaint, code = complaint_file(draft=draft, user=request.user, language=language)
            except ValidationError as exc:
                if exc.code == "draft_gone":
                    return _to_start(request)
                status, error = 400, " ".join(exc.messages)
                step = getattr(exc, "step", None)
                if step in drafts.STEPS:
                    drafts.draft_save_step(
                        draft_id=draft.pk, step=step, answers=drafts.draft_answers(draft, step), complete=False
                    )
            else:
                request.session[SESSION_FILED] = {
                    "reference": complaint.reference,
                    "code": code,
                    "staff": staff_entry,
                    "owner": complaint.filed_by_id is not None,
                    "emailed": complaint.may_email,
                }
                response = redirect("complaints:done")
                drafts.draft_forget_cookie(response)
                return response
    context = {
        "draft": draft,
        "sections": _summary(draft, language),
        "back_url": _step_url(drafts.STEPS[-1]),
        "staff_entry": draft.entered_by_id is not None,
        "channel_label": Complaint.Channel(drafts.draft_channel(draft)).label,
        "error": error,
        "rate_limited": rate_limited,
    }
    return _private(render(request, "complaints/intake/check.html", context, status=status))


@never_cache
@require_GET
def done_view(request: HttpRequest) -> HttpResponse:
    """The reference and the access code, shown once: they leave the session as the page is made."""
    filed = request.session.pop(SESSION_FILED, None)
    if not isinstance(filed, dict) or not isinstance(filed.get("reference"), str):
        return redirect("complaints:start")
    code = filed.get("code") if isinstance(filed.get("code"), str) else None
    context = {
        "reference": filed["reference"],
        "code": code,
        "staff": bool(filed.get("staff")),
        "owner": bool(filed.get("owner")),
        "emailed": bool(filed.get("emailed")),
        "acknowledge_days": settings.COMPLAINTS_ACKNOWLEDGE_DAYS,
    }
    return _private(render(request, "complaints/intake/done.html", context))
