"""The registry behind "export my data" and "delete my account"."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from portal import account_data
from portal.accounts import account_delete, account_export
from portal.models import User
from tests.factories import DEFAULT_PASSWORD, ResidentFactory


@pytest.fixture
def pets_part():
    """A part as a feature app would register it from its AppConfig.ready()."""
    calls: list[tuple[str, int, str]] = []

    def export(user: User) -> list[dict]:
        calls.append(("export", user.pk, user.email))
        return [{"name": "Rex", "adopted_on": date(2024, 5, 1)}]

    def erase(user: User) -> None:
        # Runs before the address is anonymised, so rows kept by address can still be found.
        calls.append(("erase", user.pk, user.email))

    account_data.register("pets", export=export, erase=erase)
    yield calls
    account_data.unregister("pets")


def test_it_ships_the_account_part(db):
    assert "account" in [part.name for part in account_data.registered_parts()]


def test_it_exports_every_registered_part_under_its_name(db, pets_part):
    resident = ResidentFactory()
    data = account_export(user=resident)
    assert data["pets"] == [{"name": "Rex", "adopted_on": date(2024, 5, 1)}]
    assert data["account"]["email"] == resident.email
    assert pets_part == [("export", resident.pk, resident.email)]


def test_it_writes_a_registered_part_into_the_download(db, pets_part):
    client = Client()
    client.force_login(ResidentFactory())
    response = client.get(reverse("portal:account-export"))
    assert json.loads(response.content)["pets"] == [{"name": "Rex", "adopted_on": "2024-05-01"}]


def test_it_calls_each_parts_erase_before_anonymising(db, pets_part):
    resident = ResidentFactory(email="owner@example.org")
    account_delete(user=resident)
    assert pets_part == [("erase", resident.pk, "owner@example.org")]


def test_it_erases_through_the_deletion_page(db, pets_part):
    resident = ResidentFactory()
    client = Client()
    client.force_login(resident)
    client.post(reverse("portal:account-delete"), {"password": DEFAULT_PASSWORD, "confirm": "on"})
    assert [call[0] for call in pets_part] == ["erase"]


def test_it_rolls_the_deletion_back_when_a_part_fails(db):
    def failing_erase(user: User) -> None:
        raise RuntimeError("the pets table is on fire")

    account_data.register("broken", export=lambda user: None, erase=failing_erase)
    try:
        resident = ResidentFactory()
        with pytest.raises(RuntimeError):
            account_delete(user=resident)
        resident.refresh_from_db()
        assert resident.is_active
        assert resident.deleted_at is None
    finally:
        account_data.unregister("broken")


def test_it_replaces_a_part_registered_twice(db):
    account_data.register("twice", export=lambda user: 1)
    account_data.register("twice", export=lambda user: 2)
    try:
        assert account_export(user=ResidentFactory())["twice"] == 2
        assert [part.name for part in account_data.registered_parts()].count("twice") == 1
    finally:
        account_data.unregister("twice")


@pytest.mark.parametrize("name", ["", "has space", "dots.are.bad"])
def test_it_refuses_a_part_without_a_plain_name(name):
    with pytest.raises(ValueError, match="plain name"):
        account_data.register(name, export=lambda user: None)
