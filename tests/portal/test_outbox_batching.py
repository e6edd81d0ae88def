"""The outbox's batch path: sent rows marked in groups, and one rendering and one MIME build per
kind of message (contexts that declare their per-recipient keys), identical to the ordinary path."""

from __future__ import annotations

import smtplib
from email import message_from_bytes
from pathlib import Path
from unittest import mock

import pytest
from django.core import mail
from django.template.loader import render_to_string
from django.utils import timezone

from portal import outbox
from portal.models import OutboxMessage
from portal.outbox import PER_RECIPIENT_KEYS, outbox_deliver, outbox_failed_for_good, outbox_render
from tests.factories import DistrictFactory
from tests.portal.test_outbox import ScriptedBackend

pytestmark = pytest.mark.django_db

Status = OutboxMessage.Status
TEMPLATES_DIR = Path(__file__).resolve().parents[1] / "templates"


@pytest.fixture
def scripted_mail(settings):
    settings.EMAIL_BACKEND = "tests.portal.test_outbox.ScriptedBackend"
    ScriptedBackend.failures = []
    ScriptedBackend.opened = 0
    yield ScriptedBackend
    ScriptedBackend.failures = []


@pytest.fixture
def sample_templates(settings):
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], TEMPLATES_DIR]}]


def _message(n: int, **overrides) -> OutboxMessage:
    fields = {
        "dedupe_key": f"batch:{n}",
        "to": f"person{n}@example.org",
        "template": "account/email/password_reset_key",
        "context": {"password_reset_url": f"https://example.org/reset/{n}/"},
        "language": "en",
        "next_attempt_at": timezone.now(),
    }
    fields.update(overrides)
    return OutboxMessage.objects.create(**fields)


