"""Sections that feature apps add to a portal page (a district's, an officer's) without `portal`
importing them. One registry per page: portal.district_sections and portal.officer_sections.

A section template starts its headings at <h2> (the page's <h1> is its subject's name) and renders
nothing when it has nothing to show. Keep each context callable to a fixed number of queries: the
pages' query counts are pinned in tests.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

if TYPE_CHECKING:
    from django.db.models import Model
    from django.http import HttpRequest

SectionContext = Callable[[Any, "HttpRequest"], dict[str, Any]]


@dataclass(frozen=True)
class PageSection:
    key: str
    template: str
    context: SectionContext | None
    order: int


@dataclass(frozen=True)
class RenderedSection:
    key: str
    html: SafeString


class PageSections:
    """The sections registered for one kind of page; `subject` names its object in the context."""

    def __init__(self, *, subject: str) -> None:
        self.subject = subject
        self.sections: dict[str, PageSection] = {}

    def register(self, key: str, *, template: str, context: SectionContext | None = None, order: int = 100) -> None:
        """Add (or replace: ready() may run twice) the section called `key`."""
        self.sections[key] = PageSection(key=key, template=template, context=context, order=order)

    def unregister(self, key: str) -> None:
        self.sections.pop(key, None)

    def registered(self) -> list[PageSection]:
        return sorted(self.sections.values(), key=lambda section: (section.order, section.key))

    def render(self, *, subject: Model, request: HttpRequest) -> list[RenderedSection]:
        """Each registered section rendered for `subject`, in order; empty ones left out."""
        rendered = []
        for section in self.registered():
            context = {self.subject: subject, **(section.context(subject, request) if section.context else {})}
            html = render_to_string(section.template, context, request=request)
            if html.strip():
                rendered.append(RenderedSection(key=section.key, html=SafeString(html)))
        return rendered
