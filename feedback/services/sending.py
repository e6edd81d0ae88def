"""Sending feedback, and the author's side of it: reading replies, rating the answer, writing back.

Everything is stored here, in the request's own transaction, before any page says "sent": mail
goes through the outbox (a row in the same transaction), so a Redis or worker outage delays a
message but never loses the feedback.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from feedback.models import Feedback, Reply
from portal import tokens
from portal.models import District, OfficerProfile
from portal.outbox import outbox_enqueue
from portal.roles import Role

if TYPE_CHECKING:
    from events.models import Event
    from portal.models import User

logger = logging.getLogger(__name__)

# The purpose that keys the HMAC of anonymous senders' private links (portal.tokens.token_hash).
READER_TOKEN_PURPOSE = "feedback.reader"  # noqa: S105 — a label, not a secret
# Longer than any token_new() output: such a "token" is not looked up at all.
TOKEN_MAX_LENGTH = 100
MESSAGE_MAX_LENGTH = 5000
# A second identical message from the same author within this window is the same message
# (a double click, a reload of the POST): it is not stored twice.
DUPLICATE_WINDOW = timedelta(minutes=1)

About = Feedback.About


# --- Reads -------------------------------------------------------------------------------------


def feedback_sent_by(*, user: User) -> QuerySet[Feedback]:
    """The items a person sent with their account, newest first (subjects joined for the list)."""
    if not user.is_authenticated:
        return Feedback.objects.none()
    return Feedback.objects.filter(author=user).select_related("district", "officer", "event")


def feedback_for_reader(*, token: str) -> Feedback | None:
    """The anonymous item a private link opens, or None for a wrong token."""
    if not token or len(token) > TOKEN_MAX_LENGTH:
        return None
    token_hash = tokens.token_hash(token, purpose=READER_TOKEN_PURPOSE)
    return (
        Feedback.objects.select_related("district", "officer", "event")
        .filter(reader_token_hash=token_hash, author__isnull=True)
        .first()
    )


def replies_for_author(*, feedback: Feedback) -> list[Reply]:
    """Every reply addressed to the author: public and private ones (staff notes are not replies)."""
    return list(feedback.replies.select_related("author__officer_profile").order_by("created_at", "pk"))


# --- Sending -----------------------------------------------------------------------------------


def _clean_message(message: str) -> str:
    text = (message or "").strip()
    if not text:
        raise ValidationError(_("Write your message."), code="message_empty")
    if len(text) > MESSAGE_MAX_LENGTH:
        raise ValidationError(
            _("Your message can be at most %(limit)s characters long.") % {"limit": MESSAGE_MAX_LENGTH},
            code="message_too_long",
        )
    return text


def _check_subject(
    *, about: str, district: District | None, officer: OfficerProfile | None, event: Event | None
) -> tuple[District | None, OfficerProfile | None, Event | None]:
    """The one subject `about` names, and the district it belongs to (for staff scope and figures)."""
    from events.models import Event as EventModel

    if about not in About.values:
        raise ValidationError(_("Choose what your feedback is about."), code="about_invalid")
    if about == About.DEPARTMENT:
        if district or officer or event:
            raise ValidationError(_("Feedback about the department names no other subject."), code="subject_mismatch")
        return None, None, None
    if about == About.DISTRICT:
        if district is None:
            raise ValidationError(_("Choose the district your feedback is about."), code="district_required")
        if officer or event:
            raise ValidationError(_("Feedback about a district names only the district."), code="subject_mismatch")
        return district, None, None
    if about == About.OFFICER:
        if officer is None:
            raise ValidationError(_("Choose the officer your feedback is about."), code="officer_required")
        if not officer.is_public:
            raise ValidationError(_("That officer is not in the public directory."), code="officer_not_public")
        if event:
            raise ValidationError(_("Feedback about an officer names only the officer."), code="subject_mismatch")
        # The officer's district (for staff scope), whatever district was also sent.
        return officer.district, officer, None
    # About an event.
    if event is None:
        raise ValidationError(_("Choose the event your feedback is about."), code="event_required")
    if event.status != EventModel.Status.PUBLISHED:
        raise ValidationError(_("That event is not published."), code="event_not_published")
    if officer:
        raise ValidationError(_("Feedback about an event names only the event."), code="subject_mismatch")
    return event.district, None, event


def _recent_duplicate(
    *, author: User | None, contact_email: str, kind: str, about: str, message: str, subject: tuple, now
) -> Feedback | None:
    """The same message from the same sender a moment ago (a double submit), if any.

    Only an account, or an anonymous sender who gave the same contact email, is "the same sender"
    in the database; anonymous senders without an address are matched by their session in the view.
    """
    if author is None and not contact_email:
        return None
    district, officer, event = subject
    candidates = Feedback.objects.filter(
        kind=kind,
        about=about,
        district=district,
        officer=officer,
        event=event,
        message=message,
        created_at__gte=now - DUPLICATE_WINDOW,
    )
    if author is not None:
        candidates = candidates.filter(author=author)
    else:
        candidates = candidates.filter(author__isnull=True, contact_email__iexact=contact_email)
    return candidates.order_by("-created_at", "-pk").first()


def _language(language: str) -> str:
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def private_link_url(*, token: str, language: str) -> str:
    """The absolute address of an anonymous sender's private link, in their language."""
    with translation.override(_language(language)):
        return _absolute(reverse("feedback:private", kwargs={"token": token}))


