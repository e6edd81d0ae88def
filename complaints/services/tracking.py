"""What a complainant changes from the tracking page besides messages: adding evidence.

(Withdrawing and asking for a review are the workflow's services: complaints.services.workflow.)
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from complaints.models import Complaint, ComplaintEvent, Evidence
from complaints.permissions import complainant_can_add_evidence


@transaction.atomic
def complainant_evidence_add(*, complaint_id: int, upload: Any, user: Any = None) -> Evidence:
    """Attach a file the complainant sends while the complaint is open.

    The file's type, size and the per-complaint count are complaints.evidence's rules
    (ValidationError codes "type", "size", "too_many"); a visible timeline line records it.
    """
    from complaints.evidence import evidence_store

    complaint = Complaint.objects.select_for_update(of=("self",)).get(pk=complaint_id)
    if not complainant_can_add_evidence(complaint):
        raise ValidationError(_("This complaint is closed: no more files can be added to it."), code="closed")
    uploader = user if user is not None and user.is_authenticated and complaint.filed_by_id == user.pk else None
    evidence = evidence_store(upload=upload, complaint=complaint, from_complainant=True, uploaded_by=uploader)
    ComplaintEvent.objects.create(
        complaint=complaint,
        kind=ComplaintEvent.Kind.EVIDENCE,
        actor=uploader,
        note="",  # the page says "a file was added" in the reader's language
        visible_to_complainant=True,
    )
    return evidence
