"""Staff over time: the services (each recorded with who and when) and the /staff/ pages."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from portal.models import OfficerProfile, OutboxMessage, SitePage, StaffAuditEntry, User
from portal.roles import Role, is_administrator, is_investigator, is_officer, roles_of
from portal.staff import (
    site_page_update,
    staff_change_role,
    staff_deactivate,
    staff_invite,
    staff_link_officer,
    staff_reactivate,
    staff_reset_mfa,
)
from tests.factories import (
    DEFAULT_PASSWORD,
    AdministratorFactory,
    InvestigatorFactory,
    OfficerFactory,
    OfficerProfileFactory,
    ResidentFactory,
)

NEW_PASSWORD = "a-brand-new-passphrase-42"
Action = StaffAuditEntry.Action


@pytest.fixture
def admin(db):
    return AdministratorFactory()


def signed_in_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- staff_invite ------------------------------------------------------------------------------


def test_it_invites_a_staff_member_with_a_role_and_a_verified_address(admin):
    user = staff_invite(email="New.Officer@Example.org", role=Role.OFFICER, actor=admin)
    assert user.email == "new.officer@example.org"
    assert not user.has_usable_password()
    assert user.is_active
    assert not user.is_staff
    assert roles_of(user) == {Role.OFFICER}
    address = EmailAddress.objects.get(user=user)
    assert address.verified
    assert address.primary
    entry = StaffAuditEntry.objects.get(subject=user)
    assert (entry.actor, entry.action) == (admin, Action.INVITE)
    assert entry.detail["role"] == "officer"


def test_it_gives_an_invited_administrator_the_back_office(admin):
    user = staff_invite(email="boss@example.org", role="administrator", actor=admin)
    assert user.is_staff
    assert is_administrator(user)


def test_it_links_an_invited_officer_to_their_profile(admin):
    profile = OfficerProfileFactory()
    user = staff_invite(email="linked@example.org", role=Role.OFFICER, officer_profile=profile, actor=admin)
    profile.refresh_from_db()
    assert profile.user == user


def test_it_emails_the_invitation_with_a_working_set_password_link(admin, client, mailoutbox, settings):
    settings.SITE_URL = "https://portal.example.gov"
    user = staff_invite(email="invitee@example.org", role=Role.INVESTIGATOR, actor=admin)
    message = OutboxMessage.objects.get(dedupe_key=f"portal.staff.invite:{user.pk}")
    assert message.to == "invitee@example.org"
    assert message.template == "portal/email/staff_invitation"
    invite_url = message.context["invite_url"]
    assert invite_url.startswith("https://portal.example.gov/accounts/password/reset/key/")

    from portal.outbox import outbox_deliver

    outbox_deliver(message_ids=[message.pk])
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert invite_url in email.body
    assert "Investigator" in email.body
    assert "two-factor" in email.body
    assert "staff" in email.subject
    assert invite_url in email.alternatives[0][0]

    # The link is allauth's own: it lets the invitee choose a password.
    response = client.get(invite_url.removeprefix("https://portal.example.gov"))
    assert response.status_code == 302
    set_password_url = response["Location"]
    response = client.post(set_password_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    # The link works once.
    again = client.get(invite_url.removeprefix("https://portal.example.gov"), follow=True)
    assert b"invalid" in again.content


def test_it_sends_the_invitation_once_the_invite_commits(admin, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        staff_invite(email="queued@example.org", role=Role.OFFICER, actor=admin)
    assert [m.to for m in mailoutbox] == [["queued@example.org"]]


def test_it_builds_the_invitation_link_in_the_invitees_language(admin):
    with translation.override("es"):
        user = staff_invite(email="inv@example.org", role=Role.OFFICER, actor=admin)
    message = OutboxMessage.objects.get(to=user.email)
    assert "/es/" not in message.context["invite_url"]
    assert message.language == "en"


@pytest.mark.parametrize("email", ["existing@example.org", "EXISTING@example.org"])
def test_it_refuses_to_invite_an_address_that_has_an_account(admin, email):
    ResidentFactory(email="existing@example.org")
    with pytest.raises(ValidationError) as exc:
        staff_invite(email=email, role=Role.OFFICER, actor=admin)
    assert exc.value.code == "email_taken"
    assert not StaffAuditEntry.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_it_refuses_to_invite_an_address_another_account_has_added(admin):
    other = ResidentFactory()
    EmailAddress.objects.create(user=other, email="second@example.org", verified=True)
    with pytest.raises(ValidationError) as exc:
        staff_invite(email="second@example.org", role=Role.OFFICER, actor=admin)
    assert exc.value.code == "email_taken"


@pytest.mark.parametrize(
    ("email", "role", "code"),
    [
        ("a" * 250 + "@example.org", Role.OFFICER, "email_too_long"),
        ("not-an-email", Role.OFFICER, "invalid"),
        ("fine@example.org", "chief", "invalid_role"),
    ],
)
def test_it_refuses_bad_invitations(admin, email, role, code):
    with pytest.raises(ValidationError) as exc:
        staff_invite(email=email, role=role, actor=admin)
    assert exc.value.code == code
    assert User.objects.count() == 1


def test_it_refuses_an_invitation_to_a_linked_profile_and_creates_nobody(admin):
    profile = OfficerProfileFactory(user=OfficerFactory())
    with pytest.raises(ValidationError) as exc:
        staff_invite(email="late@example.org", role=Role.OFFICER, officer_profile=profile, actor=admin)
    assert exc.value.code == "profile_taken"
    assert not User.objects.filter(email="late@example.org").exists()


@pytest.mark.parametrize("factory", [ResidentFactory, OfficerFactory, InvestigatorFactory])
def test_it_lets_only_administrators_invite(db, factory):
    with pytest.raises(PermissionDenied):
        staff_invite(email="x@example.org", role=Role.OFFICER, actor=factory())


# --- staff_link_officer ------------------------------------------------------------------------


def test_it_links_a_staff_member_to_an_officer_profile_and_records_it(admin):
    officer = OfficerFactory()
    profile = OfficerProfileFactory()
    staff_link_officer(user=officer, officer_profile=profile, actor=admin)
    profile.refresh_from_db()
    assert profile.user == officer
    entry = StaffAuditEntry.objects.get(subject=officer)
    assert entry.action == Action.LINK_OFFICER
    assert entry.detail == {"officer_profile": profile.pk, "previous": None}


def test_it_moves_a_link_to_another_profile_keeping_one_profile_per_person(admin):
    officer = OfficerFactory()
    first, second = OfficerProfileFactory(user=officer), OfficerProfileFactory()
    staff_link_officer(user=officer, officer_profile=second, actor=admin)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.user is None
    assert second.user == officer


def test_it_unlinks_a_profile(admin):
    officer = OfficerFactory()
    profile = OfficerProfileFactory(user=officer)
    staff_link_officer(user=officer, officer_profile=None, actor=admin)
    profile.refresh_from_db()
    assert profile.user is None
    assert StaffAuditEntry.objects.get(subject=officer).detail == {"officer_profile": None, "previous": profile.pk}


def test_it_refuses_a_profile_linked_to_someone_else(admin):
    profile = OfficerProfileFactory(user=OfficerFactory())
    with pytest.raises(ValidationError) as exc:
        staff_link_officer(user=OfficerFactory(), officer_profile=profile, actor=admin)
    assert exc.value.code == "profile_taken"


def test_it_refuses_to_link_a_resident(admin):
    with pytest.raises(ValidationError) as exc:
        staff_link_officer(user=ResidentFactory(), officer_profile=OfficerProfileFactory(), actor=admin)
    assert exc.value.code == "not_staff"


def test_it_records_nothing_when_the_link_does_not_change(admin):
    officer = OfficerFactory()
    profile = OfficerProfileFactory(user=officer)
    staff_link_officer(user=officer, officer_profile=profile, actor=admin)
    assert not StaffAuditEntry.objects.exists()


# --- staff_change_role -------------------------------------------------------------------------


def test_it_changes_a_role_and_the_back_office_flag(admin):
    officer = OfficerFactory()
    staff_change_role(user=officer, role=Role.ADMINISTRATOR, actor=admin)
    officer = User.objects.get(pk=officer.pk)
    assert roles_of(officer) == {Role.ADMINISTRATOR}
    assert officer.is_staff
    staff_change_role(user=officer, role=Role.INVESTIGATOR, actor=admin)
    officer = User.objects.get(pk=officer.pk)
    assert roles_of(officer) == {Role.INVESTIGATOR}
    assert not officer.is_staff
    actions = list(StaffAuditEntry.objects.filter(subject=officer).values_list("detail", flat=True))
    assert {"from": ["administrator"], "to": "investigator"} in actions


def test_it_refuses_to_change_your_own_role(admin):
    with pytest.raises(PermissionDenied):
        staff_change_role(user=admin, role=Role.OFFICER, actor=admin)
    assert is_administrator(User.objects.get(pk=admin.pk))


# --- staff_deactivate / staff_reactivate -------------------------------------------------------


def test_it_deactivates_a_staff_member_and_records_it(admin):
    officer = OfficerFactory()
    staff_deactivate(user=officer, actor=admin)
    officer.refresh_from_db()
    assert not officer.is_active
    entry = StaffAuditEntry.objects.get(subject=officer)
    assert (entry.actor, entry.action) == (admin, Action.DEACTIVATE)
    # The role stays, for a reactivation.
    assert officer.groups.filter(name="officer").exists()


def test_it_ends_a_deactivated_members_sessions_at_once(admin):
    officer = OfficerFactory()
    officer_client = signed_in_client(officer)
    bystander = OfficerFactory()
    bystander_client = signed_in_client(bystander)
    assert officer_client.get(reverse("portal:staff-home")).status_code == 200

    staff_deactivate(user=officer, actor=admin)

    assert not Session.objects.filter(session_key=officer_client.session.session_key).exists()
    response = officer_client.get(reverse("portal:staff-home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    # Nobody else is signed out.
    assert bystander_client.get(reverse("portal:staff-home")).status_code == 200
    assert StaffAuditEntry.objects.get(subject=officer).detail == {"sessions_ended": 1}


def test_it_refuses_to_let_an_administrator_deactivate_themselves(admin):
    with pytest.raises(ValidationError) as exc:
        staff_deactivate(user=admin, actor=admin)
    assert exc.value.code == "self"
    admin.refresh_from_db()
    assert admin.is_active


def test_it_refuses_to_deactivate_twice_or_a_resident(admin):
    officer = OfficerFactory()
    staff_deactivate(user=officer, actor=admin)
    with pytest.raises(ValidationError) as exc:
        staff_deactivate(user=officer, actor=admin)
    assert exc.value.code == "already_inactive"
    with pytest.raises(ValidationError) as exc:
        staff_deactivate(user=ResidentFactory(), actor=admin)
    assert exc.value.code == "not_staff"


def test_it_reactivates_a_deactivated_member_with_their_role(admin, client):
    officer = OfficerFactory()
    staff_deactivate(user=officer, actor=admin)
    staff_reactivate(user=officer, actor=admin)
    officer = User.objects.get(pk=officer.pk)
    assert officer.is_active
    assert is_officer(officer)
    assert list(StaffAuditEntry.objects.filter(subject=officer).values_list("action", flat=True)) == [
        Action.REACTIVATE,
        Action.DEACTIVATE,
    ]
    response = client.post(reverse("account_login"), {"login": officer.email, "password": DEFAULT_PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")


def test_it_refuses_to_reactivate_an_active_member(admin):
    with pytest.raises(ValidationError) as exc:
        staff_reactivate(user=OfficerFactory(), actor=admin)
    assert exc.value.code == "already_active"


def test_it_refuses_a_deactivated_member_at_sign_in(admin, client):
    officer = OfficerFactory()
    staff_deactivate(user=officer, actor=admin)
    response = client.post(reverse("account_login"), {"login": officer.email, "password": DEFAULT_PASSWORD})
    assert SESSION_KEY not in client.session
    assert response.status_code == 302
    assert response["Location"] == reverse("account_inactive")
    assert client.get(response["Location"]).status_code == 200


# --- staff_reset_mfa ---------------------------------------------------------------------------


def test_it_resets_two_factor_ends_sessions_and_forces_setup_at_next_sign_in(admin):
    investigator = InvestigatorFactory()
    Authenticator.objects.create(user=investigator, type=Authenticator.Type.RECOVERY_CODES, data={"seed": "x"})
    investigator_client = signed_in_client(investigator)
    assert investigator_client.get(reverse("portal:staff-home")).status_code == 200

    staff_reset_mfa(user=investigator, actor=admin)

    assert not Authenticator.objects.filter(user=investigator).exists()
    assert investigator_client.get(reverse("portal:staff-home")).status_code == 302  # signed out
    entry = StaffAuditEntry.objects.get(subject=investigator)
    assert entry.action == Action.RESET_MFA
    assert entry.detail["removed"] == ["recovery_codes", "totp"]

    # Signing in again with the password alone, then sent to set up an authenticator app.
    fresh = Client()
    response = fresh.post(reverse("account_login"), {"login": investigator.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert fresh.session[SESSION_KEY] == str(investigator.pk)
    response = fresh.get(reverse("portal:staff-home"))
    assert response["Location"] == reverse("mfa_activate_totp")


def test_it_refuses_to_reset_your_own_two_factor_here(admin):
    with pytest.raises(ValidationError) as exc:
        staff_reset_mfa(user=admin, actor=admin)
    assert exc.value.code == "self"
    assert Authenticator.objects.filter(user=admin).exists()


@pytest.mark.parametrize(
    "service", [staff_deactivate, staff_reactivate, staff_reset_mfa], ids=["deactivate", "reactivate", "reset"]
)
@pytest.mark.parametrize("factory", [ResidentFactory, OfficerFactory, InvestigatorFactory])
def test_it_lets_only_administrators_change_staff_accounts(db, service, factory):
    subject = OfficerFactory()
    with pytest.raises(PermissionDenied):
        service(user=subject, actor=factory())
    assert not StaffAuditEntry.objects.exists()


def test_it_keeps_the_audit_trail_when_a_staff_account_is_gone_from_view(admin):
    officer = OfficerFactory()
    staff_deactivate(user=officer, actor=admin)
    staff_reactivate(user=officer, actor=admin)
    staff_reset_mfa(user=officer, actor=admin)
    assert StaffAuditEntry.objects.filter(subject=officer, actor=admin).count() == 3


# --- site_page_update --------------------------------------------------------------------------


def test_it_saves_a_site_page_in_both_languages(admin):
    page = site_page_update(
        slug="accessibility", title_en="Access", body_en="We aim for AA.", title_es="Acceso", body_es="AA.", actor=admin
    )
    assert page.updated_by == admin
    assert SitePage.objects.get(slug="accessibility").title_es == "Acceso"


def test_it_refuses_an_unknown_site_page_and_non_administrators(admin):
    with pytest.raises(ValidationError):
        site_page_update(slug="about", title_en="x", body_en="y", actor=admin)
    with pytest.raises(PermissionDenied):
        site_page_update(slug="privacy", title_en="x", body_en="y", actor=OfficerFactory())


# === Views ======================================================================================


STAFF_URLS_WITH_PK = [
    "portal:staff-detail",
    "portal:staff-link-officer",
    "portal:staff-deactivate",
    "portal:staff-reactivate",
    "portal:staff-reset-mfa",
]


def all_staff_urls(member: User) -> list[str]:
    return [
        reverse("portal:staff-home"),
        reverse("portal:staff-list"),
        reverse("portal:staff-invite"),
        reverse("portal:staff-page-edit", kwargs={"page": "privacy"}),
        *[reverse(name, kwargs={"pk": member.pk}) for name in STAFF_URLS_WITH_PK],
    ]


def test_it_sends_visitors_to_sign_in_from_every_staff_page(db, client):
    for url in all_staff_urls(OfficerFactory()):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("account_login")), url


def test_it_forbids_residents_every_staff_page(db, client):
    client.force_login(ResidentFactory())
    for url in all_staff_urls(OfficerFactory()):
        assert client.get(url).status_code == 403, url
        assert client.post(url, {}).status_code in (403, 405), url


@pytest.mark.parametrize("factory", [OfficerFactory, InvestigatorFactory])
def test_it_shows_officers_and_investigators_only_the_staff_home(db, client, factory):
    client.force_login(factory())
    urls = all_staff_urls(OfficerFactory())
    assert client.get(urls[0]).status_code == 200
    for url in urls[1:]:
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"email": "x@example.org", "role": "officer"}).status_code in (403, 405), url
    assert not User.objects.filter(email="x@example.org").exists()


def test_it_opens_every_staff_page_to_administrators(admin):
    client = signed_in_client(admin)
    member = OfficerFactory()
    for url in all_staff_urls(member):
        response = client.get(url)
        assert response.status_code == 200, url


@pytest.mark.parametrize("name", STAFF_URLS_WITH_PK)
def test_it_answers_404_for_an_unknown_or_non_staff_person(admin, name):
    client = signed_in_client(admin)
    assert client.get(reverse(name, kwargs={"pk": 999999})).status_code == 404
    assert client.get(reverse(name, kwargs={"pk": ResidentFactory().pk})).status_code == 404


def test_it_answers_404_for_an_unknown_site_page(admin):
    client = signed_in_client(admin)
    assert client.get(reverse("portal:staff-page-edit", kwargs={"page": "about-us"})).status_code == 404
    assert client.post(reverse("portal:staff-page-edit", kwargs={"page": "about-us"}), {}).status_code == 404


def test_it_links_each_role_to_what_it_can_do_from_the_staff_home(db, client):
    client.force_login(OfficerFactory())
    officer_page = client.get(reverse("portal:staff-home")).content.decode()
    assert reverse("portal:staff-list") not in officer_page
    client.force_login(AdministratorFactory())
    admin_page = client.get(reverse("portal:staff-home")).content.decode()
    assert reverse("portal:staff-list") in admin_page
    assert reverse("portal:staff-invite") in admin_page
    assert reverse("portal:staff-page-edit", kwargs={"page": "privacy"}) in admin_page
    assert reverse("admin:index") in admin_page


def test_it_shows_an_officer_their_linked_profile_on_the_staff_home(db, client):
    officer = OfficerFactory()
    profile = OfficerProfileFactory(user=officer)
    client.force_login(officer)
    assert profile.get_absolute_url() in client.get(reverse("portal:staff-home")).content.decode()


# --- Invite page -------------------------------------------------------------------------------


def test_it_invites_from_the_invite_page(admin, mailoutbox, django_capture_on_commit_callbacks):
    client = signed_in_client(admin)
    profile = OfficerProfileFactory()
    page = client.get(reverse("portal:staff-invite"))
    assert page.status_code == 200
    assert profile.full_name in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("portal:staff-invite"),
            {"email": "fresh@example.org", "role": "officer", "officer_profile": profile.pk},
        )
    user = User.objects.get(email="fresh@example.org")
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:staff-detail", kwargs={"pk": user.pk})
    assert len(mailoutbox) == 1
    follow = client.get(response["Location"])
    assert "Invitation sent to fresh@example.org" in follow.content.decode()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"email": "taken@example.org", "role": "officer"}, "email"),
        ({"email": "x" * 300 + "@example.org", "role": "officer"}, "email"),
        ({"email": "ok@example.org", "role": "chief"}, "role"),
        ({"email": "ok@example.org", "role": "officer", "officer_profile": "999999"}, "officer_profile"),
        ({"email": "ok@example.org", "role": "officer", "officer_profile": "not-a-number"}, "officer_profile"),
        ({}, "email"),
    ],
    ids=["taken", "over-long", "unknown role", "unknown profile", "bad profile", "empty"],
)
def test_it_answers_bad_invitations_with_a_400_and_a_linked_error(admin, data, field):
    ResidentFactory(email="taken@example.org")
    client = signed_in_client(admin)
    response = client.post(reverse("portal:staff-invite"), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert response.context["form"].errors.get(field)
    assert f'id="id_{field}_error"' in html
    assert "There is a problem" in html
    assert not User.objects.filter(email="ok@example.org").exists()


def test_it_does_not_offer_a_profile_that_is_already_linked(admin):
    linked = OfficerProfileFactory(user=OfficerFactory(), last_name="Linkedperson")
    client = signed_in_client(admin)
    assert linked.last_name not in client.get(reverse("portal:staff-invite")).content.decode()


# --- List page ---------------------------------------------------------------------------------


def test_it_lists_staff_with_role_status_and_two_factor(admin):
    OfficerFactory(first_name="Olive", last_name="Officer")
    former = InvestigatorFactory(first_name="Ivan", last_name="Former", mfa=False)
    former.is_active = False
    former.save(update_fields=["is_active"])
    ResidentFactory(first_name="Rita", last_name="Resident")
    client = signed_in_client(admin)
    response = client.get(reverse("portal:staff-list"))
    html = response.content.decode()
    assert "Olive Officer" in html
    assert "Ivan Former" in html
    assert "Rita Resident" not in html
    assert "Deactivated" in html
    assert "Investigator" in html
    assert "Not set up" in html


@pytest.mark.parametrize("n", [1, 30])
def test_it_keeps_the_staff_list_query_count_flat(admin, django_assert_num_queries, n):
    for i in range(n):
        member = OfficerFactory()
        if i % 2:
            OfficerProfileFactory(user=member)
    client = signed_in_client(admin)
    client.get(reverse("portal:staff-list"))  # the first request records the staff idle clock
    # session, user, the viewer's groups, the viewer's two-factor (middleware), count, the page of
    # people (officer profile and two-factor status joined in), their role groups.
    with django_assert_num_queries(7):
        response = client.get(reverse("portal:staff-list"))
    assert response.status_code == 200


def test_it_paginates_the_staff_list(admin):
    OfficerFactory.create_batch(30)
    client = signed_in_client(admin)
    first = client.get(reverse("portal:staff-list"))
    assert len(first.context["members"]) == 25
    second = client.get(reverse("portal:staff-list") + "?page=2")
    assert len(second.context["members"]) == 6
    assert client.get(reverse("portal:staff-list") + "?page=nonsense").status_code == 200
    assert client.get(reverse("portal:staff-list") + "?page=99999").status_code == 200


# --- Detail page -------------------------------------------------------------------------------


def test_it_shows_a_person_their_role_link_two_factor_and_history(admin):
    officer = OfficerFactory(first_name="Dana", last_name="Detail")
    profile = OfficerProfileFactory(first_name="Dana", last_name="Profile")
    staff_link_officer(user=officer, officer_profile=profile, actor=admin)
    client = signed_in_client(admin)
    response = client.get(reverse("portal:staff-detail", kwargs={"pk": officer.pk}))
    html = response.content.decode()
    assert "Dana Detail" in html
    assert "Dana Profile" in html
    assert "Officer" in html
    assert "Set up" in html
    assert "Linked to an officer profile" in html  # the audit trail
    assert reverse("portal:staff-deactivate", kwargs={"pk": officer.pk}) in html
    assert reverse("portal:staff-reset-mfa", kwargs={"pk": officer.pk}) in html


def test_it_changes_a_role_from_the_detail_page(admin):
    officer = OfficerFactory()
    client = signed_in_client(admin)
    url = reverse("portal:staff-detail", kwargs={"pk": officer.pk})
    response = client.post(url, {"role-role": "investigator"})
    assert response.status_code == 302
    assert is_investigator(User.objects.get(pk=officer.pk))
    bad = client.post(url, {"role-role": "chief"})
    assert bad.status_code == 400
    assert 'id="id_role-role_error"' in bad.content.decode()


def test_it_refuses_an_administrator_changing_their_own_role(admin):
    client = signed_in_client(admin)
    url = reverse("portal:staff-detail", kwargs={"pk": admin.pk})
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="role-role"' not in page.content.decode()
    assert client.post(url, {"role-role": "officer"}).status_code == 403
    assert is_administrator(User.objects.get(pk=admin.pk))


# --- Link officer page -------------------------------------------------------------------------


def test_it_links_an_officer_from_the_link_page(admin):
    officer = OfficerFactory()
    profile = OfficerProfileFactory()
    client = signed_in_client(admin)
    url = reverse("portal:staff-link-officer", kwargs={"pk": officer.pk})
    assert client.get(url).status_code == 200
    response = client.post(url, {"officer_profile": profile.pk})
    assert response.status_code == 302
    assert OfficerProfile.objects.get(pk=profile.pk).user == officer
    response = client.post(url, {"officer_profile": ""})
    assert response.status_code == 302
    assert OfficerProfile.objects.get(pk=profile.pk).user is None


def test_it_refuses_linking_a_profile_someone_else_holds(admin):
    taken = OfficerProfileFactory(user=OfficerFactory())
    officer = OfficerFactory()
    client = signed_in_client(admin)
    response = client.post(
        reverse("portal:staff-link-officer", kwargs={"pk": officer.pk}), {"officer_profile": taken.pk}
    )
    assert response.status_code == 400  # not among the choices
    assert OfficerProfile.objects.get(pk=taken.pk).user != officer


# --- Confirmation pages ------------------------------------------------------------------------


def test_it_confirms_then_deactivates_from_the_page(admin):
    officer = OfficerFactory()
    client = signed_in_client(admin)
    url = reverse("portal:staff-deactivate", kwargs={"pk": officer.pk})
    page = client.get(url)
    assert page.status_code == 200
    assert "Deactivate this account?" in page.content.decode()
    officer.refresh_from_db()
    assert officer.is_active  # a GET changes nothing
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:staff-detail", kwargs={"pk": officer.pk})
    officer.refresh_from_db()
    assert not officer.is_active
    assert "deactivated" in client.get(response["Location"]).content.decode()


def test_it_explains_that_administrators_cannot_deactivate_themselves(admin):
    client = signed_in_client(admin)
    url = reverse("portal:staff-deactivate", kwargs={"pk": admin.pk})
    page = client.get(url)
    assert page.status_code == 200
    assert "You cannot deactivate your own account" in page.content.decode()
    response = client.post(url)
    assert response.status_code == 400
    assert "You cannot deactivate your own account" in response.content.decode()
    admin.refresh_from_db()
    assert admin.is_active


def test_it_confirms_then_reactivates_from_the_page(admin):
    officer = OfficerFactory()
    staff_deactivate(user=officer, actor=admin)
    client = signed_in_client(admin)
    url = reverse("portal:staff-reactivate", kwargs={"pk": officer.pk})
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 302
    officer.refresh_from_db()
    assert officer.is_active
    again = client.post(url)
    assert again.status_code == 400
    assert "already active" in again.content.decode()


def test_it_confirms_then_resets_two_factor_from_the_page(admin):
    officer = OfficerFactory()
    client = signed_in_client(admin)
    url = reverse("portal:staff-reset-mfa", kwargs={"pk": officer.pk})
    assert client.get(url).status_code == 200
    assert Authenticator.objects.filter(user=officer).exists()
    assert client.post(url).status_code == 302
    assert not Authenticator.objects.filter(user=officer).exists()


def test_it_refuses_a_staff_action_without_a_csrf_token(admin):
    officer = OfficerFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)
    response = client.post(reverse("portal:staff-deactivate", kwargs={"pk": officer.pk}))
    assert response.status_code == 403
    assert "Your form expired" in response.content.decode() or "expired" in response.content.decode().lower()
    officer.refresh_from_db()
    assert officer.is_active


def test_it_refuses_unsupported_methods(admin):
    client = signed_in_client(admin)
    assert client.put(reverse("portal:staff-invite")).status_code == 405
    assert client.post(reverse("portal:staff-list")).status_code == 405
    assert client.post(reverse("portal:staff-home")).status_code == 405


# --- Site page editing -------------------------------------------------------------------------


def test_it_edits_a_site_page_in_both_languages(admin):
    client = signed_in_client(admin)
    url = reverse("portal:staff-page-edit", kwargs={"page": "privacy"})
    page = client.get(url)
    assert page.status_code == 200
    assert "What we collect" in page.content.decode()  # the default text, until first saved
    response = client.post(
        url, {"title_en": "Privacy", "body_en": "We keep little.", "title_es": "Privacidad", "body_es": "Poco."}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:privacy")
    saved = SitePage.objects.get(slug="privacy")
    assert (saved.title_es, saved.body_es, saved.updated_by) == ("Privacidad", "Poco.", admin)
    assert "We keep little." in client.get(reverse("portal:privacy")).content.decode()
    with translation.override("es"):
        spanish_url = reverse("portal:privacy")
    assert "Poco." in client.get(spanish_url).content.decode()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title_en": "", "body_en": "x"}, "title_en"),
        ({"title_en": "t" * 201, "body_en": "x"}, "title_en"),
        ({"title_en": "Title", "body_en": "b" * 20001}, "body_en"),
    ],
)
def test_it_answers_bad_site_page_input_with_a_400(admin, data, field):
    client = signed_in_client(admin)
    response = client.post(reverse("portal:staff-page-edit", kwargs={"page": "accessibility"}), data)
    assert response.status_code == 400
    assert f'id="id_{field}_error"' in response.content.decode()
    assert not SitePage.objects.filter(slug="accessibility").exists()


def test_it_shows_the_edit_link_on_the_page_only_to_administrators(admin, client):
    client.force_login(admin)
    edit = reverse("portal:staff-page-edit", kwargs={"page": "accessibility"})
    assert edit in client.get(reverse("portal:accessibility")).content.decode()
    client.force_login(OfficerFactory())
    assert edit not in client.get(reverse("portal:accessibility")).content.decode()


def test_it_shows_feature_apps_staff_home_cards_to_the_roles_they_choose(db, client):
    from portal.staff import staff_home_link_register, staff_home_link_unregister

    staff_home_link_register(
        "test-cases",
        title="My cases",
        description="Complaints assigned to you.",
        url_name="portal:officer-list",
        allowed=is_investigator,
    )
    try:
        client.force_login(InvestigatorFactory())
        assert "My cases" in client.get(reverse("portal:staff-home")).content.decode()
        client.force_login(OfficerFactory())
        assert "My cases" not in client.get(reverse("portal:staff-home")).content.decode()
    finally:
        staff_home_link_unregister("test-cases")
