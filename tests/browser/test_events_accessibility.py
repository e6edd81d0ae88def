"""Every events page in English and Spanish: zero axe violations (WCAG 2.0 to 2.2 A/AA and best
practice), no Content Security Policy violation, and no horizontal scrolling at 360 px."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import ConsoleMessage, Page

from events.models import RSVP, Event
from tests.browser.helpers import assert_fits_a_phone, assert_no_axe_violations
from tests.events.factories import EventFactory, GuestRSVPFactory, RSVPFactory
from tests.factories import (
    DistrictFactory,
    LanguageFactory,
    OfficerFactory,
    OfficerProfileFactory,
    ResidentFactory,
)


@dataclass
class Scene:
    """The rows behind the pages: an upcoming event with seats and a waitlist, a past one with
    attendance to record, and the people who look at them."""

    event: Event
    past_event: Event
    holder: object  # a resident with a seat at `event`
    resident: object  # a resident with no RSVP
    host: object  # an officer hosting both events
    guest_token: str


@dataclass(frozen=True)
class Screen:
    path: Callable[[Scene], str]  # the English path; Spanish is the same under /es
    who: str = "visitor"  # visitor, resident, holder or host


def _slug(scene: Scene) -> dict[str, str]:
    return {"slug": scene.event.slug}


SCREENS = {
    "events": Screen(lambda s: reverse("events:list")),
    "events filtered": Screen(lambda s: f"{reverse('events:list')}?kind=community_meeting&accessibility=childcare"),
    "past events": Screen(lambda s: reverse("events:past")),
    "an event (visitor)": Screen(lambda s: reverse("events:detail", kwargs=_slug(s))),
    "an event (seat holder)": Screen(lambda s: reverse("events:detail", kwargs=_slug(s)), who="holder"),
    "a past event": Screen(lambda s: reverse("events:detail", kwargs={"slug": s.past_event.slug})),
    "the RSVP form": Screen(lambda s: reverse("events:rsvp", kwargs=_slug(s)), who="resident"),
    "your RSVP": Screen(lambda s: reverse("events:rsvp", kwargs=_slug(s)), who="holder"),
    "change your RSVP": Screen(lambda s: reverse("events:rsvp-change", kwargs=_slug(s)), who="holder"),
    "cancel your RSVP": Screen(lambda s: reverse("events:rsvp-cancel", kwargs=_slug(s)), who="holder"),
    "the guest form": Screen(lambda s: reverse("events:guest-rsvp", kwargs=_slug(s))),
    "a guest's private page": Screen(lambda s: reverse("events:guest-manage", kwargs={"token": s.guest_token})),
    "my events": Screen(lambda s: reverse("events:mine"), who="holder"),
    "my events calendar": Screen(lambda s: reverse("events:personal-calendar"), who="holder"),
    "staff events": Screen(lambda s: reverse("events:staff-list"), who="host"),
    "staff event": Screen(lambda s: reverse("events:staff-detail", kwargs=_slug(s)), who="host"),
    "staff new event": Screen(lambda s: reverse("events:staff-create"), who="host"),
    "staff edit event": Screen(lambda s: reverse("events:staff-edit", kwargs=_slug(s)), who="host"),
    "check-in": Screen(lambda s: reverse("events:staff-checkin", kwargs=_slug(s)), who="host"),
    "attendance": Screen(lambda s: reverse("events:staff-attendance", kwargs={"slug": s.past_event.slug}), who="host"),
}
LANGUAGES = {"en": "", "es": "/es"}


@pytest.fixture
def scene(transactional_db) -> Scene:
    english = LanguageFactory(code="en", name="English")
    spanish = LanguageFactory(code="es", name="Spanish")
    district = DistrictFactory(name="Riverside North")
    host = OfficerFactory(first_name="Ana", last_name="Ruiz")
    profile = OfficerProfileFactory(user=host, district=district, first_name="Ana", last_name="Ruiz")
    event = EventFactory(
        title="East District neighbourhood meeting",
        district=district,
        hosts=[profile],
        languages=[english, spanish],
        capacity=4,
        step_free_access=True,
        interpreter=True,
        childcare=True,
        accessibility_notes="Step-free entrance from the car park.",
    )
    holder = ResidentFactory(first_name="Maya", last_name="Patel")
    RSVPFactory(event=event, user=holder, party_size=2)
    RSVPFactory(event=event, user=ResidentFactory(first_name="Ben", last_name="Okafor"), party_size=2)
    now = timezone.now()
    RSVPFactory(
        event=event,
        user=ResidentFactory(),
        status=RSVP.Status.WAITLISTED,
        queued_at=now,
        confirmed_at=None,
    )
    _rsvp, guest_token = GuestRSVPFactory.with_token(
        event=EventFactory(title="Coffee with a cop", district=district, hosts=[profile], capacity=None)
    )
    EventFactory(
        title="Online Q&A", district=district, venue_name="", address="", online_url="https://meet.example.org/q"
    )
    past_event = EventFactory(
        title="Scam awareness workshop",
        district=district,
        hosts=[profile],
        starts_at=(now - timedelta(days=3)).replace(microsecond=0),
    )
    RSVPFactory(event=past_event, user=holder, attendance=RSVP.Attendance.ATTENDED)
    RSVPFactory(event=past_event, attendance=RSVP.Attendance.NO_SHOW)
    GuestRSVPFactory(event=past_event, guest_name="Chen Wu")
    return Scene(
        event=event,
        past_event=past_event,
        holder=holder,
        resident=ResidentFactory(),
        host=host,
        guest_token=guest_token,
    )


@pytest.fixture
def csp_violations(page: Page) -> list[str]:
    found: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            found.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: found.append(f"uncaught error: {error}"))
    return found


@pytest.mark.parametrize("language", list(LANGUAGES))
@pytest.mark.parametrize("name", list(SCREENS))
def test_it_has_no_axe_violation(page: Page, site, scene, sign_in_as, csp_violations, name, language):
    screen = SCREENS[name]
    if screen.who != "visitor":
        sign_in_as(getattr(scene, screen.who))
    url = f"{site}{LANGUAGES[language]}{screen.path(scene)}"

    response = page.goto(url)
    assert response is not None
    assert response.status == 200, f"{url} answered {response.status}"
    assert page.locator("html").get_attribute("lang") == language, f"{url} is not marked lang={language}"

    assert_no_axe_violations(page, where=f"{name} ({language}) {url}")
    assert_fits_a_phone(page)
    assert not csp_violations, f"{url}: " + "\n".join(csp_violations)


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_it_keeps_the_phone_menu_with_my_events_usable_at_360_px(page: Page, site, scene, sign_in_as, language):
    """Signed in, the header has one more link ("My events"): the mobile menu still opens, holds
    it, and passes axe while open."""
    sign_in_as(scene.holder)
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{site}{LANGUAGES[language]}{reverse('events:list')}")
    menu_button = page.locator("header .usa-menu-btn")
    menu_button.click()
    nav = page.locator("header nav.usa-nav")
    assert "is-visible" in (nav.get_attribute("class") or "")
    my_events = nav.locator(f"a[href='{LANGUAGES[language]}{reverse('events:mine')}']")
    assert my_events.is_visible()
    assert_no_axe_violations(page, where=f"the open phone menu ({language})")
    assert_fits_a_phone(page)
    my_events.click()
    page.wait_for_load_state()
    assert page.url.endswith(f"{LANGUAGES[language]}{reverse('events:mine')}")
    assert page.locator("header nav a[aria-current='page']").count() >= 1
