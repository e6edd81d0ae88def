"""The transparency journey end to end, in a real browser, with axe on every page it passes through,
in English and in Spanish: a resident subscribes to two kinds of update, confirms from the emailed
link, an administrator writes and publishes an update of one of those kinds, the fan-out's progress
on the staff page reaches 100 % by htmx polling, the subscriber's one email arrives with
List-Unsubscribe and List-Unsubscribe-Post headers, and the one-click unsubscribe (a bare POST, no
cookies, no CSRF token) unsubscribes them. And the statistics dashboard shows its charts and tables
with enough complaints seeded for unsuppressed cells."""

from __future__ import annotations

import datetime
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from playwright.sync_api import Page, Playwright, expect

from complaints.models import AllegationCategory
from portal.models import OutboxMessage
from tests.browser.helpers import assert_fits_a_phone, assert_no_axe_violations, link_in
from tests.complaints.factories import AllegationFactory, ComplaintFactory
from tests.factories import AdministratorFactory, DistrictFactory
from tests.transparency.factories import SubscriberFactory
from transparency import tasks
from transparency.models import Category, Subscriber, Update

ADDRESS = "neighbour@example.org"
TITLE = "New rules for body-worn cameras"


def check(page: Page, where: str) -> None:
    page.wait_for_load_state()
    assert_no_axe_violations(page, where=f"{where} ({page.url})")


def path(name: str, language: str = "en", **kwargs) -> str:
    with translation.override(language):
        return reverse(name, kwargs=kwargs or None)


def on_site(site: str, url: str) -> str:
    """An emailed link (built on SITE_URL) opened on the live server."""
    assert url.startswith(settings.SITE_URL), url
    return site + url[len(settings.SITE_URL) :]


def tick(page: Page, name: str, value: str) -> None:
    """A USWDS checkbox or radio, clicked by its label as a person does."""
    control = page.locator(f"main input[name='{name}'][value='{value}']")
    page.locator(f"main label[for='{control.get_attribute('id')}']").click()
    expect(control).to_be_checked()


def mails_to(address: str) -> list:
    return [message for message in mail.outbox if address in message.to]


@pytest.fixture
def held_fanout(monkeypatch):
    """The fan-out's Celery tasks, held instead of run inline at publishing, so the staff page
    shows the fan-out under way and its htmx polling has something to catch up with."""
    held: list[dict] = []
    monkeypatch.setattr(tasks.fanout_send_task, "apply_async", lambda *a, kwargs=None, **kw: held.append(kwargs))

    def run_all() -> None:
        while held:
            tasks.fanout_send_task.run(**held.pop(0))

    return held, run_all


@pytest.mark.parametrize("language", ["en", "es"])
def test_it_subscribes_confirms_publishes_delivers_once_and_unsubscribes_in_one_click(
    page: Page, site, sign_in_as, context, playwright: Playwright, held_fanout, language
):
    held, run_all = held_fanout
    DistrictFactory(name="East Riverside")
    other = SubscriberFactory(email="training-only@example.org", categories=[Category.TRAINING])

    # 1. Subscribe to policy changes and community news, in the test's language.
    page.goto(f"{site}{path('transparency:subscribe', language)}")
    assert page.locator("html").get_attribute("lang") == language
    check(page, "the subscribe form")
    assert_fits_a_phone(page)
    page.locator("main input[name='email']").fill(ADDRESS)
    tick(page, "categories", Category.POLICY_CHANGE)
    tick(page, "categories", Category.COMMUNITY_NEWS)
    tick(page, "language", language)
    page.locator("main form.portal-form button[type=submit]").click()
    page.wait_for_load_state()
    assert urlsplit(page.url).path == path("transparency:subscribe-sent", language)
    check(page, "check your email")
    subscriber = Subscriber.objects.get(email=ADDRESS)
    assert subscriber.confirmed_at is None

    # 2. Confirm from the email (the one message sent to the address so far).
    (confirmation,) = mails_to(ADDRESS)
    confirm_url = link_in(confirmation.body, containing="/transparency/subscribe/confirm/")
    assert confirm_url, confirmation.body
    page.goto(on_site(site, confirm_url))
    assert page.locator("html").get_attribute("lang") == language
    check(page, "the confirm page")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    check(page, "the manage page after confirming")
    subscriber.refresh_from_db()
    assert subscriber.is_active
    assert set(subscriber.subscriptions.values_list("category", flat=True)) == {
        Category.POLICY_CHANGE,
        Category.COMMUNITY_NEWS,
    }

    # 3. An administrator writes a policy change and publishes it.
    sign_in_as(AdministratorFactory())
    page.goto(f"{site}{reverse('transparency:staff-list')}")
    check(page, "the staff list of updates")
    page.get_by_role("link", name="Write an update").click()
    page.wait_for_load_state()
    check(page, "the new update form")
    page.get_by_label("Title", exact=True).fill(TITLE)
    page.get_by_label("Category").select_option(Category.POLICY_CHANGE)
    page.get_by_label("Summary").first.fill("Cameras stay on for every stop from 1 December.")
    page.get_by_label("Text", exact=True).fill("## What changes\n\n- Cameras stay **on** for every stop.")
    page.get_by_role("button", name="Save as a draft").click()
    page.wait_for_load_state()
    check(page, "the draft's staff page")
    update = Update.objects.get(title=TITLE)
    page.get_by_role("link", name="Publish", exact=True).click()
    page.wait_for_load_state()
    check(page, "the publish page")
    page.get_by_text("Publish now").click()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    assert urlsplit(page.url).path == reverse("transparency:staff-edit", kwargs={"pk": update.pk})
    update.refresh_from_db()
    assert update.status == Update.Status.PUBLISHED
    assert update.fanout_total == 1  # the training-only subscriber is not planned

    # 4. The fan-out is under way: the staff page polls it with htmx until it reaches 100 %.
    progress = page.locator(f"#fanout-progress-{update.pk}")
    expect(progress).to_have_attribute("hx-trigger", "every 2s")
    expect(progress.locator("label")).to_contain_text(": 0%")
    check(page, "the published update's staff page, sending")
    assert held, "publishing enqueued no fan-out task"
    run_all()  # what the worker does
    expect(progress.locator("label")).to_contain_text("100%")
    expect(progress).to_contain_text("1 of 1 emails were sent")
    expect(progress.locator("progress")).to_have_attribute("value", "1")
    expect(page.locator(f"#fanout-progress-{update.pk}[hx-trigger]")).to_have_count(0)  # polling stopped
    check(page, "the published update's staff page, finished")
    page.goto(f"{site}{reverse('transparency:staff-progress', kwargs={'pk': update.pk})}")
    check(page, "the progress page")
    assert_fits_a_phone(page)

    # 5. Exactly one email arrived, in the subscriber's language, with the RFC 8058 headers.
    context.clear_cookies()
    confirmation_and_update = mails_to(ADDRESS)
    assert len(confirmation_and_update) == 2, [message.subject for message in confirmation_and_update]
    email = confirmation_and_update[-1]
    assert TITLE in email.subject
    assert not mails_to(other.email)
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe_url = email.extra_headers["List-Unsubscribe"].strip().strip("<>")
    assert "/transparency/unsubscribe/" in unsubscribe_url
    manage_url = link_in(email.body, containing="/transparency/subscriptions/")
    assert manage_url, email.body
    assert OutboxMessage.objects.get(batch_key=update.fanout_batch_key).status == OutboxMessage.Status.SENT

    # 6. One click, as a mail provider makes it: a bare POST, no cookies, no CSRF token.
    provider = playwright.request.new_context()
    try:
        for _twice in range(2):  # idempotent: the same answer again
            response = provider.post(
                on_site(site, unsubscribe_url),
                headers={"Content-Type": "application/x-www-form-urlencoded"},
                data="List-Unsubscribe=One-Click",
                max_redirects=0,
            )
            assert response.status == 200, response.status
    finally:
        provider.dispose()
    subscriber.refresh_from_db()
    assert subscriber.unsubscribed_at is not None
    assert not subscriber.is_active

    # The manage link from the email says so, in the subscriber's language.
    page.goto(on_site(site, manage_url))
    assert page.locator("html").get_attribute("lang") == language
    check(page, "the manage page after unsubscribing")


