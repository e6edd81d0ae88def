"""Sections that feature apps add to an officer's public page, without `portal` importing them.

The twin of portal.district_sections. A feature app registers from its own `AppConfig.ready()`:

    from portal import officer_sections

    officer_sections.register(
        "feedback",
        template="feedback/officer_section.html",
        context=lambda officer, request: {"items": compliments_about(officer=officer)},
        order=10,
    )

The officer page renders every registered section in `order` (then key), each with its own
template and the context its callable returns, plus `officer` and `request`. A section template
starts its headings at <h2> (the page's <h1> is the officer's name) and renders nothing when it
has nothing to show. Keep each context callable to a fixed number of queries: the officer page's
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

    from portal.models import OfficerProfile

SectionContext = Callable[["OfficerProfile", "HttpRequest"], dict[str, Any]]


@dataclass(frozen=True)
class OfficerSection:
    key: str
    template: str
    context: SectionContext | None
    order: int


@dataclass(frozen=True)
class RenderedSection:
    key: str
    html: SafeString


_sections: dict[str, OfficerSection] = {}


def register(key: str, *, template: str, context: SectionContext | None = None, order: int = 100) -> None:
    """Add (or replace: ready() may run twice) the section called `key`."""
    _sections[key] = OfficerSection(key=key, template=template, context=context, order=order)


def unregister(key: str) -> None:
    _sections.pop(key, None)


def registered_sections() -> list[OfficerSection]:
    return sorted(_sections.values(), key=lambda section: (section.order, section.key))


def officer_sections_render(*, officer: OfficerProfile, request: HttpRequest) -> list[RenderedSection]:
    """Each registered section rendered for this officer, in order; empty ones left out."""
    rendered = []
    for section in registered_sections():
        context = {"officer": officer, **(section.context(officer, request) if section.context else {})}
        html = render_to_string(section.template, context, request=request)
        if html.strip():
            rendered.append(RenderedSection(key=section.key, html=SafeString(html)))
    return rendered
