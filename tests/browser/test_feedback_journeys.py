"""Feedback in a real browser, with axe on every page on the way: an anonymous resident compliments an
officer and allows publication → the officer replies publicly from the staff inbox → an administrator
publishes it → it shows on the public wall and the officer's page with the reply; and an attendee
answers a trust survey from the emailed link, once."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from events.models import RSVP
from feedback.models import Feedback, Reply, SurveyInvitation, SurveyResponse
from feedback.services.surveys import survey_invitations_queue
from tests.browser.helpers import assert_fits_a_phone, assert_no_axe_violations, latest_mail_to, link_in
from tests.events.factories import EventFactory, RSVPFactory
from tests.factories import (
    AdministratorFactory,
    DistrictFactory,
    OfficerFactory,
    OfficerProfileFactory,
    ResidentFactory,
)

COMPLIMENT = "Officer Ruiz helped my father home from the park <b>with great patience</b>."
REPLY = "Thank you for writing. I am glad your father got home safely."


def check(page: Page, where: str) -> None:
    page.wait_for_load_state()
    assert_no_axe_violations(page, where=f"{where} ({page.url})")


def choose(page: Page, name: str, value: str) -> None:
    """Pick a USWDS radio or checkbox the way a person does: by clicking its label."""
    control = page.locator(f"main input[name='{name}'][value='{value}']")
    page.locator(f"main label[for='{control.get_attribute('id')}']").click()
    expect(control).to_be_checked()


def test_it_takes_a_compliment_from_an_anonymous_resident_to_the_wall_with_the_officers_reply(
    page: Page, site, sign_in_as
):
    district = DistrictFactory(name="Riverside North")
    officer = OfficerFactory()
    profile = OfficerProfileFactory(user=officer, district=district, first_name="Ana", last_name="Ruiz", is_public=True)
    administrator = AdministratorFactory()

    # The resident comes from the officer's page: the officer is preselected.
    page.goto(f"{site}{reverse('portal:officer-detail', kwargs={'slug': profile.slug})}")
    check(page, "the officer's page before any feedback")
    page.locator("main").get_by_role("link", name="Send feedback", exact=True).click()
    page.wait_for_load_state()
    assert page.url.endswith(f"{reverse('feedback:new')}?officer={profile.slug}")
    check(page, "the feedback form about an officer")
    expect(page.locator("main input[name='about'][value='officer']")).to_be_checked()
    choose(page, "kind", Feedback.Kind.COMPLIMENT)
    page.locator("main textarea[name='message']").fill(COMPLIMENT)
    page.locator("main label[for='id_may_publish']").click()
    page.locator("main input[name='contact_email']").fill("grateful.son@example.org")
    page.locator("main button[name=action][value=send]").click()
    page.wait_for_load_state()
    check(page, "the sent page")
    expect(page.locator("main")).to_contain_text("/feedback/private/")
    item = Feedback.objects.get()
    assert (item.kind, item.officer_id, item.author_id) == (Feedback.Kind.COMPLIMENT, profile.pk, None)
    assert item.publication == Feedback.Publication.AWAITING

    # The officer finds it in the staff inbox and answers in public, signed by herself.
    sign_in_as(officer)
    page.goto(f"{site}{reverse('feedback:staff-inbox')}")
    check(page, "the officer's inbox")
    page.locator(f"main a[href$='{reverse('feedback:staff-detail', kwargs={'pk': item.pk})}']").first.click()
    page.wait_for_load_state()
    check(page, "the staff item page")
    expect(page.locator("main")).to_contain_text("with great patience")
    page.locator("main textarea[name='body']").fill(REPLY)
    choose(page, "visibility", "public")
    choose(page, "signature", Reply.Signature.OFFICER)
    page.locator("main form").filter(has=page.locator("input[name=action][value=reply]")).locator(
        "button[type=submit]"
    ).click()
    page.wait_for_load_state()
    check(page, "the staff item page after replying")
    reply = Reply.objects.get(feedback=item)
    assert reply.is_public
    assert reply.signature == Reply.Signature.OFFICER
    assert reply.author == officer
    item.refresh_from_db()
    assert item.status == Feedback.Status.ANSWERED

    # An administrator publishes it.
    sign_in_as(administrator)
    page.goto(f"{site}{reverse('feedback:staff-moderate', kwargs={'pk': item.pk})}")
    check(page, "the moderation page")
    page.locator("main form").filter(has=page.locator("input[name=action][value=publish]")).locator(
        "button[type=submit]"
    ).click()
    page.wait_for_load_state()
    check(page, "after publishing")
    item.refresh_from_db()
    assert item.publication == Feedback.Publication.PUBLISHED

    # On the public wall and the officer's page, with the public reply; never the contact email.
    for where, url in [
        ("the public wall", reverse("feedback:wall")),
        ("the published item", reverse("feedback:detail", kwargs={"pk": item.pk})),
        ("the officer's page", reverse("portal:officer-detail", kwargs={"slug": profile.slug})),
    ]:
        page.goto(f"{site}{url}")
        check(page, where)
        main = page.locator("main")
        expect(main).to_contain_text("with great patience")  # the HTML is shown as text
        expect(main).to_contain_text(REPLY)
        assert "grateful.son@example.org" not in page.content()
        assert_fits_a_phone(page)


def test_it_lets_an_attendee_answer_the_survey_from_the_emailed_link_once(page: Page, site):
    now = timezone.now()
    district = DistrictFactory(name="East Riverside")
    event = EventFactory(
        title="Coffee with a cop at the market",
        district=district,
        starts_at=now - timedelta(hours=8),
        ends_at=now - timedelta(hours=6),
    )
    attendee = ResidentFactory(email="attendee@example.org")
    RSVPFactory(event=event, user=attendee, attendance=RSVP.Attendance.ATTENDED, checked_in_at=event.starts_at)
    assert survey_invitations_queue(now=now) == 1

    _subject, body = latest_mail_to("attendee@example.org")
    link = link_in(body, containing="/feedback/survey/")
    assert link, body
    survey_url = f"{site}{urlsplit(link).path}"
    page.goto(survey_url)
    check(page, "the survey page")
    expect(page.locator("main")).to_contain_text("Coffee with a cop at the market")
    for name, value in (("trust", "4"), ("respect", "5"), ("listened", "3")):
        choose(page, name, value)
    page.locator("main textarea[name='comment']").fill("Good to talk to them over coffee.")
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()
    check(page, "the thank-you page")
    expect(page.locator("main h1")).to_contain_text("Thank you for your answers")
    response = SurveyResponse.objects.get()
    assert (response.district_id, response.trust, response.respect, response.listened) == (district.pk, 4, 5, 3)
    assert response.comment == "Good to talk to them over coffee."
    assert SurveyInvitation.objects.get().responded_at is not None

    # The link works once.
    page.goto(survey_url)
    check(page, "the survey link opened again")
    expect(page.locator("main h1")).to_contain_text("You have already answered this survey")
    assert SurveyResponse.objects.count() == 1