@transaction.atomic
def feedback_submit(
    *,
    kind: str,
    about: str,
    district: District | None = None,
    officer: OfficerProfile | None = None,
    event: Event | None = None,
    message: str,
    language: str,
    may_publish: bool,
    author: User | None,
    contact_email: str = "",
) -> tuple[Feedback, str | None]:
    """Store one message. Returns the item and, for an anonymous sender, the secret of its private
    reading link (only the HMAC is stored; None when the item was already stored a moment ago).

    HTML in the message is kept as text: every page shows it escaped.
    """
    if kind not in Feedback.Kind.values:
        raise ValidationError(_("Choose the kind of feedback."), code="kind_invalid")
    text = _clean_message(message)
    subject = _check_subject(about=about, district=district, officer=officer, event=event)
    if author is not None and not author.is_authenticated:
        author = None
    contact_email = "" if author is not None else (contact_email or "").strip()
    now = timezone.now()
    if author is not None:
        # Two requests of one double click queue here, so the second sees the first's row.
        from portal.models import User as UserModel

        UserModel.objects.select_for_update().filter(pk=author.pk).first()
    duplicate = _recent_duplicate(
        author=author, contact_email=contact_email, kind=kind, about=about, message=text, subject=subject, now=now
    )
    if duplicate is not None:
        return duplicate, None
    district, officer, event = subject
    token = tokens.token_new() if author is None else None
    item = Feedback.objects.create(
        kind=kind,
        about=about,
        district=district,
        officer=officer,
        event=event,
        message=text,
        language=_language(language),
        may_publish=may_publish,
        publication=Feedback.Publication.AWAITING if may_publish else Feedback.Publication.PRIVATE,
        author=author,
        contact_email=contact_email,
        reader_token_hash=tokens.token_hash(token, purpose=READER_TOKEN_PURPOSE) if token else "",
        created_at=now,
    )
    _acknowledge(item=item, token=token)
    return item, token


def _acknowledge(*, item: Feedback, token: str | None) -> None:
    """A receipt to the account's address, or to the contact email (with the private link)."""
    if item.author_id:
        if not item.author.email_replies:
            return  # they asked for no email about their feedback
        to, language = item.author.email, _language(item.author.language)
        with translation.override(language):
            read_url = _absolute(reverse("feedback:mine-detail", kwargs={"pk": item.pk}))
    elif item.contact_email and token:
        to, language = item.contact_email, item.language
        read_url = private_link_url(token=token, language=language)
    else:
        return
    if not to:
        return
    outbox_enqueue(
        dedupe_key=f"feedback.received:{item.pk}",
        to=to,
        template="feedback/email/received",
        context={"feedback": item, "read_url": read_url, "anonymous": not item.author_id},
        language=language,
    )


# --- The author's answer to the replies ---------------------------------------------------------


def _has_reply(item: Feedback) -> bool:
    return item.replies.exists()


@transaction.atomic
def feedback_rate(*, feedback_id: int, rating: int) -> Feedback:
    """The author's verdict on the answer (1 to 5), once, and only after there is an answer."""
    item = Feedback.objects.select_for_update().get(pk=feedback_id)
    if not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5:
        raise ValidationError(_("Choose a rating from 1 to 5."), code="rating_invalid")
    if item.rating is not None:
        raise ValidationError(_("You have already rated this answer. Thank you."), code="already_rated")
    if not _has_reply(item):
        raise ValidationError(_("You can rate the answer once there is one."), code="no_reply_yet")
    item.rating, item.rated_at = rating, timezone.now()
    item.save(update_fields=["rating", "rated_at"])
    return item


def _follow_up_recipients(item: Feedback) -> list[User]:
    from portal.models import User as UserModel

    if item.assigned_to_id and item.assigned_to.is_active and item.assigned_to.email:
        return [item.assigned_to]
    return list(
        UserModel.objects.filter(groups__name=Role.ADMINISTRATOR.value, is_active=True)
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )


@transaction.atomic
def feedback_follow_up(*, feedback_id: int, text: str) -> Feedback:
    """The author's one reply back: reopens the item (new, or assigned when someone holds it) and
    tells the assigned staff member, or the administrators, what they wrote — nothing more about them."""
    item = Feedback.objects.select_for_update(of=("self",)).select_related("assigned_to").get(pk=feedback_id)
    body = _clean_message(text)
    if item.follow_up_at is not None:
        raise ValidationError(_("You have already written back about this answer."), code="already_followed_up")
    if not _has_reply(item):
        raise ValidationError(_("You can write back once there is an answer."), code="no_reply_yet")
    now = timezone.now()
    item.follow_up, item.follow_up_at = body, now
    item.status = Feedback.Status.ASSIGNED if item.assigned_to_id else Feedback.Status.NEW
    item.closed_at = None
    item.save(update_fields=["follow_up", "follow_up_at", "status", "closed_at"])
    for recipient in _follow_up_recipients(item):
        language = _language(recipient.language)
        with translation.override(language):
            staff_url = _absolute(reverse("feedback:staff-detail", kwargs={"pk": item.pk}))
        outbox_enqueue(
            dedupe_key=f"feedback.follow-up:{item.pk}:{recipient.pk}",
            to=recipient.email,
            template="feedback/email/received_follow_up",
            context={"feedback": item, "staff_url": staff_url},
            language=language,
        )
    return item