def _news(n: int, *, district, language: str = "en", declare: bool = True, unsubscribe: str | None = None):
    """A feature-app style email to person n, with their own unsubscribe link (in body and header)."""
    unsubscribe_url = unsubscribe if unsubscribe is not None else f"https://example.org/unsubscribe/{n}.abc/?a=1&b={n}"
    context = {"district": {"__model__": "portal.District", "pk": district.pk}, "unsubscribe_url": unsubscribe_url}
    if declare:
        context[PER_RECIPIENT_KEYS] = ["unsubscribe_url"]
    return _message(
        n,
        template="outbox_test/email/sample",
        language=language,
        context=context,
        headers={"List-Unsubscribe": f"<{unsubscribe_url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )


def _ordinary_bytes(row: OutboxMessage, sent) -> bytes:
    """What Django builds for this row, with the sent message's Date, Message-ID and boundary."""
    ours = sent.message().as_bytes(linesep="\r\n")
    parsed = message_from_bytes(ours)
    email = outbox_render(row)
    email.extra_headers = {"Date": parsed["Date"], "Message-ID": parsed["Message-ID"], **email.extra_headers}
    mime = email.message()
    mime.set_boundary(parsed.get_boundary())
    return mime.as_bytes(linesep="\r\n")


# --- Marking in groups -------------------------------------------------------------------------


def test_it_marks_sent_rows_in_groups_of_mark_every(scripted_mail):
    ids = [_message(n).pk for n in range(5)]
    with mock.patch.object(outbox, "_mark_sent", wraps=outbox._mark_sent) as mark:
        assert outbox_deliver(message_ids=ids, mark_every=2) == (5, 0)
    assert [len(call.args[0]) for call in mark.call_args_list] == [2, 2, 1]
    rows = OutboxMessage.objects.filter(pk__in=ids)
    assert {(row.status, row.attempts, row.last_error) for row in rows} == {(Status.SENT, 1, "")}
    assert all(row.sent_at for row in rows)


def test_it_marks_each_row_at_once_by_default(scripted_mail):
    ids = [_message(n).pk for n in range(3)]
    with mock.patch.object(outbox, "_mark_sent", wraps=outbox._mark_sent) as mark:
        outbox_deliver(message_ids=ids)
    assert [len(call.args[0]) for call in mark.call_args_list] == [1, 1, 1]


def test_it_marks_what_the_server_accepted_when_the_connection_is_lost_mid_group(scripted_mail):
    ids = [_message(n).pk for n in range(5)]
    with mock.patch.object(
        ScriptedBackend, "send_messages", side_effect=[1, 1, smtplib.SMTPServerDisconnected("gone"), 1, 1]
    ):
        assert outbox_deliver(message_ids=ids, mark_every=10) == (2, 3)
    statuses = [OutboxMessage.objects.get(pk=pk) for pk in ids]
    assert [(row.status, row.attempts) for row in statuses] == [
        (Status.SENT, 1),
        (Status.SENT, 1),
        (Status.PENDING, 1),
        (Status.PENDING, 1),
        (Status.PENDING, 1),
    ]


def test_it_marks_the_accepted_rows_before_it_records_a_failure(scripted_mail):
    first, refused, last = _message(0), _message(1), _message(2)
    seen = {}

    def on_failed(sender, *, message, permanent, **kwargs):
        seen["first"] = OutboxMessage.objects.get(pk=first.pk).status

    outbox_failed_for_good.connect(on_failed)
    try:
        with mock.patch.object(
            ScriptedBackend,
            "send_messages",
            side_effect=[1, smtplib.SMTPRecipientsRefused({refused.to: (550, b"No such user")}), 1],
        ):
            assert outbox_deliver(message_ids=[first.pk, refused.pk, last.pk], mark_every=10) == (2, 1)
    finally:
        outbox_failed_for_good.disconnect(on_failed)
    assert seen == {"first": Status.SENT}
    assert dict(OutboxMessage.objects.values_list("pk", "status")) == {
        first.pk: Status.SENT,
        refused.pk: Status.FAILED,
        last.pk: Status.SENT,
    }


def test_a_group_mark_never_flips_a_row_another_sender_took_over(scripted_mail):
    first, second = _message(0), _message(1)
    calls = {"n": 0}

    def slow_then_taken_over(self, email_messages):
        calls["n"] += 1
        if calls["n"] == 2:  # this sender's claim on the first row went stale and another took it
            OutboxMessage.objects.filter(pk=first.pk).update(claim_token="other")
        return 1

    with mock.patch.object(ScriptedBackend, "send_messages", slow_then_taken_over):
        assert outbox_deliver(message_ids=[first.pk, second.pk], mark_every=10) == (2, 0)
    first.refresh_from_db()
    assert (first.status, first.claim_token, first.attempts) == (Status.SENDING, "other", 0)
    assert OutboxMessage.objects.get(pk=second.pk).status == Status.SENT


# --- Rendering once, building the MIME once ------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_declared_kind_is_rendered_once_and_sends_the_same_bytes_as_django(sample_templates, language):
    district = DistrictFactory(name="Río Norte")
    rows = [_news(n, district=district, language=language) for n in range(4)]

    with mock.patch("portal.outbox.render_to_string", wraps=render_to_string) as render:
        assert outbox_deliver(message_ids=[row.pk for row in rows], mark_every=4) == (4, 0)

    assert render.call_count == 3 * 2  # subject, text, HTML: once with sentinels, once to check
    assert [m.to for m in mail.outbox] == [[row.to] for row in rows]
    for row, sent in zip(rows, mail.outbox, strict=True):
        alone = outbox_render(row)
        assert (sent.subject, sent.body, sent.alternatives, sent.extra_headers) == (
            alone.subject,
            alone.body,
            alone.alternatives,
            alone.extra_headers,
        )
        assert sent.message().as_bytes(linesep="\r\n") == _ordinary_bytes(row, sent)
        html = sent.alternatives[0][0]
        assert f"unsubscribe/{rows.index(row)}.abc/?a=1&amp;b=" in html  # escaped in HTML
        assert f"unsubscribe/{rows.index(row)}.abc/?a=1&b=" in sent.body  # as is in text
        assert row.to in html
    parsed = [message_from_bytes(m.message().as_bytes(linesep="\r\n")) for m in mail.outbox]
    assert len({p["Message-ID"] for p in parsed}) == 4
    assert all(p["Date"] for p in parsed)
    assert [p["To"] for p in parsed] == [row.to for row in rows]
    assert [p["List-Unsubscribe"] for p in parsed] == [row.headers["List-Unsubscribe"] for row in rows]
    assert {p.get_content_type() for p in parsed} == {"multipart/alternative"}


def test_an_undeclared_context_is_rendered_for_each_message(sample_templates):
    district = DistrictFactory()
    rows = [_news(n, district=district, declare=False) for n in range(3)]
    with mock.patch("portal.outbox.render_to_string", wraps=render_to_string) as render:
        outbox_deliver(message_ids=[row.pk for row in rows])
    assert render.call_count == 3 * 3
    assert not any(isinstance(m, outbox._PreparedEmail) for m in mail.outbox)


def test_a_value_the_sentinel_cannot_stand_for_falls_back_to_rendering_that_message(sample_templates):
    district = DistrictFactory()
    rows = [_news(0, district=district), _news(1, district=district, unsubscribe="")]
    outbox_deliver(message_ids=[row.pk for row in rows])
    for row, sent in zip(rows, mail.outbox, strict=True):
        assert (sent.body, sent.alternatives) == (outbox_render(row).body, outbox_render(row).alternatives)
    assert "To stop these emails" not in mail.outbox[1].body


def test_a_template_that_transforms_a_per_recipient_value_is_rendered_per_message(settings):
    settings.TEMPLATES = [
        {
            **settings.TEMPLATES[0],
            "APP_DIRS": False,
            "OPTIONS": {
                **settings.TEMPLATES[0]["OPTIONS"],
                "loaders": [
                    (
                        "django.template.loaders.locmem.Loader",
                        {
                            "shouty/email/x_subject.txt": "Hello",
                            "shouty/email/x_message.txt": "Your link: {{ link|upper }} for {{ email }}",
                        },
                    )
                ],
            },
        }
    ]
    rows = [
        _message(n, template="shouty/email/x", context={"link": f"https://x/{n}/", PER_RECIPIENT_KEYS: ["link"]})
        for n in range(3)
    ]
    assert outbox_deliver(message_ids=[row.pk for row in rows]) == (3, 0)
    assert [m.body for m in mail.outbox] == [f"Your link: HTTPS://X/{n}/ for person{n}@example.org" for n in range(3)]


# --- The pieces written without the stdlib are what the stdlib writes ---------------------------


@pytest.mark.parametrize(
    "address",
    [
        "person@example.org",
        "first.last+tag@sub.example.org",
        "Riverside Police Department <no-reply@localhost>",
        "josé@example.org",
        "person@exämple.org",
        '"odd person"@example.org',
    ],
)
def test_the_envelope_address_is_djangos(address):
    from django.core.mail.message import sanitize_address

    assert outbox._envelope_address(address) == sanitize_address(address, "utf-8")


def test_header_lines_are_what_the_stdlib_folds():
    from email import policy

    from django.core.mail.message import forbid_multi_line_headers

    fold = policy.compat32.clone(linesep="\r\n").fold_binary
    values = ["Thu, 26 Nov 2026 11:46:47 -0000", "a; b, c d", "Río <x@example.org>"]
    for n in range(1, 160, 7):
        values += [f"<https://example.org/{'u' * n}/>", f"p{'x' * n}@example.org", f"<{n}.{'1' * n}@host>"]
        values += [f"<https://example.org/{'u' * n};x,y>", f"word {'w' * n} word"]
    for name in ("To", "Date", "Message-ID", "List-Unsubscribe", "List-Unsubscribe-Post"):
        for value in values:
            assert outbox._header_line(name, value) == fold(*forbid_multi_line_headers(name, value, "utf-8"))


def test_a_prepared_message_goes_to_smtp_with_djangos_envelope(settings, sample_templates):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    district = DistrictFactory()
    rows = [_news(n, district=district) for n in range(2)]
    smtp = mock.MagicMock()
    with mock.patch("smtplib.SMTP", return_value=smtp):
        assert outbox_deliver(message_ids=[row.pk for row in rows], mark_every=2) == (2, 0)
    calls = smtp.sendmail.call_args_list
    assert [call.args[:2] for call in calls] == [
        ("Riverside Police Department <no-reply@localhost>", [row.to]) for row in rows
    ]
    for row, call in zip(rows, calls, strict=True):
        parsed = message_from_bytes(call.args[2])
        assert parsed["To"] == row.to
        assert parsed["List-Unsubscribe"] == row.headers["List-Unsubscribe"]
