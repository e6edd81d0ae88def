"""Trust surveys: invitations after events (once each, in the attendee's language) and answers
(one per invitation, through a signed, expiring link, no sign-in)."""

from __future__ import annotations

import datetime
from datetime import timedelta

import pytest
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils import timezone

from events.models import RSVP
from feedback.models import SurveyInvitation, SurveyResponse
from feedback.services.surveys import survey_invitations_queue, survey_respond
from feedback.survey_links import survey_token
from portal.models import OutboxMessage
from tests.events.factories import EventFactory, GuestRSVPFactory, RSVPFactory
from tests.factories import OfficerFactory, ResidentFactory
from tests.feedback.factories import SurveyInvitationFactory

NOW = timezone.now().replace(microsecond=0)


def ended_event(*, hours_ago: float, **kwargs):
    ends_at = NOW - timedelta(hours=hours_ago)
    return EventFactory(starts_at=ends_at - timedelta(hours=2), ends_at=ends_at, **kwargs)


def attended(event, **kwargs):
    return RSVPFactory(event=event, attendance=RSVP.Attendance.ATTENDED, **kwargs)


# --- Invitations -----------------------------------------------------------------------------------


def test_it_invites_each_attendee_once_with_a_signed_link(db, settings):
    event = ended_event(hours_ago=3)
    rsvp = attended(event, user=ResidentFactory(email="ana@example.org"))
    assert survey_invitations_queue(now=NOW) == 1
    invitation = SurveyInvitation.objects.get()
    assert (invitation.rsvp_id, invitation.event, invitation.district) == (rsvp.pk, event, event.district)
    assert invitation.email == "ana@example.org"
    assert invitation.expires_at == NOW + timedelta(days=settings.SURVEY_LINK_DAYS)
    message = OutboxMessage.objects.get()
    assert message.dedupe_key == f"feedback.survey:{rsvp.pk}"
    assert message.to == "ana@example.org"
    assert message.template == "feedback/email/survey_invitation"
    assert "/feedback/survey/" in message.context["survey_url"]
    # never twice
    assert survey_invitations_queue(now=NOW + timedelta(hours=1)) == 0
    assert SurveyInvitation.objects.count() == 1
    assert OutboxMessage.objects.count() == 1


def test_it_waits_until_the_event_ended_long_enough_ago(db, settings):
    settings.SURVEY_INVITE_AFTER_HOURS = 2
    attended(ended_event(hours_ago=1))
    attended(EventFactory())  # not over yet
    assert survey_invitations_queue(now=NOW) == 0


def test_it_never_invites_for_events_that_ended_long_ago(db, settings):
    settings.SURVEY_LINK_DAYS = 30
    attended(ended_event(hours_ago=24 * 31))
    assert survey_invitations_queue(now=NOW) == 0


def test_it_invites_only_attendees_of_published_events(db):
    event = ended_event(hours_ago=3)
    RSVPFactory(event=event, attendance=RSVP.Attendance.NO_SHOW)
    RSVPFactory(event=event)  # attendance not recorded
    assert survey_invitations_queue(now=NOW) == 0


def test_it_writes_in_the_attendees_language(db):
    event = ended_event(hours_ago=3)
    attended(event, user=ResidentFactory(language="es"))
    GuestRSVPFactory(event=event, attendance=RSVP.Attendance.ATTENDED, language="es", guest_email="g@example.org")
    GuestRSVPFactory(event=event, attendance=RSVP.Attendance.ATTENDED, language="xx", guest_email="h@example.org")
    assert survey_invitations_queue(now=NOW) == 3
    languages = dict(OutboxMessage.objects.values_list("to", "language"))
    assert languages["g@example.org"] == "es"
    assert languages["h@example.org"] == "en"
    assert sorted(SurveyInvitation.objects.values_list("language", flat=True)) == ["en", "es", "es"]
    spanish = OutboxMessage.objects.filter(language="es").first()
    assert "/es/feedback/survey/" in spanish.context["survey_url"]


def test_it_sends_the_invitation_email(db, mailoutbox, django_capture_on_commit_callbacks):
    attended(ended_event(hours_ago=3, title="Coffee with a cop"), user=ResidentFactory(email="ana@example.org"))
    with django_capture_on_commit_callbacks(execute=True):
        survey_invitations_queue(now=NOW)
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["ana@example.org"]
    assert "Coffee with a cop" in mail.subject
    assert "/feedback/survey/" in mail.body


# --- Answering -------------------------------------------------------------------------------------


def answer(**overrides):
    return {"trust": "4", "respect": "5", "listened": "3", "comment": "", **overrides}


def test_it_shows_the_survey_with_radio_groups_in_fieldsets(db, client):
    invitation = SurveyInvitationFactory()
    response = client.get(f"/feedback/survey/{survey_token(invitation=invitation)}/")
    content = response.content.decode()
    assert response.status_code == 200
    assert content.count("<fieldset") == 3
    assert "I trust the police in my district" in content
    assert "Officers treated people with respect" in content
    assert "Officers listened to residents&#x27; concerns" in content
    assert content.count('class="usa-radio__input"') == 15


