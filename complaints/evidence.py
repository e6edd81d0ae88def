"""Evidence files: checked by CONTENT (the `filetype` magic numbers, never the name or the
browser's Content-Type), capped in size and number, hashed (SHA-256) at upload, stored through the
private "complaint_evidence" storage (outside MEDIA_ROOT; S3 in a deployment that wants it) and
re-hashed whenever served, so nobody can say a file was changed after it reached us.

Serving is always as an attachment through a permission-checked view (`evidence_response`), with
`nosniff` and private, uncached headers: a file is never rendered by the browser on our origin.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from typing import Any

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.models import Complaint, Evidence, IntakeDraft

# What filetype reports for each allowed kind, and the name people know it by.
ALLOWED_TYPES: dict[str, str] = {
    "application/pdf": "PDF",
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/heic": "HEIC",
    "video/mp4": "MP4",
    "audio/mpeg": "MP3",
    "audio/mp4": "M4A",
}
# filetype decides from the first bytes; 8 KiB is what it reads itself.
HEAD_BYTES = 8192
CHUNK_BYTES = 1024 * 1024
NAME_MAX_LENGTH = Evidence._meta.get_field("original_name").max_length


class EvidenceAltered(Exception):
    """The stored file's SHA-256 no longer matches the one recorded at upload."""


@dataclass(frozen=True)
class CheckedFile:
    content_type: str
    size: int
    sha256: str


def allowed_type_names() -> str:
    return ", ".join(dict.fromkeys(ALLOWED_TYPES.values()))


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g}"


def _read_head(upload: Any) -> bytes:
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    return head or b""


def _sha256(upload: Any) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in iter(lambda: upload.read(CHUNK_BYTES), b""):
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def evidence_check(upload: Any) -> CheckedFile:
    """The upload's real type (by content), size and SHA-256; ValidationError "size" or "type"."""
    name = getattr(upload, "name", "") or _("the file")
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, os.SEEK_END)
        size = upload.tell()
        upload.seek(0)
    if size > settings.COMPLAINTS_EVIDENCE_MAX_BYTES:
        raise ValidationError(
            _("“%(name)s” is too big: each file can be at most %(limit)s MB.")
            % {"name": name, "limit": _megabytes(settings.COMPLAINTS_EVIDENCE_MAX_BYTES)},
            code="size",
        )
    kind = filetype.guess(_read_head(upload)) if size else None
    if kind is None or kind.mime not in ALLOWED_TYPES:
        raise ValidationError(
            _("“%(name)s” is not a file we can take. Send a photo, video, sound recording or document as %(types)s.")
            % {"name": name, "types": allowed_type_names()},
            code="type",
        )
    return CheckedFile(content_type=kind.mime, size=size, sha256=_sha256(upload))


def _clean_name(name: str) -> str:
    base = os.path.basename((name or "").replace("\\", "/")).strip() or "file"
    return "".join(ch for ch in base if ch.isprintable())[:NAME_MAX_LENGTH]


def evidence_count(*, complaint: Complaint | None = None, draft: IntakeDraft | None = None) -> int:
    files = Evidence.objects.filter(removed_at__isnull=True)
    if complaint is not None:
        return files.filter(complaint=complaint).count()
    return files.filter(draft=draft, complaint__isnull=True).count()


@transaction.atomic
def evidence_store(
    *,
    upload: Any,
    complaint: Complaint | None = None,
    draft: IntakeDraft | None = None,
    from_complainant: bool = True,
    uploaded_by: Any = None,
) -> Evidence:
    """Check and keep one file for a draft or a complaint (at most COMPLAINTS_EVIDENCE_MAX_FILES)."""
    if (complaint is None) == (draft is None):
        raise ValueError("evidence_store needs exactly one of complaint= or draft=")
    # Lock the owner row, so two uploads at once cannot both take the last place.
    if complaint is not None:
        Complaint.objects.select_for_update().filter(pk=complaint.pk).first()
    else:
        IntakeDraft.objects.select_for_update().filter(pk=draft.pk).first()
    if evidence_count(complaint=complaint, draft=draft) >= settings.COMPLAINTS_EVIDENCE_MAX_FILES:
        raise ValidationError(
            _("You can add at most %(limit)s files.") % {"limit": settings.COMPLAINTS_EVIDENCE_MAX_FILES},
            code="too_many",
        )
    checked = evidence_check(upload)
    if uploaded_by is not None and not getattr(uploaded_by, "is_authenticated", False):
        uploaded_by = None
    evidence = Evidence(
        complaint=complaint,
        draft=draft,
        original_name=_clean_name(getattr(upload, "name", "")),
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        from_complainant=from_complainant,
        uploaded_by=uploaded_by,
        created_at=timezone.now(),
    )
    upload.seek(0)
    evidence.file.save(evidence.original_name, File(upload), save=False)
    stored_name = evidence.file.name
    try:
        evidence.save()
    except Exception:
        evidence.file.storage.delete(stored_name)
        raise
    return evidence


@transaction.atomic
def evidence_discard(*, draft: IntakeDraft, evidence_id: int) -> bool:
    """Remove a file from a draft (the complainant changed their mind before filing)."""
    evidence = Evidence.objects.select_for_update().filter(pk=evidence_id, draft=draft, complaint__isnull=True).first()
    if evidence is None:
        return False
    name, storage = evidence.file.name, evidence.file.storage
    evidence.delete()
    transaction.on_commit(lambda: storage.delete(name))
    return True


def evidence_verified_file(evidence: Evidence) -> File:
    """The stored file, opened, after checking its SHA-256 against the one recorded at upload."""
    if evidence.removed_at is not None or not evidence.file:
        raise EvidenceAltered(f"evidence {evidence.pk} has been removed")
    handle = evidence.file.storage.open(evidence.file.name, "rb")
    digest = hashlib.sha256()
    for chunk in iter(lambda: handle.read(CHUNK_BYTES), b""):
        digest.update(chunk)
    if digest.hexdigest() != evidence.sha256:
        handle.close()
        raise EvidenceAltered(f"evidence {evidence.pk}: SHA-256 does not match the one recorded at upload")
    handle.seek(0)
    return File(handle, name=evidence.original_name)


def evidence_response(evidence: Evidence) -> FileResponse:
    """The verified file as a download: never shown inline, never sniffed, never cached by others."""
    response = FileResponse(
        evidence_verified_file(evidence),
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Referrer-Policy"] = "same-origin"
    return response
