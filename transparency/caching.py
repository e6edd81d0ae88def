"""Cached fragments of the public update pages (portal.fragments), and what makes them stale.

Scope "transparency.updates": the list's rows and pagination, each update's public part, and the
district page's section. The services bump it (now and on commit) after every change to an update
or its attachments; the model signals connected here bump as well (`QuerySet.update()` sends no
signal, so the services call `updates_fragments_bump()` themselves).

What is cached is public: published text and attachment names. Never a form or the viewer.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from portal import fragments

UPDATES_SCOPE = "transparency.updates"


def updates_fragments_bump() -> None:
    """Make every cached update list, page and district section stale."""
    fragments.fragment_version_bump(scope=UPDATES_SCOPE)


def updates_fragments_bump_now_and_on_commit() -> None:
    # Now: a request in the same transaction sees the change. On commit: a request that rendered
    # the old rows between the first bump and the commit cached them under the new version.
    updates_fragments_bump()
    transaction.on_commit(updates_fragments_bump)


def _bump(**kwargs: Any) -> None:
    updates_fragments_bump_now_and_on_commit()


def connect_signals() -> None:
    from transparency.models import Update, UpdateAttachment

    for model in (Update, UpdateAttachment):
        uid = f"transparency.caching.{model.__name__}"
        post_save.connect(_bump, sender=model, dispatch_uid=f"{uid}.save")
        post_delete.connect(_bump, sender=model, dispatch_uid=f"{uid}.delete")
    m2m_changed.connect(_bump, sender=Update.districts.through, dispatch_uid="transparency.caching.districts")


# --- The district page's section -------------------------------------------------------------------

DISTRICT_SECTION_SIZE = 5


def district_updates_html(*, district: Any) -> str:
    """The district's latest published updates, as cached HTML ('' when there are none)."""
    from django.template.loader import render_to_string

    from transparency import selectors
    from transparency.views.public import localized

    def render() -> str:
        updates = selectors.updates_in_district(district=district, limit=DISTRICT_SECTION_SIZE)
        if not updates:
            return ""
        for update in updates:
            update.shown = localized(update)
        return render_to_string(
            "transparency/includes/district_updates.html", {"district": district, "updates": updates}
        )

    return fragments.fragment_get_or_render(
        scope=UPDATES_SCOPE,
        name="district-updates",
        vary_on=[district.pk, district.slug, district.name],
        render=render,
    )


def _district_section_context(district: Any, request: Any) -> dict[str, Any]:
    from django.utils.safestring import SafeString

    return {"updates_html": SafeString(district_updates_html(district=district))}


def register_district_section() -> None:
    from portal import district_sections

    district_sections.register(
        "transparency", template="transparency/district_section.html", context=_district_section_context, order=40
    )
