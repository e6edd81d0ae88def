"""Who may open what: every named URL by every role, generated from the URLconf.

`MATRIX` is the one table. Each row says how to build the URL's arguments from a small world of
fixtures and what a GET answers for each role, in this order:

    visitor (not signed in), resident, officer, investigator, administrator

plus, where a private link or code applies (a guest RSVP, an anonymous complaint's access code,
a survey invitation), a `LinkHolder`: a visitor whose rights come from that secret alone.

A named URL the table does not know FAILS: every new page must add its row here. The Django
admin (namespace "admin") and allauth's own URLs are covered by one rule each, not row by row.

Staff users have two-factor set up (the factories do that) and sign in with force_login.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from events.calendars import personal_feed_token
from feedback.models import Feedback
from feedback.survey_links import survey_token
from portal.models import SitePage
from tests.complaints.factories import ComplaintFactory, EvidenceFactory
from tests.events.factories import EventFactory, GuestRSVPFactory
from tests.factories import (
    AdministratorFactory,
    DistrictFactory,
    InvestigatorFactory,
    OfficerFactory,
    OfficerProfileFactory,
    ResidentFactory,
)
from tests.feedback.factories import (
    AnonymousFeedbackFactory,
    PublishedComplimentFactory,
    ReplyTemplateFactory,
    SurveyInvitationFactory,
)
from tests.transparency.factories import PublishedUpdateFactory, SubscriberFactory, UpdateAttachmentFactory
from transparency.models import Category
from transparency.subscription_links import confirmation_token

VISITOR = "visitor"
RESIDENT = "resident"
OFFICER = "officer"
INVESTIGATOR = "investigator"
ADMINISTRATOR = "administrator"
LINK_HOLDER = "link holder"
ROLES = (VISITOR, RESIDENT, OFFICER, INVESTIGATOR, ADMINISTRATOR)

ROLE_FACTORIES = {
    RESIDENT: ResidentFactory,
    OFFICER: OfficerFactory,
    INVESTIGATOR: InvestigatorFactory,
    ADMINISTRATOR: AdministratorFactory,
}


# --- Expected outcomes -------------------------------------------------------------------------


@dataclass(frozen=True)
class Expect:
    """A GET's expected status; for a redirect, optionally the URL name it must point at."""

    status: int
    to: str | None = None

    def __str__(self) -> str:
        return f"{self.status} to {self.to}" if self.to else str(self.status)


OK = Expect(200)
FORBIDDEN = Expect(403)
NOT_FOUND = Expect(404)
POST_ONLY = Expect(405)
TO_LOGIN = Expect(302, to="account_login")
TO_ADMIN_LOGIN = Expect(302, to="admin:login")

World = SimpleNamespace
Kwargs = Callable[[World], dict[str, Any]]


@dataclass(frozen=True)
class LinkHolder:
    """A visitor holding a private link or code.

    `grant(client, world, url)` gives the secret to the client (a session step, a cookie) and
    returns the URL to open (for example `url + "?token=..."`); `expect` is what that GET answers.
    """

    expect: Expect
    grant: Callable[[Client, World, str], str]


@dataclass(frozen=True)
class Row:
    expect: dict[str, Expect]
    kwargs: Kwargs = field(default=lambda world: {})
    link_holder: LinkHolder | None = None


def row(
    visitor: Expect,
    resident: Expect,
    officer: Expect,
    investigator: Expect,
    administrator: Expect,
    *,
    kwargs: Kwargs | None = None,
    link_holder: LinkHolder | None = None,
) -> Row:
    expect = dict(zip(ROLES, (visitor, resident, officer, investigator, administrator), strict=True))
    return Row(expect=expect, kwargs=kwargs or (lambda world: {}), link_holder=link_holder)


def _officer_slug(world: World) -> dict[str, Any]:
    return {"slug": world.officer_profile.slug}


def _district_slug(world: World) -> dict[str, Any]:
    return {"slug": world.district.slug}


def _staff_pk(world: World) -> dict[str, Any]:
    return {"pk": world.staff_member.pk}


