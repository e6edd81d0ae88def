"""Staff over time: invite, link to an officer profile, change role, deactivate, reactivate,
reset two-factor — each one atomic and recorded as a StaffAuditEntry (who, whom, what, when).

Also the administrators' edits of the site pages (privacy notice, accessibility statement).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from portal import permissions
from portal.accounts import user_sessions_end
from portal.models import OfficerProfile, SitePage, StaffAuditEntry, User
from portal.outbox import outbox_enqueue
from portal.roles import Role, forget_roles

ROLE_NAMES = [role.value for role in Role]
EMAIL_MAX_LENGTH = User._meta.get_field("email").max_length
Action = StaffAuditEntry.Action


# --- Reads -------------------------------------------------------------------------------------


def _in_a_role() -> Exists:
    return Exists(User.groups.through.objects.filter(user_id=OuterRef("pk"), group__name__in=ROLE_NAMES))


def staff_members() -> QuerySet[User]:
    """Everyone with a staff role, active or deactivated, plus superusers; with what the pages show."""
    return (
        User.objects.filter(Q(_in_a_role()) | Q(is_superuser=True))
        .select_related("officer_profile")
        .prefetch_related(
            Prefetch(
                "groups", queryset=Group.objects.filter(name__in=ROLE_NAMES).order_by("name"), to_attr="role_groups"
            )
        )
        .annotate(has_totp=Exists(Authenticator.objects.filter(user_id=OuterRef("pk"), type=Authenticator.Type.TOTP)))
        .order_by("-is_active", "last_name", "first_name", "email")
    )


def staff_roles_of(member: User) -> list[Role]:
    """A listed staff member's roles, from the prefetched groups (deactivated people keep theirs)."""
    groups = getattr(member, "role_groups", None)
    if groups is None:
        groups = member.groups.filter(name__in=ROLE_NAMES).order_by("name")
    return [Role(group.name) for group in groups]


def staff_audit_trail(*, subject: User) -> QuerySet[StaffAuditEntry]:
    return StaffAuditEntry.objects.filter(subject=subject).select_related("actor")


def officer_profiles_linkable(*, to: User | None = None) -> QuerySet[OfficerProfile]:
    """Officer profiles with no account yet (and the one already linked to `to`)."""
    free = Q(user__isnull=True)
    if to is not None:
        free |= Q(user=to)
    return OfficerProfile.objects.filter(free).order_by("last_name", "first_name", "badge_number")


# --- The staff home: what each role can do, as feature apps add it -----------------------------


@dataclass(frozen=True)
class StaffHomeLink:
    key: str
    title: str | Promise
    description: str | Promise
    url_name: str
    allowed: Callable[[User], bool]
    order: int


_staff_home_links: dict[str, StaffHomeLink] = {}


def staff_home_link_register(
    key: str,
    *,
    title: str | Promise,
    description: str | Promise,
    url_name: str,
    allowed: Callable[[User], bool],
    order: int = 100,
) -> None:
    """Put a card on the staff home for the people `allowed(user)` says yes to.

    Feature apps call this from their AppConfig.ready() (so `portal` never imports them), with
    the same can_* predicate their view checks, e.g. complaints' "My cases" for investigators.
    Registering a key again replaces it.
    """
    _staff_home_links[key] = StaffHomeLink(
        key=key, title=title, description=description, url_name=url_name, allowed=allowed, order=order
    )


def staff_home_link_unregister(key: str) -> None:
    _staff_home_links.pop(key, None)


def staff_home_links_for(*, user: User) -> list[StaffHomeLink]:
    links = [link for link in _staff_home_links.values() if link.allowed(user)]
    return sorted(links, key=lambda link: (link.order, link.key))


# --- Helpers -----------------------------------------------------------------------------------


def _require(allowed: bool) -> None:
    # Views check first and answer 403; this guards the admin, commands and tasks calling in.
    if not allowed:
        raise PermissionDenied


def _record(*, actor: User, subject: User, action: str, detail: dict[str, Any] | None = None) -> StaffAuditEntry:
    return StaffAuditEntry.objects.create(actor=actor, subject=subject, action=action, detail=detail or {})