def test_it_stores_one_anonymous_response_with_district_and_month(db, client):
    event = EventFactory(starts_at=timezone.make_aware(datetime.datetime(2026, 3, 14, 18)))
    invitation = SurveyInvitationFactory(event=event)
    response = client.post(f"/feedback/survey/{survey_token(invitation=invitation)}/", answer(comment="Good talk"))
    assert response.status_code == 200
    assert "Thank you for your answers" in response.content.decode()
    stored = SurveyResponse.objects.get()
    assert (stored.district, stored.month) == (event.district, datetime.date(2026, 3, 1))
    assert (stored.trust, stored.respect, stored.listened, stored.comment) == (4, 5, 3, "Good talk")
    invitation.refresh_from_db()
    assert invitation.responded_at is not None


def test_it_accepts_one_response_per_invitation_even_on_double_submit(db, client):
    invitation = SurveyInvitationFactory()
    url = f"/feedback/survey/{survey_token(invitation=invitation)}/"
    assert client.post(url, answer()).status_code == 200
    second = client.post(url, answer())
    assert second.status_code == 410
    assert "You have already answered this survey" in second.content.decode()
    assert client.get(url).status_code == 410
    assert SurveyResponse.objects.count() == 1


def test_it_refuses_a_second_claim_in_the_service(db):
    invitation = SurveyInvitationFactory()
    survey_respond(invitation_id=invitation.pk, trust=1, respect=2, listened=3, comment="")
    with pytest.raises(ValidationError) as error:
        survey_respond(invitation_id=invitation.pk, trust=1, respect=2, listened=3, comment="")
    assert error.value.code == "already_answered"
    assert SurveyResponse.objects.count() == 1


def test_it_refuses_an_expired_invitation_in_the_service(db):
    invitation = SurveyInvitationFactory(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(ValidationError) as error:
        survey_respond(invitation_id=invitation.pk, trust=1, respect=2, listened=3)
    assert error.value.code == "expired"


@pytest.mark.parametrize("scores", [(0, 3, 3), (3, 6, 3), (3, 3, None)])
def test_it_refuses_scores_outside_1_to_5_in_the_service(db, scores):
    invitation = SurveyInvitationFactory()
    trust, respect, listened = scores
    with pytest.raises(ValidationError) as error:
        survey_respond(invitation_id=invitation.pk, trust=trust, respect=respect, listened=listened)
    assert error.value.code == "invalid_score"
    invitation.refresh_from_db()
    assert invitation.responded_at is None


def test_it_answers_404_for_a_tampered_unknown_or_expired_link(db, client):
    invitation = SurveyInvitationFactory()
    token = survey_token(invitation=invitation)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    for bad in (tampered, "nonsense", signing.dumps({"i": 999999}, salt="feedback.survey-invitation")):
        response = client.get(f"/feedback/survey/{bad}/")
        assert response.status_code == 404
        assert "This survey link does not work" in response.content.decode()
    expired = SurveyInvitationFactory(expires_at=timezone.now() - timedelta(minutes=1))
    assert client.get(f"/feedback/survey/{survey_token(invitation=expired)}/").status_code == 404
    assert client.post(f"/feedback/survey/{tampered}/", answer()).status_code == 404
    assert SurveyResponse.objects.count() == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (answer(trust=""), "Choose an answer from 1 to 5."),
        (answer(respect="9"), "Choose an answer from 1 to 5."),
        (answer(listened="x"), "Choose an answer from 1 to 5."),
        (answer(comment="x" * 2001), "at most 2000 characters"),
    ],
)
def test_it_answers_400_with_a_message_for_bad_answers(db, client, data, message):
    invitation = SurveyInvitationFactory()
    response = client.post(f"/feedback/survey/{survey_token(invitation=invitation)}/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert SurveyResponse.objects.count() == 0
    invitation.refresh_from_db()
    assert invitation.responded_at is None


def test_it_escapes_a_comment_with_html_and_keeps_it_verbatim(db, client):
    invitation = SurveyInvitationFactory()
    client.post(f"/feedback/survey/{survey_token(invitation=invitation)}/", answer(comment="<b>hi</b>"))
    assert SurveyResponse.objects.get().comment == "<b>hi</b>"


@pytest.mark.parametrize("factory", [None, ResidentFactory, OfficerFactory])
def test_it_needs_no_sign_in_and_works_for_anyone_holding_the_link(db, client, factory):
    if factory:
        client.force_login(factory())
    invitation = SurveyInvitationFactory()
    assert client.get(f"/feedback/survey/{survey_token(invitation=invitation)}/").status_code == 200


def test_it_shows_the_survey_in_spanish(db, client):
    invitation = SurveyInvitationFactory()
    response = client.get(f"/es/feedback/survey/{survey_token(invitation=invitation)}/")
    assert response.status_code == 200
    assert 'lang="es"' in response.content.decode()
