"""The feedback part of a person's data export and account deletion (portal/account_data.py).

Export: the items they sent with their account, the replies addressed to them (public and
private), their ratings and their replies back.

Erase: authorship is detached, not the department's record deleted. Each item they sent loses its
link to the account (author = None), and any private link or contact address is cleared, so the
item can no longer be traced to or opened by anyone; the text stays as anonymous feedback, since
staff answered it and the figures count it. A published item stays published (its public copy was
already checked for personal details by a moderator) but is no longer linked to the person.
Replies staff wrote are the department's words and stay.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Prefetch

from feedback.models import Feedback, Reply
from portal import account_data
from portal.models import User

PART_NAME = "feedback"


def _subject(item: Feedback) -> str:
    if item.about == Feedback.About.OFFICER and item.officer:
        return item.officer.full_name
    if item.about == Feedback.About.EVENT and item.event:
        return item.event.title
    if item.about == Feedback.About.DISTRICT and item.district:
        return item.district.name
    return str(item.get_about_display())


def _reply_row(reply: Reply) -> dict[str, Any]:
    signed_by_officer = reply.signature == Reply.Signature.OFFICER
    profile = getattr(reply.author, "officer_profile", None) if signed_by_officer else None
    return {
        "sent_at": reply.created_at,
        "public": reply.is_public,
        "signed_by": profile.full_name if profile else "department",
        "text": reply.body,
    }


def feedback_export(user: User) -> dict[str, Any]:
    items = (
        Feedback.objects.filter(author=user)
        .select_related("district", "officer", "event")
        .prefetch_related(
            Prefetch(
                "replies", queryset=Reply.objects.select_related("author__officer_profile").order_by("created_at", "pk")
            )
        )
        .order_by("created_at", "pk")
    )
    return {
        "feedback": [
            {
                "sent_at": item.created_at,
                "kind": item.kind,
                "about": item.about,
                "subject": _subject(item),
                "message": item.message,
                "language": item.language,
                "may_publish": item.may_publish,
                "publication": item.publication,
                "published_text": item.public_message if item.is_published else "",
                "status": item.status,
                "replies": [_reply_row(reply) for reply in item.replies.all()],
                "rating": item.rating,
                "rated_at": item.rated_at,
                "reply_back": item.follow_up,
                "replied_back_at": item.follow_up_at,
            }
            for item in items
        ]
    }


@transaction.atomic
def feedback_erase(user: User) -> None:
    Feedback.objects.filter(author=user).update(author=None, contact_email="", reader_token_hash="")


def register_feedback_part() -> None:
    account_data.register(PART_NAME, export=feedback_export, erase=feedback_erase)
