"""iCalendar output (the `icalendar` library) and the tokens of personal feeds."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.db import IntegrityError, transaction

from events.models import CalendarFeed
from portal.models import User


def _feed_signature(*, user_id: int, version: int) -> str:
    key = f"{settings.SECRET_KEY}:events.calendar-feed".encode()
    return hmac.new(key, f"{user_id}:{version}".encode(), hashlib.sha256).hexdigest()[:40]


def personal_feed_token(*, user: User) -> str:
    """The secret part of a person's feed URL (made on first use). Nothing secret is stored."""
    feed = CalendarFeed.objects.filter(user=user).first()
    if feed is None:
        try:
            with transaction.atomic():
                feed = CalendarFeed.objects.create(user=user)
        except IntegrityError:
            feed = CalendarFeed.objects.get(user=user)
    return f"{user.pk}-{feed.version}-{_feed_signature(user_id=user.pk, version=feed.version)}"


def personal_feed_user(*, token: str) -> User | None:
    """Whose feed this token opens, or None for a wrong, stale or malformed token."""
    try:
        user_id_text, version_text, signature = token.split("-", 2)
        user_id, version = int(user_id_text), int(version_text)
    except ValueError:
        return None
    if not hmac.compare_digest(signature, _feed_signature(user_id=user_id, version=version)):
        return None
    feed = CalendarFeed.objects.select_related("user").filter(user_id=user_id, version=version).first()
    if feed is None or not feed.user.is_active:
        return None
    return feed.user


@transaction.atomic
def personal_feed_regenerate(*, user: User) -> str:
    """A new secret URL; the old one stops working at once."""
    feed, _created = CalendarFeed.objects.select_for_update().get_or_create(user=user)
    feed.version += 1
    feed.save(update_fields=["version"])
    return personal_feed_token(user=user)
