"""Who may do what in the portal's own pages. Small predicates, False unless a rule says yes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from portal.roles import is_administrator, is_staff_member

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from portal.models import User

    Viewer = User | AnonymousUser | None


def _is_active_user(user: Viewer) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def _is_administrator(user: Viewer) -> bool:
    # A superuser is an administrator in all but group membership (e.g. made by createsuperuser).
    return _is_active_user(user) and (is_administrator(user) or user.is_superuser)


def can_use_my_account(user: Viewer) -> bool:
    return _is_active_user(user)


def can_view_staff_home(user: Viewer) -> bool:
    return _is_active_user(user) and is_staff_member(user)


def can_manage_staff(user: Viewer) -> bool:
    """List, invite and look after staff accounts."""
    return _is_administrator(user)


def can_deactivate_staff(user: Viewer, subject: User) -> bool:
    # Nobody locks themselves out: another administrator must do it.
    return can_manage_staff(user) and subject.pk != user.pk


def can_change_staff_role(user: Viewer, subject: User) -> bool:
    return can_manage_staff(user) and subject.pk != user.pk


def can_reset_staff_mfa(user: Viewer, subject: User) -> bool:
    # Your own two-factor is managed on your own two-factor page, after signing in with it.
    return can_manage_staff(user) and subject.pk != user.pk


def can_edit_site_pages(user: Viewer) -> bool:
    return _is_administrator(user)


def can_use_back_office(user: Viewer) -> bool:
    """The Django admin (two-factor is enforced by middleware before it opens)."""
    return _is_administrator(user)