def _former_staff_pk(world: World) -> dict[str, Any]:
    return {"pk": world.former_staff_member.pk}


def _site_page(world: World) -> dict[str, Any]:
    return {"page": world.site_page.slug}


def _event_slug(world: World) -> dict[str, Any]:
    return {"slug": world.event.slug}


def _event_rsvp(world: World) -> dict[str, Any]:
    return {"slug": world.event.slug, "rsvp_id": world.guest_rsvp.pk}


WRONG_TOKEN = "not-the-secret-token"


def _wrong_token(world: World) -> dict[str, Any]:
    return {"token": WRONG_TOKEN}


def _seat_code(world: World) -> dict[str, Any]:
    return {"code": world.guest_rsvp.seat_code}


def _complaint(world: World) -> dict[str, Any]:
    return {"reference": world.complaint.reference}


def _complaint_evidence(world: World) -> dict[str, Any]:
    return {"reference": world.complaint.reference, "pk": world.complaint_evidence.pk}


def _tracking(client: Client, world: World, url: str) -> str:
    """A visitor who typed the complaint's reference and access code into the tracking form."""
    client.post(reverse("complaints:track"), {"reference": world.complaint.reference, "code": world.complaint_code})
    return url


TRACKING = LinkHolder(OK, _tracking)
TO_TRACK = Expect(302, to="complaints:track")
TO_START = Expect(302, to="complaints:start")


def _update_slug(world: World) -> dict[str, Any]:
    return {"slug": world.update.slug}


def _update_pk(world: World) -> dict[str, Any]:
    return {"pk": world.update.pk}


def _holding(secret: str) -> LinkHolder:
    """A visitor who holds the private link: the URL with the real secret in place of a wrong one."""
    return LinkHolder(OK, lambda client, world, url: url.replace(WRONG_TOKEN, getattr(world, secret)))


