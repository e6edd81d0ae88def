"""Answering feedback: replies, assignment, closing, moderation, reply templates and the
conversion of a concern into a complaint (through feedback.hooks).

Every service is keyword-only and atomic, locks the item, re-checks the staff scope
(feedback.permissions) and raises ValidationError with a code for anything refused.

Emails go through the outbox in the recipient's language. A reply's email to its author carries
the text of a PUBLIC reply; a PRIVATE reply's text is never put in an email (an anonymous
sender's contact address is unverified and could be someone else's): the email says there is a
private answer and where to read it — "My feedback" for an account, the private link for an
anonymous sender (the link cannot be sent again: only its hash is stored).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from feedback import hooks, permissions
from feedback.models import Feedback, Reply, ReplyTemplate
from portal.outbox import outbox_enqueue

BODY_MAX_LENGTH = 5000
REASON_MAX_LENGTH = 500
TITLE_MAX_LENGTH = 120
COMPLAINT_REFERENCE_MAX_LENGTH = 32


# --- Helpers -----------------------------------------------------------------------------------


def _bump_public_pages() -> None:
    """Make the cached public wall stale after commit (the public-wall helper's fragments)."""
    bump = None
    try:
        from feedback import selectors

        bump = getattr(selectors, "feedback_fragments_bump", None)
    except ImportError:
        pass
    if bump is None:
        try:
            from feedback.caching import feedback_fragments_bump as bump
        except ImportError:
            return
    transaction.on_commit(bump)


def _locked_item(*, feedback_id: int, actor: Any) -> Feedback:
    """The item, locked, if the actor may see it on the staff side; refused otherwise."""
    item = permissions.feedback_visible_to(user=actor).select_for_update(of=("self",)).filter(pk=feedback_id).first()
    if item is None:
        raise ValidationError(_("This feedback does not exist or is not yours to answer."), code="not_found")
    return item


def _text(value: str | None, *, field: str, max_length: int, required_message: Any) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: ValidationError(required_message, code="required")})
    if len(text) > max_length:
        raise ValidationError(
            {
                field: ValidationError(
                    _("Keep it to %(max)d characters or fewer (it has %(length)d)."),
                    code="max_length",
                    params={"max": max_length, "length": len(text)},
                )
            }
        )
    return text


def _refuse_closed(item: Feedback) -> None:
    if item.status == Feedback.Status.CLOSED:
        raise ValidationError(_("This feedback is closed."), code="closed")


def author_language(item: Feedback) -> str:
    """The sender's language: their account's, or the one the anonymous item was written in."""
    if item.author_id is not None and getattr(item.author, "language", ""):
        return item.author.language
    return item.language or "en"


def author_address(item: Feedback) -> str:
    """Where the sender is emailed: the account's address, or the anonymous contact address."""
    if item.author_id is not None:
        return item.author.email or ""
    return item.contact_email or ""


# --- Replies -----------------------------------------------------------------------------------


@transaction.atomic
def feedback_reply(*, feedback_id: int, author: Any, body: str, is_public: bool, signature: str) -> Reply:
    """Answer an item (public or private, signed by the officer or as the department).

    The first reply sets first_reply_at; the item becomes "answered"; the sender is emailed.
    """
    item = _locked_item(feedback_id=feedback_id, actor=author)
    _refuse_closed(item)
    text = _text(body, field="body", max_length=BODY_MAX_LENGTH, required_message=_("Write a reply."))
    if signature not in Reply.Signature.values:
        raise ValidationError({"signature": ValidationError(_("Choose how to sign the reply."), code="invalid")})
    now = timezone.now()
    reply = Reply.objects.create(
        feedback=item, author=author, body=text, is_public=bool(is_public), signature=signature, created_at=now
    )
    fields = ["status"]
    if item.first_reply_at is None:
        item.first_reply_at = now
        fields.append("first_reply_at")
    item.status = Feedback.Status.ANSWERED
    item.save(update_fields=fields)
    address = author_address(item)
    if address:
        outbox_enqueue(
            dedupe_key=f"feedback.reply:{reply.pk}",
            to=address,
            template="feedback/email/reply",
            language=author_language(item),
            context={
                "feedback": item,
                "reply": reply,
                "show_text": reply.is_public,
                "has_account": item.author_id is not None,
            },
        )
    if reply.is_public and item.is_published:
        _bump_public_pages()
    return reply


