"""Complaint references (CP-2026-00042) and access codes.

References are sequential per year without races: the year's counter row is locked (SELECT ...
FOR UPDATE) and incremented inside the caller's transaction, so two filings at the same instant
wait for each other instead of taking the same number.

Access codes are long random secrets a person may have to read from paper or say on the phone:
20 characters from an alphabet without look-alikes (about 93 bits), shown in groups of four,
stored only as a keyed hash (HMAC, portal.tokens).
"""

from __future__ import annotations

import re

from django.db import IntegrityError, transaction

from complaints.models import ComplaintCounter
from portal import tokens

ACCESS_CODE_PURPOSE = "complaints.access"
ACCESS_CODE_LENGTH = 20
REFERENCE_PATTERN = re.compile(r"^CP-(\d{4})-(\d{5,})$")


def reference_format(*, year: int, number: int) -> str:
    return f"CP-{year}-{number:05d}"


def reference_normalize(raw: str) -> str:
    """What a person typed, as stored: upper case, spaces removed ("cp 2026 00042" → "CP-2026-00042")."""
    compact = "".join(ch for ch in (raw or "").upper() if ch.isalnum())
    match = re.fullmatch(r"CP(\d{4})(\d{5,})", compact)
    if not match:
        return (raw or "").strip().upper()[:40]
    return f"CP-{match.group(1)}-{match.group(2)}"


@transaction.atomic
def reference_next(*, year: int) -> tuple[int, str]:
    """The next number and reference for `year`; call it inside the transaction that saves the complaint."""
    counter = ComplaintCounter.objects.select_for_update().filter(year=year).first()
    if counter is None:
        try:
            with transaction.atomic():
                ComplaintCounter.objects.create(year=year, last_number=0)
        except IntegrityError:
            pass  # another filing created the year's row first
        counter = ComplaintCounter.objects.select_for_update().get(year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number, reference_format(year=year, number=counter.last_number)


def access_code_new() -> str:
    """A fresh access code, formatted for reading: XXXX-XXXX-XXXX-XXXX-XXXX."""
    raw = tokens.short_code_new(ACCESS_CODE_LENGTH)
    return "-".join(raw[i : i + 4] for i in range(0, ACCESS_CODE_LENGTH, 4))


def access_code_hash(code: str) -> str:
    return tokens.token_hash(tokens.short_code_normalize(code), purpose=ACCESS_CODE_PURPOSE)


def access_code_matches(code: str, stored_hash: str) -> bool:
    if not stored_hash or not code:
        return False
    return tokens.token_matches(tokens.short_code_normalize(code), stored_hash, purpose=ACCESS_CODE_PURPOSE)
