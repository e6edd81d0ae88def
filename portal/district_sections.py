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
template and the context its callable returns, plus `district` and `request`. A section template
starts its headings at <h2> (the page's <h1> is the district's name) and renders nothing when it
has nothing to show. Keep each context callable to a fixed number of queries: the district page's
query count is pinned in tests.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

if TYPE_CHECKING:
    from django.http import HttpRequest

    from portal.models import District

SectionContext = Callable[["District", "HttpRequest"], dict[str, Any]]


@dataclass(frozen=True)
class DistrictSection:
    key: str
    template: str
    context: SectionContext | None
    order: int


@dataclass(frozen=True)
class RenderedSection:
    key: str
    html: SafeString


_sections: dict[str, DistrictSection] = {}


def register(key: str, *, template: str, context: SectionContext | None = None, order: int = 100) -> None:
    """Add (or replace: ready() may run twice) the section called `key`."""
    _sections[key] = DistrictSection(key=key, template=template, context=context, order=order)


def unregister(key: str) -> None:
    _sections.pop(key, None)


def registered_sections() -> list[DistrictSection]:
    return sorted(_sections.values(), key=lambda section: (section.order, section.key))


def district_sections_render(*, district: District, request: HttpRequest) -> list[RenderedSection]:
    """Each registered section rendered for this district, in order; empty ones left out."""
    rendered = []
    for section in registered_sections():
        context = {"district": district, **(section.context(district, request) if section.context else {})}
        html = render_to_string(section.template, context, request=request)
        if html.strip():
            rendered.append(RenderedSection(key=section.key, html=SafeString(html)))
    return rendered
