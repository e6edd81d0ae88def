"""Messages between the complainant and the investigator.

The text lives only here and on the two pages that show it (the tracking page and the staff
detail page), both escaping it. Emails say only that a message arrived:
- staff → complainant: `notify_complainant(kind="message")` (respects "don't email me");
- complainant → staff: a note to the assigned investigator with the reference and a link.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.models import Complaint, ComplaintMessage
from complaints.notifications import notify_complainant, notify_investigator_of_message
from complaints.permissions import can_work_complaint

BODY_MAX_LENGTH = ComplaintMessage._meta.get_field("body").max_length


def _clean_body(body: str) -> str:
    text = (body or "").replace("\r\n", "\n").strip()
    if not text:
        raise ValidationError({"body": ValidationError(_("Write your message."), code="required")})
    if len(text) > BODY_MAX_LENGTH:
        raise ValidationError(
            {
                "body": ValidationError(
                    _("Keep your message under %(limit)s characters.") % {"limit": BODY_MAX_LENGTH}, code="max_length"
                )
            }
        )
    return text


def _locked(complaint_id: int) -> Complaint:
    return Complaint.objects.select_for_update(of=("self",)).select_related("assigned_to").get(pk=complaint_id)


def _refuse_deidentified(complaint: Complaint) -> None:
    if complaint.deidentified_at is not None:
        raise ValidationError(
            _("This complaint was closed long ago and its personal details have been removed."), code="deidentified"
        )


@transaction.atomic
def message_from_complainant(*, complaint: Complaint, body: str, user: Any = None) -> ComplaintMessage:
    """The complainant writes to the investigator (the caller checked the code grant or ownership)."""
    text = _clean_body(body)
    locked = _locked(complaint.pk)
    _refuse_deidentified(locked)
    author = user if user is not None and user.is_authenticated and locked.filed_by_id == user.pk else None
    message = ComplaintMessage.objects.create(
        complaint=locked, from_complainant=True, author=author, body=text, created_at=timezone.now()
    )
    notify_investigator_of_message(complaint=locked, message=message)
    return message


@transaction.atomic
def message_from_staff(*, complaint: Complaint, body: str, actor: Any) -> ComplaintMessage:
    """An investigator or administrator writes to the complainant; the complainant is told
    (by email, if they accept email) that a message is waiting on the tracking page."""
    text = _clean_body(body)
    locked = _locked(complaint.pk)
    if not can_work_complaint(actor, locked):
        # The same words as a missing complaint: a named staff member learns nothing.
        raise ValidationError(_("There is no such complaint."), code="not_found")
    _refuse_deidentified(locked)
    message = ComplaintMessage.objects.create(
        complaint=locked, from_complainant=False, author=actor, body=text, created_at=timezone.now()
    )
    notify_complainant(complaint=locked, kind="message", dedupe=f"message-{message.pk}")
    return message


def messages_mark_read(*, complaint: Complaint, from_complainant: bool, ids: list[int] | None = None) -> int:
    """Mark the other side's messages read (the complainant opened the page: staff messages).

    `ids` limits it to the messages the reader was shown (and lets a page that has already read
    the thread skip the write when nothing is unread)."""
    if ids is not None and not ids:
        return 0
    unread = ComplaintMessage.objects.filter(
        complaint=complaint, from_complainant=from_complainant, read_at__isnull=True
    )
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())
