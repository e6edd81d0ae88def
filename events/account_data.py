"""The events part of a person's data export and account deletion (portal/account_data.py)."""

from __future__ import annotations

from typing import Any

from events.models import RSVP
from events.services.rsvp import rsvps_erase_for
from portal import account_data
from portal.models import User

PART_NAME = "events"


def _rsvp_row(rsvp: RSVP) -> dict[str, Any]:
    event = rsvp.event
    return {
        "event": event.title,
        "event_slug": event.slug,
        "event_starts_at": event.starts_at,
        "event_status": event.status,
        "as_guest": rsvp.is_guest,
        "name": rsvp.guest_name if rsvp.is_guest else None,
        "email": rsvp.guest_email if rsvp.is_guest else None,
        "status": rsvp.status,
        "party_size": rsvp.party_size,
        "seat_code": rsvp.seat_code,
        "language": rsvp.language,
        "reminders": rsvp.reminders,
        "created_at": rsvp.created_at,
        "joined_waitlist_at": rsvp.queued_at,
        "confirmed_at": rsvp.confirmed_at,
        "cancelled_at": rsvp.cancelled_at,
        "checked_in_at": rsvp.checked_in_at,
        "attendance": rsvp.attendance,
    }


def events_export(user: User) -> dict[str, Any]:
    """The person's RSVPs: with their account, and any made without one from their address."""
    own = RSVP.objects.filter(user=user).select_related("event").order_by("event__starts_at", "pk")
    address = (user.email or "").lower()
    as_guest = (
        RSVP.objects.filter(user__isnull=True, guest_email=address)
        .select_related("event")
        .order_by("event__starts_at", "pk")
        if address
        else RSVP.objects.none()
    )
    return {"rsvps": [_rsvp_row(rsvp) for rsvp in [*own, *as_guest]]}


def events_erase(user: User) -> None:
    rsvps_erase_for(user=user)


def register_events_part() -> None:
    account_data.register(PART_NAME, export=events_export, erase=events_erase)
