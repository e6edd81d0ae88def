"""The tracking form: reference + access code, the same answer for every refusal, lockout, rate
limits, and the session grant."""

from __future__ import annotations

import re
from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from complaints import tracking
from complaints.models import Complaint
from complaints.references import access_code_hash
from complaints.tracking import SESSION_KEY, tracking_open
from tests.complaints.factories import ComplaintFactory

pytestmark = pytest.mark.django_db

TRACK = "complaints:track"


def _post(client: Client, reference: str, code: str):
    return client.post(reverse(TRACK), {"reference": reference, "code": code})


def _error_text(response) -> str:
    """The refusal as a person reads it: the error summary, without the typed values."""
    html = response.content.decode()
    match = re.search(r'<div class="usa-alert usa-alert--error.*?</div>\s*</div>', html, re.S)
    assert match, "the page has no error summary"
    return match.group(0)


def test_it_stores_only_a_keyed_hash_of_the_code():
    complaint, code = ComplaintFactory.with_code()
    stored = Complaint.objects.values_list("access_code_hash", flat=True).get(pk=complaint.pk)
    assert stored == access_code_hash(code)
    assert len(stored) == 64
    assert code not in stored
    assert code.replace("-", "") not in stored
    # Nothing else on the row holds it either.
    row = Complaint.objects.filter(pk=complaint.pk).values().get()
    assert all(code not in str(value) for value in row.values())


def test_it_opens_the_status_page_with_the_right_reference_and_code(client):
    complaint, code = ComplaintFactory.with_code()
    response = _post(client, complaint.reference, code)
    assert response.status_code == 302
    assert response["Location"] == reverse("complaints:status", kwargs={"reference": complaint.reference})
    assert client.session[SESSION_KEY] == [complaint.pk]
    assert client.get(response["Location"]).status_code == 200


def test_it_accepts_the_reference_and_code_as_people_type_them(client):
    complaint, code = ComplaintFactory.with_code()
    typed_reference = complaint.reference.lower().replace("-", " ")
    typed_code = code.lower().replace("-", "")
    response = _post(client, f"  {typed_reference} ", f" {typed_code} ")
    assert response.status_code == 302


def test_it_answers_a_wrong_code_and_an_unknown_reference_exactly_alike(client):
    complaint, _code = ComplaintFactory.with_code()
    wrong = _post(client, complaint.reference, "AAAA-AAAA-AAAA-AAAA-AAAA")
    unknown = _post(Client(), f"CP-{timezone.now().year}-99999", "AAAA-AAAA-AAAA-AAAA-AAAA")
    assert wrong.status_code == unknown.status_code == 400
    assert _error_text(wrong) == _error_text(unknown)
    assert SESSION_KEY not in client.session


def test_it_computes_the_keyed_hash_for_an_unknown_reference_too():
    with mock.patch.object(tracking, "access_code_matches", wraps=tracking.access_code_matches) as matches:
        assert tracking_open(reference="CP-2020-00001", code="AAAA-AAAA-AAAA-AAAA-AAAA") is None
    assert matches.call_count == 1


def test_it_does_the_same_database_work_for_an_unknown_reference_and_a_wrong_code():
    complaint, _code = ComplaintFactory.with_code()
    with CaptureQueriesContext(connection) as wrong:
        tracking_open(reference=complaint.reference, code="WRONG")
    with CaptureQueriesContext(connection) as unknown:
        tracking_open(reference=f"CP-{timezone.now().year}-99999", code="WRONG")
    shapes = [
        [re.sub(r"'[^']*'|\b\d+\b|s\d+_x\d+", "?", query["sql"]) for query in ctx.captured_queries]
        for ctx in (wrong, unknown)
    ]
    assert shapes[0] == shapes[1]
    assert any(sql.startswith("UPDATE") for sql in shapes[0])  # the failure count, even for no row


def test_it_refuses_a_complaint_filed_with_an_account_that_has_no_code(client):
    complaint = ComplaintFactory(access_code_hash="")
    assert _post(client, complaint.reference, "").status_code == 400  # code required
    assert tracking_open(reference=complaint.reference, code="") is None


def test_it_locks_a_reference_after_too_many_wrong_codes_and_unlocks_it_later():
    complaint, code = ComplaintFactory.with_code()
    for _ in range(settings.COMPLAINTS_CODE_MAX_FAILURES):
        assert tracking_open(reference=complaint.reference, code="WRONG-WRONG") is None
    complaint.refresh_from_db()
    assert complaint.code_locked_until is not None
    # Locked: even the right code is refused, with the same answer.
    assert tracking_open(reference=complaint.reference, code=code) is None
    later = timezone.now() + timedelta(minutes=settings.COMPLAINTS_CODE_LOCKOUT_MINUTES, seconds=1)
    with time_machine.travel(later):
        assert tracking_open(reference=complaint.reference, code=code) == complaint
    complaint.refresh_from_db()
    assert (complaint.code_failures, complaint.code_locked_until) == (0, None)


