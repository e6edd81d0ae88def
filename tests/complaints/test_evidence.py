"""Evidence files: type by content, size and number caps, SHA-256 at upload and when served."""

from __future__ import annotations

import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from complaints import drafts
from complaints.evidence import (
    EvidenceAltered,
    evidence_check,
    evidence_discard,
    evidence_response,
    evidence_store,
    evidence_verified_file,
)
from complaints.models import Evidence
from tests.complaints.factories import PDF_BYTES, PNG_BYTES, ComplaintFactory, EvidenceFactory

pytestmark = pytest.mark.django_db

JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64
MP3_BYTES = b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\x00" * 64
MP4_BYTES = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"\x00" * 64
M4A_BYTES = b"\x00\x00\x00\x18ftypM4A \x00\x00\x02\x00M4A mp42" + b"\x00" * 64
HEIC_BYTES = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64


def _upload(content: bytes, name: str = "file.bin") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.mark.parametrize(
    ("content", "mime"),
    [
        (PDF_BYTES, "application/pdf"),
        (PNG_BYTES, "image/png"),
        (JPEG_BYTES, "image/jpeg"),
        (MP3_BYTES, "audio/mpeg"),
        (MP4_BYTES, "video/mp4"),
        (M4A_BYTES, "audio/mp4"),
        (HEIC_BYTES, "image/heic"),
    ],
)
def test_it_recognises_each_allowed_type_by_content_whatever_the_name(content, mime):
    checked = evidence_check(_upload(content, name="no-extension"))
    assert checked.content_type == mime
    assert checked.size == len(content)
    assert checked.sha256 == hashlib.sha256(content).hexdigest()


def test_it_refuses_text_renamed_to_pdf():
    with pytest.raises(ValidationError) as caught:
        evidence_check(SimpleUploadedFile("report.pdf", b"just some text, honest", content_type="application/pdf"))
    assert caught.value.code == "type"
    assert "report.pdf" in caught.value.messages[0]


@pytest.mark.parametrize("content", [b"", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64, b"<html><script>x</script>"])
def test_it_refuses_empty_executable_and_html_files(content):
    with pytest.raises(ValidationError) as caught:
        evidence_check(_upload(content, name="photo.png"))
    assert caught.value.code == "type"


@override_settings(COMPLAINTS_EVIDENCE_MAX_BYTES=100)
def test_it_refuses_an_oversized_file_before_reading_it():
    with pytest.raises(ValidationError) as caught:
        evidence_check(_upload(PNG_BYTES + b"\x00" * 100, name="big.png"))
    assert caught.value.code == "size"


def test_it_stores_a_file_privately_with_a_random_name_and_its_hash():
    complaint = ComplaintFactory()
    evidence = evidence_store(upload=_upload(PNG_BYTES, name="../../etc/photo.png"), complaint=complaint)
    assert evidence.original_name == "photo.png"
    assert "photo" not in evidence.file.name
    assert evidence.sha256 == hashlib.sha256(PNG_BYTES).hexdigest()
    assert evidence.file.storage.exists(evidence.file.name)
    assert evidence.file.storage is not None
    assert "media" not in str(evidence.file.storage.location)


@override_settings(COMPLAINTS_EVIDENCE_MAX_FILES=2)
def test_it_refuses_one_file_more_than_the_limit_for_a_draft():
    draft, _key = drafts.draft_start()
    evidence_store(upload=_upload(PNG_BYTES), draft=draft)
    evidence_store(upload=_upload(PDF_BYTES), draft=draft)
    with pytest.raises(ValidationError) as caught:
        evidence_store(upload=_upload(PNG_BYTES), draft=draft)
    assert caught.value.code == "too_many"
    assert Evidence.objects.filter(draft=draft).count() == 2


def test_it_refuses_the_eleventh_file_for_a_complaint():
    complaint = ComplaintFactory()
    for _ in range(10):
        evidence_store(upload=_upload(PNG_BYTES), complaint=complaint)
    with pytest.raises(ValidationError) as caught:
        evidence_store(upload=_upload(PNG_BYTES), complaint=complaint)
    assert caught.value.code == "too_many"


def test_it_needs_exactly_one_owner():
    with pytest.raises(ValueError, match="exactly one"):
        evidence_store(upload=_upload(PNG_BYTES))


def test_it_discards_a_drafts_file_and_only_its_own():
    draft, _key = drafts.draft_start()
    other, _key = drafts.draft_start()
    evidence = evidence_store(upload=_upload(PNG_BYTES), draft=draft)
    assert not evidence_discard(draft=other, evidence_id=evidence.pk)
    assert evidence_discard(draft=draft, evidence_id=evidence.pk)
    assert not Evidence.objects.exists()


def test_it_serves_an_unchanged_file_as_a_private_attachment():
    evidence = EvidenceFactory()
    response = evidence_response(evidence)
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "private" in response["Cache-Control"]
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == PNG_BYTES


def test_it_notices_a_file_changed_after_upload():
    evidence = EvidenceFactory()
    with evidence.file.storage.open(evidence.file.name, "wb") as handle:
        handle.write(PNG_BYTES + b"tampered")
    with pytest.raises(EvidenceAltered):
        evidence_verified_file(evidence)
    with pytest.raises(EvidenceAltered):
        evidence_response(evidence)


def test_it_purges_expired_drafts_with_their_files(django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.utils import timezone

    from complaints.models import IntakeDraft

    old, _key = drafts.draft_start()
    fresh, _key = drafts.draft_start()
    evidence = evidence_store(upload=_upload(PNG_BYTES), draft=old)
    stored = evidence.file.name
    IntakeDraft.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=31))
    with django_capture_on_commit_callbacks(execute=True):
        assert drafts.drafts_purge_expired() == 1
    assert list(IntakeDraft.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert not Evidence.objects.exists()
    assert not evidence.file.storage.exists(stored)
