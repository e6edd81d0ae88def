"""My account: preferences, the data export and account deletion (pages and services)."""

from __future__ import annotations

import json

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from portal.accounts import account_delete, account_export, account_update_preferences, user_sessions_end
from portal.models import OutboxMessage, StaffAuditEntry, User
from portal.outbox import outbox_enqueue
from tests.factories import (
    DEFAULT_PASSWORD,
    AdministratorFactory,
    InvestigatorFactory,
    OfficerFactory,
    ResidentFactory,
)

ROLE_FACTORIES = [ResidentFactory, OfficerFactory, InvestigatorFactory, AdministratorFactory]


def signed_in_client(user: User, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


# --- Who may open the pages --------------------------------------------------------------------


@pytest.mark.parametrize("name", ["portal:account", "portal:account-export", "portal:account-delete"])
def test_it_sends_visitors_to_sign_in(db, client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("factory", ROLE_FACTORIES)
@pytest.mark.parametrize("name", ["portal:account", "portal:account-delete"])
def test_it_opens_the_account_pages_to_everyone_signed_in(db, factory, name):
    assert signed_in_client(factory()).get(reverse(name)).status_code == 200


# --- The account page and preferences ----------------------------------------------------------


def test_it_shows_the_account_page_with_links_to_sign_in_settings(db):
    resident = ResidentFactory()
    html = signed_in_client(resident).get(reverse("portal:account")).content.decode()
    assert resident.email in html
    for name in (
        "account_email",
        "account_change_password",
        "mfa_index",
        "portal:account-export",
        "portal:account-delete",
    ):
        assert reverse(name) in html
    assert "Delete my account" in html


def test_it_tells_staff_their_account_is_deactivated_not_deleted(db):
    html = signed_in_client(OfficerFactory()).get(reverse("portal:account")).content.decode()
    assert "Staff accounts are never deleted" in html
    assert "Deactivate my account" in html


def test_it_saves_preferences(db):
    resident = ResidentFactory()
    client = signed_in_client(resident)
    response = client.post(reverse("portal:account"), {"language": "en", "email_replies": "on"})
    assert response.status_code == 302
    resident.refresh_from_db()
    assert (resident.language, resident.email_event_reminders, resident.email_replies) == ("en", False, True)
    assert "Your preferences are saved" in client.get(response["Location"]).content.decode()


def test_it_shows_the_account_page_in_the_language_just_chosen(db):
    client = signed_in_client(ResidentFactory())
    response = client.post(reverse("portal:account"), {"language": "es", "email_event_reminders": "on"})
    assert response.status_code == 302
    with translation.override("es"):
        assert response["Location"] == reverse("portal:account")


@pytest.mark.parametrize("language", ["fr", "", "e" * 500])
def test_it_refuses_an_unknown_language_with_a_400(db, language):
    resident = ResidentFactory()
    client = signed_in_client(resident)
    response = client.post(reverse("portal:account"), {"language": language, "email_replies": "on"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert 'id="id_language_error"' in html
    resident.refresh_from_db()
    assert resident.language == "en"


def test_it_refuses_an_unknown_language_in_the_service(db):
    with pytest.raises(ValidationError) as exc:
        account_update_preferences(
            user=ResidentFactory(), language="xx", email_event_reminders=True, email_replies=True
        )
    assert exc.value.code == "invalid_language"


def test_it_refuses_a_preferences_post_without_a_csrf_token(db):
    resident = ResidentFactory()
    client = signed_in_client(resident, enforce_csrf_checks=True)
    response = client.post(reverse("portal:account"), {"language": "es"})
    assert response.status_code == 403
    assert "expired" in response.content.decode().lower()
    resident.refresh_from_db()
    assert resident.language == "en"


# --- Export ------------------------------------------------------------------------------------


@pytest.mark.parametrize("factory", ROLE_FACTORIES)
def test_it_downloads_my_data_as_json(db, factory):
    user = factory(first_name="Ada", last_name="Lovelace")
    response = signed_in_client(user).get(reverse("portal:account-export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith('attachment; filename="my-data-')
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    account = data["account"]
    assert account["email"] == user.email
    assert (account["first_name"], account["last_name"]) == ("Ada", "Lovelace")
    assert account["email_addresses"] == [{"email": user.email, "verified": True, "primary": True}]


def test_it_exports_only_my_own_data(db):
    me, other = ResidentFactory(), ResidentFactory()
    data = account_export(user=me)
    assert other.email not in json.dumps(data)


def test_it_includes_staff_roles_and_two_factor_in_the_export(db):
    data = account_export(user=OfficerFactory())
    assert data["account"]["staff_roles"] == ["officer"]
    assert data["account"]["two_factor_methods"] == ["totp"]


def test_it_refuses_to_export_by_post(db):
    assert signed_in_client(ResidentFactory()).post(reverse("portal:account-export")).status_code == 405


# --- Deletion: residents are anonymised --------------------------------------------------------


def test_it_anonymises_a_resident_and_signs_them_out(db):
    resident = ResidentFactory(first_name="Rosa", last_name="Parks", email="rosa@example.org")
    Authenticator.objects.create(user=resident, type=Authenticator.Type.RECOVERY_CODES, data={})
    outbox_enqueue(dedupe_key="test:1", to="rosa@example.org", template="portal/email/staff_invitation", send=False)
    other_device = signed_in_client(resident)
    client = signed_in_client(resident)

    response = client.post(reverse("portal:account-delete"), {"password": DEFAULT_PASSWORD, "confirm": "on"})

    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")
    resident.refresh_from_db()
    assert resident.email == f"deleted-{resident.pk}@invalid.example"
    assert (resident.first_name, resident.last_name) == ("", "")
    assert not resident.has_usable_password()
    assert not resident.is_active
    assert resident.deleted_at is not None
    assert not EmailAddress.objects.filter(user=resident).exists()
    assert not Authenticator.objects.filter(user=resident).exists()
    assert not OutboxMessage.objects.filter(to="rosa@example.org").exists()
    assert SESSION_KEY not in client.session
    assert not Session.objects.filter(session_key=other_device.session.session_key).exists()
    assert other_device.get(reverse("portal:account")).status_code == 302
    assert "Your account is deleted" in client.get(reverse("portal:home")).content.decode()


def test_it_lets_the_address_sign_up_again_after_deletion(db, client):
    resident = ResidentFactory(email="again@example.org")
    account_delete(user=resident)
    response = client.post(
        reverse("account_signup"),
        {
            "email": "again@example.org",
            "password1": "a-brand-new-passphrase-42",
            "password2": "a-brand-new-passphrase-42",
        },
    )
    assert response.status_code == 302
    assert User.objects.filter(email="again@example.org").exists()


def test_it_shows_what_deletion_means_before_doing_it(db):
    resident = ResidentFactory()
    client = signed_in_client(resident)
    response = client.get(reverse("portal:account-delete"))
    html = response.content.decode()
    assert "complaints you filed" in html.lower()
    assert 'name="password"' in html
    assert 'name="confirm"' in html
    resident.refresh_from_db()
    assert resident.is_active


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"password": "wrong-password", "confirm": "on"}, "password"),
        ({"password": DEFAULT_PASSWORD}, "confirm"),
        ({"password": "x" * 10000, "confirm": "on"}, "password"),
        ({}, "password"),
    ],
    ids=["wrong password", "not confirmed", "over-long password", "empty"],
)
def test_it_refuses_to_delete_without_a_confirmation(db, data, field):
    resident = ResidentFactory()
    client = signed_in_client(resident)
    response = client.post(reverse("portal:account-delete"), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html
    assert "There is a problem" in html
    resident.refresh_from_db()
    assert resident.is_active
    assert resident.deleted_at is None


def test_it_asks_only_for_the_checkbox_when_there_is_no_password(db):
    resident = ResidentFactory()
    resident.set_unusable_password()
    resident.save(update_fields=["password"])
    client = signed_in_client(resident)
    assert 'name="password"' not in client.get(reverse("portal:account-delete")).content.decode()
    response = client.post(reverse("portal:account-delete"), {"confirm": "on"})
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.deleted_at is not None


def test_it_limits_password_guesses_on_the_deletion_page(db):
    resident = ResidentFactory()
    client = signed_in_client(resident)
    statuses = [
        client.post(reverse("portal:account-delete"), {"password": "guess", "confirm": "on"}).status_code
        for _attempt in range(12)
    ]
    assert statuses[0] == 400
    assert statuses[-1] == 429
    response = client.post(reverse("portal:account-delete"), {"password": DEFAULT_PASSWORD, "confirm": "on"})
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    resident.refresh_from_db()
    assert resident.is_active


def test_it_refuses_a_deletion_without_a_csrf_token(db):
    resident = ResidentFactory()
    client = signed_in_client(resident, enforce_csrf_checks=True)
    response = client.post(reverse("portal:account-delete"), {"password": DEFAULT_PASSWORD, "confirm": "on"})
    assert response.status_code == 403
    resident.refresh_from_db()
    assert resident.is_active


def test_it_refuses_to_delete_an_account_twice(db):
    resident = ResidentFactory()
    account_delete(user=resident)
    with pytest.raises(ValidationError) as exc:
        account_delete(user=resident)
    assert exc.value.code == "already_deleted"


# --- Deletion: staff are deactivated, never deleted --------------------------------------------


@pytest.mark.parametrize("factory", [OfficerFactory, InvestigatorFactory, AdministratorFactory])
def test_it_deactivates_a_staff_account_instead_of_deleting_it(db, factory):
    member = factory(first_name="Sam", last_name="Staff")
    email = member.email
    client = signed_in_client(member)
    page = client.get(reverse("portal:account-delete"))
    assert "Staff accounts are never deleted" in page.content.decode()

    response = client.post(reverse("portal:account-delete"), {"password": DEFAULT_PASSWORD, "confirm": "on"})

    assert response.status_code == 302
    member.refresh_from_db()
    assert not member.is_active
    assert member.deleted_at is None
    assert (member.email, member.first_name) == (email, "Sam")
    assert member.groups.exists()
    assert Authenticator.objects.filter(user=member).exists()
    assert EmailAddress.objects.filter(user=member).exists()
    assert SESSION_KEY not in client.session
    entry = StaffAuditEntry.objects.get(subject=member)
    assert (entry.actor, entry.action, entry.detail) == (member, StaffAuditEntry.Action.DEACTIVATE, {"reason": "self"})
    assert "Your staff account is deactivated" in client.get(reverse("portal:home")).content.decode()


def test_it_does_not_call_erase_hooks_for_staff(db, monkeypatch):
    from portal import account_data

    erased = []
    monkeypatch.setitem(
        account_data._parts, "spy", account_data.AccountDataPart(name="spy", export=lambda u: {}, erase=erased.append)
    )
    account_delete(user=OfficerFactory())
    assert erased == []


# --- Ending sessions ---------------------------------------------------------------------------


def test_it_ends_only_the_given_persons_sessions(db):
    me, other = ResidentFactory(), ResidentFactory()
    mine = [signed_in_client(me) for _ in range(3)]
    theirs = signed_in_client(other)
    anonymous = Client()
    anonymous.get(reverse("account_login"))  # an anonymous session row
    assert user_sessions_end(user=me) == 3
    for client in mine:
        assert not Session.objects.filter(session_key=client.session.session_key).exists()
    assert Session.objects.filter(session_key=theirs.session.session_key).exists()


def test_it_skips_a_corrupt_session_row(db):
    from datetime import timedelta

    from django.utils import timezone

    Session.objects.create(
        session_key="x" * 32, session_data="not-valid", expire_date=timezone.now() + timedelta(days=1)
    )
    assert user_sessions_end(user=ResidentFactory()) == 0