# --- The table ---------------------------------------------------------------------------------
# A row whose page a private link or code opens adds a link-holder column, for example:
#   "events:rsvp-guest": row(NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND,
#                            kwargs=lambda w: {"pk": w.guest_rsvp.pk},
#                            link_holder=LinkHolder(OK, lambda client, w, url: f"{url}?token={w.guest_token}")),
# (and the world fixture below gains what the row needs).
#                                    visitor   resident   officer    investigator administrator
MATRIX: dict[str, Row] = {
    "healthz": row(OK, OK, OK, OK, OK),
    "portal:home": row(OK, OK, OK, OK, OK),
    "portal:privacy": row(OK, OK, OK, OK, OK),
    "portal:accessibility": row(OK, OK, OK, OK, OK),
    "portal:officer-list": row(OK, OK, OK, OK, OK),
    "portal:officer-detail": row(OK, OK, OK, OK, OK, kwargs=_officer_slug),
    "portal:district-list": row(OK, OK, OK, OK, OK),
    "portal:district-detail": row(OK, OK, OK, OK, OK, kwargs=_district_slug),
    "portal:account": row(TO_LOGIN, OK, OK, OK, OK),
    "portal:account-export": row(TO_LOGIN, OK, OK, OK, OK),
    "portal:account-delete": row(TO_LOGIN, OK, OK, OK, OK),
    "portal:staff-home": row(TO_LOGIN, FORBIDDEN, OK, OK, OK),
    "portal:staff-list": row(TO_LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK),
    "portal:staff-invite": row(TO_LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK),
    "portal:staff-detail": row(TO_LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, kwargs=_staff_pk),
    "portal:staff-link-officer": row(TO_LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, kwargs=_staff_pk),
    "portal:staff-deactivate": row(TO_LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, kwargs=_staff_pk),
    "portal:staff-reactivate": row(TO_LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, kwargs=_former_staff_pk),
    "portal:staff-reset-mfa": row(TO_LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, kwargs=_staff_pk),
    "portal:staff-page-edit": row(TO_LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, kwargs=_site_page),
    # Events: finding them, RSVPs (signed-in people have none in this world), private guest links.
    "events:list": row(OK, OK, OK, OK, OK),
    "events:past": row(OK, OK, OK, OK, OK),
    "events:detail": row(OK, OK, OK, OK, OK, kwargs=_event_slug),
    "events:mine": row(TO_LOGIN, OK, OK, OK, OK),
    "events:personal-calendar": row(TO_LOGIN, OK, OK, OK, OK),
    "events:rsvp": row(TO_LOGIN, OK, OK, OK, OK, kwargs=_event_slug),
    "events:rsvp-change": row(TO_LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, kwargs=_event_slug),
    "events:rsvp-cancel": row(TO_LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, kwargs=_event_slug),
    "events:guest-rsvp": row(OK, OK, OK, OK, OK, kwargs=_event_slug),
    "events:guest-manage": row(
        NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, kwargs=_wrong_token, link_holder=_holding("guest_token")
    ),
    "events:guest-confirm": row(
        NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, kwargs=_wrong_token, link_holder=_holding("guest_token")
    ),
    "events:guest-change": row(
        NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, kwargs=_wrong_token, link_holder=_holding("guest_token")
    ),
    "events:guest-cancel": row(
        NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, kwargs=_wrong_token, link_holder=_holding("guest_token")
    ),
    "events:seat-qr": row(OK, OK, OK, OK, OK, kwargs=_seat_code),
    # Hosting: the world's event is hosted by an officer who is not the signed-in officer, so only
    # administrators may open it; "not yours" and "does not exist" are the same 404.
    "events:staff-list": row(TO_LOGIN, FORBIDDEN, OK, FORBIDDEN, OK),
    "events:staff-create": row(TO_LOGIN, FORBIDDEN, OK, FORBIDDEN, OK),
    "events:staff-detail": row(TO_LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK, kwargs=_event_slug),
    "events:staff-edit": row(TO_LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK, kwargs=_event_slug),
    "events:staff-publish": row(TO_LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK, kwargs=_event_slug),
    "events:staff-cancel": row(TO_LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK, kwargs=_event_slug),
    "events:staff-duplicate": row(TO_LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK, kwargs=_event_slug),
    "events:staff-attendees-csv": row(TO_LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK, kwargs=_event_slug),
    "events:staff-checkin": row(TO_LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK, kwargs=_event_slug),
    "events:staff-checkin-mark": row(POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, kwargs=_event_rsvp),
    "events:staff-walk-ins": row(POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, kwargs=_event_slug),
    "events:staff-attendance": row(TO_LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK, kwargs=_event_slug),
    # Feedback: the wall, sending, reading answers (signed in, or an anonymous sender's private link),
    # trust surveys, and the staff inbox. The world's items are about an officer who is not the
    # signed-in officer, so officers see none of them; investigators have no part in feedback.
    "feedback:wall": row(OK, OK, OK, OK, OK),
    "feedback:detail": row(OK, OK, OK, OK, OK, kwargs=lambda w: {"pk": w.published_feedback.pk}),
    "feedback:new": row(OK, OK, OK, OK, OK),
    "feedback:sent": row(OK, OK, OK, OK, OK),
    "feedback:mine": row(TO_LOGIN, OK, OK, OK, OK),
    "feedback:mine-detail": row(
        TO_LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, kwargs=lambda w: {"pk": w.private_feedback.pk}
    ),
    "feedback:private": row(
        NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, kwargs=_wrong_token, link_holder=_holding("reader_token")
    ),
    "feedback:survey": row(
        NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, kwargs=_wrong_token, link_holder=_holding("survey_token")
    ),
    "feedback:staff-inbox": row(TO_LOGIN, FORBIDDEN, OK, FORBIDDEN, OK),
    "feedback:staff-detail": row(
        TO_LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK, kwargs=lambda w: {"pk": w.private_feedback.pk}
    ),
    "feedback:staff-moderate": row(
        TO_LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, kwargs=lambda w: {"pk": w.published_feedback.pk}
    ),
    "feedback:staff-to-complaint": row(
        TO_LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, kwargs=lambda w: {"pk": w.private_feedback.pk}
    ),
    "feedback:staff-templates": row(TO_LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK),
    "feedback:staff-template-edit": row(
        TO_LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, kwargs=lambda w: {"pk": w.reply_template.pk}
    ),
    # Complaints: filing (a draft lives behind a cookie: without one the steps go back to the start),
    # tracking (the reference + access code, typed into the tracking form, open the file for this
    # browser; the signed-in owner needs no code), and the investigation. Nobody in this world filed
    # or is named in the world's complaint; officers never see complaints; conflict of interest has
    # its own test (tests/complaints/test_conflict_of_interest.py) walking every staff path.
    "complaints:start": row(OK, OK, OK, OK, OK),
    "complaints:step": row(TO_START, TO_START, TO_START, TO_START, TO_START, kwargs=lambda w: {"step": "about-you"}),
    "complaints:check": row(TO_START, TO_START, TO_START, TO_START, TO_START),
    "complaints:done": row(TO_START, TO_START, TO_START, TO_START, TO_START),
    "complaints:track": row(OK, OK, OK, OK, OK),
    "complaints:mine": row(TO_LOGIN, OK, OK, OK, OK),
    "complaints:status": row(TO_TRACK, TO_TRACK, TO_TRACK, TO_TRACK, TO_TRACK, kwargs=_complaint, link_holder=TRACKING),
    "complaints:message": row(POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, kwargs=_complaint),
    "complaints:add-evidence": row(
        TO_TRACK, TO_TRACK, TO_TRACK, TO_TRACK, TO_TRACK, kwargs=_complaint, link_holder=TRACKING
    ),
    "complaints:evidence": row(
        TO_TRACK, TO_TRACK, TO_TRACK, TO_TRACK, TO_TRACK, kwargs=_complaint_evidence, link_holder=TRACKING
    ),
    "complaints:withdraw": row(
        TO_TRACK, TO_TRACK, TO_TRACK, TO_TRACK, TO_TRACK, kwargs=_complaint, link_holder=TRACKING
    ),
    # A review can be asked for only once findings are issued: the world's complaint is just received.
    "complaints:review": row(
        TO_TRACK,
        TO_TRACK,
        TO_TRACK,
        TO_TRACK,
        TO_TRACK,
        kwargs=_complaint,
        link_holder=LinkHolder(NOT_FOUND, _tracking),
    ),
    "complaints:staff-queue": row(TO_LOGIN, FORBIDDEN, FORBIDDEN, OK, OK),
    "complaints:staff-export": row(TO_LOGIN, FORBIDDEN, FORBIDDEN, OK, OK),
    "complaints:staff-intake": row(TO_LOGIN, FORBIDDEN, FORBIDDEN, OK, OK),
    "complaints:staff-access-log": row(TO_LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK),
    "complaints:staff-detail": row(TO_LOGIN, NOT_FOUND, NOT_FOUND, OK, OK, kwargs=_complaint),
    "complaints:staff-transition": row(TO_LOGIN, NOT_FOUND, NOT_FOUND, OK, OK, kwargs=_complaint),
    "complaints:staff-assign": row(TO_LOGIN, NOT_FOUND, NOT_FOUND, OK, OK, kwargs=_complaint),
    "complaints:staff-findings": row(TO_LOGIN, NOT_FOUND, NOT_FOUND, OK, OK, kwargs=_complaint),
    "complaints:staff-message": row(POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, kwargs=_complaint),
    "complaints:staff-evidence": row(TO_LOGIN, NOT_FOUND, NOT_FOUND, OK, OK, kwargs=_complaint_evidence),
    # Deciding a review is for administrators, and only while one is pending (none is here).
    "complaints:staff-review": row(TO_LOGIN, NOT_FOUND, NOT_FOUND, FORBIDDEN, NOT_FOUND, kwargs=_complaint),
    # Transparency: updates, feeds, subscriptions (private links), the dashboard, staff publishing.
    "transparency:list": row(OK, OK, OK, OK, OK),
    "transparency:detail": row(OK, OK, OK, OK, OK, kwargs=_update_slug),
    "transparency:attachment": row(
        OK, OK, OK, OK, OK, kwargs=lambda w: {"slug": w.update.slug, "pk": w.update_attachment.pk}
    ),
    "transparency:feed": row(OK, OK, OK, OK, OK),
    "transparency:feed-category": row(OK, OK, OK, OK, OK, kwargs=lambda w: {"category": Category.SAFETY_ALERT}),
    "transparency:feed-district": row(OK, OK, OK, OK, OK, kwargs=_district_slug),
    "transparency:subscribe": row(OK, OK, OK, OK, OK),
    "transparency:subscribe-sent": row(OK, OK, OK, OK, OK),
    "transparency:confirm": row(
        NOT_FOUND,
        NOT_FOUND,
        NOT_FOUND,
        NOT_FOUND,
        NOT_FOUND,
        kwargs=_wrong_token,
        link_holder=_holding("confirm_token"),
    ),
    "transparency:manage": row(
        NOT_FOUND,
        NOT_FOUND,
        NOT_FOUND,
        NOT_FOUND,
        NOT_FOUND,
        kwargs=_wrong_token,
        link_holder=_holding("subscriber_token"),
    ),
    "transparency:my-subscriptions": row(TO_LOGIN, OK, OK, OK, OK),
    "transparency:dashboard": row(OK, OK, OK, OK, OK),
    "transparency:dataset-csv": row(OK, OK, OK, OK, OK, kwargs=lambda w: {"dataset": "complaints-by-category"}),
    "transparency:dataset-json": row(OK, OK, OK, OK, OK, kwargs=lambda w: {"dataset": "complaints-by-category"}),
    "transparency:staff-list": row(TO_LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK),
    "transparency:staff-new": row(TO_LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK),
    "transparency:staff-edit": row(TO_LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, kwargs=_update_pk),
    "transparency:staff-publish": row(TO_LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, kwargs=_update_pk),
    "transparency:staff-correct": row(TO_LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, kwargs=_update_pk),
    "transparency:staff-progress": row(TO_LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, kwargs=_update_pk),
    "transparency_oneclick:unsubscribe": row(
        NOT_FOUND,
        NOT_FOUND,
        NOT_FOUND,
        NOT_FOUND,
        NOT_FOUND,
        kwargs=_wrong_token,
        link_holder=_holding("subscriber_token"),
    ),
    # Open data API (no language prefix; public and read-only for everyone)
    "api:root": row(OK, OK, OK, OK, OK),
    "api:schema": row(OK, OK, OK, OK, OK),
    "api:docs": row(OK, OK, OK, OK, OK),
    "api:district-list": row(OK, OK, OK, OK, OK),
    "api:district-detail": row(OK, OK, OK, OK, OK, kwargs=_district_slug),
    "api:officer-list": row(OK, OK, OK, OK, OK),
    "api:officer-detail": row(OK, OK, OK, OK, OK, kwargs=_officer_slug),
    "api:event-list": row(OK, OK, OK, OK, OK),
    "api:event-detail": row(OK, OK, OK, OK, OK, kwargs=_event_slug),
    "api:feedback-list": row(OK, OK, OK, OK, OK),
    "api:feedback-detail": row(OK, OK, OK, OK, OK, kwargs=lambda w: {"pk": w.published_feedback.pk}),
    "api:update-list": row(OK, OK, OK, OK, OK),
    "api:update-detail": row(OK, OK, OK, OK, OK, kwargs=_update_slug),
    "api:statistics-list": row(OK, OK, OK, OK, OK),
    "api:statistics-detail": row(OK, OK, OK, OK, OK, kwargs=lambda w: {"dataset": "complaints-by-category"}),
    # Calendar feeds (no language prefix)
    "events_feeds:department": row(OK, OK, OK, OK, OK),
    "events_feeds:event": row(OK, OK, OK, OK, OK, kwargs=_event_slug),
    "events_feeds:personal": row(
        NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, kwargs=_wrong_token, link_holder=_holding("feed_token")
    ),
    "events_feeds:guest": row(
        NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, kwargs=_wrong_token, link_holder=_holding("guest_token")
    ),
}

