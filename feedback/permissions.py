"""Who may see and do what with feedback. Small predicates, False unless a rule says yes.

The scope (`feedback_visible_to`) is the one rule for the staff side:
- administrators (and superusers) see every item;
- officers see compliments, suggestions and questions about themselves (the item's officer is
  their profile), about their district (their profile's district) and about events they host;
  a concern that names no officer follows the same scope; a concern that NAMES an officer goes to
  administrators only and is never shown to any officer (not the one it names, not their district,
  not an event's hosts) unless it has been published;
- investigators, residents and visitors see none.

Every staff view fetches an item through this queryset, so "not yours" and "does not exist" are
the same 404; the services re-check it, so the admin and tasks are held to it too.
`feedback_assignable_users` is the same rule read the other way round (who can see this item).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q, QuerySet

from feedback.models import Feedback
from portal.roles import Role, is_administrator, is_officer

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from portal.models import User

    Viewer = User | AnonymousUser | None


def _is_active_user(user: Viewer) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def _sees_everything(user: Viewer) -> bool:
    return _is_active_user(user) and (is_administrator(user) or user.is_superuser)


def _officer_profile_of(user: Viewer):
    try:
        return user.officer_profile
    except ObjectDoesNotExist:  # a staff account without a directory profile
        return None


# A concern that names an officer, and is not published: administrators only.
ADMINISTRATORS_ONLY = Q(kind=Feedback.Kind.CONCERN, officer__isnull=False) & ~Q(
    publication=Feedback.Publication.PUBLISHED
)


def feedback_visible_to(*, user: Viewer) -> QuerySet[Feedback]:
    """The items this person may open on the staff side (see the module docstring)."""
    if not _is_active_user(user):
        return Feedback.objects.none()
    if _sees_everything(user):
        return Feedback.objects.all()
    if not is_officer(user):
        return Feedback.objects.none()
    from events.models import Event  # the documented hook: feedback refers to events by key

    scope = Q(event_id__in=Event.objects.filter(hosts__user=user).values("pk"))
    profile = _officer_profile_of(user)
    if profile is not None:
        scope |= Q(officer_id=profile.pk)
        if profile.district_id is not None:
            scope |= Q(district_id=profile.district_id)
    return Feedback.objects.filter(scope).exclude(ADMINISTRATORS_ONLY)


def feedback_assignable_users(*, feedback: Feedback) -> QuerySet[User]:
    """Active staff accounts that can see this item (the people it may be assigned to)."""
    users = get_user_model().objects.filter(is_active=True)
    administrators = Q(groups__name=Role.ADMINISTRATOR.value) | Q(is_superuser=True)
    officers = Q(pk__in=[])
    concern_naming_officer = (
        feedback.kind == Feedback.Kind.CONCERN
        and feedback.officer_id is not None
        and feedback.publication != Feedback.Publication.PUBLISHED
    )
    if not concern_naming_officer:
        related = Q(pk__in=[])
        if feedback.officer_id is not None:
            related |= Q(officer_profile__pk=feedback.officer_id)
        if feedback.district_id is not None:
            related |= Q(officer_profile__district_id=feedback.district_id)
        if feedback.event_id is not None:
            from events.models import Event

            host_users = Event.objects.filter(pk=feedback.event_id).values("hosts__user")
            related |= Q(pk__in=host_users)
        officers = Q(groups__name=Role.OFFICER.value) & related
    ids = users.filter(administrators | officers).values("pk")
    return users.filter(pk__in=ids).order_by("last_name", "first_name", "email")


def can_see_feedback(user: Viewer, feedback: Feedback) -> bool:
    return feedback_visible_to(user=user).filter(pk=feedback.pk).exists()


def can_use_inbox(user: Viewer) -> bool:
    """Officers and administrators open the staff inbox (officers see their scope in it)."""
    return _is_active_user(user) and (is_officer(user) or _sees_everything(user))


def can_reply(user: Viewer, feedback: Feedback) -> bool:
    """Anyone who can see the item may answer it, unless it is closed."""
    return can_use_inbox(user) and feedback.status != Feedback.Status.CLOSED and can_see_feedback(user, feedback)


def can_assign(user: Viewer, feedback: Feedback) -> bool:
    """Anyone who can see the item may hand it to a colleague who can see it too."""
    return can_use_inbox(user) and feedback.status != Feedback.Status.CLOSED and can_see_feedback(user, feedback)


def can_close(user: Viewer, feedback: Feedback) -> bool:
    return can_assign(user, feedback)


def can_moderate(user: Viewer) -> bool:
    """Publishing and declining: administrators only."""
    return _sees_everything(user)


def can_manage_templates(user: Viewer) -> bool:
    """Saved reply templates are written by administrators (officers pick from them)."""
    return _sees_everything(user)


def can_open_complaint_conversion(user: Viewer) -> bool:
    return _sees_everything(user)


def can_convert_to_complaint(user: Viewer, feedback: Feedback) -> bool:
    """Administrators, for concerns that are not yet a complaint."""
    return _sees_everything(user) and feedback.kind == Feedback.Kind.CONCERN and not feedback.complaint_reference


def register_staff_side() -> None:
    """From FeedbackConfig.ready(): the administrators' admin permissions and the staff home card."""
    from django.utils.translation import gettext_lazy as _

    from portal.roles import grant
    from portal.staff import staff_home_link_register

    grant(
        Role.ADMINISTRATOR,
        "feedback.view_feedback",
        "feedback.change_feedback",
        "feedback.view_reply",
        "feedback.view_replytemplate",
        "feedback.add_replytemplate",
        "feedback.change_replytemplate",
        "feedback.delete_replytemplate",
    )
    staff_home_link_register(
        "feedback.inbox",
        title=_("Feedback inbox"),
        description=_("Answer compliments, suggestions, concerns and questions from residents."),
        url_name="feedback:staff-inbox",
        allowed=can_use_inbox,
        order=30,
    )