def _lock_staff(user: User) -> User:
    subject = User.objects.select_for_update().get(pk=user.pk)
    if not (subject.is_superuser or subject.groups.filter(name__in=ROLE_NAMES).exists()):
        raise ValidationError(_("This account is not a staff account."), code="not_staff")
    return subject


def _set_role(user: User, role: Role) -> None:
    groups = {group.name: group for group in Group.objects.filter(name__in=ROLE_NAMES)}
    user.groups.remove(*[group for name, group in groups.items() if name != role.value])
    user.groups.add(groups[role.value])
    # The Django admin (a back office for administrators) needs is_staff.
    is_staff = role == Role.ADMINISTRATOR or user.is_superuser
    if user.is_staff != is_staff:
        user.is_staff = is_staff
        user.save(update_fields=["is_staff"])
    forget_roles(user)


def _clean_email(email: str) -> str:
    email = (email or "").strip().lower()
    if len(email) > EMAIL_MAX_LENGTH:
        raise ValidationError(
            _("An email address can be at most %(max)d characters long."),
            code="email_too_long",
            params={"max": EMAIL_MAX_LENGTH},
        )
    validate_email(email)
    return email


def staff_invitation_url(*, user: User) -> str:
    """allauth's set-a-new-password link, valid for settings.PASSWORD_RESET_TIMEOUT, absolute."""
    key = default_token_generator.make_token(user)
    with translation.override(user.language):
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": user_pk_to_url_str(user), "key": key})
    return f"{settings.SITE_URL}{path}"


def _link_officer(*, subject: User, officer_profile: OfficerProfile | None) -> OfficerProfile | None:
    """Point `subject` at `officer_profile` (or at none); returns the profile linked before."""
    previous = OfficerProfile.objects.select_for_update().filter(user=subject).first()
    if officer_profile is not None:
        profile = OfficerProfile.objects.select_for_update().get(pk=officer_profile.pk)
        if profile.user_id not in (None, subject.pk):
            raise ValidationError(_("That officer profile is already linked to another account."), code="profile_taken")
        if previous is not None and previous.pk != profile.pk:
            previous.user = None
            previous.save(update_fields=["user"])
        profile.user = subject
        try:
            with transaction.atomic():
                profile.save(update_fields=["user"])
        except IntegrityError as exc:  # someone linked it a moment ago
            raise ValidationError(
                _("That officer profile is already linked to another account."), code="profile_taken"
            ) from exc
    elif previous is not None:
        previous.user = None
        previous.save(update_fields=["user"])
    return previous


# --- Services ----------------------------------------------------------------------------------