def reply_signed_name(reply: Reply) -> str:
    """How a reply is signed where people read it: the officer's name, or the department."""
    from django.conf import settings

    if reply.signature == Reply.Signature.OFFICER:
        profile = getattr(reply.author, "officer_profile", None)
        if profile is not None:
            return f"{profile.rank} {profile.first_name} {profile.last_name}".strip()
        name = reply.author.get_full_name()
        if name:
            return name
    return settings.DEPARTMENT_NAME


# --- Assignment and closing --------------------------------------------------------------------


@transaction.atomic
def feedback_assign(*, feedback_id: int, assignee: Any, actor: Any) -> Feedback:
    """Hand the item to a colleague who can see it; they are emailed."""
    item = _locked_item(feedback_id=feedback_id, actor=actor)
    _refuse_closed(item)
    if assignee is None or not permissions.feedback_assignable_users(feedback=item).filter(pk=assignee.pk).exists():
        raise ValidationError(
            {"assignee": ValidationError(_("Choose a colleague who can see this feedback."), code="not_in_scope")}
        )
    item.assigned_to = assignee
    item.status = Feedback.Status.ASSIGNED
    item.save(update_fields=["assigned_to", "status"])
    if assignee.email:
        outbox_enqueue(
            dedupe_key=f"feedback.assigned:{item.pk}:{assignee.pk}:{timezone.now().isoformat()}",
            to=assignee.email,
            template="feedback/email/assigned",
            language=getattr(assignee, "language", "") or "en",
            context={"feedback": item, "assigned_by": actor},
        )
    return item


@transaction.atomic
def feedback_close(*, feedback_id: int, actor: Any) -> Feedback:
    item = _locked_item(feedback_id=feedback_id, actor=actor)
    _refuse_closed(item)
    item.status = Feedback.Status.CLOSED
    item.closed_at = timezone.now()
    item.save(update_fields=["status", "closed_at"])
    return item


# --- Moderation --------------------------------------------------------------------------------


def _require_moderator(actor: Any) -> None:
    if not permissions.can_moderate(actor):
        raise ValidationError(_("Only administrators publish or decline feedback."), code="not_allowed")


def _refuse_private(item: Feedback) -> None:
    if not item.may_publish or item.publication == Feedback.Publication.PRIVATE:
        raise ValidationError(
            _("The sender did not allow this feedback to be published, so it can never be published."),
            code="author_did_not_allow",
        )


@transaction.atomic
def feedback_publish(*, feedback_id: int, public_text: str, actor: Any) -> Feedback:
    """Publish an item the sender allowed, optionally as a redacted copy (the original stays private)."""
    _require_moderator(actor)
    item = _locked_item(feedback_id=feedback_id, actor=actor)
    _refuse_private(item)
    if item.publication == Feedback.Publication.PUBLISHED:
        raise ValidationError(_("This feedback is already published."), code="already_published")
    text = (public_text or "").strip() or item.message.strip()
    if len(text) > BODY_MAX_LENGTH:
        raise ValidationError(
            {
                "public_text": ValidationError(
                    _("Keep it to %(max)d characters or fewer (it has %(length)d)."),
                    code="max_length",
                    params={"max": BODY_MAX_LENGTH, "length": len(text)},
                )
            }
        )
    item.publication = Feedback.Publication.PUBLISHED
    item.public_message = text
    item.published_at = timezone.now()
    item.moderated_by = actor
    item.decline_reason = ""
    item.save(update_fields=["publication", "public_message", "published_at", "moderated_by", "decline_reason"])
    _bump_public_pages()
    return item


@transaction.atomic
def feedback_decline(*, feedback_id: int, reason: str, actor: Any) -> Feedback:
    """Decline to publish an item the sender allowed; the reason is recorded."""
    _require_moderator(actor)
    item = _locked_item(feedback_id=feedback_id, actor=actor)
    _refuse_private(item)
    if item.publication != Feedback.Publication.AWAITING:
        raise ValidationError(_("Only feedback awaiting moderation can be declined."), code="not_awaiting")
    text = _text(
        reason, field="reason", max_length=REASON_MAX_LENGTH, required_message=_("Give the reason for declining.")
    )
    item.publication = Feedback.Publication.DECLINED
    item.decline_reason = text
    item.moderated_by = actor
    item.save(update_fields=["publication", "decline_reason", "moderated_by"])
    return item