def test_it_gives_a_locked_reference_the_same_answer_as_a_wrong_code(client):
    complaint, code = ComplaintFactory.with_code(
        code_locked_until=timezone.now() + timedelta(minutes=5), code_failures=0
    )
    locked = _post(client, complaint.reference, code)
    wrong = _post(Client(), ComplaintFactory.with_code()[0].reference, "AAAA-AAAA-AAAA-AAAA-AAAA")
    assert locked.status_code == wrong.status_code == 400
    assert _error_text(locked) == _error_text(wrong)


def test_it_counts_wrong_codes_only_in_a_row():
    complaint, code = ComplaintFactory.with_code()
    for _ in range(settings.COMPLAINTS_CODE_MAX_FAILURES - 1):
        tracking_open(reference=complaint.reference, code="WRONG")
    assert tracking_open(reference=complaint.reference, code=code) == complaint
    tracking_open(reference=complaint.reference, code="WRONG")
    complaint.refresh_from_db()
    assert complaint.code_failures == 1
    assert complaint.code_locked_until is None


def test_it_rate_limits_one_reference(client):
    complaint, code = ComplaintFactory.with_code()
    statuses = [_post(Client(REMOTE_ADDR=f"10.0.0.{n}"), complaint.reference, "WRONG").status_code for n in range(10)]
    assert set(statuses) == {400}
    # The 11th try from yet another address: the per-reference limit (10 per 10 minutes).
    response = _post(Client(REMOTE_ADDR="10.0.1.1"), complaint.reference, code)
    assert response.status_code == 429
    assert b"Too many tries" in response.content


def test_it_rate_limits_unknown_references_like_real_ones():
    year = timezone.now().year
    statuses = [_post(Client(REMOTE_ADDR=f"10.0.0.{n}"), f"CP-{year}-77777", "WRONG").status_code for n in range(11)]
    assert statuses[:10] == [400] * 10
    assert statuses[10] == 429


def test_it_rate_limits_one_address_across_references():
    client = Client(REMOTE_ADDR="10.9.9.9")
    year = timezone.now().year
    statuses = [_post(client, f"CP-{year}-{60000 + n}", "WRONG").status_code for n in range(21)]
    assert statuses[:20] == [400] * 20
    assert statuses[20] == 429


def test_it_cycles_the_session_key_when_the_code_is_right(client):
    complaint, code = ComplaintFactory.with_code()
    client.get(reverse(TRACK))
    client.session.save()
    before = client.session.session_key
    _post(client, complaint.reference, code)
    assert client.session.session_key != before


def test_it_keeps_several_grants_in_one_browser(client):
    first, first_code = ComplaintFactory.with_code()
    second, second_code = ComplaintFactory.with_code()
    _post(client, first.reference, first_code)
    _post(client, second.reference, second_code)
    for complaint in (first, second):
        assert client.get(reverse("complaints:status", kwargs={"reference": complaint.reference})).status_code == 200


def test_it_ignores_a_tampered_session_grant(client):
    complaint = ComplaintFactory()
    session = client.session
    session[SESSION_KEY] = ["1", {"pk": complaint.pk}, None]
    session.save()
    response = client.get(reverse("complaints:status", kwargs={"reference": complaint.reference}))
    assert response.status_code == 302


def test_it_prefills_the_reference_from_the_link_in_an_email(client):
    response = client.get(reverse(TRACK), {"reference": "CP-2026-00042"})
    assert response.status_code == 200
    assert b'value="CP-2026-00042"' in response.content


def test_it_refuses_an_overlong_reference_with_a_message(client):
    response = _post(client, "CP-" + "9" * 100, "WRONG")
    assert response.status_code == 400
    assert b"at most 40 characters" in response.content


def test_it_never_caches_or_indexes_the_tracking_form(client):
    response = client.get(reverse(TRACK))
    assert "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_it_answers_the_tracking_form_in_spanish(client):
    response = client.get("/es/complaints/track/")
    assert response.status_code == 200
    assert response.wsgi_request.LANGUAGE_CODE == "es"


def test_it_closes_the_complaint_in_this_browser_on_request(client):
    complaint, code = ComplaintFactory.with_code()
    _post(client, complaint.reference, code)
    response = client.post(reverse(TRACK), {"action": "forget"})
    assert response.status_code == 302
    assert SESSION_KEY not in client.session
    assert client.get(reverse("complaints:status", kwargs={"reference": complaint.reference})).status_code == 302
