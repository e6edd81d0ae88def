"""Page shells: whole public pages kept in the cache for visitors who are not signed in.

Rendering the site's layout (base.html) costs more than everything else on a cached list page, so
for visitors who are not signed in a page is kept as a "shell" with holes: the parts that must be
rendered for each request (a filter form, an RSVP panel, notices that depend on the time) are left
as markers and filled in per request, and so is the CSP nonce. Used by the events and feedback
apps' public pages (bench/events_load.py, bench/feedback_load.py measure what it buys).
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import SafeString

from portal import fragments
from portal.context_processors import browser_prefers_spanish

#
# Rendering the site's layout (base.html) costs more than everything else on a cached list page,
# so for visitors who are not signed in the whole page is kept as a "shell" with holes: the parts
# that must be rendered for each request (the filter form, the RSVP panel, time notices) are left
# as markers and filled in per request, and so is the CSP nonce. The key carries the full path
# (the layout links the same page in the other language) and whether the layout offers Spanish.
# Only anonymous GETs with no pending message are served from a shell; a shell that somehow holds
# a CSRF token is never stored. Signed-in people get the page rendered for them (with the cached
# fragments inside it).

SHELL_MAX_PATH_LENGTH = 512


@functools.cache
def _nonce_placeholder() -> str:
    # Derived from SECRET_KEY: the same in every process sharing the cache, and no text a visitor
    # writes (an event's title, say) can contain it by chance or on purpose.
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:portal.page-shell-nonce".encode()).hexdigest()[:32]
    return f"csp-nonce-{digest}"


def _hole(name: str) -> SafeString:
    return SafeString(f"<!--page-shell-hole:{name}-->")


def shell_allowed(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return (
        request.method == "GET"
        and user is not None
        and not user.is_authenticated
        and len(request.get_full_path()) <= SHELL_MAX_PATH_LENGTH
        and len(messages.get_messages(request)) == 0  # len() leaves them unread
    )


def offers_spanish(request: HttpRequest) -> bool:
    # Mirrors portal.context_processors.site: the layout offers the Spanish page to some visitors.
    return translation.get_language() != "es" and browser_prefers_spanish(request)


class NotShared(Exception):
    """Raised while rendering a shell that must not be stored: carries the page for this visitor."""

    def __init__(self, response: HttpResponse) -> None:
        super().__init__()
        self.response = response


def render_shell(request: HttpRequest, template_name: str, context: dict[str, Any], holes: list[str]) -> str:
    """The page with markers for `holes` and a placeholder for the CSP nonce."""
    real_nonce = getattr(request, "csp_nonce", None)
    request.csp_nonce = _nonce_placeholder()
    try:
        html = render_to_string(template_name, {**context, **{hole: _hole(hole) for hole in holes}}, request=request)
    finally:
        if real_nonce is None:
            del request.csp_nonce
        else:
            request.csp_nonce = real_nonce
    if "csrfmiddlewaretoken" in html:  # never expected; such a page is never shared
        raise NotShared(HttpResponse(html.replace(_nonce_placeholder(), str(getattr(request, "csp_nonce", "")))))
    return html


def shell_get_or_render(
    *, name: str, vary_on: list[Any], scopes: tuple[str, ...], render: Callable[[], dict[str, Any]]
) -> dict[str, Any]:
    """A page shell from the cache in one round trip (two for an event's page), or `render()` it.

    portal.fragments would take a round trip per scope's version, then one for the value: on a page
    whose rendering is otherwise all cached, those are most of its cost. So the entry records the
    versions of `scopes` it was rendered under and is read together with the current ones (one
    get_many); it counts only while they match. An entry may name one more scope of its own
    ("own_scope", "own_version": an event's, read by `render` before it renders), checked with
    a second read. `render` may raise: nothing is stored then.
    """
    version_keys = [fragments._version_key(scope) for scope in scopes]
    digest = hashlib.sha256("\x1f".join(str(part) for part in vary_on).encode()).hexdigest()[:32]
    key = f"page-shell:{name}:{fragments._templates_fingerprint()}:{translation.get_language()}:{digest}"
    found = cache.get_many([key, *version_keys])
    current = [found.get(version_key) for version_key in version_keys]
    entry = found.get(key)
    if entry is not None and None not in current and entry["versions"] == current:
        own_scope = entry.get("own_scope")
        if own_scope is None or cache.get(fragments._version_key(own_scope)) == entry["own_version"]:
            return entry
    # Read the versions before rendering: a bump during the render leaves this entry stale at once.
    versions = [fragments.fragment_version(scope=scope) for scope in scopes]
    entry = {**render(), "versions": versions}
    cache.set(key, entry, timeout=fragments.FRAGMENT_TIMEOUT_SECONDS)
    return entry


def fill_shell(request: HttpRequest, html: str, holes: dict[str, str]) -> HttpResponse:
    for hole, content in holes.items():
        html = html.replace(_hole(hole), content, 1)
    placeholder = _nonce_placeholder()
    if placeholder in html:
        html = html.replace(placeholder, str(getattr(request, "csp_nonce", "")))
    return HttpResponse(html)
