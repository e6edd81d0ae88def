"""Staff security middleware: two-factor before any page, and sign-out after inactivity."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from django.utils import translation

from portal.middleware import LAST_SEEN_KEY
from tests.factories import (
    DEFAULT_PASSWORD,
    AdministratorFactory,
    InvestigatorFactory,
    OfficerFactory,
    ResidentFactory,
    StaffFactory,
    UserFactory,
)

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
STAFF_WITHOUT_TWO_FACTOR = {
    "officer": lambda: OfficerFactory(mfa=False),
    "investigator": lambda: InvestigatorFactory(mfa=False),
    "administrator": lambda: AdministratorFactory(mfa=False),
    "superuser": lambda: StaffFactory(mfa=False, is_superuser=True, is_staff=True),
}


@pytest.fixture(params=sorted(STAFF_WITHOUT_TWO_FACTOR))
def staff_without_two_factor(request, db):
    return STAFF_WITHOUT_TWO_FACTOR[request.param]()


# --- Two-factor required -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/staff/", "/staff/people/", "/admin/", "/admin/portal/district/", "/", "/officers/", "/account/"],
)
def test_it_sends_staff_without_two_factor_to_set_it_up(client, staff_without_two_factor, path):
    client.force_login(staff_without_two_factor)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


@pytest.mark.parametrize("path", ["/es/staff/", "/es/admin/", "/es/", "/es/account/"])
def test_it_sends_staff_without_two_factor_to_set_it_up_under_the_spanish_prefix(client, db, path):
    client.force_login(OfficerFactory(mfa=False))
    response = client.get(path)
    assert response.status_code == 302
    with translation.override("es"):
        assert response["Location"] == reverse("mfa_activate_totp")
    assert response["Location"].startswith("/es/accounts/")


def test_it_refuses_a_post_to_a_staff_page_without_two_factor(client, db):
    admin = AdministratorFactory(mfa=False)
    client.force_login(admin)
    response = client.post(reverse("portal:staff-invite"), {"email": "x@example.org", "role": "officer"})
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    assert not type(admin).objects.filter(email="x@example.org").exists()


@pytest.mark.parametrize(
    "name", ["mfa_index", "account_email", "account_change_password", "account_logout", "account_reauthenticate"]
)
def test_it_lets_staff_without_two_factor_reach_the_account_pages(client, db, name):
    client.force_login(OfficerFactory(mfa=False))
    response = client.get(reverse(name))
    assert response.status_code == 200


def test_it_lets_staff_without_two_factor_reach_the_setup_page_in_spanish(client, db):
    client.force_login(OfficerFactory(mfa=False))
    with translation.override("es"):
        url = reverse("mfa_index")
    assert url.startswith("/es/accounts/")
    assert client.get(url).status_code == 200


def test_it_lets_staff_without_two_factor_reach_the_health_check(client, db):
    client.force_login(OfficerFactory(mfa=False))
    assert client.get("/healthz").status_code in (200, 503)


def test_it_does_not_loop_on_the_way_to_the_setup_page(client, db):
    client.force_login(OfficerFactory(mfa=False))
    response = client.get("/staff/", follow=True)
    assert response.status_code == 200
    assert all(url.startswith("/accounts/") for url, _status in response.redirect_chain)


def test_it_tells_staff_why_they_were_sent_to_set_up_two_factor(client, db):
    client.force_login(OfficerFactory(mfa=False))
    response = client.get("/staff/", follow=True)
    assert "must set up two-factor sign-in" in response.content.decode()


@pytest.mark.parametrize(
    ("factory", "path"),
    [
        (OfficerFactory, "/staff/"),
        (InvestigatorFactory, "/staff/"),
        (AdministratorFactory, "/staff/"),
        (AdministratorFactory, "/admin/"),
        (AdministratorFactory, "/es/staff/people/"),
    ],
)
def test_it_lets_staff_with_two_factor_in(client, db, factory, path):
    client.force_login(factory())
    assert client.get(path).status_code == 200


def test_it_lets_a_superuser_with_two_factor_into_the_back_office(client, db):
    client.force_login(StaffFactory(is_superuser=True, is_staff=True))
    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize("path", ["/", "/officers/", "/account/", "/es/account/", "/accounts/2fa/"])
def test_it_leaves_residents_without_two_factor_alone(client, db, path):
    client.force_login(ResidentFactory())
    assert client.get(path).status_code == 200


def test_it_still_answers_403_to_a_resident_on_a_staff_page(client, db):
    client.force_login(ResidentFactory())
    assert client.get("/staff/").status_code == 403


def test_it_leaves_visitors_alone(client, db):
    assert client.get("/").status_code == 200
    response = client.get("/staff/")
    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == reverse("account_login")


# --- Idle timeout ------------------------------------------------------------------------------


def test_it_signs_staff_out_after_the_idle_timeout(client, db, settings):
    settings.STAFF_IDLE_TIMEOUT_MINUTES = 30
    officer = OfficerFactory()
    with time_machine.travel(START, tick=False) as traveller:
        client.force_login(officer)
        assert client.get("/staff/").status_code == 200
        traveller.shift(timedelta(minutes=31))
        response = client.get("/staff/?tab=1")
        assert response.status_code == 302
        location = urlsplit(response["Location"])
        assert location.path == reverse("account_login")
        assert parse_qs(location.query)["next"] == ["/staff/?tab=1"]
        assert SESSION_KEY not in client.session
        # Signed out for good: the next request is a visitor's.
        after = client.get("/staff/")
        assert after.status_code == 302
        assert urlsplit(after["Location"]).path == reverse("account_login")


def test_it_explains_the_idle_sign_out(client, db, settings):
    settings.STAFF_IDLE_TIMEOUT_MINUTES = 30
    with time_machine.travel(START, tick=False) as traveller:
        client.force_login(OfficerFactory())
        client.get("/staff/")
        traveller.shift(timedelta(minutes=45))
        response = client.get("/staff/", follow=True)
        assert "signed out after a period of inactivity" in response.content.decode()


def test_it_keeps_active_staff_signed_in(client, db, settings):
    settings.STAFF_IDLE_TIMEOUT_MINUTES = 30
    with time_machine.travel(START, tick=False) as traveller:
        client.force_login(OfficerFactory())
        for _step in range(6):  # two and a half hours, never idle for 30 minutes
            assert client.get("/staff/").status_code == 200
            traveller.shift(timedelta(minutes=25))
        assert client.get("/staff/").status_code == 200


def test_it_signs_staff_out_just_after_the_timeout_not_before(client, db, settings):
    settings.STAFF_IDLE_TIMEOUT_MINUTES = 30
    with time_machine.travel(START, tick=False) as traveller:
        client.force_login(OfficerFactory())
        client.get("/staff/")
        traveller.shift(timedelta(minutes=30))
        assert client.get("/staff/").status_code == 200
        traveller.shift(timedelta(minutes=30, seconds=1))
        assert client.get("/staff/").status_code == 302


def test_it_honours_the_timeout_setting(client, db, settings):
    settings.STAFF_IDLE_TIMEOUT_MINUTES = 5
    with time_machine.travel(START, tick=False) as traveller:
        client.force_login(AdministratorFactory())
        client.get("/staff/")
        traveller.shift(timedelta(minutes=6))
        assert client.get("/staff/").status_code == 302


def test_it_times_out_staff_on_public_pages_too(client, db, settings):
    settings.STAFF_IDLE_TIMEOUT_MINUTES = 30
    with time_machine.travel(START, tick=False) as traveller:
        client.force_login(OfficerFactory())
        client.get("/")
        traveller.shift(timedelta(hours=2))
        response = client.get("/officers/")
        assert response.status_code == 302
        assert SESSION_KEY not in client.session


def test_it_never_times_out_residents(client, db, settings):
    settings.STAFF_IDLE_TIMEOUT_MINUTES = 30
    resident = UserFactory()
    with time_machine.travel(START, tick=False) as traveller:
        client.force_login(resident)
        assert client.get("/account/").status_code == 200
        traveller.shift(timedelta(days=3))
        assert client.get("/account/").status_code == 200
        assert LAST_SEEN_KEY not in client.session


def test_it_writes_the_last_seen_time_at_most_once_a_minute(client, db, settings):
    with time_machine.travel(START, tick=False) as traveller:
        client.force_login(OfficerFactory())
        client.get("/staff/")
        first = client.session[LAST_SEEN_KEY]
        traveller.shift(timedelta(seconds=30))
        client.get("/staff/")
        assert client.session[LAST_SEEN_KEY] == first
        traveller.shift(timedelta(seconds=31))
        client.get("/staff/")
        assert client.session[LAST_SEEN_KEY] == first + 61


# --- The Django admin's own sign-in form -------------------------------------------------------


def test_it_sends_the_admin_sign_in_to_allauth(client, db):
    response = client.get("/admin/login/?next=/admin/portal/district/")
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == reverse("account_login")
    assert parse_qs(location.query)["next"] == ["/admin/portal/district/"]


def test_it_never_signs_anyone_in_with_the_admins_password_only_form(client, db):
    admin = AdministratorFactory()
    response = client.post("/admin/login/", {"username": admin.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == reverse("account_login")
    assert SESSION_KEY not in client.session


def test_it_ignores_an_offsite_next_on_the_admin_sign_in(client, db):
    response = client.get("/admin/login/?next=https://evil.example/")
    assert parse_qs(urlsplit(response["Location"]).query)["next"] == [reverse("admin:index")]


def test_it_forbids_the_admin_sign_in_to_signed_in_people_without_the_back_office(client, db):
    client.force_login(ResidentFactory())
    assert client.get("/admin/login/?next=/admin/").status_code == 403
    client.force_login(OfficerFactory())
    assert client.get("/es/admin/login/").status_code == 403


def test_it_sends_a_signed_in_administrator_on_from_the_admin_sign_in(client, db):
    client.force_login(AdministratorFactory())
    response = client.get("/admin/login/?next=/admin/portal/district/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/portal/district/"
