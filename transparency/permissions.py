"""Who may do what with transparency updates. Small predicates, False unless a rule says yes.

Writing, scheduling, publishing and correcting updates: administrators (and superusers) only.
Reading: everyone, but only published updates (the public selectors never return another state).

Other areas add their own predicates at the END of this file, under a heading with their area.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from portal.roles import is_administrator

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from portal.models import User

    Viewer = User | AnonymousUser | None


def can_manage_updates(user: Viewer) -> bool:
    """Write, schedule, publish and correct updates, and see their fan-out's progress."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return is_administrator(user) or user.is_superuser


def register_staff_side() -> None:
    """From TransparencyConfig.ready(): the administrators' admin permissions and the staff home card."""
    from django.utils.translation import gettext_lazy as _

    from portal.roles import Role, grant
    from portal.staff import staff_home_link_register

    grant(
        Role.ADMINISTRATOR,
        "transparency.view_update",
        "transparency.add_update",
        "transparency.change_update",
        "transparency.view_updateattachment",
        "transparency.add_updateattachment",
        "transparency.delete_updateattachment",
    )
    staff_home_link_register(
        "transparency.updates",
        title=_("Updates"),
        description=_("Write, schedule, publish and correct the department's public updates."),
        url_name="transparency:staff-list",
        allowed=can_manage_updates,
        order=50,
    )
