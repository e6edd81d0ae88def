"""Writing, scheduling, publishing and correcting updates. Every write to an Update goes here.

- `update_save` creates or edits a draft or a scheduled update (Markdown rendered and sanitised
  here, into body_html / body_es_html); a published one is changed only by `update_correct`.
- `update_schedule` sets a publication time in the future (a past time is refused);
  `update_unschedule` takes it back to a draft.
- `update_publish` publishes now, ONCE: a conditional UPDATE (status still draft/scheduled) decides
  who publishes, so two callers at once (an administrator's click and the beat task, or two
  workers) publish it once and plan the fan-out once (`fanout_plan`, in the same transaction).
- `publish_due_updates` is the beat task's scan: every scheduled update whose time has come.
- `update_correct` changes a published update and records the correction note and its date
  (shown on the page). A correction is not emailed again.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from functools import partial
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from transparency import permissions
from transparency.attachments import attachment_check, attachment_title_from
from transparency.caching import updates_fragments_bump_now_and_on_commit
from transparency.models import Category, Update, UpdateAttachment
from transparency.rendering import render_markdown

if TYPE_CHECKING:
    from portal.models import District, User

SLUG_MAX_LENGTH = Update._meta.get_field("slug").max_length
MAX_ATTACHMENTS = 10
# Fields `update_correct` may change (the rest — state, dates, fan-out — have services of their own).
CORRECTABLE = frozenset({"title", "summary", "body", "title_es", "summary_es", "body_es", "category"})
Status = Update.Status


# --- Helpers -------------------------------------------------------------------------------------


def _require(actor: User | None) -> None:
    # Views check first and answer 403; this guards the admin, commands and tasks calling in.
    if actor is not None and not permissions.can_manage_updates(actor):
        raise PermissionDenied


def _lock(update_id: int) -> Update:
    try:
        return Update.objects.select_for_update().get(pk=update_id)
    except Update.DoesNotExist as exc:
        raise ValidationError(_("There is no such update."), code="not_found") from exc


def _unique_slug(title: str, *, exclude_pk: int | None = None) -> str:
    base = slugify(title)[: SLUG_MAX_LENGTH - 12].strip("-") or "update"
    taken = set(Update.objects.filter(slug__startswith=base).exclude(pk=exclude_pk).values_list("slug", flat=True))
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def _clean_text(*, title: str, summary: str, body: str, category: str, title_es: str, summary_es: str, body_es: str):
    errors: dict[str, list[ValidationError]] = {}
    title, summary, body = (title or "").strip(), (summary or "").strip(), (body or "").strip()
    title_es, summary_es, body_es = (title_es or "").strip(), (summary_es or "").strip(), (body_es or "").strip()
    if not title:
        errors["title"] = [ValidationError(_("Enter a title."), code="required")]
    if not summary:
        errors["summary"] = [ValidationError(_("Enter a summary of one or two sentences."), code="required")]
    if not body:
        errors["body"] = [ValidationError(_("Enter the text of the update."), code="required")]
    if category not in Category.values:
        errors["category"] = [ValidationError(_("Choose a category from the list."), code="invalid_choice")]
    # A Spanish version is all or nothing: half of one would show readers a mix of languages.
    spanish = [title_es, summary_es, body_es]
    if any(spanish) and not all(spanish):
        message = _("Give the Spanish title, summary and text together, or leave all three empty.")
        for name, value in zip(("title_es", "summary_es", "body_es"), spanish, strict=True):
            if not value:
                errors[name] = [ValidationError(message, code="spanish_incomplete")]
    if errors:
        raise ValidationError(errors)
    return {
        "title": title,
        "summary": summary,
        "body": body,
        "category": category,
        "title_es": title_es,
        "summary_es": summary_es,
        "body_es": body_es,
    }


def _apply_text(update: Update, fields: dict[str, str]) -> list[str]:
    for name, value in fields.items():
        setattr(update, name, value)
    update.body_html = render_markdown(update.body)
    update.body_es_html = render_markdown(update.body_es)
    return [*fields, "body_html", "body_es_html"]


def _add_attachments(update: Update, uploads: Iterable[UploadedFile]) -> list[UpdateAttachment]:
    uploads = list(uploads)
    if not uploads:
        return []
    if update.attachments.count() + len(uploads) > MAX_ATTACHMENTS:
        raise ValidationError(
            {
                "attachments": ValidationError(
                    _("An update can have at most %(max)d attachments."),
                    code="too_many",
                    params={"max": MAX_ATTACHMENTS},
                )
            }
        )
    errors, checked = [], []
    for upload in uploads:
        try:
            checked.append((upload, attachment_check(upload)))
        except ValidationError as exc:
            errors.append(exc)
    if errors:
        raise ValidationError({"attachments": errors})
    made = []
    for upload, info in checked:
        attachment = UpdateAttachment(
            update=update, title=attachment_title_from(upload), size=info.size, sha256=info.sha256
        )
        attachment.file.save("upload.pdf", upload, save=False)  # the name is made by upload_to
        attachment.save()
        made.append(attachment)
    return made


# --- Drafts and scheduled updates ------------------------------------------------------------------


@transaction.atomic
def update_save(
    *,
    actor: User | None,
    title: str,
    summary: str,
    body: str,
    category: str,
    update_id: int | None = None,
    title_es: str = "",
    summary_es: str = "",
    body_es: str = "",
    districts: Iterable[District] = (),
    event: Any = None,
    attachments: Iterable[UploadedFile] = (),
    remove_attachments: Iterable[int] = (),
) -> Update:
    """Create a draft (no `update_id`) or edit a draft or scheduled update.

    ValidationError (a dict by field) for missing text, an unknown category, half a Spanish
    version, or an attachment that is not a PDF or too large; code "published" for a published
    update (correct it with `update_correct`).
    """
    _require(actor)
    fields = _clean_text(
        title=title,
        summary=summary,
        body=body,
        category=category,
        title_es=title_es,
        summary_es=summary_es,
        body_es=body_es,
    )
    if update_id is None:
        update = Update(created_by=actor if actor is not None and actor.is_authenticated else None)
    else:
        update = _lock(update_id)
        if update.status == Status.PUBLISHED:
            raise ValidationError(
                _("This update is published. Correct it instead, with a note saying what changed."), code="published"
            )
    changed = _apply_text(update, fields)
    update.event = event
    # Nobody has a link to an unpublished update yet: its address follows its title.
    update.slug = _unique_slug(update.title, exclude_pk=update.pk)
    try:
        with transaction.atomic():
            if update.pk is None:
                update.save()
            else:
                update.save(update_fields=[*changed, "event", "slug", "updated_at"])
    except IntegrityError:  # another update took the address a moment ago
        update.slug = f"{update.slug[: SLUG_MAX_LENGTH - 14]}-{timezone.now():%H%M%S%f}"[:SLUG_MAX_LENGTH]
        if update.pk is None:
            update.save()
        else:
            update.save(update_fields=[*changed, "event", "slug", "updated_at"])
    update.districts.set(list(districts))
    remove = [int(pk) for pk in remove_attachments]
    if remove:
        for attachment in UpdateAttachment.objects.filter(update=update, pk__in=remove):
            storage, name = attachment.file.storage, attachment.file.name
            attachment.delete()
            # The file goes once the row is gone for good (a rolled-back save keeps both).
            transaction.on_commit(partial(storage.delete, name))
    _add_attachments(update, attachments)
    updates_fragments_bump_now_and_on_commit()
    return update


@transaction.atomic
def update_schedule(*, update_id: int, publish_at: datetime.datetime, actor: User | None, now=None) -> Update:
    """Publish at `publish_at` (the beat task does it when due). A time not in the future: code "past"."""
    _require(actor)
    now = now or timezone.now()
    update = _lock(update_id)
    if update.status == Status.PUBLISHED:
        raise ValidationError(_("This update is already published."), code="published")
    if publish_at is None or publish_at <= now:
        raise ValidationError(
            {
                "publish_at": ValidationError(
                    _("The publication time has already passed. Choose a time in the future, or publish now."),
                    code="past",
                )
            }
        )
    update.status, update.publish_at = Status.SCHEDULED, publish_at
    update.save(update_fields=["status", "publish_at", "updated_at"])
    updates_fragments_bump_now_and_on_commit()
    return update


@transaction.atomic
def update_unschedule(*, update_id: int, actor: User | None) -> Update:
    """A scheduled update back to a draft (nothing is published)."""
    _require(actor)
    update = _lock(update_id)
    if update.status != Status.SCHEDULED:
        raise ValidationError(_("This update is not scheduled."), code="not_scheduled")
    update.status, update.publish_at = Status.DRAFT, None
    update.save(update_fields=["status", "publish_at", "updated_at"])
    updates_fragments_bump_now_and_on_commit()
    return update


# --- Publishing ------------------------------------------------------------------------------------


def _publish_once(*, update_id: int, now: datetime.datetime, due_only: bool) -> bool:
    """Publish in the caller's transaction if nobody has; True when this call published it.

    The conditional UPDATE is the lock: on PostgreSQL a second writer waits for the first to
    commit, then finds the status changed and updates nothing; SQLite runs writers one at a time.
    """
    pending = Update.objects.filter(pk=update_id, status__in=[Status.DRAFT, Status.SCHEDULED])
    if due_only:
        pending = pending.filter(status=Status.SCHEDULED, publish_at__lte=now)
    if not pending.update(status=Status.PUBLISHED, published_at=now, updated_at=now):
        return False
    update = Update.objects.get(pk=update_id)
    from transparency.services import fanout

    fanout.fanout_plan(update=update)
    updates_fragments_bump_now_and_on_commit()
    return True


@transaction.atomic
def update_publish(*, update_id: int, actor: User | None = None, now: datetime.datetime | None = None) -> Update:
    """Publish now (a draft or a scheduled update), once; publishing again changes nothing.

    Plans the e-mail fan-out in the same transaction (transparency.services.fanout.fanout_plan).
    """
    _require(actor)
    now = now or timezone.now()
    update = Update.objects.filter(pk=update_id).first()
    if update is None:
        raise ValidationError(_("There is no such update."), code="not_found")
    if update.status != Status.PUBLISHED:
        missing = not (update.title and update.summary and update.body)
        if missing:
            raise ValidationError(
                _("Give the update a title, a summary and its text before publishing it."), code="incomplete"
            )
        _publish_once(update_id=update_id, now=now, due_only=False)
    return Update.objects.get(pk=update_id)


def publish_due_updates(*, now: datetime.datetime | None = None) -> int:
    """Publish every scheduled update whose time has come; returns how many THIS call published.

    Each in its own transaction, so one failing fan-out plan does not hold the others back.
    Safe to run twice at once: `_publish_once` lets only one of them publish each update.
    """
    now = now or timezone.now()
    due = list(
        Update.objects.filter(status=Status.SCHEDULED, publish_at__lte=now)
        .order_by("publish_at", "pk")
        .values_list("pk", flat=True)
    )
    published = 0
    for update_id in due:
        with transaction.atomic():
            published += _publish_once(update_id=update_id, now=now, due_only=True)
    return published


# --- Corrections ------------------------------------------------------------------------------------


@transaction.atomic
def update_correct(
    *,
    update_id: int,
    note: str,
    actor: User | None,
    now: datetime.datetime | None = None,
    attachments: Iterable[UploadedFile] = (),
    **changes: Any,
) -> Update:
    """Change a published update and say so: the note and its date are shown on the page.

    `changes` are any of CORRECTABLE (title, summary, body, Spanish versions, category), plus
    `districts`. Code "not_published" for an update that is not published (edit it instead),
    "note_required" without a note.
    """
    _require(actor)
    unknown = set(changes) - CORRECTABLE - {"districts"}
    if unknown:
        raise ValueError(f"update_correct cannot change {sorted(unknown)}")
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": ValidationError(_("Say what was corrected and why."), code="note_required")})
    update = _lock(update_id)
    if update.status != Status.PUBLISHED:
        raise ValidationError(_("Only a published update can be corrected. Edit it instead."), code="not_published")
    current = {name: getattr(update, name) for name in CORRECTABLE}
    current.update({name: value for name, value in changes.items() if name in CORRECTABLE})
    fields = _clean_text(**current)
    changed = _apply_text(update, fields)
    update.correction_note = note
    update.corrected_at = now or timezone.now()
    update.save(update_fields=[*changed, "correction_note", "corrected_at", "updated_at"])
    if "districts" in changes:
        update.districts.set(list(changes["districts"]))
    _add_attachments(update, attachments)
    updates_fragments_bump_now_and_on_commit()
    return update
