"""Events in a real browser, with axe on every page on the way: a resident filters, RSVPs, gets the
seat code, downloads the .ics and cancels; a host checks someone in on a 360 px phone; a guest
RSVPs without an account through the emailed link."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import icalendar
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from events.calendars import event_uid
from events.models import RSVP, Event
from tests.browser.helpers import (
    PHONE_WIDTH,
    assert_fits_a_phone,
    assert_no_axe_violations,
    latest_mail_to,
    link_in,
)
from tests.events.factories import EventFactory, GuestRSVPFactory, RSVPFactory
from tests.factories import DistrictFactory, OfficerFactory, OfficerProfileFactory, ResidentFactory


def _soon():
    return (timezone.now() + timedelta(hours=3)).replace(microsecond=0)


def path_of(page: Page) -> str:
    return urlsplit(page.url).path


def check(page: Page, where: str) -> None:
    page.wait_for_load_state()
    assert_no_axe_violations(page, where=f"{where} ({page.url})")


def event_titles(page: Page) -> list[str]:
    return [title.strip() for title in page.locator("main .usa-card__heading").all_inner_texts()]


def test_it_lets_a_resident_filter_rsvp_download_the_calendar_file_and_cancel(page: Page, site, sign_in_as):
    east = DistrictFactory(name="East Riverside")
    west = DistrictFactory(name="West Hills")
    event = EventFactory(
        title="Coffee with a cop at the market",
        kind=Event.Kind.COFFEE_WITH_A_COP,
        district=east,
        capacity=10,
        step_free_access=True,
    )
    EventFactory(title="Hills safety workshop", kind=Event.Kind.SAFETY_WORKSHOP, district=west)
    resident = ResidentFactory(first_name="Maya", last_name="Patel")
    sign_in_as(resident)

    # Find: filter the list by district.
    page.goto(f"{site}{reverse('events:list')}")
    check(page, "the events list")
    assert set(event_titles(page)) == {"Coffee with a cop at the market", "Hills safety workshop"}
    page.locator("main select[name='district']").select_option(label="East Riverside")
    page.locator("main form.portal-filter__form [type=submit]").click()
    page.wait_for_load_state()
    assert "district=" in page.url
    check(page, "the events list filtered by district")
    assert event_titles(page) == ["Coffee with a cop at the market"]

    # Open the event.
    page.get_by_role("link", name="Coffee with a cop at the market").click()
    page.wait_for_load_state()
    assert path_of(page) == reverse("events:detail", kwargs={"slug": event.slug})
    check(page, "the event page")

    # RSVP for two.
    page.locator("main").get_by_role("link", name="RSVP to this event").click()
    page.wait_for_load_state()
    check(page, "the RSVP form")
    page.locator("main [name='party_size']").fill("2")
    page.locator("main form [type=submit]").first.click()
    page.wait_for_load_state()
    rsvp = RSVP.objects.get(event=event, user=resident)
    assert rsvp.status == RSVP.Status.CONFIRMED
    assert rsvp.party_size == 2
    assert path_of(page) == reverse("events:rsvp", kwargs={"slug": event.slug})
    check(page, "the RSVP confirmation")
    expect(page.locator("main .portal-seat-code__code")).to_have_text(rsvp.seat_code)
    qr = page.locator("main img.portal-seat-code__qr")
    expect(qr).to_be_visible()
    assert page.evaluate("img => img.complete && img.naturalWidth > 0", qr.element_handle()), (
        "the QR image did not load"
    )

    # The calendar file: downloaded, then read back with icalendar.
    with page.expect_download() as download_info:
        page.locator("main").get_by_role("link", name="Add to your calendar (.ics file)").click()
    download = download_info.value
    calendar = icalendar.Calendar.from_ical(Path(download.path()).read_bytes())
    [vevent] = calendar.walk("VEVENT")
    assert str(vevent["UID"]) == event_uid(event=event)
    assert str(vevent["SUMMARY"]) == event.title
    assert vevent.decoded("DTSTART") == event.starts_at

    # Turn reminders off for this event (the switch on the RSVP's page).
    page.locator("main").get_by_role("button", name="Stop reminders for this event").click()
    page.wait_for_load_state()
    check(page, "the RSVP page after stopping reminders")
    rsvp.refresh_from_db()
    assert rsvp.reminders is False

    # Cancel.
    page.locator("main").get_by_role("link", name="Cancel my RSVP").click()
    page.wait_for_load_state()
    check(page, "the cancel page")
    page.locator("main form [type=submit]").first.click()
    page.wait_for_load_state()
    rsvp.refresh_from_db()
    assert rsvp.status == RSVP.Status.CANCELLED
    assert path_of(page) == reverse("events:detail", kwargs={"slug": event.slug})
    check(page, "the event page after cancelling")
    expect(page.locator("main").get_by_role("link", name="RSVP to this event")).to_be_visible()


def test_it_lets_a_host_check_people_in_on_a_phone(page: Page, site, sign_in_as):
    officer = OfficerFactory()
    profile = OfficerProfileFactory(user=officer)
    event = EventFactory(title="Neighbourhood meeting", hosts=[profile], starts_at=_soon(), capacity=30)
    arriving = RSVPFactory(event=event, user=ResidentFactory(first_name="Rosa", last_name="Alvarez"), party_size=2)
    RSVPFactory(event=event, user=ResidentFactory(first_name="Ben", last_name="Okafor"))
    GuestRSVPFactory(event=event, guest_name="Chen Wu")
    sign_in_as(officer)
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 740})

    page.goto(f"{site}{reverse('events:staff-checkin', kwargs={'slug': event.slug})}")
    check(page, "the check-in page at 360 px")
    assert_fits_a_phone(page)
    expect(page.locator("main li[id^='checkin-row-']")).to_have_count(3)

    # Search by the seat code as someone might type it at the door.
    typed = f"{arriving.seat_code[:4].lower()}-{arriving.seat_code[4:].lower()}"
    page.locator("main input[type=search][name='q']").fill(typed)
    page.locator("main form[role='search'] [type=submit]").click()
    page.wait_for_load_state()
    rows = page.locator("main li[id^='checkin-row-']")
    expect(rows).to_have_count(1)
    row = page.locator(f"#checkin-row-{arriving.pk}")
    expect(row).to_contain_text("Rosa Alvarez")
    check(page, "the check-in search result")

    # One tap: htmx swaps the row in place (no page load).
    page.evaluate("window.__stillTheSamePage = true")
    row.get_by_role("button", name="Mark Rosa Alvarez arrived").click()
    expect(page.locator(f"#checkin-row-{arriving.pk}")).to_contain_text("Arrived")
    expect(page.locator(f"#checkin-row-{arriving.pk}").get_by_role("button", name="Undo")).to_be_visible()
    expect(page.locator("#checkin-summary")).to_contain_text("Arrived: 1 of 3 RSVPs (2 of 4 people)")
    assert page.evaluate("window.__stillTheSamePage === true"), "marking arrived reloaded the page"
    arriving.refresh_from_db()
    assert arriving.checked_in_at is not None

    # A walk-in.
    page.locator("#walk-ins").get_by_role("button", name="Add one walk-in").click()
    expect(page.locator("#walk-ins")).to_contain_text("1 person came without an RSVP.")
    event.refresh_from_db()
    assert event.walk_ins == 1
    assert page.evaluate("window.__stillTheSamePage === true")

    check(page, "the check-in page after marking arrived")
    assert_fits_a_phone(page)


def test_it_lets_a_guest_rsvp_without_an_account_and_confirm_from_the_email(page: Page, site):
    event = EventFactory(title="Scam awareness workshop", capacity=12)
    email = "sam.guest@example.org"

    page.goto(f"{site}{event.get_absolute_url()}")
    check(page, "the event page, as a visitor")
    page.locator("main").get_by_role("link", name="RSVP without an account").click()
    page.wait_for_load_state()
    check(page, "the guest RSVP form")
    page.locator("main [name='name']").fill("Sam Rivera")
    page.locator("main [name='email']").fill(email)
    page.locator("main [name='party_size']").fill("3")
    page.locator("main form [type=submit]").first.click()
    page.wait_for_load_state()
    check(page, "check your email")
    rsvp = RSVP.objects.get(event=event, guest_email=email)
    assert rsvp.status == RSVP.Status.PENDING

    # The private link from the email.
    _subject, text = latest_mail_to(email)
    link = link_in(text, containing="/events/rsvp/")
    assert link, f"no private link in the email:\n{text}"
    page.goto(f"{site}{urlsplit(link).path}")
    check(page, "the private page before confirming")
    page.locator("main").get_by_role("button", name="Confirm my RSVP").click()
    page.wait_for_load_state()
    rsvp.refresh_from_db()
    assert rsvp.status == RSVP.Status.CONFIRMED
    check(page, "the private page with the seat")
    expect(page.locator("main .portal-seat-code__code")).to_have_text(rsvp.seat_code)

    # The reminder emails point guests here to stop reminders.
    page.locator("main").get_by_role("button", name="Stop reminders for this event").click()
    page.wait_for_load_state()
    check(page, "the private page after stopping reminders")
    rsvp.refresh_from_db()
    assert rsvp.reminders is False
    expect(page.locator("main").get_by_role("button", name="Send me reminders for this event")).to_be_visible()
