"""Cached fragments of busy public pages, under versioned keys (DESIGN.md §6 "Fast").

A fragment's key carries a version number kept in Django's cache. Whatever changes the rows a
fragment shows bumps that version, so the next request renders afresh and the old entries simply
age out; nothing ever has to find and delete them. A cache outage counts as a miss (django-redis
runs with IGNORE_EXCEPTIONS), so the page is rendered, never a 500.

Only public, impersonal HTML goes in here: never a form, a CSRF token or anything about the viewer.
"""

from __future__ import annotations

import functools
import hashlib
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import translation

FRAGMENT_TIMEOUT_SECONDS = 60 * 10
# The directory's rows: officers, districts, their languages and training.
DIRECTORY = "directory"


def _version_key(scope: str) -> str:
    return f"portal:fragment-version:{scope}"


def fragment_version(*, scope: str) -> int:
    """The current version of a scope's fragments (1 when the cache has none yet)."""
    version = cache.get(_version_key(scope))
    if version is None:
        version = _fresh_version()
        # add() leaves a concurrent bump alone; a lost race only means one extra render.
        cache.add(_version_key(scope), version, timeout=None)
    return int(version)


def _fresh_version() -> int:
    # Milliseconds since the epoch: a version key that was evicted (the database cache culls)
    # restarts above any number it held, so entries made under the old number stay out of reach.
    return time.time_ns() // 1_000_000


def fragment_version_bump(*, scope: str) -> None:
    """Make every fragment of `scope` stale at once (call after changing the rows it shows)."""
    try:
        cache.incr(_version_key(scope))
    except ValueError:  # the key is missing (never read yet, or evicted)
        cache.set(_version_key(scope), _fresh_version(), timeout=None)


def _templates_fingerprint() -> str:
    """A digest of the project's template files (names, sizes, change times).

    Part of every key, so a deploy that changes a template never serves HTML cached from the old
    one; during a rolling deploy old and new processes simply keep separate entries.
    """
    if settings.DEBUG:  # the dev server reloads templates without restarting
        return _scan_templates()
    return _scan_templates_once()


def _scan_templates() -> str:
    digest = hashlib.sha256()
    for directory in settings.TEMPLATES[0]["DIRS"]:
        for path in sorted(Path(directory).rglob("*.html")):
            stat = path.stat()
            digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:12]


_scan_templates_once = functools.cache(_scan_templates)


def fragment_key(*, scope: str, name: str, vary_on: Iterable[Any]) -> str:
    """The cache key of one fragment: scope, version, templates, language and what it varies on."""
    language = translation.get_language() or "en"
    digest = hashlib.sha256("\x1f".join(str(part) for part in vary_on).encode()).hexdigest()[:32]
    version = fragment_version(scope=scope)
    return f"portal:fragment:{scope}:{version}:{_templates_fingerprint()}:{name}:{language}:{digest}"


def fragment_get_or_render(
    *, scope: str, name: str, vary_on: Iterable[Any], render: Callable[[], Any], cache_it: bool = True
) -> Any:
    """Return the cached value for this fragment, or call `render()` and cache what it returns.

    `render` may raise (Http404 for a page out of range, say): nothing is cached then.
    """
    if not cache_it:
        return render()
    key = fragment_key(scope=scope, name=name, vary_on=vary_on)
    value = cache.get(key)
    if value is None:
        value = render()
        cache.set(key, value, timeout=FRAGMENT_TIMEOUT_SECONDS)
    return value


def _bump_directory(**kwargs: Any) -> None:
    fragment_version_bump(scope=DIRECTORY)


def connect_signals() -> None:
    """Bump the directory's fragments whenever a row they show changes (from PortalConfig.ready()).

    Signals fit here (STYLE.md): the models must not know which pages cache them. Bulk writes
    (`bulk_create`, `QuerySet.update`) send no signal; code doing them calls
    `fragment_version_bump(scope=DIRECTORY)` itself, as portal.demo does.
    """
    from portal.models import District, Language, OfficerProfile, TrainingRecord

    for model in (District, Language, OfficerProfile, TrainingRecord):
        uid = f"portal.fragments.directory.{model.__name__}"
        post_save.connect(_bump_directory, sender=model, dispatch_uid=f"{uid}.save")
        post_delete.connect(_bump_directory, sender=model, dispatch_uid=f"{uid}.delete")
    m2m_changed.connect(
        _bump_directory, sender=OfficerProfile.languages.through, dispatch_uid="portal.fragments.directory.languages"
    )
