"""PDF attachments of updates: checked by content (never by name), capped in size, hashed.

`attachment_check(upload)` reads the file's first bytes with `filetype` (a file renamed .pdf that
is not a PDF is refused), its size against TRANSPARENCY_ATTACHMENT_MAX_BYTES, and computes its
SHA-256 (shown next to the download so a reader can check the copy they hold).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

PDF_TYPE = "application/pdf"
_HEAD_BYTES = 8192


@dataclass(frozen=True)
class CheckedFile:
    content_type: str
    size: int
    sha256: str


def attachment_check(upload: UploadedFile) -> CheckedFile:
    """Refuse anything that is not a PDF by content (code "type") or is too large (code "size")."""
    name = getattr(upload, "name", "") or _("the file")
    limit = settings.TRANSPARENCY_ATTACHMENT_MAX_BYTES
    size = upload.size or 0
    if size > limit:
        raise ValidationError(
            _("%(name)s is too large: an attachment can be at most %(limit)s."),
            code="size",
            params={"name": name, "limit": filesizeformat(limit)},
        )
    if size == 0:
        raise ValidationError(_("%(name)s is empty."), code="empty", params={"name": name})
    upload.seek(0)
    head = upload.read(_HEAD_BYTES)
    kind = filetype.guess(head)
    if kind is None or kind.mime != PDF_TYPE:
        raise ValidationError(
            _("%(name)s is not a PDF file. Attach documents as PDF."), code="type", params={"name": name}
        )
    upload.seek(0)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedFile(content_type=PDF_TYPE, size=size, sha256=digest.hexdigest())


def attachment_title_from(upload: UploadedFile) -> str:
    """A readable title from the uploaded file's name ("Board minutes March.pdf" → "Board minutes March")."""
    name = (getattr(upload, "name", "") or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    if name.lower().endswith(".pdf"):
        name = name[:-4]
    name = " ".join(name.replace("_", " ").split())
    return name[:200] or _("Document")
