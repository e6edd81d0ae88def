"""The demo updates seed_demo adds: every category, one scheduled, one in Spanish, one corrected,
minutes linked to a past event; idempotent."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from portal import demo
from portal.demo import DemoReport
from tests.events.factories import EventFactory
from tests.factories import AdministratorFactory, DistrictFactory
from transparency.demo import UPDATES, seed_updates
from transparency.models import Category, Update

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    DistrictFactory(slug="downtown")
    DistrictFactory(slug="east")
    AdministratorFactory(email="admin@example.org")
    return EventFactory(
        title="Past meeting",
        starts_at=timezone.now() - datetime.timedelta(days=12),
        ends_at=timezone.now() - datetime.timedelta(days=12, hours=-2),
    )


def test_it_seeds_updates_of_every_category_once(world):
    report = DemoReport(password="x")
    seed_updates(report=report)
    assert Update.objects.count() == len(UPDATES)
    published = Update.objects.filter(status=Update.Status.PUBLISHED)
    assert set(published.values_list("category", flat=True)) == set(Category.values)
    seed_updates(report=DemoReport(password="x"))
    assert Update.objects.count() == len(UPDATES)


def test_it_seeds_a_scheduled_a_spanish_a_corrected_update_and_linked_minutes(world):
    seed_updates(report=DemoReport(password="x"))
    scheduled = Update.objects.get(status=Update.Status.SCHEDULED)
    assert scheduled.publish_at > timezone.now()
    assert Update.objects.filter(status=Update.Status.PUBLISHED, title_es__gt="").exclude(body_es_html="").exists()
    assert Update.objects.filter(corrected_at__isnull=False).exclude(correction_note="").exists()
    minutes = Update.objects.get(category=Category.MEETING_MINUTES)
    assert minutes.event == world
    assert minutes.attachments.count() == 1


def test_it_is_registered_with_the_demo():
    assert "transparency" in demo._seeders
    assert demo._seeders["transparency"][0] == 40