# One rule for the Django admin: its index, per role (every other admin URL is the admin's own).
ADMIN_RULE = {
    VISITOR: TO_ADMIN_LOGIN,
    RESIDENT: TO_ADMIN_LOGIN,  # signed in but not permitted: sent to the admin's login
    OFFICER: TO_ADMIN_LOGIN,
    INVESTIGATOR: TO_ADMIN_LOGIN,
    ADMINISTRATOR: OK,
}
# One rule for allauth: a visitor can open these; every other allauth URL is allauth's own.
ALLAUTH_VISITOR_PAGES = ("account_login", "account_signup")


# --- Walking the URLconf -----------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name"
    namespaces: tuple[str, ...]
    modules: tuple[str, ...]  # the urlconf modules included on the way

    @property
    def is_admin(self) -> bool:
        return bool(self.namespaces) and self.namespaces[0] == "admin"

    @property
    def is_allauth(self) -> bool:
        return any(module.split(".")[0] == "allauth" for module in self.modules)


def _module_name(resolver: URLResolver) -> str:
    urlconf = resolver.urlconf_name
    if isinstance(urlconf, str):
        return urlconf
    return getattr(urlconf, "__name__", "")


def _walk(resolver: URLResolver, namespaces: tuple[str, ...] = (), modules: tuple[str, ...] = ()) -> Iterator[Route]:
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = (*namespaces, pattern.namespace) if pattern.namespace else namespaces
            yield from _walk(pattern, inner, (*modules, _module_name(pattern)))
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield Route(":".join((*namespaces, pattern.name)), namespaces, modules)


