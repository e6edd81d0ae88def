"""The emailed confirmation link (double opt-in): signed, expiring, single-purpose.

The manage link and the one-click unsubscribe carry the subscriber's own private token instead
(portal.tokens, stored as a keyed hash in Subscriber.token_hash): they must keep working for as
long as the subscriber gets mail.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.core import signing

from transparency.models import Subscriber

SUBSCRIBER_TOKEN_PURPOSE = "transparency.subscriber"  # noqa: S105 — a label, not a secret
_CONFIRM_SALT = "transparency.confirm"


def confirmation_token(*, subscriber: Subscriber) -> str:
    # The address is signed too, so a link made for an old address cannot confirm a changed one.
    return signing.dumps({"s": subscriber.pk, "e": subscriber.email.lower()}, salt=_CONFIRM_SALT, compress=True)


def subscriber_from_confirmation_token(*, token: str) -> Subscriber | None:
    """The subscriber this link confirms; None when tampered with, expired, or no longer matching."""
    try:
        data = signing.loads(token, salt=_CONFIRM_SALT, max_age=settings.TRANSPARENCY_CONFIRM_DAYS * 86400)
    except signing.BadSignature:  # includes SignatureExpired
        return None
    if not isinstance(data, dict):
        return None
    subscriber = Subscriber.objects.filter(pk=data.get("s")).first()
    if subscriber is None or subscriber.email.lower() != data.get("e"):
        return None
    return subscriber


# --- Link tokens that can be made again at send time (SUBSCRIPTIONS + FAN-OUT) --------------------
# The subscriber's own token exists in clear only at the moment it is made; the database keeps
# its keyed hash. A fan-out email is rendered long after that (100k of them, by a worker), so it
# cannot carry that token. Every email therefore carries a *derived* link token instead:
# "<subscriber pk>.<HMAC(SECRET_KEY, purpose, pk, token_hash)>". It needs no storage, is the same
# for every email to that person (so an old email's link keeps working), cannot be forged without
# SECRET_KEY (a copy of the database is not enough), and dies with the token hash: rotating
# Subscriber.token_hash invalidates every link ever mailed. The manage page and the one-click
# unsubscribe accept either form (the subscriber's own token, or the derived one).
_LINK_PURPOSE = "transparency.subscriber-link"


def _link_mac(*, pk: int, token_hash: str) -> str:
    key = f"{settings.SECRET_KEY}:{_LINK_PURPOSE}".encode()
    return hmac.new(key, f"{pk}:{token_hash}".encode(), hashlib.sha256).hexdigest()[:40]


def subscriber_link_token(*, subscriber: Subscriber) -> str:
    """The token the manage and unsubscribe links in every email carry (see above)."""
    return f"{subscriber.pk}.{_link_mac(pk=subscriber.pk, token_hash=subscriber.token_hash)}"


def subscriber_link_token_for(*, pk: int, token_hash: str) -> str:
    """The same, from plain values (the fan-out plans 100k rows without model instances)."""
    return f"{pk}.{_link_mac(pk=pk, token_hash=token_hash)}"


def subscriber_from_link_token(*, token: str) -> Subscriber | None:
    """The subscriber a manage / unsubscribe link belongs to; None for a wrong or stale token."""
    from portal import tokens

    if not token or len(token) > 200:
        return None
    pk_text, dot, mac = token.partition(".")
    if dot:
        if not pk_text.isdigit():
            return None
        subscriber = Subscriber.objects.filter(pk=int(pk_text)).first()
        if subscriber is None:
            return None
        expected = _link_mac(pk=subscriber.pk, token_hash=subscriber.token_hash)
        return subscriber if hmac.compare_digest(expected, mac) else None
    return Subscriber.objects.filter(token_hash=tokens.token_hash(token, purpose=SUBSCRIBER_TOKEN_PURPOSE)).first()
