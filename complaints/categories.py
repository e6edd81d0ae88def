"""The allegation categories a complaints database is never without.

Migration 0002 installs them (with its own frozen copy of this list); after that they are data
that administrators rename, reorder or retire in the admin. If the table is ever empty — a fresh
database flushed by `manage.py flush` or a transactional test — the post_migrate hook puts the
defaults back, so the complaint form always offers something to choose.
"""

from __future__ import annotations

from typing import Any

DEFAULT_CATEGORIES: list[tuple[str, str, str, str, str]] = [
    # slug, English, Spanish, English help, Spanish help
    (
        "use-of-force",
        "Use of force",
        "Uso de la fuerza",
        "Force that was not needed or went too far.",
        "Fuerza que no era necesaria o que fue excesiva.",
    ),
    (
        "discourtesy",
        "Discourtesy",
        "Falta de cortesía",
        "Rude, insulting or disrespectful words or behaviour.",
        "Palabras o conducta groseras, insultantes o irrespetuosas.",
    ),
    (
        "improper-stop-or-search",
        "Improper stop or search",
        "Detención o registro indebido",
        "Being stopped, searched or arrested without a good reason.",
        "Ser detenido, registrado o arrestado sin una buena razón.",
    ),
    (
        "discrimination-or-bias",
        "Discrimination or bias",
        "Discriminación o prejuicio",
        "Treated differently because of who you are.",
        "Recibir un trato distinto por quién es usted.",
    ),
    (
        "failure-to-act",
        "Failure to act",
        "No actuar",
        "An officer did not do something they should have done.",
        "Un agente no hizo algo que debía hacer.",
    ),
    (
        "property",
        "Property",
        "Bienes",
        "Property damaged, taken or not returned.",
        "Bienes dañados, tomados o no devueltos.",
    ),
    (
        "other",
        "Other",
        "Otro",
        "Something else about an officer's conduct.",
        "Otra cosa sobre la conducta de un agente.",
    ),
]


def categories_install_defaults(*, using: str = "default") -> int:
    """Install the default categories when there are none at all; returns how many were made."""
    from complaints.models import AllegationCategory

    if AllegationCategory.objects.using(using).exists():
        return 0
    AllegationCategory.objects.using(using).bulk_create(
        [
            AllegationCategory(
                slug=slug, name_en=name_en, name_es=name_es, help_en=help_en, help_es=help_es, order=order
            )
            for order, (slug, name_en, name_es, help_en, help_es) in enumerate(DEFAULT_CATEGORIES)
        ],
        ignore_conflicts=True,
    )
    return len(DEFAULT_CATEGORIES)


def _after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    from django.db import connections

    from complaints.models import AllegationCategory

    if getattr(sender, "name", "") != "complaints":
        return
    if AllegationCategory._meta.db_table in connections[using].introspection.table_names():
        categories_install_defaults(using=using)


def connect_post_migrate() -> None:
    """From ComplaintsConfig.ready()."""
    from django.db.models.signals import post_migrate

    post_migrate.connect(_after_migrate, dispatch_uid="complaints.categories.defaults")