def named_routes() -> dict[str, Route]:
    routes: dict[str, Route] = {}
    for route in _walk(get_resolver()):
        routes.setdefault(route.name, route)
    return routes


ROUTES = named_routes()
PORTAL_NAMES = sorted(name for name, route in ROUTES.items() if not route.is_admin and not route.is_allauth)


def _cells() -> Iterator[Any]:
    for name in PORTAL_NAMES:
        for role in ROLES:
            yield pytest.param(name, role, id=f"{name}|{role}")
        table_row = MATRIX.get(name)
        if table_row is not None and table_row.link_holder is not None:
            yield pytest.param(name, LINK_HOLDER, id=f"{name}|{LINK_HOLDER}")


# --- Fixtures ----------------------------------------------------------------------------------


@pytest.fixture
def world(db) -> World:
    """What the URLs point at: a district, a public officer, staff members, an editable page."""
    district = DistrictFactory()
    site_page, _created = SitePage.objects.get_or_create(
        slug=SitePage.Slug.PRIVACY, defaults={"title_en": "Privacy notice", "body_en": "How we use what you give us."}
    )
    former = OfficerFactory()
    former.is_active = False
    former.save(update_fields=["is_active"])
    officer_profile = OfficerProfileFactory(district=district)
    event = EventFactory(district=district, hosts=[officer_profile])
    guest_rsvp, guest_token = GuestRSVPFactory.with_token(event=event)
    feed_owner = ResidentFactory()
    private_feedback, reader_token = AnonymousFeedbackFactory.with_token(
        kind=Feedback.Kind.CONCERN, about=Feedback.About.OFFICER, officer=officer_profile, district=district
    )
    survey_invitation = SurveyInvitationFactory(event=event)
    complaint, complaint_code = ComplaintFactory.with_code(district=district)
    update = PublishedUpdateFactory(category=Category.COMMUNITY_NEWS)
    update.districts.add(district)
    subscriber, subscriber_token = SubscriberFactory.with_token(confirmed_at=None)
    return World(
        district=district,
        officer_profile=officer_profile,
        staff_member=OfficerFactory(),
        former_staff_member=former,
        site_page=site_page,
        event=event,
        guest_rsvp=guest_rsvp,
        guest_token=guest_token,
        feed_token=personal_feed_token(user=feed_owner),
        published_feedback=PublishedComplimentFactory(officer=officer_profile, district=district),
        private_feedback=private_feedback,
        reader_token=reader_token,
        survey_token=survey_token(invitation=survey_invitation),
        reply_template=ReplyTemplateFactory(),
        complaint=complaint,
        complaint_code=complaint_code,
        complaint_evidence=EvidenceFactory(complaint=complaint),
        update=update,
        update_attachment=UpdateAttachmentFactory(update=update),
        subscriber_token=subscriber_token,
        confirm_token=confirmation_token(subscriber=subscriber),
    )


