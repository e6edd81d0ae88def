"""Subscribing in a real browser, with axe on every page on the way, in English and in Spanish:
subscribe → confirm from the email → an administrator publishes → the progress reaches 100 % →
the subscriber's email arrives with a working one-click unsubscribe."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import Page, expect

from portal.models import OutboxMessage
from tests.browser.helpers import assert_fits_a_phone, assert_no_axe_violations, latest_mail_to, link_in
from tests.factories import AdministratorFactory, DistrictFactory
from tests.transparency.factories import UpdateFactory
from transparency.models import Category, Subscriber


def check(page: Page, where: str) -> None:
    page.wait_for_load_state()
    assert_no_axe_violations(page, where=f"{where} ({page.url})")


def on_site(site: str, url: str) -> str:
    """An emailed link (SITE_URL) opened on the live server."""
    assert url.startswith(settings.SITE_URL), url
    return site + url[len(settings.SITE_URL) :]


def test_it_subscribes_confirms_delivers_and_unsubscribes_in_one_click(page: Page, site, sign_in_as, context):
    DistrictFactory(name="East Riverside")

    # Subscribe: a bad address first, then a good one.
    page.goto(f"{site}{reverse('transparency:subscribe')}")
    check(page, "subscribe form")
    assert_fits_a_phone(page)
    page.get_by_label("Your email address").fill("someone@mailinator.com")
    page.get_by_text("Safety alert", exact=True).click()
    page.get_by_role("button", name="Email me a link to confirm").click()
    expect(page.locator("main")).to_contain_text("temporary (disposable) email address")
    check(page, "subscribe form with errors")

    page.get_by_label("Your email address").fill("neighbour@example.org")
    page.get_by_role("button", name="Email me a link to confirm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    check(page, "check your email page")
    assert Subscriber.objects.get().confirmed_at is None

    # Confirm from the email.
    subject, body = latest_mail_to("neighbour@example.org")
    assert "Confirm your subscription" in subject
    confirm_url = link_in(body, containing="/transparency/subscribe/confirm/")
    assert confirm_url
    page.goto(on_site(site, confirm_url))
    check(page, "confirm page")
    page.get_by_role("button", name="Confirm my subscription").click()
    expect(page.locator("main")).to_contain_text("You are subscribed")
    check(page, "manage page")
    assert Subscriber.objects.get().is_active

    # An administrator publishes a safety alert; the progress reaches 100 %.
    update = UpdateFactory(category=Category.SAFETY_ALERT, title="Flooding on River Road")
    sign_in_as(AdministratorFactory())
    page.goto(f"{site}{reverse('transparency:staff-publish', kwargs={'pk': update.pk})}")
    page.get_by_text("Publish now").click()
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".portal-fanout")).to_contain_text("1 of 1 emails were sent")
    expect(page.locator("progress.portal-progress")).to_have_attribute("value", "1")
    check(page, "published update with its fan-out report")
    page.goto(f"{site}{reverse('transparency:staff-progress', kwargs={'pk': update.pk})}")
    expect(page.locator("label[for^=fanout-bar]")).to_contain_text("100%")
    check(page, "progress page")

    # The subscriber's email, with its one-click unsubscribe.
    context.clear_cookies()
    row = OutboxMessage.objects.get(batch_key=f"update:{update.pk}")
    assert row.status == OutboxMessage.Status.SENT
    assert row.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe_url = row.headers["List-Unsubscribe"].strip("<>")
    subject, body = latest_mail_to("neighbour@example.org")
    assert "Flooding on River Road" in subject
    assert link_in(body, containing="/transparency/subscriptions/")
    page.goto(on_site(site, unsubscribe_url))
    assert not urlsplit(page.url).path.startswith("/es/")
    check(page, "one-click unsubscribe page")
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You are unsubscribed")
    check(page, "unsubscribed page")
    assert Subscriber.objects.get().unsubscribed_at is not None


def test_it_works_in_spanish(page: Page, site):
    with translation.override("es"):
        subscribe_url = reverse("transparency:subscribe")
    page.goto(f"{site}{subscribe_url}")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    check(page, "Spanish subscribe form")
    page.locator("input[type=email]").fill("vecina@example.org")
    page.locator("label[for=id_categories_0]").click()  # the first kind: safety alerts
    page.locator("label[for=id_language_1]").click()  # Spanish
    page.locator("form.portal-form button[type=submit]").click()
    page.wait_for_url("**/es/transparency/subscribe/sent/")
    check(page, "Spanish check your email page")

    row = OutboxMessage.objects.get(to="vecina@example.org")
    assert row.language == "es"
    page.goto(on_site(site, row.context["confirm_url"]))
    expect(page.locator("html")).to_have_attribute("lang", "es")
    check(page, "Spanish confirm page")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/es/transparency/subscriptions/**")
    check(page, "Spanish manage page")

    subscriber = Subscriber.objects.get()
    assert subscriber.is_active
    from transparency.services.subscriptions import subscriber_unsubscribe_url

    page.goto(on_site(site, subscriber_unsubscribe_url(subscriber=subscriber)))
    expect(page.locator("html")).to_have_attribute("lang", "es")
    check(page, "Spanish one-click unsubscribe page")
    page.locator("main form button[type=submit]").click()
    check(page, "Spanish unsubscribed page")
    subscriber.refresh_from_db()
    assert subscriber.unsubscribed_at is not None

    # A wrong link: a clear 404 page, in Spanish too.
    with translation.override("es"):
        wrong = reverse("transparency:manage", kwargs={"token": "not-a-real-token"})
    response = page.goto(f"{site}{wrong}")
    assert response.status == 404
    check(page, "Spanish broken link page")
