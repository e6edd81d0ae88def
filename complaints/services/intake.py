"""Filing a complaint: from a finished IntakeDraft (the online form, or staff entering one received
by phone, in person or by mail) and from a feedback concern (feedback.hooks).

Everything is written in ONE transaction: the complaint with its reference, the officers and the
officer-by-category allegations, the evidence moved from the draft, the "filed" timeline entry and
the "received" email's outbox row; the draft is deleted in the same transaction, so a replayed
submission finds nothing to file. Mail goes through the outbox, whose task is only enqueued after
commit (and a broker outage is logged, not raised): with Redis down the complaint is still stored
and the email goes out when the sweep runs.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from complaints import drafts
from complaints.forms_intake import OFFICERS_MAX, step_form
from complaints.models import (
    Allegation,
    AllegationCategory,
    Complaint,
    ComplaintEvent,
    ComplaintOfficer,
    Evidence,
    IntakeDraft,
)
from complaints.notifications import notify_complainant
from complaints.permissions import can_enter_for_complainant
from complaints.references import access_code_hash, access_code_new, reference_next
from portal.models import OfficerProfile

LANGUAGES = {code for code, _name in settings.LANGUAGES}


def _language(language: str) -> str:
    return language if language in LANGUAGES else settings.LANGUAGE_CODE


# --- Reading a draft back ----------------------------------------------------------------------


def draft_officers(draft: IntakeDraft) -> list[dict[str, Any]]:
    """The officers listed so far: {"officer": pk} (the directory) or {"name", "badge", "description"}."""
    entries = drafts.draft_answers(draft, "officers").get("officers")
    return [entry for entry in entries if isinstance(entry, dict)] if isinstance(entries, list) else []


def draft_officer_rows(draft: IntakeDraft) -> list[dict[str, Any]]:
    """The listed officers as the pages show them (directory entries with their profile)."""
    entries = draft_officers(draft)
    ids = [entry.get("officer") for entry in entries if isinstance(entry.get("officer"), int)]
    profiles = OfficerProfile.objects.filter(pk__in=ids, is_public=True).select_related("district").in_bulk()
    rows = []
    for index, entry in enumerate(entries):
        if "officer" in entry:
            rows.append(
                {"index": index, "profile": profiles.get(entry["officer"]), "name": "", "badge": "", "description": ""}
            )
        else:
            rows.append(
                {
                    "index": index,
                    "profile": None,
                    "name": str(entry.get("name", "")),
                    "badge": str(entry.get("badge", "")),
                    "description": str(entry.get("description", "")),
                }
            )
    return rows


def _officers_checked(draft: IntakeDraft) -> list[dict[str, Any]]:
    entries = draft_officers(draft)
    if len(entries) > OFFICERS_MAX:
        raise ValidationError(_("You can name at most %(limit)s officers.") % {"limit": OFFICERS_MAX}, code="officers")
    ids = [entry["officer"] for entry in entries if "officer" in entry]
    if any(not isinstance(pk, int) or isinstance(pk, bool) for pk in ids):
        raise ValidationError(_("We do not know one of the officers you chose."), code="unknown_officer")
    profiles = OfficerProfile.objects.filter(pk__in=ids, is_public=True).in_bulk()
    checked: list[dict[str, Any]] = []
    seen: set[int] = set()
    for entry in entries:
        if "officer" in entry:
            profile = profiles.get(entry["officer"])
            if profile is None:
                error = ValidationError(
                    _("We do not know one of the officers you chose. Go back to the officers step and choose again."),
                    code="unknown_officer",
                )
                error.step = "officers"  # type: ignore[attr-defined]
                raise error
            if profile.pk not in seen:
                seen.add(profile.pk)
                checked.append({"profile": profile})
        else:
            checked.append(
                {
                    "described_name": str(entry.get("name", ""))[:200],
                    "described_badge": str(entry.get("badge", ""))[:40],
                    "description": str(entry.get("description", ""))[:500],
                }
            )
    return checked


def intake_answers(draft: IntakeDraft, *, language: str = "en") -> dict[str, Any]:
    """Every step's answers, checked again as at the step (a category switched off since, an
    officer taken out of the directory, a step never finished) — ValidationError "incomplete" etc."""
    missing = drafts.first_incomplete_step(draft)
    if missing is not None:
        error = ValidationError(_("Some questions are not answered yet."), code="incomplete")
        error.step = missing  # type: ignore[attr-defined] — the page sends them back there
        raise error
    cleaned: dict[str, Any] = {}
    for step in drafts.STEPS:
        if step in ("officers", "evidence"):
            continue
        form = step_form(step, data=drafts.draft_answers(draft, step), language=language)
        if not form.is_valid():
            error = ValidationError(
                _("Some answers need checking again: %(problems)s")
                % {"problems": " ".join(str(e) for errors in form.errors.values() for e in errors)},
                code="invalid_answers",
            )
            error.step = step  # type: ignore[attr-defined]
            raise error
        cleaned.update(form.cleaned_data)
    cleaned["officers"] = _officers_checked(draft)
    return cleaned


# --- Filing ------------------------------------------------------------------------------------


def _due_dates(received_at: Any) -> tuple[Any, Any]:
    day = timezone.localtime(received_at).date()
    return (
        day + timedelta(days=settings.COMPLAINTS_ACKNOWLEDGE_DAYS),
        day + timedelta(days=settings.COMPLAINTS_FINISH_DAYS),
    )


def _new_complaint(
    *, channel: str, language: str, filed_by: Any, entered_by: Any, **fields: Any
) -> tuple[Complaint, str | None]:
    now = timezone.now()
    number, reference = reference_next(year=timezone.localtime(now).year)
    code = access_code_new() if filed_by is None else None
    acknowledge_by, finish_by = _due_dates(now)
    complaint = Complaint.objects.create(
        reference=reference,
        year=timezone.localtime(now).year,
        number=number,
        status=Complaint.Status.RECEIVED,
        channel=channel,
        filed_by=filed_by,
        entered_by=entered_by,
        access_code_hash=access_code_hash(code) if code else "",
        language=_language(language),
        received_at=now,
        acknowledge_by=acknowledge_by,
        finish_by=finish_by,
        **fields,
    )
    return complaint, code


def _add_officers_and_allegations(
    *, complaint: Complaint, officers: list[dict[str, Any]], categories: list[AllegationCategory]
) -> None:
    # An allegation is always about someone: with no officer named, an unidentified one stands in
    # (the investigation may find them, or record "unable to investigate: officer unidentified").
    rows = [
        ComplaintOfficer(
            complaint=complaint, officer=entry.get("profile"), **{k: v for k, v in entry.items() if k != "profile"}
        )
        for entry in officers
    ] or [ComplaintOfficer(complaint=complaint)]
    for row in rows:
        row.save()
    Allegation.objects.bulk_create(
        [Allegation(complaint=complaint, officer=row, category=category) for row in rows for category in categories]
    )


def _filed_note(*, channel: str, language: str) -> str:
    with translation.override(language):
        if channel == Complaint.Channel.ONLINE:
            return _("We received your complaint through the online form.")
        if channel == Complaint.Channel.FEEDBACK:
            return _("Staff made a complaint from the concern you sent as feedback.")
        return _("Staff entered your complaint, which reached us %(channel)s.") % {
            "channel": str(Complaint.Channel(channel).label).lower()
        }


@transaction.atomic
def complaint_file(*, draft: IntakeDraft, user: Any, language: str) -> tuple[Complaint, str | None]:
    """File a finished draft. Returns the complaint and, when nobody's account owns it (an
    anonymous filer, or staff entering it for a complainant), the access code to show ONCE.

    `user` is who pressed "submit" (the signed-in resident owns the complaint; staff entering one
    are recorded as `entered_by`); `language` is the reader's (the form's labels). Raises
    ValidationError "draft_gone" when the draft was already filed or discarded.
    """
    locked = IntakeDraft.objects.select_for_update().filter(pk=draft.pk).first()
    if locked is None:
        raise ValidationError(_("This complaint has already been sent, or the form has expired."), code="draft_gone")
    signed_in = user is not None and getattr(user, "is_authenticated", False)
    if locked.entered_by_id is not None:
        if not signed_in or user.pk != locked.entered_by_id or not can_enter_for_complainant(user):
            raise ValidationError(_("Only the staff member who started this complaint can send it."), code="forbidden")
    elif locked.user_id is not None and (not signed_in or user.pk != locked.user_id):
        raise ValidationError(_("This form belongs to someone else."), code="forbidden")
    answers = intake_answers(locked, language=language)
    channel = drafts.draft_channel(locked)
    entered_by = user if locked.entered_by_id is not None else None
    if entered_by is None and channel != Complaint.Channel.ONLINE:
        channel = Complaint.Channel.ONLINE  # a tampered draft cannot claim a staff channel
    filed_by = user if signed_in and entered_by is None else None
    complaint_language = _language(answers["language"])
    complaint, code = _new_complaint(
        channel=channel,
        language=complaint_language,
        filed_by=filed_by,
        entered_by=entered_by,
        filer=answers["filer"],
        relationship=answers["relationship"],
        affected_person_name=answers["affected_person_name"],
        complainant_name=answers["complainant_name"],
        complainant_email=answers["complainant_email"],
        complainant_phone=answers["complainant_phone"],
        contact_preference=answers["contact_preference"],
        consent_to_contact=answers["consent_to_contact"],
        incident_date=answers["incident_date"],
        incident_date_is_approximate=answers["incident_date_is_approximate"],
        incident_time=answers["incident_time"],
        incident_time_is_approximate=answers["incident_time_is_approximate"],
        incident_place=answers["incident_place"],
        district=answers["district"],
        narrative=answers["narrative"],
        witnesses=answers["witnesses"],
    )
    _add_officers_and_allegations(
        complaint=complaint, officers=answers["officers"], categories=list(answers["categories"])
    )
    Evidence.objects.filter(draft=locked, complaint__isnull=True).update(complaint=complaint, draft=None)
    ComplaintEvent.objects.create(
        complaint=complaint,
        kind=ComplaintEvent.Kind.FILED,
        to_status=Complaint.Status.RECEIVED,
        actor=entered_by or filed_by,
        note=_filed_note(channel=channel, language=complaint_language),
        visible_to_complainant=True,
        created_at=complaint.received_at,
    )
    notify_complainant(complaint=complaint, kind="received")
    locked.delete()
    return complaint, code


# --- From feedback (registered with feedback.hooks from ComplaintsConfig.ready()) ---------------


def _feedback_category() -> AllegationCategory:
    category = AllegationCategory.objects.filter(slug="other").first()
    category = category or AllegationCategory.objects.filter(is_active=True).order_by("order", "pk").first()
    if category is None:
        raise ValidationError(_("No allegation categories are set up."), code="no_categories")
    return category


@transaction.atomic
def complaint_from_feedback(*, feedback: Any, actor: Any) -> str:
    """A complaint made by staff from a feedback concern; returns its reference.

    Copies the message, district, officer and the sender's account. An anonymous sender's contact
    address is NOT copied: feedback never shows it to staff, and a complaint would. Such a
    complaint has an access code nobody holds; staff reach the sender through feedback's reply.
    """
    if not can_enter_for_complainant(actor):
        raise ValidationError(_("Only investigators and administrators can make complaints."), code="forbidden")
    if Complaint.objects.filter(source_feedback_id=feedback.pk).exists():
        raise ValidationError(_("This feedback has already been made a complaint."), code="already_converted")
    message = (feedback.message or "").strip()
    if not message:
        raise ValidationError(_("The feedback has no message to make a complaint from."), code="empty")
    author = feedback.author if getattr(feedback, "author_id", None) else None
    language = _language(feedback.language)
    complaint, _code = _new_complaint(
        channel=Complaint.Channel.FEEDBACK,
        language=language,
        filed_by=author,
        entered_by=actor,
        complainant_name=(author.get_full_name() if author is not None and hasattr(author, "get_full_name") else "")[
            :200
        ],
        complainant_email=author.email if author is not None else "",
        contact_preference=Complaint.Contact.EMAIL if author is not None else Complaint.Contact.NONE,
        consent_to_contact=bool(author is not None and author.email_replies),
        incident_date=timezone.localtime(feedback.created_at).date(),
        incident_date_is_approximate=True,
        incident_place="",
        district=feedback.district,
        narrative=message[: Complaint._meta.get_field("narrative").max_length],
        source_feedback_id=feedback.pk,
    )
    officers = [{"profile": feedback.officer}] if feedback.officer_id else []
    _add_officers_and_allegations(complaint=complaint, officers=officers, categories=[_feedback_category()])
    ComplaintEvent.objects.create(
        complaint=complaint,
        kind=ComplaintEvent.Kind.FILED,
        to_status=Complaint.Status.RECEIVED,
        actor=actor,
        note=_filed_note(channel=Complaint.Channel.FEEDBACK, language=language),
        visible_to_complainant=True,
        created_at=complaint.received_at,
    )
    notify_complainant(complaint=complaint, kind="received")
    return complaint.reference


def register_feedback_converter() -> None:
    """Called from ComplaintsConfig.ready(): feedback's "turn into a complaint" uses this app."""
    from feedback.hooks import register_complaint_converter

    register_complaint_converter(complaint_from_feedback)
