"""The complaint being written: an IntakeDraft row on the server, found by a random key in a cookie.

The browser holds only the key; the row stores its keyed hash (HMAC, portal.tokens), so a copy of
the database alone does not open anybody's draft. A refresh, the back button or coming back later
in the same browser (within COMPLAINTS_DRAFT_DAYS) loses nothing. A draft started by a signed-in
person opens only for them; one a staff member is entering for a complainant only for that staff
member. Filing deletes the draft, so replaying a step afterwards finds none.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from complaints.models import Complaint, IntakeDraft
from portal import tokens

COOKIE_NAME = "complaint_draft"
KEY_PURPOSE = "complaints.draft"
KEY_MAX_LENGTH = 100
META = "_meta"  # data[META]: {"channel": ...} — set by the service, never by a form

# The steps, in order (slugs are in the URL: /complaints/new/<step>/).
STEPS: tuple[str, ...] = (
    "about-you",
    "when",
    "where",
    "what-happened",
    "officers",
    "allegations",
    "witnesses",
    "evidence",
    "contact",
)


def _key_hash(key: str) -> str:
    return tokens.token_hash(key, purpose=KEY_PURPOSE)


def _expired_before() -> Any:
    return timezone.now() - timedelta(days=settings.COMPLAINTS_DRAFT_DAYS)


@transaction.atomic
def draft_start(
    *, user: Any = None, entered_by: Any = None, channel: str = Complaint.Channel.ONLINE
) -> tuple[IntakeDraft, str]:
    """A new, empty draft and the key that opens it (to go in the browser's cookie)."""
    if channel not in Complaint.Channel.values:
        raise ValueError(f"unknown channel {channel!r}")
    key = tokens.token_new()
    draft = IntakeDraft.objects.create(
        key_hash=_key_hash(key),
        user=user if user is not None and user.is_authenticated and entered_by is None else None,
        entered_by=entered_by,
        data={META: {"channel": channel}},
        completed_steps=[],
    )
    return draft, key


def draft_for_key(*, key: str | None, user: Any) -> IntakeDraft | None:
    """The draft this key opens for this person, or None (unknown, expired, or someone else's)."""
    if not key or not isinstance(key, str) or len(key) > KEY_MAX_LENGTH:
        return None
    draft = (
        IntakeDraft.objects.filter(key_hash=_key_hash(key), updated_at__gte=_expired_before())
        .select_related("user", "entered_by")
        .first()
    )
    if draft is None:
        return None
    signed_in = user is not None and user.is_authenticated
    if draft.entered_by_id is not None and (not signed_in or user.pk != draft.entered_by_id):
        return None
    if draft.user_id is not None and (not signed_in or user.pk != draft.user_id):
        return None
    return draft


def draft_for_request(request: HttpRequest) -> IntakeDraft | None:
    return draft_for_key(key=request.COOKIES.get(COOKIE_NAME), user=request.user)


def draft_set_cookie(response: HttpResponse, key: str) -> None:
    response.set_cookie(
        COOKIE_NAME,
        key,
        max_age=settings.COMPLAINTS_DRAFT_DAYS * 24 * 3600,
        path="/",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def draft_forget_cookie(response: HttpResponse) -> None:
    response.delete_cookie(COOKIE_NAME, path="/", samesite="Lax")


def draft_channel(draft: IntakeDraft) -> str:
    meta = draft.data.get(META) if isinstance(draft.data, dict) else None
    channel = meta.get("channel") if isinstance(meta, dict) else None
    return channel if channel in Complaint.Channel.values else Complaint.Channel.ONLINE


def draft_answers(draft: IntakeDraft, step: str) -> dict[str, Any]:
    """What was saved for a step (a dict; empty when nothing valid was saved)."""
    data = draft.data if isinstance(draft.data, dict) else {}
    answers = data.get(step)
    return answers if isinstance(answers, dict) else {}


def draft_completed(draft: IntakeDraft) -> set[str]:
    steps = draft.completed_steps if isinstance(draft.completed_steps, list) else []
    return {step for step in steps if step in STEPS}


def first_incomplete_step(draft: IntakeDraft) -> str | None:
    done = draft_completed(draft)
    for step in STEPS:
        if step not in done:
            return step
    return None


def step_reachable(draft: IntakeDraft, step: str) -> bool:
    """A step opens once every step before it is complete (no skipping ahead)."""
    done = draft_completed(draft)
    return all(earlier in done for earlier in STEPS[: STEPS.index(step)])


@transaction.atomic
def draft_save_step(*, draft_id: int, step: str, answers: dict[str, Any], complete: bool = True) -> IntakeDraft:
    """Keep one step's answers (JSON-safe values) and mark it complete."""
    if step not in STEPS:
        raise ValueError(f"unknown step {step!r}")
    draft = IntakeDraft.objects.select_for_update().get(pk=draft_id)
    data = dict(draft.data) if isinstance(draft.data, dict) else {}
    data[step] = answers
    done = [s for s in STEPS if s in draft_completed(draft) or (complete and s == step)]
    if not complete and step in done:
        done.remove(step)
    draft.data, draft.completed_steps = data, done
    draft.save(update_fields=["data", "completed_steps", "updated_at"])
    return draft


def previous_step(step: str) -> str | None:
    index = STEPS.index(step)
    return STEPS[index - 1] if index else None


def next_step(step: str) -> str | None:
    index = STEPS.index(step)
    return STEPS[index + 1] if index + 1 < len(STEPS) else None


def drafts_expired() -> Any:
    """Drafts nobody touched for COMPLAINTS_DRAFT_DAYS (they no longer open)."""
    return IntakeDraft.objects.filter(updated_at__lt=_expired_before())


def drafts_purge_expired() -> int:
    """Delete expired drafts and the evidence files uploaded to them; returns how many drafts.

    Meant for a periodic task (for example next to the monthly retention task): an abandoned
    draft may hold personal details and files nobody will ever send.
    """
    purged = 0
    for draft in drafts_expired().iterator():
        draft_discard(draft=draft)
        purged += 1
    return purged


@transaction.atomic
def draft_discard(*, draft: IntakeDraft) -> None:
    """Delete a draft that will not be sent, and the files uploaded to it (after commit)."""
    from complaints.models import Evidence

    files = list(Evidence.objects.filter(draft=draft, complaint__isnull=True))
    names = [(evidence.file.storage, evidence.file.name) for evidence in files]
    Evidence.objects.filter(pk__in=[evidence.pk for evidence in files]).delete()
    IntakeDraft.objects.filter(pk=draft.pk).delete()
    transaction.on_commit(lambda: [storage.delete(name) for storage, name in names])
