"""Services for a person's own account: preferences, export, deletion, and ending sessions."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal import account_data
from portal.models import OutboxMessage, StaffAuditEntry, User
from portal.roles import Role

# --- Sessions ----------------------------------------------------------------------------------


def user_sessions_end(*, user: User) -> int:
    """Delete every stored session signed in as `user`; returns how many ended.

    Sessions live in the database (settings.SESSION_ENGINE), which stores the user id inside the
    encoded data, so this reads the unexpired sessions once. That costs one scan per call, which
    is fine for the rare actions that need it (deactivation, a two-factor reset, deletion).
    Deleting through the session store also clears a cached copy (cached_db).
    """
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    wanted = str(user.pk)
    keys = []
    unexpired = Session.objects.filter(expire_date__gt=timezone.now()).only("session_key", "session_data")
    for session in unexpired.iterator(chunk_size=500):
        data = session.get_decoded()  # {} for a corrupt or tampered row: it belongs to nobody
        if str(data.get(SESSION_KEY)) == wanted:
            keys.append(session.session_key)
    for key in keys:
        store_class(session_key=key).delete()
    return len(keys)


# --- Preferences -------------------------------------------------------------------------------


@transaction.atomic
def account_update_preferences(*, user: User, language: str, email_event_reminders: bool, email_replies: bool) -> User:
    if language not in dict(settings.LANGUAGES):
        raise ValidationError(_("Choose a language from the list."), code="invalid_language")
    user.language = language
    user.email_event_reminders = email_event_reminders
    user.email_replies = email_replies
    user.save(update_fields=["language", "email_event_reminders", "email_replies"])
    return user


# --- Export ------------------------------------------------------------------------------------


def account_export_part(user: User) -> dict[str, Any]:
    """The foundation's part of the export: the account itself."""
    return {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "language": user.language,
        "date_joined": user.date_joined.isoformat(),
        "last_login": user.last_login.isoformat() if user.last_login else None,
        "email_event_reminders": user.email_event_reminders,
        "email_replies": user.email_replies,
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in EmailAddress.objects.filter(user=user).order_by("email")
        ],
        "two_factor_methods": sorted(Authenticator.objects.filter(user=user).values_list("type", flat=True)),
        "staff_roles": sorted(
            user.groups.filter(name__in=[role.value for role in Role]).values_list("name", flat=True)
        ),
    }


def account_export(*, user: User) -> dict[str, Any]:
    """Everything the registered parts hold about `user`, each under its part's name."""
    return {part.name: part.export(user) for part in account_data.registered_parts()}


# --- Deletion ----------------------------------------------------------------------------------


def is_staff_account(user: User) -> bool:
    """Staff accounts (any role, active or not, or the Django admin flags) are never deleted."""
    return user.is_staff or user.is_superuser or user.groups.filter(name__in=[role.value for role in Role]).exists()


@transaction.atomic
def account_delete(*, user: User) -> str:
    """Delete the person's account. Returns "anonymised" or, for a staff account, "deactivated".

    A resident's account is anonymised, not removed: rows that others rely on (complaints, access
    logs) keep pointing at it, and each app's `erase` removes or de-identifies its own data first
    (records kept by law are left to the retention rule). Staff accounts are only deactivated:
    what staff did must stay attributable.
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.deleted_at is not None:
        raise ValidationError(_("This account has already been deleted."), code="already_deleted")

    if is_staff_account(user):
        was_active = user.is_active
        user.is_active = False
        user.save(update_fields=["is_active"])
        if was_active:
            StaffAuditEntry.objects.create(
                actor=user, subject=user, action=StaffAuditEntry.Action.DEACTIVATE, detail={"reason": "self"}
            )
        user_sessions_end(user=user)
        return "deactivated"

    # Parts erase first: some find the person's rows by their email address.
    for part in account_data.registered_parts():
        if part.erase is not None:
            part.erase(user)

    old_email = user.email
    user.email = f"deleted-{user.pk}@invalid.example"
    user.first_name = ""
    user.last_name = ""
    user.set_unusable_password()
    user.is_active = False
    user.deleted_at = timezone.now()
    user.save(update_fields=["email", "first_name", "last_name", "password", "is_active", "deleted_at"])
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    # Mail to the old address (queued or sent) names the person; it goes with the account.
    OutboxMessage.objects.filter(to__iexact=old_email).delete()
    user_sessions_end(user=user)
    return "anonymised"
