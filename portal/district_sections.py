"""Sections that feature apps add to a district's page, without `portal` importing them.

A feature app registers from its own `AppConfig.ready()`:

    from portal import district_sections

    district_sections.register(
        "events",
        template="events/includes/district_events.html",
        context=lambda district, request: {"events": events_upcoming_in(district=district)},
        order=10,
    )

The district page renders every registered section in `order` (then key), each with its own
template and the context its callable returns, plus `district` and `request` (portal.page_sections).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from portal.page_sections import PageSection, PageSections, RenderedSection

if TYPE_CHECKING:
    from django.http import HttpRequest

    from portal.models import District

_registry = PageSections(subject="district")
_sections = _registry.sections
register = _registry.register
unregister = _registry.unregister


def registered_sections() -> list[PageSection]:
    return _registry.registered()


def district_sections_render(*, district: District, request: HttpRequest) -> list[RenderedSection]:
    return _registry.render(subject=district, request=request)