def client_as(role: str) -> Client:
    client = Client(raise_request_exception=False)
    if role in ROLE_FACTORIES:
        client.force_login(ROLE_FACTORIES[role]())
    return client


def check(response: Any, expect: Expect, *, cell: str) -> None:
    if response.status_code >= 500:
        detail = ""
        if getattr(response, "exc_info", None):
            detail = "\n" + "".join(traceback.format_exception(*response.exc_info))
        pytest.fail(f"{cell}: answered {response.status_code}; no URL may ever answer a 5xx.{detail}")
    location = response.get("Location", "")
    assert response.status_code == expect.status, (
        f"{cell}: expected {expect}, got {response.status_code}{f' to {location}' if location else ''}"
    )
    if expect.to:
        assert urlsplit(location).path == reverse(expect.to), f"{cell}: expected a redirect to {expect}, got {location}"


# --- Tests -------------------------------------------------------------------------------------


def test_it_has_a_row_for_every_named_url():
    missing = [name for name in PORTAL_NAMES if name not in MATRIX]
    assert not missing, (
        f"These named URLs have no row in tests/test_permission_matrix.py MATRIX: {', '.join(missing)}. "
        "Add a row for each: how to build its kwargs and the expected GET status for every role "
        "(plus a LinkHolder where a private link or code applies)."
    )


