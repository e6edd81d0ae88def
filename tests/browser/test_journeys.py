"""Journeys through the real pages: a resident signs up and browses in Spanish; a staff member
without two-factor is made to set it up before any staff page opens."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.urls import reverse
from playwright.sync_api import Page, expect

from portal.models import User
from tests.browser.helpers import assert_no_axe_violations, code_in, latest_mail_to, link_in, totp_code
from tests.factories import DEFAULT_PASSWORD, DistrictFactory, OfficerFactory, OfficerProfileFactory

NEW_PASSWORD = "a-long-and-unusual-passphrase-42"


def path_of(page: Page) -> str:
    return urlsplit(page.url).path


def submit(page: Page, field: str) -> None:
    """Submit the form holding `field` (by its name) with its own submit button."""
    form = page.locator("main form").filter(has=page.locator(f"[name='{field}']"))
    form.locator("[type=submit]").first.click()


def sign_in(page: Page, site: str, *, email: str, password: str) -> None:
    page.goto(f"{site}{reverse('account_login')}")
    page.locator("main [name='login']").fill(email)
    page.locator("main [name='password']").fill(password)
    submit(page, "password")
    page.wait_for_load_state()


def is_signed_in(page: Page) -> bool:
    return page.locator("form[action$='/accounts/logout/']").count() > 0


def test_it_signs_up_verifies_signs_in_and_browses_officers_in_spanish(page: Page, site: str):
    district = DistrictFactory(name="Riverside North")
    officer = OfficerProfileFactory(first_name="Ana", last_name="Reyes", district=district)
    OfficerProfileFactory(first_name="Sam", last_name="Okafor", district=district)
    email = "new.resident@example.org"

    # Sign up.
    page.goto(f"{site}{reverse('account_signup')}")
    page.locator("main [name='email']").fill(email)
    page.locator("main [name='password1']").fill(NEW_PASSWORD)
    page.locator("main [name='password2']").fill(NEW_PASSWORD)
    submit(page, "password2")
    page.wait_for_load_state()
    assert User.objects.filter(email=email).exists(), f"sign-up did not create the account (at {page.url})"
    assert_no_axe_violations(page, where=f"after sign-up {page.url}")

    # Verify the address with the link or the code from the outbox.
    _subject, text = latest_mail_to(email)
    link = link_in(text, containing="/confirm-email/")
    if link:
        page.goto(f"{site}{urlsplit(link).path}")
        assert_no_axe_violations(page, where=f"confirming the address {page.url}")
        submit_button = page.locator("main form [type=submit]")
        if submit_button.count():  # ACCOUNT_CONFIRM_EMAIL_ON_GET is off: confirm by a button
            submit_button.first.click()
            page.wait_for_load_state()
    else:
        code = code_in(text)
        assert code, f"the verification mail has neither a link nor a code:\n{text}"
        page.locator("main [name='code']").fill(code)
        submit(page, "code")
        page.wait_for_load_state()
    assert User.objects.get(email=email).emailaddress_set.filter(verified=True).exists()

    # Sign in, unless confirming did that already.
    if not is_signed_in(page):
        sign_in(page, site, email=email, password=NEW_PASSWORD)
    assert is_signed_in(page), f"not signed in after verifying (at {page.url})"

    # Switch to Spanish with the language switcher.
    page.goto(f"{site}{reverse('portal:account')}")
    page.get_by_role("link", name=re.compile(r"^español$", re.IGNORECASE)).first.click()
    page.wait_for_load_state()
    assert path_of(page).startswith("/es/"), f"the language switcher did not lead to /es/ (at {page.url})"
    expect(page.locator("html")).to_have_attribute("lang", "es")

    # Browse officers and open one.
    page.locator("header a[href='/es/officers/']").first.click()
    expect(page).to_have_url(f"{site}/es/officers/")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    page.get_by_role("link", name=re.compile(officer.full_name)).first.click()
    expect(page).to_have_url(f"{site}/es/officers/{officer.slug}/")
    expect(page.locator("h1")).to_contain_text(officer.full_name)
    assert_no_axe_violations(page)


def test_it_makes_a_staff_member_set_up_two_factor_before_the_staff_pages(page: Page, site: str):
    staff_member = OfficerFactory(mfa=False)
    staff_url = f"{site}{reverse('portal:staff-home')}"
    totp_path = reverse("mfa_activate_totp")

    sign_in(page, site, email=staff_member.email, password=DEFAULT_PASSWORD)
    page.goto(staff_url)
    landed = path_of(page)
    assert landed in {totp_path, reverse("account_reauthenticate")}, (
        f"a staff member without two-factor opened {staff_url} and landed on {page.url}, not the TOTP set-up"
    )

    # allauth asks for the password again before two-factor can be activated.
    if path_of(page) != totp_path:
        assert_no_axe_violations(page, where=f"reauthenticating {page.url}")
        page.locator("main [name='password']").fill(DEFAULT_PASSWORD)
        submit(page, "password")
        page.wait_for_load_state()
    assert path_of(page) == totp_path, f"expected the TOTP set-up page, at {page.url}"

    assert_no_axe_violations(page, where=f"two-factor set-up {page.url}")
    secret = page.locator("#authenticator_secret").input_value()
    assert re.fullmatch(r"[A-Z2-7]{16,}=*", secret), f"no TOTP secret shown on the set-up page: {secret!r}"
    page.locator("main [name='code']").fill(totp_code(secret))
    submit(page, "code")
    page.wait_for_load_state()
    assert path_of(page) != totp_path, "activating two-factor with a correct code did not succeed"
    assert staff_member.authenticator_set.filter(type="totp").exists()
    assert_no_axe_violations(page, where=f"after two-factor set-up {page.url}")

    response = page.goto(staff_url)
    assert response is not None
    assert response.status == 200, f"staff home answered {response.status} after two-factor set-up"
    assert path_of(page) == reverse("portal:staff-home")
