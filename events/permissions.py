"""Who may do what with events. Small predicates, False unless a rule says yes.

RSVPs (with an account, guests, seat codes) come first; hosting predicates follow below.
Guests (no account) have no predicate: their rights come from the private link alone
(events.services.rsvp.guest_rsvp_get).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from allauth.account.models import EmailAddress

from portal.roles import is_administrator, is_officer

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from events.models import RSVP, Event
    from portal.models import User

    Viewer = User | AnonymousUser | None


def _is_active_user(user: Viewer) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def can_see_my_events(user: Viewer) -> bool:
    return _is_active_user(user)


def can_rsvp(user: Viewer) -> bool:
    """Any signed-in account with a verified email address (residents and staff alike)."""
    if not _is_active_user(user):
        return False
    cached = getattr(user, "_events_verified", None)
    if cached is None:
        cached = EmailAddress.objects.filter(user=user, verified=True).exists()
        user._events_verified = cached
    return cached


def can_manage_rsvp(user: Viewer, rsvp: RSVP) -> bool:
    """Change or cancel an RSVP: only the account that made it."""
    return _is_active_user(user) and rsvp.user_id is not None and rsvp.user_id == user.pk


# --- Hosting: the staff pages, check-in and attendee data ----------------------------------------
# Views reach an event through events.selectors.events_hosted_by (404 when it is not theirs);
# the hosting services re-check can_manage_event, so the admin and tasks are held to it too.


def can_manage_all_events(user: Viewer) -> bool:
    """Administrators (and superusers) run every event."""
    return _is_active_user(user) and (is_administrator(user) or user.is_superuser)


def can_host_events(user: Viewer) -> bool:
    """Officers and administrators may create events and open the staff event pages."""
    return _is_active_user(user) and (is_officer(user) or can_manage_all_events(user))


def can_manage_event(user: Viewer, event: Event) -> bool:
    """Administrators, and officers who host this event."""
    if not _is_active_user(user):
        return False
    if can_manage_all_events(user):
        return True
    return is_officer(user) and event.hosts.filter(user=user).exists()


def can_view_attendee_contacts(user: Viewer, event: Event) -> bool:
    """Attendees' email addresses (the CSV): only the people running the event."""
    return can_manage_event(user, event)
