"""The demo feedback seed_demo adds: every kind and state, the officer's inbox, trust indexes; idempotent
and silent."""

from io import StringIO

import pytest
from django.core.management import call_command

from feedback import selectors
from feedback.demo import ITEMS
from feedback.demo_history import HISTORY_MARK
from feedback.models import Feedback, Reply, ReplyTemplate, SurveyResponse
from feedback.permissions import feedback_visible_to
from portal.models import OutboxMessage, User


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


@pytest.fixture
def seeded(db, settings):
    settings.DEBUG = True
    return seed()


def test_it_adds_the_demo_feedback_once(seeded):
    counts = (
        Feedback.objects.count(),
        Reply.objects.count(),
        ReplyTemplate.objects.count(),
        SurveyResponse.objects.count(),
        OutboxMessage.objects.count(),
    )
    assert Feedback.objects.exclude(message__startswith=HISTORY_MARK).count() == len(ITEMS)
    output = seed()
    assert (
        Feedback.objects.count(),
        Reply.objects.count(),
        ReplyTemplate.objects.count(),
        SurveyResponse.objects.count(),
        OutboxMessage.objects.count(),
    ) == counts
    assert "nothing new to add" in output


def test_it_covers_every_kind_subject_status_and_publication(seeded):
    items = Feedback.objects.all()
    assert set(items.values_list("kind", flat=True)) == set(Feedback.Kind.values)
    assert set(items.values_list("about", flat=True)) == set(Feedback.About.values)
    assert set(items.values_list("status", flat=True)) == set(Feedback.Status.values)
    assert set(items.values_list("publication", flat=True)) == set(Feedback.Publication.values)
    redacted = items.filter(publication=Feedback.Publication.PUBLISHED).exclude(public_message="")
    assert any(item.public_message != item.message for item in redacted)
    assert not items.filter(publication=Feedback.Publication.DECLINED, decline_reason="").exists()
    assert items.filter(author__email="resident@example.org").exists()
    assert items.filter(author__isnull=True).exists()
    replies = Reply.objects.all()
    assert replies.filter(is_public=True).exists()
    assert replies.filter(is_public=False).exists()
    assert set(replies.values_list("signature", flat=True)) == set(Reply.Signature.values)
    assert ReplyTemplate.objects.count() >= 2


def test_it_fills_the_demo_officers_inbox_but_hides_the_concern_naming_her(seeded):
    officer = User.objects.get(email="officer@example.org")
    visible = feedback_visible_to(user=officer)
    assert visible.filter(officer__user=officer).exists()
    concern = Feedback.objects.get(kind=Feedback.Kind.CONCERN, officer__user=officer)
    assert not visible.filter(pk=concern.pk).exists()
    admin = User.objects.get(email="admin@example.org")
    assert feedback_visible_to(user=admin).filter(pk=concern.pk).exists()


def test_it_shows_trust_indexes_and_one_suppressed(seeded, settings):
    rows = selectors.trust_index()
    assert any(row.index is not None for row in rows)
    assert any(row.suppressed and row.responses < settings.TRUST_INDEX_MIN_RESPONSES for row in rows)
    assert len({row.district_slug for row in rows if not row.suppressed}) >= 2


def test_it_sends_no_mail(seeded):
    pending = OutboxMessage.objects.filter(template__startswith="feedback/", status=OutboxMessage.Status.PENDING)
    assert not pending.exists()
