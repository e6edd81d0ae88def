"""Seeding for the benchmarks: a directory of any size, with bulk inserts only, and the helpers
every seeder uses (bulk_insert, seat_code, analyze).

No create_user loops (a password hash costs about 0.23 s here) and no per-row saves: districts,
languages, officers, their languages and training records go in with bulk_create, a handful of
queries whatever the size. The rows are deterministic, so runs compare.
"""

from __future__ import annotations

import datetime
import io
import random
from typing import Any

from django.db import transaction

NAMES_FIRST = [
    "Ana", "Luis", "Maria", "James", "Linh", "Wei", "Fatima", "Omar", "Grace", "Samuel",
    "Rosa", "Daniel", "Aisha", "Miguel", "Hannah", "Tomas", "Nadia", "Kevin", "Elena", "Marcus",
]  # fmt: skip
NAMES_LAST = [
    "Ruiz", "Nguyen", "Johnson", "Garcia", "Chen", "Okafor", "Smith", "Haddad", "Martinez", "Brown",
    "Lopez", "Williams", "Tran", "Davis", "Hernandez", "Kim", "Moore", "Santos", "Ali", "Clark",
]  # fmt: skip
LANGUAGES = [("en", "English"), ("es", "Spanish"), ("vi", "Vietnamese"), ("zh-hans", "Chinese"), ("ar", "Arabic")]
RANKS = ["Officer", "Senior Officer", "Corporal", "Sergeant", "Lieutenant"]
SEAT_CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"  # portal.tokens.SHORT_CODE_ALPHABET
COURSES = ["De-escalation", "Crisis intervention", "Implicit bias", "First aid", "Community policing"]


def _pg_text(value: Any) -> str:
    """A value in PostgreSQL's COPY text format."""
    if value is None:
        return r"\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def bulk_insert(model: Any, rows: list[dict[str, Any]], *, chunk: int = 50_000) -> None:
    """Insert `rows` (attname → value; missing fields take their model default) as fast as the
    database allows: COPY on PostgreSQL, bulk_create in chunks elsewhere. No signals, no saves."""
    from django.db import connection
    from django.db.models import AutoField, BigAutoField

    if connection.vendor != "postgresql":
        for start in range(0, len(rows), chunk):
            model.objects.bulk_create([model(**row) for row in rows[start : start + chunk]], batch_size=2000)
        return
    fields = [field for field in model._meta.concrete_fields if not isinstance(field, AutoField | BigAutoField)]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), chunk):
            buffer = io.StringIO()
            for row in rows[start : start + chunk]:
                buffer.write(
                    "\t".join(
                        _pg_text(row[field.attname] if field.attname in row else field.get_default())
                        for field in fields
                    )
                )
                buffer.write("\n")
            buffer.seek(0)
            cursor.cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buffer)


def seat_code(index: int) -> str:
    """A unique 8-character code per index (base 25 over the no-look-alike alphabet)."""
    base = len(SEAT_CODE_ALPHABET)
    digits = []
    for _ in range(8):
        index, remainder = divmod(index, base)
        digits.append(SEAT_CODE_ALPHABET[remainder])
    return "".join(reversed(digits))


def analyze(*, postgresql_only: bool = False) -> None:
    """Refresh the planner's statistics after bulk inserts (with `postgresql_only`, not on SQLite)."""
    from django.db import connection

    if postgresql_only and connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


@transaction.atomic
def seed_directory(*, districts: int, officers: int) -> dict[str, int]:
    """Languages, `districts` districts and `officers` public officers (every tenth not public)."""
    from portal.models import District, Language, OfficerProfile, TrainingRecord

    rng = random.Random(42)
    Language.objects.bulk_create([Language(code=c, name=n) for c, n in LANGUAGES], ignore_conflicts=True)
    language_ids = list(Language.objects.order_by("code").values_list("pk", flat=True))
    District.objects.bulk_create(
        [
            District(name=f"District {n + 1}", slug=f"district-{n + 1}", description=f"Neighbourhoods of area {n + 1}.")
            for n in range(districts)
        ]
    )
    district_ids = list(District.objects.order_by("pk").values_list("pk", flat=True))
    OfficerProfile.objects.bulk_create(
        [
            OfficerProfile(
                slug=f"officer-{n + 1}",
                first_name=rng.choice(NAMES_FIRST),
                last_name=rng.choice(NAMES_LAST),
                badge_number=f"B{10000 + n}",
                rank=rng.choice(RANKS),
                district_id=district_ids[n % len(district_ids)],
                bio="Serves the community and answers questions at district meetings.",
                is_public=n % 10 != 9,
            )
            for n in range(officers)
        ],
        batch_size=1000,
    )
    officer_ids = list(OfficerProfile.objects.order_by("pk").values_list("pk", flat=True))
    Through = OfficerProfile.languages.through
    Through.objects.bulk_create(
        [
            Through(officerprofile_id=officer_id, language_id=language_id)
            for officer_id in officer_ids
            for language_id in rng.sample(language_ids, k=1 + rng.randrange(2))
        ],
        batch_size=2000,
    )
    TrainingRecord.objects.bulk_create(
        [
            TrainingRecord(
                officer_id=officer_id,
                course=COURSES[(index + step) % len(COURSES)],
                completed_on=datetime.date(2025, 1, 1) - datetime.timedelta(days=30 * step + index % 300),
            )
            for index, officer_id in enumerate(officer_ids)
            for step in range(2)
        ],
        batch_size=2000,
    )
    _bump_directory_fragments()
    return {"districts": len(district_ids), "officers": len(officer_ids), "languages": len(language_ids)}


def _bump_directory_fragments() -> None:
    # bulk_create sends no signals: make any cached directory fragment stale by hand.
    try:
        from portal.fragments import DIRECTORY, fragment_version_bump
    except ImportError:  # pragma: no cover — fragments are optional for the bench
        return
    transaction.on_commit(lambda: fragment_version_bump(scope=DIRECTORY))
