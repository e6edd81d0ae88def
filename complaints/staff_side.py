"""The staff side's registrations, called once from ComplaintsConfig.ready(): the "Complaints"
card on the staff home (investigators and administrators, the same predicate the queue checks)
and the administrators' admin permissions on allegation categories (the only complaints model in
the admin; see complaints/admin.py for why)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from complaints.permissions import can_use_queue
from portal.roles import Role, grant
from portal.staff import staff_home_link_register


def register_staff_side() -> None:
    grant(
        Role.ADMINISTRATOR,
        "complaints.view_allegationcategory",
        "complaints.add_allegationcategory",
        "complaints.change_allegationcategory",
    )
    staff_home_link_register(
        "complaints.queue",
        title=_("Complaints"),
        description=_("Work complaints to a finding: the queue, deadlines, messages, evidence and the access log."),
        url_name="complaints:staff-queue",
        allowed=can_use_queue,
        order=40,
    )
