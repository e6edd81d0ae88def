import time
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.core.management import CommandError, call_command

from complaints.models import ComplaintOfficer
from portal import demo, roles
from portal.models import District, Language, OfficerProfile, SitePage, TrainingRecord, User


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def snapshot() -> dict:
    """Every row seed_demo makes, as plain values."""
    return {
        model.__name__: sorted(map(repr, model.objects.values()))
        for model in (Language, District, OfficerProfile, TrainingRecord, SitePage, User, EmailAddress, Authenticator)
    } | {
        "languages spoken": sorted(
            OfficerProfile.languages.through.objects.values_list("officerprofile_id", "language_id")
        ),
        "groups": sorted(User.groups.through.objects.values_list("user_id", "group_id")),
    }


@pytest.fixture
def debug_on(settings):
    settings.DEBUG = True


def test_it_refuses_to_run_with_debug_off(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="refuses to run with DEBUG off"):
        seed()
    assert not User.objects.exists()


def test_it_makes_the_directory_and_site_pages(db, debug_on):
    seed()
    assert set(Language.objects.values_list("code", flat=True)) >= {"en", "es", "vi", "zh-hans"}
    assert District.objects.count() == 4
    assert all(District.objects.values_list("description", flat=True))
    assert OfficerProfile.objects.count() == 16
    assert OfficerProfile.objects.filter(is_public=True).count() >= 15
    assert not OfficerProfile.objects.filter(rank="").exists()
    assert not OfficerProfile.objects.filter(training_records__isnull=True).exists()
    assert not OfficerProfile.objects.filter(languages__isnull=True).exists()
    for page in SitePage.objects.all():
        assert page.body_en
        assert page.body_es
        assert page.title_es


def test_it_makes_one_account_per_role(db, debug_on):
    seed()
    accounts = {user.email: user for user in User.objects.all()}
    assert set(accounts) == {
        "resident@example.org",
        "officer@example.org",
        "investigator@example.org",
        "admin@example.org",
    }
    assert roles.roles_of(accounts["resident@example.org"]) == frozenset()
    assert roles.is_officer(accounts["officer@example.org"])
    assert roles.is_investigator(accounts["investigator@example.org"])
    assert roles.is_administrator(accounts["admin@example.org"])
    assert accounts["admin@example.org"].is_staff
    assert not accounts["admin@example.org"].is_superuser
    assert OfficerProfile.objects.get(user=accounts["officer@example.org"]).slug == "ana-ruiz"
    for user in accounts.values():
        assert user.check_password(demo.DEMO_PASSWORD)
        assert EmailAddress.objects.filter(user=user, email=user.email, verified=True, primary=True).exists()
    mfa = get_mfa_adapter()
    assert not mfa.is_mfa_enabled(accounts["resident@example.org"])
    for email in ("officer@example.org", "investigator@example.org", "admin@example.org"):
        assert mfa.is_mfa_enabled(accounts[email], types=["totp"])


def test_it_prints_the_password_and_a_working_totp_secret(db, debug_on):
    output = seed()
    assert demo.DEMO_PASSWORD in output
    assert "resident@example.org" in output
    secret = next(line.split(":")[-1].strip() for line in output.splitlines() if "TOTP) secret" in line)
    # The first secret printed (the officer's) makes codes that account accepts.
    officer = User.objects.get(email="officer@example.org")
    authenticator = Authenticator.objects.get(user=officer, type=Authenticator.Type.TOTP)
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    assert TOTP(authenticator).validate_code(code)


def test_it_is_idempotent(db, debug_on):
    first_output = seed()
    before = snapshot()
    second_output = seed()
    assert snapshot() == before
    assert "nothing new to add" in second_output
    # The same secrets are printed again, so a person who set up their app can still read them.
    secrets = [line for line in first_output.splitlines() if "secret" in line]
    assert secrets == [line for line in second_output.splitlines() if "secret" in line]


def test_it_adds_only_what_is_missing(db, debug_on):
    seed()
    # The demo complaints name him (a protected link): unlink them so the profile can go.
    ComplaintOfficer.objects.filter(officer__slug="minh-nguyen").update(officer=None)
    OfficerProfile.objects.filter(slug="minh-nguyen").delete()
    User.objects.filter(email="resident@example.org").delete()
    output = seed()
    assert "added 1 officers" in output
    assert "1 accounts" in output
    assert OfficerProfile.objects.count() == 16
    assert User.objects.filter(email="resident@example.org").exists()


def test_it_leaves_an_edited_site_page_alone(db, debug_on):
    seed()
    SitePage.objects.filter(slug="privacy").update(body_en="Edited by an administrator.")
    seed()
    assert SitePage.objects.get(slug="privacy").body_en == "Edited by an administrator."


def test_it_shows_seeded_officers_at_once_in_a_cached_list(db, debug_on, client, django_capture_on_commit_callbacks):
    assert "Ana Ruiz" not in client.get("/officers/").content.decode()  # caches the empty list
    with django_capture_on_commit_callbacks(execute=True):
        seed()
    assert "Ana Ruiz" in client.get("/officers/").content.decode()


def test_it_runs_the_seeders_feature_apps_register(db, debug_on):
    calls = []

    def seed_events(*, report):
        calls.append(report)
        report.count("events", 3)

    demo.register("test-events", seed_events, order=1)
    try:
        output = seed()
    finally:
        demo._seeders.pop("test-events")
    assert len(calls) == 1
    assert "3 events" in output