def test_it_has_no_row_for_a_url_that_does_not_exist():
    stale = sorted(set(MATRIX) - set(PORTAL_NAMES))
    assert not stale, f"MATRIX has rows for URL names the URLconf no longer has: {', '.join(stale)}. Remove them."


def test_it_finds_the_admin_and_allauth_urls_its_rules_cover():
    assert "admin:index" in ROUTES
    assert ROUTES["admin:index"].is_admin
    for name in ALLAUTH_VISITOR_PAGES:
        assert ROUTES[name].is_allauth


@pytest.mark.parametrize(("name", "role"), list(_cells()))
def test_it_answers_each_role_as_the_matrix_says(world, name, role):
    table_row = MATRIX.get(name)
    if table_row is None:
        pytest.fail(f"{name} has no row in MATRIX (tests/test_permission_matrix.py): add one.")
    url = reverse(name, kwargs=table_row.kwargs(world))
    if role == LINK_HOLDER:
        assert table_row.link_holder is not None
        client = client_as(VISITOR)
        url = table_row.link_holder.grant(client, world, url)
        expect = table_row.link_holder.expect
    else:
        client = client_as(role)
        expect = table_row.expect[role]
    check(client.get(url), expect, cell=f"GET {url} as {role} ({name})")


@pytest.mark.parametrize("role", ROLES)
def test_it_lets_only_administrators_into_the_django_admin(db, role):
    url = reverse("admin:index")
    check(client_as(role).get(url), ADMIN_RULE[role], cell=f"GET {url} as {role} (admin rule)")


@pytest.mark.parametrize("name", ALLAUTH_VISITOR_PAGES)
def test_it_lets_a_visitor_open_allauths_sign_in_and_sign_up(db, name):
    url = reverse(name)
    check(client_as(VISITOR).get(url), OK, cell=f"GET {url} as {VISITOR} (allauth rule)")
