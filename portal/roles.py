"""The one place that answers "is this user an officer / investigator / administrator".

Roles are Django groups (made by a data migration). Residents are verified users without a group.
Each role's model permissions are declared here and by feature apps (`grant()` from their
`AppConfig.ready()`); a post_migrate hook writes them to the groups, so the table is the truth.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from portal.models import User


class Role(StrEnum):
    OFFICER = "officer"
    INVESTIGATOR = "investigator"
    ADMINISTRATOR = "administrator"

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])


ROLE_LABELS = {
    Role.OFFICER: _("Officer"),
    Role.INVESTIGATOR: _("Investigator"),
    Role.ADMINISTRATOR: _("Administrator"),
}
STAFF_ROLES = frozenset(Role)

# "app_label.codename" permissions each role holds; feature apps add theirs with grant().
ROLE_PERMISSIONS: dict[Role, set[str]] = {
    Role.OFFICER: set(),
    Role.INVESTIGATOR: set(),
    Role.ADMINISTRATOR: {
        "portal.add_district",
        "portal.change_district",
        "portal.view_district",
        "portal.add_officerprofile",
        "portal.change_officerprofile",
        "portal.view_officerprofile",
        "portal.add_trainingrecord",
        "portal.change_trainingrecord",
        "portal.delete_trainingrecord",
        "portal.view_trainingrecord",
        "portal.add_language",
        "portal.change_language",
        "portal.view_language",
        "portal.change_sitepage",
        "portal.view_sitepage",
        "portal.view_outboxmessage",
        "portal.view_staffauditentry",
        "portal.view_user",
    },
}


def grant(role: Role, *permissions: str) -> None:
    """Declare that `role` holds these permissions (call from an AppConfig.ready())."""
    ROLE_PERMISSIONS[role].update(permissions)


def roles_of(user: User | AnonymousUser | None) -> frozenset[Role]:
    """The staff roles of an active user, read once per request object."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, "_portal_roles", None)
    if cached is None:
        names = set(user.groups.values_list("name", flat=True))
        cached = frozenset(role for role in Role if role.value in names)
        user._portal_roles = cached
    return cached


def has_role(user: User | AnonymousUser | None, role: Role) -> bool:
    return role in roles_of(user)


def is_officer(user: User | AnonymousUser | None) -> bool:
    return has_role(user, Role.OFFICER)


def is_investigator(user: User | AnonymousUser | None) -> bool:
    return has_role(user, Role.INVESTIGATOR)


def is_administrator(user: User | AnonymousUser | None) -> bool:
    return has_role(user, Role.ADMINISTRATOR)


def is_staff_member(user: User | AnonymousUser | None) -> bool:
    """Any staff role (or a superuser): these accounts must use two-factor sign-in."""
    if user is None or not user.is_authenticated:
        return False
    return bool(roles_of(user)) or user.is_superuser


def forget_roles(user: User) -> None:
    """Drop the per-object cache after changing someone's groups."""
    user.__dict__.pop("_portal_roles", None)


def sync_role_permissions(**kwargs) -> None:
    """post_migrate: make each role group hold exactly the declared permissions."""
    from django.contrib.auth.models import Group, Permission

    for role, wanted in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role.value)
        perms = []
        for dotted in sorted(wanted):
            app_label, codename = dotted.split(".", 1)
            perm = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if perm is not None:
                perms.append(perm)
        group.permissions.set(perms)
