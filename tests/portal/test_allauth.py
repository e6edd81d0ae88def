"""allauth as configured: sign-up with verification, sign-in by password or code, password reset,
rate limits, bad input, two-factor for staff, and the USWDS look of its pages."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.urls import reverse

from portal.models import OutboxMessage, User
from tests.factories import DEFAULT_PASSWORD, TOTP_SECRET, OfficerFactory, ResidentFactory

NEW_PASSWORD = "a-brand-new-passphrase-42"
URL = re.compile(r"https?://[^\s<>\"]+")


def totp_code(secret: str = TOTP_SECRET) -> str:
    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))


def links_in(message: mail.EmailMessage) -> list[str]:
    return URL.findall(message.body)


def input_tag(html: str, element_id: str) -> str:
    match = re.search(rf'<input[^>]*id="{element_id}"[^>]*>', html)
    assert match, f"no <input id={element_id}>"
    return match.group(0)


def signed_in_user_id(client) -> str | None:
    return client.session.get(SESSION_KEY)


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    """Run the outbox's send task (eager Celery) when each request's transaction commits."""

    def run(func, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return func(*args, **kwargs)

    return run


# --- Sign-up and email verification ------------------------------------------------------------


def test_it_signs_up_verifies_the_email_and_signs_in(db, client, mailoutbox, capture):
    response = capture(
        client.post,
        reverse("account_signup"),
        {"email": "New.Person@Example.org", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email="new.person@example.org")
    assert not EmailAddress.objects.get(user=user).verified
    assert signed_in_user_id(client) is None  # mandatory verification: not signed in yet

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["new.person@example.org"]
    assert OutboxMessage.objects.get(to="new.person@example.org").status == OutboxMessage.Status.SENT
    confirm_url = next(link for link in links_in(message) if "/accounts/confirm-email/" in link)
    path = confirm_url.split("testserver", 1)[1]

    page = client.get(path)
    assert page.status_code == 200
    assert b"usa-button" in page.content
    response = client.post(path)
    assert response.status_code == 302
    assert EmailAddress.objects.get(user=user).verified
    assert signed_in_user_id(client) == str(user.pk)
    assert client.get(reverse("portal:account")).status_code == 200


def test_it_refuses_to_sign_in_before_the_email_is_verified(db, client, capture):
    capture(
        client.post,
        reverse("account_signup"),
        {"email": "unverified@example.org", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    client.logout()
    response = capture(
        client.post, reverse("account_login"), {"login": "unverified@example.org", "password": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert signed_in_user_id(client) is None


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"email": "x" * 250 + "@example.org", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
            "email",
            "at most 254 characters",
        ),
        (
            {"email": "mismatch@example.org", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD + "x"},
            "password2",
            "",
        ),
        ({"email": "not-an-email", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}, "email", ""),
        ({"email": "short@example.org", "password1": "abc", "password2": "abc"}, "password1", ""),
        ({"email": "long@example.org", "password1": "p" * 5000, "password2": "p" * 5000}, "password1", "at most"),
        ({}, "email", ""),
    ],
    ids=["over-long email", "mismatched passwords", "invalid email", "weak password", "huge password", "empty"],
)
def test_it_answers_bad_sign_up_input_with_a_linked_form_error(db, client, data, field, message):
    response = client.post(reverse("account_signup"), data)
    assert response.status_code == 200  # allauth re-shows the form; never a 500
    form = response.context["form"]
    assert form.errors.get(field), form.errors
    html = response.content.decode()
    assert "There is a problem" in html  # the summary above the form
    assert f'<span class="usa-error-message" id="id_{field}_error">' in html
    control = input_tag(html, f"id_{field}")
    assert "usa-input--error" in control
    assert 'aria-invalid="true"' in control
    assert re.search(rf'aria-describedby="[^"]*id_{field}_error', control)
    if message:
        assert message in html
    assert not User.objects.exists()


def test_it_styles_the_sign_in_page_with_uswds(db, client):
    response = client.get(reverse("account_login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="usa-form' in html
    assert 'class="usa-label' in html
    assert 'class="usa-input' in html
    assert 'class="usa-button' in html
    assert '<label class="usa-label" for="id_login">' in html
    assert reverse("account_reset_password") in html
    assert reverse("account_request_login_code") in html
    assert "<h1>" in html


def test_it_serves_the_sign_in_page_in_spanish(db, client):
    response = client.get("/es/accounts/login/")
    assert response.status_code == 200
    assert 'lang="es"' in response.content.decode()


# --- Sign-in by password, by code, and rate limits --------------------------------------------


def test_it_signs_in_with_email_and_password(db, client):
    resident = ResidentFactory()
    response = client.post(reverse("account_login"), {"login": resident.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert signed_in_user_id(client) == str(resident.pk)


def test_it_signs_in_with_an_emailed_code(db, client, mailoutbox, capture):
    resident = ResidentFactory()
    response = capture(client.post, reverse("account_request_login_code"), {"email": resident.email})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_confirm_login_code")
    assert len(mailoutbox) == 1
    code = OutboxMessage.objects.get(to=resident.email, template="account/email/login_code").context["code"]
    assert code in mailoutbox[0].body

    response = client.post(reverse("account_confirm_login_code"), {"code": code})
    assert response.status_code == 302
    assert signed_in_user_id(client) == str(resident.pk)


def test_it_refuses_a_wrong_sign_in_code(db, client, capture):
    resident = ResidentFactory()
    capture(client.post, reverse("account_request_login_code"), {"email": resident.email})
    response = client.post(reverse("account_confirm_login_code"), {"code": "WRONG-CODE"})
    assert response.status_code == 200
    assert "usa-error-message" in response.content.decode()
    assert signed_in_user_id(client) is None


def test_it_locks_out_after_repeated_failed_sign_ins_with_a_clear_message(db, client):
    resident = ResidentFactory()
    for _attempt in range(5):
        response = client.post(reverse("account_login"), {"login": resident.email, "password": "wrong-password"})
        assert response.status_code == 200
        assert "not correct" in response.content.decode()
    # Even the right password is refused while locked out.
    response = client.post(reverse("account_login"), {"login": resident.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Too many failed login attempts" in html
    assert "usa-alert--error" in html
    assert signed_in_user_id(client) is None


def test_it_answers_an_over_long_login_with_a_form_error(db, client):
    response = client.post(reverse("account_login"), {"login": "a" * 5000 + "@example.org", "password": "x" * 5000})
    assert response.status_code == 200
    assert response.context["form"].errors


# --- Password reset ----------------------------------------------------------------------------


def test_it_resets_a_forgotten_password(db, client, mailoutbox, capture):
    resident = ResidentFactory()
    response = capture(client.post, reverse("account_reset_password"), {"email": resident.email})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    reset_url = next(link for link in links_in(mailoutbox[0]) if "/accounts/password/reset/key/" in link)
    response = client.get(reset_url.split("testserver", 1)[1])
    assert response.status_code == 302  # allauth moves the key into the session
    set_password_url = response["Location"]
    assert client.get(set_password_url).status_code == 200

    response = client.post(set_password_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.check_password(NEW_PASSWORD)
    client.logout()
    client.post(reverse("account_login"), {"login": resident.email, "password": NEW_PASSWORD})
    assert signed_in_user_id(client) == str(resident.pk)


def test_it_shows_a_clear_page_for_a_bad_reset_link(db, client):
    resident = ResidentFactory()
    response = client.get(
        reverse("account_reset_password_from_key", kwargs={"uidb36": "zz", "key": "not-a-real-key"}), follow=True
    )
    assert response.status_code == 200
    assert b"invalid" in response.content
    assert ResidentFactory._meta.model.objects.get(pk=resident.pk).check_password(DEFAULT_PASSWORD)


def test_it_does_not_reveal_whether_an_address_has_an_account(db, client, mailoutbox, capture):
    response = capture(client.post, reverse("account_reset_password"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_done")


# --- Two-factor sign-in for staff --------------------------------------------------------------


def test_it_asks_staff_with_two_factor_for_a_code_at_sign_in(db, client):
    officer = OfficerFactory()
    response = client.post(reverse("account_login"), {"login": officer.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert signed_in_user_id(client) is None

    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert wrong.status_code == 200
    assert "usa-error-message" in wrong.content.decode()

    response = client.post(reverse("mfa_authenticate"), {"code": totp_code()})
    assert response.status_code == 302
    assert signed_in_user_id(client) == str(officer.pk)
    assert client.get(reverse("portal:staff-home")).status_code == 200


def test_it_walks_a_new_staff_member_through_authenticator_setup(db, client):
    officer = OfficerFactory(mfa=False)
    client.post(reverse("account_login"), {"login": officer.email, "password": DEFAULT_PASSWORD})
    assert signed_in_user_id(client) == str(officer.pk)

    # Any staff page sends them to set up an authenticator app, which first asks for the password.
    response = client.get(reverse("portal:staff-home"), follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[0][0] == reverse("mfa_activate_totp")
    activate = client.get(reverse("mfa_activate_totp"))
    if activate.status_code == 302:  # reauthentication first
        client.post(activate["Location"], {"password": DEFAULT_PASSWORD})
        activate = client.get(reverse("mfa_activate_totp"))
    assert activate.status_code == 200
    html = activate.content.decode()
    assert "Set up two-factor sign-in" in html
    assert 'alt="QR code' in html
    secret = activate.context["form"].secret

    bad = client.post(reverse("mfa_activate_totp"), {"code": "123"})
    assert bad.status_code == 200
    assert 'id="id_code_error"' in bad.content.decode()

    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=officer, type=Authenticator.Type.TOTP).exists()
    codes = client.get(response["Location"])
    assert codes.status_code == 200
    assert Authenticator.objects.filter(user=officer, type=Authenticator.Type.RECOVERY_CODES).exists()
    assert client.get(reverse("portal:staff-home")).status_code == 200


def test_it_styles_the_two_factor_pages(db, client):
    officer = OfficerFactory()
    client.force_login(officer)
    response = client.get(reverse("mfa_index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "usa-card" in html
    assert "usa-breadcrumb" in html
    assert reverse("portal:account") in html


def test_it_lets_staff_who_lost_their_phone_sign_in_once_with_a_recovery_code(db, client):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    officer = OfficerFactory()
    code = RecoveryCodes.activate(officer).get_unused_codes()[0]
    client.post(reverse("account_login"), {"login": officer.email, "password": DEFAULT_PASSWORD})
    response = client.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 302
    assert signed_in_user_id(client) == str(officer.pk)

    client.logout()
    client.post(reverse("account_login"), {"login": officer.email, "password": DEFAULT_PASSWORD})
    reused = client.post(reverse("mfa_authenticate"), {"code": code})
    assert reused.status_code == 200
    assert signed_in_user_id(client) is None


def test_it_shows_the_recovery_codes_page(db, client):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    officer = OfficerFactory()
    codes = RecoveryCodes.activate(officer).get_unused_codes()
    client.force_login(officer)
    response = client.get(reverse("mfa_view_recovery_codes"))
    if response.status_code == 302:  # reauthentication first
        client.post(response["Location"], {"password": DEFAULT_PASSWORD})
        response = client.get(reverse("mfa_view_recovery_codes"))
    assert response.status_code == 200
    html = response.content.decode()
    assert codes[0] in html
    assert '<label class="usa-label" for="recovery_codes">' in html


def test_it_mails_a_person_who_signs_up_in_spanish_in_spanish(db, client, mailoutbox, capture):
    capture(
        client.post,
        "/es" + reverse("account_signup"),
        {"email": "persona@example.org", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    user = User.objects.get(email="persona@example.org")
    assert user.language == "es"
    assert OutboxMessage.objects.get(to="persona@example.org").language == "es"
    assert "confirme su dirección de correo electrónico" in mailoutbox[0].subject
