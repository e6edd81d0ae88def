"""Private links and codes: long random secrets, stored only as a keyed hash (HMAC-SHA256).

A slow password hasher adds nothing to a random secret of this length and would make every
private-link request slow; an HMAC keyed with SECRET_KEY means a copy of the database alone
cannot be turned back into working links.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.conf import settings

TOKEN_BYTES = 32  # 256 bits → 43 URL-safe characters


def token_new() -> str:
    """A fresh URL-safe secret for a private link."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str, *, purpose: str) -> str:
    """The stored form of a secret. `purpose` separates secrets of different kinds."""
    key = f"{settings.SECRET_KEY}:{purpose}".encode()
    return hmac.new(key, token.encode(), hashlib.sha256).hexdigest()


def token_matches(token: str, stored_hash: str, *, purpose: str) -> bool:
    return hmac.compare_digest(token_hash(token, purpose=purpose), stored_hash)


# Short codes read aloud or typed at a door: no look-alike letters or digits (0/O, 1/I/L, 5/S, 2/Z, 8/B).
SHORT_CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"


def short_code_new(length: int = 8) -> str:
    return "".join(secrets.choice(SHORT_CODE_ALPHABET) for _ in range(length))


def short_code_normalize(raw: str) -> str:
    """What a person typed, as stored: upper case, spaces and dashes removed."""
    return "".join(ch for ch in raw.upper() if ch.isalnum())
