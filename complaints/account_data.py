"""The complaints part of a person's data export and account deletion (portal/account_data.py).

Export: the complaints they filed while signed in — reference, dates, status, what they wrote
(where it happened, what happened, witnesses) and their own messages. Staff notes and staff
messages are the investigation's record, not the person's data, and are not included; findings
are shown on the tracking page and are the department's words.

Erase: a complaint is an investigation record the department must keep (until the retention rule
de-identifies it), so it is not deleted. It is unlinked from the account (nobody can open it by
signing in any more; an access code, if one was given, still works) and the complainant's contact
details are removed, so the department can no longer reach the person through it; an internal
timeline entry says why. The person's messages lose their author link. Staff accounts are never
erased (portal.accounts only deactivates them), so this only ever runs for residents.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone, translation
from django.utils.translation import gettext

from complaints.models import Complaint, ComplaintEvent, ComplaintMessage
from portal import account_data
from portal.models import User

PART_NAME = "complaints"


def complaints_export(user: User) -> dict[str, Any]:
    complaints = (
        Complaint.objects.filter(filed_by=user)
        .select_related("district")
        .prefetch_related(
            Prefetch(
                "messages",
                queryset=ComplaintMessage.objects.filter(from_complainant=True).order_by("created_at", "pk"),
                to_attr="own_messages",
            )
        )
        .order_by("received_at", "pk")
    )
    return {
        "complaints": [
            {
                "reference": complaint.reference,
                "filed_at": complaint.received_at,
                "status": complaint.status,
                "status_label": str(complaint.get_status_display()),
                "acknowledged_at": complaint.acknowledged_at,
                "findings_issued_at": complaint.findings_issued_at,
                "closed_at": complaint.closed_at,
                "incident_date": complaint.incident_date,
                "incident_time": complaint.incident_time,
                "incident_place": complaint.incident_place,
                "district": complaint.district.name if complaint.district else "",
                "what_happened": complaint.narrative,
                "witnesses": complaint.witnesses,
                "contact_preference": complaint.contact_preference,
                "language": complaint.language,
                "messages": [
                    {"sent_at": message.created_at, "text": message.body} for message in complaint.own_messages
                ],
            }
            for complaint in complaints
        ]
    }


@transaction.atomic
def complaints_erase(user: User) -> None:
    ids = list(Complaint.objects.filter(filed_by=user).values_list("pk", flat=True))
    if not ids:
        return
    now = timezone.now()
    Complaint.objects.filter(pk__in=ids).update(
        filed_by=None,
        complainant_name="",
        complainant_email="",
        complainant_phone="",
        contact_preference=Complaint.Contact.NONE,
        consent_to_contact=False,
        updated_at=now,
    )
    ComplaintMessage.objects.filter(complaint_id__in=ids, author=user).update(author=None)
    with translation.override(settings.LANGUAGE_CODE):  # a staff note: in the department's language
        note = gettext(
            "The complainant deleted their account: the complaint was unlinked from it and their contact "
            "details were removed."
        )
    ComplaintEvent.objects.bulk_create(
        [
            ComplaintEvent(
                complaint_id=pk,
                kind=ComplaintEvent.Kind.NOTE,
                note=note,
                visible_to_complainant=False,
                created_at=now,
            )
            for pk in ids
        ]
    )


def register_complaints_part() -> None:
    account_data.register(PART_NAME, export=complaints_export, erase=complaints_erase)
