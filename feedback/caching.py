"""Cached fragments of the public feedback pages, and what makes them stale (portal.fragments).

Scopes:
- "feedback.wall": the wall's items, the figures, the district and officer sections. Any change
  to a Feedback or a Reply bumps it (the services call `feedback_fragments_bump()`, and the model
  signals connected here bump as well; `QuerySet.update()` and `bulk_create()` send no signal, so
  code writing that way calls the bump itself).
- "feedback.trust": the trust index (bumped by every SurveyResponse saved or deleted).

What is cached is public: published text, public replies, figures. Never a form or the viewer.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from portal import fragments

WALL_SCOPE = "feedback.wall"
TRUST_SCOPE = "feedback.trust"


def feedback_fragments_bump() -> None:
    """Make every cached wall, figures and feedback section stale (call after changing items or replies)."""
    fragments.fragment_version_bump(scope=WALL_SCOPE)


def trust_fragments_bump() -> None:
    fragments.fragment_version_bump(scope=TRUST_SCOPE)


def _bump_wall(**kwargs: Any) -> None:
    feedback_fragments_bump()


def _bump_trust(**kwargs: Any) -> None:
    trust_fragments_bump()


def connect_signals() -> None:
    """From FeedbackConfig.ready(): bump on every saved or deleted item, reply or survey response."""
    from feedback.models import Feedback, Reply, SurveyResponse

    for model in (Feedback, Reply):
        uid = f"feedback.caching.wall.{model.__name__}"
        post_save.connect(_bump_wall, sender=model, dispatch_uid=f"{uid}.save")
        post_delete.connect(_bump_wall, sender=model, dispatch_uid=f"{uid}.delete")
    post_save.connect(_bump_trust, sender=SurveyResponse, dispatch_uid="feedback.caching.trust.save")
    post_delete.connect(_bump_trust, sender=SurveyResponse, dispatch_uid="feedback.caching.trust.delete")


# --- Sections of the district and officer pages ---------------------------------------------------

DISTRICT_SECTION_SIZE = 5
OFFICER_SECTION_SIZE = 5
TRUST_INDEX_MONTHS = 6


def district_feedback_html(*, district: Any) -> str:
    """The district's latest published feedback with replies (cached under the wall's version)."""
    from django.template.loader import render_to_string

    from feedback import selectors

    def render() -> str:
        items = list(selectors.feedback_wall(district=district)[:DISTRICT_SECTION_SIZE])
        return render_to_string(
            "feedback/includes/district_feedback.html",
            {"items": selectors.with_signatures(items), "district": district},
        )

    return fragments.fragment_get_or_render(
        scope=WALL_SCOPE,
        name="district-feedback",
        vary_on=[district.pk, district.slug, district.name, fragments.fragment_version(scope=fragments.DIRECTORY)],
        render=render,
    )


def district_trust_html(*, district: Any) -> str:
    """The district's trust index for recent months (cached under the trust version, per day)."""
    from django.template.loader import render_to_string
    from django.utils import timezone

    from feedback import selectors

    today = timezone.localdate()

    def render() -> str:
        rows = selectors.trust_index(district=district, months=TRUST_INDEX_MONTHS, today=today)
        return render_to_string(
            "feedback/includes/trust_index.html", {"rows": rows, "district": district, "months": TRUST_INDEX_MONTHS}
        )

    return fragments.fragment_get_or_render(
        scope=TRUST_SCOPE, name="district-trust", vary_on=[district.pk, today.isoformat()], render=render
    )


def _district_section_context(district: Any, request: Any) -> dict[str, Any]:
    from django.utils.safestring import SafeString

    return {
        "feedback_html": SafeString(district_feedback_html(district=district)),
        "trust_html": SafeString(district_trust_html(district=district)),
    }


def _officer_section_context(officer: Any, request: Any) -> dict[str, Any]:
    from feedback import selectors
    from feedback.models import Feedback

    items = list(selectors.feedback_wall(kind=Feedback.Kind.COMPLIMENT, officer=officer)[:OFFICER_SECTION_SIZE])
    return {"items": selectors.with_signatures(items)}


def register_sections() -> None:
    """From FeedbackConfig.ready(): the district page's feedback and trust section, and the
    officer page's published compliments."""
    from portal import district_sections, officer_sections

    district_sections.register(
        "feedback", template="feedback/district_section.html", context=_district_section_context, order=30
    )
    officer_sections.register(
        "feedback", template="feedback/officer_section.html", context=_officer_section_context, order=30
    )
