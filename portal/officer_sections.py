"""Sections that feature apps add to an officer's public page, without `portal` importing them.

The twin of portal.district_sections (both are portal.page_sections registries):

    from portal import officer_sections

    officer_sections.register(
        "feedback",
        template="feedback/officer_section.html",
        context=lambda officer, request: {"items": compliments_about(officer=officer)},
        order=10,
    )
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from portal.page_sections import PageSection, PageSections, RenderedSection

if TYPE_CHECKING:
    from django.http import HttpRequest

    from portal.models import OfficerProfile

_registry = PageSections(subject="officer")
_sections = _registry.sections
register = _registry.register
unregister = _registry.unregister


def registered_sections() -> list[PageSection]:
    return _registry.registered()


def officer_sections_render(*, officer: OfficerProfile, request: HttpRequest) -> list[RenderedSection]:
    return _registry.render(subject=officer, request=request)
