"""Services for accounts: the person's own data, and staff over time."""

from __future__ import annotations

from typing import Any

from portal.models import User


def account_export_part(user: User) -> dict[str, Any]:
    return {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "language": user.language,
        "date_joined": user.date_joined.isoformat(),
        "email_event_reminders": user.email_event_reminders,
        "email_replies": user.email_replies,
    }