# --- The dashboard --------------------------------------------------------------------------------


def _seed_complaints() -> None:
    """Enough complaints in two districts and three categories for cells of 5 and more."""
    north = DistrictFactory(name="North", slug="north")
    south = DistrictFactory(name="South", slug="south")
    first_of_month = timezone.localdate().replace(day=1)
    for months_back, (district, slug, count) in enumerate(
        [(north, "use-of-force", 6), (south, "discourtesy", 9), (north, "discourtesy", 12), (south, "property", 7)]
    ):
        day = (first_of_month - datetime.timedelta(days=months_back * 31)).replace(day=5)
        received = timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))
        for _ in range(count):
            complaint = ComplaintFactory(district=district, received_at=received)
            AllegationFactory(
                officer__complaint=complaint, complaint=complaint, category=AllegationCategory.objects.get(slug=slug)
            )


@pytest.mark.parametrize("language", ["en", "es"])
def test_it_shows_the_dashboards_charts_and_tables(page: Page, site, language):
    _seed_complaints()
    page.goto(f"{site}{path('transparency:dashboard', language)}")
    assert page.locator("html").get_attribute("lang") == language
    check(page, "the dashboard")
    charts = page.locator("main svg[role=img]")
    tables = page.locator("main table.usa-table")
    assert charts.count() >= 7
    assert tables.count() == charts.count()
    for index in range(charts.count()):
        expect(charts.nth(index)).to_be_visible()
        expect(tables.nth(index)).to_be_attached()
    # The complaints-by-category chart and table: unsuppressed counts appear as numbers.
    section = page.locator("#dataset-complaints-by-category")
    expect(section.locator("svg[role=img]")).to_be_visible()
    rows = section.locator("table tr")
    for slug, total in (("use-of-force", "6"), ("discourtesy", "21"), ("property", "7")):
        found = AllegationCategory.objects.get(slug=slug)
        name = found.name_es if language == "es" else found.name_en
        row = rows.filter(has=page.locator("th", has_text=name))
        expect(row).to_have_count(1)
        expect(row.locator("td").last).to_have_text(total)  # unsuppressed: 5 or more
    assert_fits_a_phone(page)

    # Filtered to one district, by quarter: still charts and tables, still accessible.
    page.locator("main select[name='district']").select_option("north")
    page.locator("main select[name='period']").select_option("quarter")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    assert "district=north" in page.url
    check(page, "the dashboard filtered to North, by quarter")
    found = AllegationCategory.objects.get(slug="discourtesy")
    name = found.name_es if language == "es" else found.name_en
    row = page.locator("#dataset-complaints-by-category table tr").filter(has=page.locator("th", has_text=name))
    expect(row.locator("td").last).to_have_text("12")  # North's discourtesy complaints only