@transaction.atomic
def feedback_unpublish(*, feedback_id: int, actor: Any) -> Feedback:
    """Take a published item off the wall; it goes back to awaiting moderation."""
    _require_moderator(actor)
    item = _locked_item(feedback_id=feedback_id, actor=actor)
    if item.publication != Feedback.Publication.PUBLISHED:
        raise ValidationError(_("This feedback is not published."), code="not_published")
    item.publication = Feedback.Publication.AWAITING if item.may_publish else Feedback.Publication.PRIVATE
    item.published_at = None
    item.moderated_by = actor
    item.save(update_fields=["publication", "published_at", "moderated_by"])
    _bump_public_pages()
    return item


# --- The complaint hook ------------------------------------------------------------------------


@transaction.atomic
def feedback_to_complaint(*, feedback_id: int, actor: Any) -> Feedback:
    """Turn a concern into a complaint through the registered converter (feedback.hooks).

    Stores the complaint's reference, records it in the thread (a private note) and closes the item.
    """
    if not permissions.can_open_complaint_conversion(actor):
        raise ValidationError(_("Only administrators turn concerns into complaints."), code="not_allowed")
    item = _locked_item(feedback_id=feedback_id, actor=actor)
    if item.kind != Feedback.Kind.CONCERN:
        raise ValidationError(_("Only concerns can be turned into complaints."), code="not_a_concern")
    if item.complaint_reference:
        raise ValidationError(_("This concern is already a complaint."), code="already_converted")
    if not hooks.complaint_conversion_available():
        raise ValidationError(_("Turning a concern into a complaint is not available yet."), code="unavailable")
    reference = str(hooks.call_complaint_converter(feedback=item, actor=actor) or "").strip()
    if not reference or len(reference) > COMPLAINT_REFERENCE_MAX_LENGTH:
        raise ValidationError(_("The complaints service did not return a usable reference."), code="bad_reference")
    now = timezone.now()
    with translation.override(author_language(item)):
        note = gettext(
            "This concern is now complaint %(reference)s and will be handled through the complaints process."
        ) % {"reference": reference}
    Reply.objects.create(
        feedback=item,
        author=actor,
        body=note,
        is_public=False,
        signature=Reply.Signature.DEPARTMENT,
        created_at=now,
    )
    item.complaint_reference = reference
    item.status = Feedback.Status.CLOSED
    item.closed_at = now
    item.save(update_fields=["complaint_reference", "status", "closed_at"])
    return item


# --- Reply templates ---------------------------------------------------------------------------


def _require_template_manager(actor: Any) -> None:
    if not permissions.can_manage_templates(actor):
        raise ValidationError(_("Only administrators manage reply templates."), code="not_allowed")


def _template_fields(*, title: str, body: str, language: str) -> dict[str, str]:
    from django.conf import settings

    fields = {
        "title": _text(title, field="title", max_length=TITLE_MAX_LENGTH, required_message=_("Give it a title.")),
        "body": _text(body, field="body", max_length=BODY_MAX_LENGTH, required_message=_("Write the text.")),
    }
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": ValidationError(_("Choose a language."), code="invalid")})
    fields["language"] = language
    return fields


def reply_template_check(*, title: str, body: str, language: str) -> dict[str, str]:
    """The cleaned fields of a template, or ValidationError (for forms that check before saving)."""
    return _template_fields(title=title, body=body, language=language)


@transaction.atomic
def reply_template_create(*, title: str, body: str, language: str, actor: Any) -> ReplyTemplate:
    _require_template_manager(actor)
    return ReplyTemplate.objects.create(created_by=actor, **_template_fields(title=title, body=body, language=language))


@transaction.atomic
def reply_template_update(*, template_id: int, title: str, body: str, language: str, actor: Any) -> ReplyTemplate:
    _require_template_manager(actor)
    template = ReplyTemplate.objects.select_for_update().filter(pk=template_id).first()
    if template is None:
        raise ValidationError(_("This reply template no longer exists."), code="not_found")
    for name, value in _template_fields(title=title, body=body, language=language).items():
        setattr(template, name, value)
    template.save(update_fields=["title", "body", "language"])
    return template


@transaction.atomic
def reply_template_delete(*, template_id: int, actor: Any) -> None:
    _require_template_manager(actor)
    ReplyTemplate.objects.filter(pk=template_id).delete()