@transaction.atomic
def staff_invite(*, email: str, role: Role | str, officer_profile: OfficerProfile | None = None, actor: User) -> User:
    """Create a staff account and email its holder a link to choose a password.

    The account has no usable password until then; its address counts as verified because the
    link only reaches its owner. Two-factor setup is required at first sign-in (middleware).
    """
    _require(permissions.can_manage_staff(actor))
    try:
        role = Role(role)
    except ValueError as exc:
        raise ValidationError(_("Choose a role from the list."), code="invalid_role") from exc
    email = _clean_email(email)
    taken = _("An account with this email address already exists.")
    if User.objects.filter(email__iexact=email).exists() or EmailAddress.objects.filter(email__iexact=email).exists():
        raise ValidationError(taken, code="email_taken")
    try:
        with transaction.atomic():
            user = User.objects.create_user(email=email, password=None)
    except IntegrityError as exc:  # the same address, invited or signed up a moment ago
        raise ValidationError(taken, code="email_taken") from exc
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    _set_role(user, role)
    if officer_profile is not None:
        _link_officer(subject=user, officer_profile=officer_profile)
    _record(
        actor=actor,
        subject=user,
        action=Action.INVITE,
        detail={"email": email, "role": role.value, "officer_profile": officer_profile.pk if officer_profile else None},
    )
    outbox_enqueue(
        dedupe_key=f"portal.staff.invite:{user.pk}",
        to=email,
        template="portal/email/staff_invitation",
        language=user.language,
        context={
            "invite_url": staff_invitation_url(user=user),
            "role": role.value,
            "invited_by": actor.get_full_name() or actor.email,
            "valid_days": max(1, settings.PASSWORD_RESET_TIMEOUT // (24 * 60 * 60)),
        },
    )
    return user


@transaction.atomic
def staff_link_officer(*, user: User, officer_profile: OfficerProfile | None, actor: User) -> User:
    """Link a staff account to an officer profile (one each), or unlink it with None."""
    _require(permissions.can_manage_staff(actor))
    subject = _lock_staff(user)
    previous = _link_officer(subject=subject, officer_profile=officer_profile)
    now_pk = officer_profile.pk if officer_profile else None
    if (previous.pk if previous else None) != now_pk:
        _record(
            actor=actor,
            subject=subject,
            action=Action.LINK_OFFICER,
            detail={"officer_profile": now_pk, "previous": previous.pk if previous else None},
        )
    return subject


@transaction.atomic
def staff_change_role(*, user: User, role: Role | str, actor: User) -> User:
    _require(permissions.can_change_staff_role(actor, user))
    try:
        role = Role(role)
    except ValueError as exc:
        raise ValidationError(_("Choose a role from the list."), code="invalid_role") from exc
    subject = _lock_staff(user)
    before = sorted(subject.groups.filter(name__in=ROLE_NAMES).values_list("name", flat=True))
    if before == [role.value]:
        return subject
    _set_role(subject, role)
    _record(actor=actor, subject=subject, action=Action.CHANGE_ROLE, detail={"from": before, "to": role.value})
    return subject


@transaction.atomic
def staff_deactivate(*, user: User, actor: User) -> User:
    """Switch the account off and end its sessions at once; its roles stay for a reactivation."""
    if user.pk == actor.pk:
        raise ValidationError(_("You cannot deactivate your own account. Ask another administrator."), code="self")
    _require(permissions.can_deactivate_staff(actor, user))
    subject = _lock_staff(user)
    if not subject.is_active:
        raise ValidationError(_("This account is already deactivated."), code="already_inactive")
    subject.is_active = False
    subject.save(update_fields=["is_active"])
    ended = user_sessions_end(user=subject)
    _record(actor=actor, subject=subject, action=Action.DEACTIVATE, detail={"sessions_ended": ended})
    return subject


@transaction.atomic
def staff_reactivate(*, user: User, actor: User) -> User:
    _require(permissions.can_manage_staff(actor))
    subject = _lock_staff(user)
    if subject.is_active:
        raise ValidationError(_("This account is already active."), code="already_active")
    subject.is_active = True
    subject.save(update_fields=["is_active"])
    forget_roles(subject)
    _record(actor=actor, subject=subject, action=Action.REACTIVATE)
    return subject


@transaction.atomic
def staff_reset_mfa(*, user: User, actor: User) -> User:
    """Remove every second factor (authenticator app, recovery codes) and end the sessions.

    At the next sign-in the middleware sends them to set up an authenticator app again.
    """
    if user.pk == actor.pk:
        raise ValidationError(_("Manage your own two-factor sign-in from your account page."), code="self")
    _require(permissions.can_reset_staff_mfa(actor, user))
    subject = _lock_staff(user)
    removed = sorted(Authenticator.objects.filter(user=subject).values_list("type", flat=True))
    Authenticator.objects.filter(user=subject).delete()
    ended = user_sessions_end(user=subject)
    _record(actor=actor, subject=subject, action=Action.RESET_MFA, detail={"removed": removed, "sessions_ended": ended})
    return subject


@transaction.atomic
def site_page_update(
    *, slug: str, title_en: str, body_en: str, title_es: str = "", body_es: str = "", actor: User
) -> SitePage:
    """Write the privacy notice or the accessibility statement, in both languages."""
    _require(permissions.can_edit_site_pages(actor))
    if slug not in SitePage.Slug.values:
        raise ValidationError(_("There is no such page."), code="unknown_page")
    page, _created = SitePage.objects.select_for_update().get_or_create(
        slug=slug, defaults={"title_en": title_en, "body_en": body_en}
    )
    page.title_en, page.body_en, page.title_es, page.body_es = title_en, body_en, title_es, body_es
    page.updated_by = actor
    page.save(update_fields=["title_en", "body_en", "title_es", "body_es", "updated_by", "updated_at"])
    return page
