"""Seat codes: unique at creation, shown once the seat is confirmed, and served as a QR image."""

from __future__ import annotations

from unittest import mock

import pytest
import qrcode
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from qrcode.image.svg import SvgPathImage

from events.models import RSVP
from events.services.rsvp import guest_rsvp_confirm, guest_rsvp_create, rsvp_create
from portal.models import OutboxMessage
from portal.outbox import outbox_render
from portal.tokens import SHORT_CODE_ALPHABET
from tests.events.factories import EventFactory, RSVPFactory
from tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db


def _qr_url(code: str) -> str:
    return reverse("events:seat-qr", kwargs={"code": code})


def test_it_gives_account_and_guest_rsvps_distinct_codes():
    event = EventFactory(capacity=1)
    codes = [rsvp_create(event_id=event.pk, user=ResidentFactory(), party_size=1).seat_code for _ in range(3)]
    guest, _token = guest_rsvp_create(
        event_id=event.pk, name="Sam", email="sam@example.org", party_size=1, language="en"
    )
    codes.append(guest.seat_code)
    assert len(set(codes)) == 4
    for code in codes:
        assert len(code) == 8
        assert set(code) <= set(SHORT_CODE_ALPHABET)


def test_it_draws_another_code_when_one_is_taken():
    taken = RSVPFactory(seat_code="ACDEFGHJ")
    codes = iter(["ACDEFGHJ", "KMNPQRTU"])
    with mock.patch("events.services.rsvp.tokens.short_code_new", side_effect=lambda: next(codes)):
        rsvp = rsvp_create(event_id=EventFactory().pk, user=ResidentFactory(), party_size=1)
    assert rsvp.seat_code == "KMNPQRTU"
    assert taken.seat_code != rsvp.seat_code


def test_it_gives_up_cleanly_if_codes_keep_colliding():
    RSVPFactory(seat_code="ACDEFGHJ")
    with (
        mock.patch("events.services.rsvp.tokens.short_code_new", return_value="ACDEFGHJ"),
        pytest.raises(ValidationError) as exc,
    ):
        rsvp_create(event_id=EventFactory().pk, user=ResidentFactory(), party_size=1)
    assert exc.value.code == "seat_code"


def test_it_serves_the_code_as_an_svg_qr_image():
    rsvp = RSVPFactory()
    response = Client().get(_qr_url(rsvp.seat_code))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    assert "max-age=" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    body = response.content.decode()
    assert body.lstrip().startswith("<svg")
    assert "<script" not in body
    # The same modules as the library draws for this code: the image holds the code, nothing more.
    expected = qrcode.make(rsvp.seat_code, image_factory=SvgPathImage, box_size=10, border=4)
    assert expected.path.get("d") in body


def test_it_reads_a_code_typed_in_lower_case_with_dashes():
    rsvp = RSVPFactory(seat_code="ACDEFGHJ")
    assert Client().get(_qr_url("acde-fghj")).status_code == 200
    assert rsvp.seat_code == "ACDEFGHJ"


@pytest.mark.parametrize("code", ["ZZZZZZZZ", "ACDEFGH", "ACDEFGHJK", "0OIL1SB8", "%3Cscript%3E", "x" * 300])
def test_it_answers_an_unknown_or_malformed_code_with_not_found(code):
    RSVPFactory(seat_code="ACDEFGHJ")
    assert Client().get(f"/events/seat/{code}.svg").status_code == 404


@pytest.mark.parametrize("status", [RSVP.Status.WAITLISTED, RSVP.Status.PENDING, RSVP.Status.CANCELLED])
def test_it_has_no_image_for_a_code_without_a_seat(status):
    rsvp = RSVPFactory(status=status)
    assert Client().get(_qr_url(rsvp.seat_code)).status_code == 404


def test_it_shows_the_code_only_once_the_seat_is_confirmed():
    event = EventFactory(capacity=1)
    guest, token = guest_rsvp_create(event_id=event.pk, name="Sam", email="s@example.org", party_size=1, language="en")
    page = Client().get(reverse("events:guest-manage", kwargs={"token": token})).content.decode()
    assert guest.seat_code not in page
    guest_rsvp_confirm(token=token)
    page = Client().get(reverse("events:guest-manage", kwargs={"token": token})).content.decode()
    assert guest.seat_code in page
    assert f'alt="QR code for seat code {guest.seat_code}"' in page


def test_it_shows_the_code_on_my_events_and_in_the_confirmation_email():
    user = ResidentFactory()
    rsvp = rsvp_create(event_id=EventFactory().pk, user=user, party_size=1)
    client = Client()
    client.force_login(user)
    assert rsvp.seat_code in client.get(reverse("events:mine")).content.decode()
    email = outbox_render(OutboxMessage.objects.get(template="events/email/rsvp_confirmed"))
    assert rsvp.seat_code in email.body
    assert f"QR code for seat code {rsvp.seat_code}" in email.alternatives[0][0]


def test_it_does_not_show_a_waiting_partys_code():
    event = EventFactory(capacity=1)
    RSVPFactory(event=event)
    user = ResidentFactory()
    rsvp = rsvp_create(event_id=event.pk, user=user, party_size=1)
    client = Client()
    client.force_login(user)
    assert rsvp.seat_code not in client.get(reverse("events:mine")).content.decode()
    assert rsvp.seat_code not in client.get(reverse("events:rsvp", kwargs={"slug": event.slug})).content.decode()
    waitlisted = outbox_render(OutboxMessage.objects.get(template="events/email/rsvp_waitlisted"))
    assert rsvp.seat_code not in waitlisted.body
