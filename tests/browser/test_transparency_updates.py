"""Updates in a real browser, with axe on every page on the way: an administrator writes an update
(with a Spanish version) and publishes it; a visitor reads it in English and in Spanish; an update
without a translation shows Spanish readers the English text with a notice."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.urls import reverse
from django.utils import translation
from playwright.sync_api import Page, expect

from tests.browser.helpers import assert_fits_a_phone, assert_no_axe_violations
from tests.factories import AdministratorFactory, DistrictFactory
from tests.transparency.factories import PublishedUpdateFactory
from transparency.models import Update


def check(page: Page, where: str) -> None:
    page.wait_for_load_state()
    assert_no_axe_violations(page, where=f"{where} ({page.url})")


def test_it_lets_an_administrator_publish_an_update_that_visitors_read_in_both_languages(
    page: Page, site, sign_in_as, context
):
    DistrictFactory(name="East Riverside")
    PublishedUpdateFactory(title="Older training news", category="training")
    sign_in_as(AdministratorFactory())

    # The staff list, then the form.
    page.goto(f"{site}{reverse('transparency:staff-list')}")
    check(page, "staff list")
    page.get_by_role("link", name="Write an update").click()
    check(page, "new update form")

    # Bad input first: no title → an error summary linked to the field.
    page.get_by_label("Summary").first.fill("Road closures this weekend.")
    page.get_by_role("button", name="Save as a draft").click()
    expect(page.locator(".portal-error-summary")).to_contain_text("Enter a title.")
    check(page, "new update form with errors")

    page.get_by_label("Title", exact=True).fill("Riverfront festival road closures")
    page.get_by_label("Category").select_option("safety_alert")
    page.get_by_label("Text", exact=True).fill(
        "## What is closed\n\n- Riverside Drive\n\n**Call 911 in an emergency.**"
    )
    page.get_by_text("East Riverside").click()
    page.get_by_label("Title in Spanish").fill("Cierres de calles por el festival")
    page.get_by_label("Summary in Spanish").fill("Cierres este fin de semana.")
    page.get_by_label("Text in Spanish").fill("## Qué está cerrado\n\n- Riverside Drive")
    page.get_by_role("button", name="Save as a draft").click()
    expect(page.locator("main")).to_contain_text("A draft: nobody else sees it")
    check(page, "draft's edit page")

    update = Update.objects.get(title="Riverfront festival road closures")
    assert update.status == Update.Status.DRAFT

    # Publish now.
    page.get_by_role("link", name="Publish", exact=True).click()
    check(page, "publish page")
    page.get_by_text("Publish now").click()
    page.get_by_role("button", name="Continue").click()
    assert urlsplit(page.url).path == reverse("transparency:staff-edit", kwargs={"pk": update.pk})
    expect(page.locator("main")).to_contain_text("Emails to subscribers")
    check(page, "published update's staff page")
    update.refresh_from_db()
    assert update.status == Update.Status.PUBLISHED

    # The correction form.
    page.get_by_role("link", name="Correct this update").click()
    check(page, "correction form")

    # A visitor: the list, the update in English, then in Spanish.
    context.clear_cookies()
    page.goto(f"{site}{reverse('transparency:list')}")
    check(page, "public list")
    assert_fits_a_phone(page)
    page.get_by_role("link", name="Riverfront festival road closures").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Riverfront festival road closures")
    expect(page.locator("main")).to_contain_text("Call 911 in an emergency.")
    check(page, "update in English")
    assert_fits_a_phone(page)

    with translation.override("es"):
        spanish_url = reverse("transparency:detail", kwargs={"slug": update.slug})
    page.goto(f"{site}{spanish_url}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cierres de calles por el festival")
    check(page, "update in Spanish")


def test_it_shows_spanish_readers_the_english_text_with_a_notice_when_untranslated(page: Page, site):
    update = PublishedUpdateFactory(title="Training complete", body_html="<p>All officers finished.</p>")
    with translation.override("es"):
        url = reverse("transparency:detail", kwargs={"slug": update.slug})
        list_url = reverse("transparency:list")
    page.goto(f"{site}{url}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Training complete")
    expect(page.locator("article")).to_have_attribute("lang", "en")
    expect(page.locator(".usa-alert").first).to_be_visible()
    check(page, "untranslated update on the Spanish site")
    page.goto(f"{site}{list_url}")
    check(page, "Spanish public list")
