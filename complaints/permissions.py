"""Who may see and do what with complaints. Deny by default.

The conflict-of-interest rule lives in ONE place, `complaints_visible_to`: every staff path (the
queue, a complaint, its evidence, counts, search, exports, the access log) starts from that
queryset or from `can_see_complaint`, so a staff member whose officer profile is named in a
complaint never learns it exists — they get the same 404 as for a reference that does not exist.
Officers (the role) never see complaints at all; investigators and administrators see the rest.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from complaints.models import Complaint, ComplaintOfficer
from portal.roles import is_administrator, is_investigator


def is_complaint_staff(user: Any) -> bool:
    """Investigators and administrators work complaints; nobody else does (officers never)."""
    return is_investigator(user) or is_administrator(user)


def _names_user(user: Any) -> Exists:
    """The complaint names this staff member's own officer profile."""
    return Exists(ComplaintOfficer.objects.filter(complaint=OuterRef("pk"), officer__user=user))


def complaints_visible_to(*, user: Any) -> QuerySet[Complaint]:
    """Every complaint this staff member may see: none for anyone but investigators and
    administrators, and never one that names them."""
    if not is_complaint_staff(user):
        return Complaint.objects.none()
    return Complaint.objects.filter(~_names_user(user))


def can_see_complaint(user: Any, complaint: Complaint) -> bool:
    if not is_complaint_staff(user):
        return False
    return not ComplaintOfficer.objects.filter(complaint=complaint, officer__user=user).exists()


def can_use_queue(user: Any) -> bool:
    return is_complaint_staff(user)


def can_enter_for_complainant(user: Any) -> bool:
    """Staff typing in a complaint received by phone, in person or by mail."""
    return is_complaint_staff(user)


def can_work_complaint(user: Any, complaint: Complaint) -> bool:
    """Transitions, assignment, findings, messages: whoever may see it, while it is not de-identified."""
    return can_see_complaint(user, complaint) and complaint.deidentified_at is None


def can_decide_review(user: Any, complaint: Complaint) -> bool:
    """A review the complainant asked for is decided by an administrator."""
    return is_administrator(user) and can_see_complaint(user, complaint)


def can_read_access_log(user: Any) -> bool:
    return is_administrator(user)


# --- Added by the helpers below (one heading per area) -----------------------------------------


# --- Tracking (the complainant's side) ---------------------------------------------------------
# Whether a complaint is in a state where its complainant may add files. WHO the complainant is
# (the access-code grant or the signed-in owner) is complaints.tracking.complainant_may_open;
# withdrawing and asking for a review are the workflow's rules (complaints.services.workflow
# complaint_may_withdraw / complaint_may_request_review).


def complainant_can_add_evidence(complaint: Complaint) -> bool:
    return complaint.is_open and complaint.deidentified_at is None


# --- Workflow -----------------------------------------------------------------------------------
# (Restored by the TRACKING helper, who overwrote this section by mistake: the workflow's owner
# should check it says what they meant.)


def can_record_final_finding(user: Any, complaint: Complaint) -> bool:
    """The final finding (as opposed to the recommended one): staff who may work the complaint."""
    return can_work_complaint(user, complaint)
