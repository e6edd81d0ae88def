"""The demo subscribers, the account-data part and the wiring done in TransparencyConfig.ready()."""

from __future__ import annotations

import pytest

from portal import account_data, demo
from portal.demo import DemoReport
from portal.outbox import outbox_failed_for_good
from tests.factories import DistrictFactory
from transparency.demo_subscribers import seed_subscribers
from transparency.models import Subscriber

pytestmark = pytest.mark.django_db


def test_it_seeds_one_active_subscriber_per_language_once():
    DistrictFactory(slug="north")
    DistrictFactory(slug="east")
    report = DemoReport(password="x")

    seed_subscribers(report=report)
    seed_subscribers(report=report)

    assert report.created["transparency subscribers"] == Subscriber.objects.count() == 6
    active = [s for s in Subscriber.objects.all() if s.is_active]
    assert {s.language for s in active} == {"en", "es"}
    assert any(s.districts.exists() for s in active)
    assert report.notes


def test_it_registers_the_seeder_the_account_part_and_the_receiver():
    assert demo._seeders["transparency-subscribers"][0] < demo._seeders["transparency"][0]
    assert "transparency-subscriptions" in {part.name for part in account_data.registered_parts()}
    assert any("transparency.fanout.undeliverable" in str(receiver[0]) for receiver in outbox_failed_for_good.receivers)
