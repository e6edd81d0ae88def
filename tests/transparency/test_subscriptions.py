"""Subscribing by email: double opt-in, resubscribing, bad addresses, private links, one-click unsubscribe."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.models import OutboxMessage
from tests.factories import DistrictFactory, ResidentFactory
from tests.transparency.factories import SubscriberFactory
from transparency.models import Category, Subscriber
from transparency.services import subscriptions as services
from transparency.subscription_links import (
    confirmation_token,
    subscriber_from_link_token,
    subscriber_link_token,
)

pytestmark = pytest.mark.django_db


def _subscribe(client: Client, email: str, **extra):
    data = {"email": email, "categories": [Category.SAFETY_ALERT], "language": "en", **extra}
    return client.post(reverse("transparency:subscribe"), data)


def _path(url: str) -> str:
    return "/" + url.split("://", 1)[1].partition("/")[2]


# --- Double opt-in --------------------------------------------------------------------------------


def test_it_sends_only_a_confirmation_until_the_address_is_confirmed(client):
    response = _subscribe(client, "Resident@Example.org")

    assert response.status_code == 302
    assert response["Location"] == reverse("transparency:subscribe-sent")
    subscriber = Subscriber.objects.get()
    assert subscriber.email == "resident@example.org"
    assert subscriber.confirmed_at is None
    assert not subscriber.is_active
    assert list(OutboxMessage.objects.values_list("template", flat=True)) == ["transparency/email/confirm"]


def test_it_confirms_only_on_post_because_mail_scanners_open_links(client):
    _subscribe(client, "resident@example.org")
    path = _path(OutboxMessage.objects.get().context["confirm_url"])

    page = client.get(path)
    assert page.status_code == 200
    assert "Confirm my subscription" in page.content.decode()
    assert Subscriber.objects.get().confirmed_at is None

    response = client.post(path)
    subscriber = Subscriber.objects.get()
    assert subscriber.is_active
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "transparency:manage", kwargs={"token": subscriber_link_token(subscriber=subscriber)}
    )
    # Confirming twice is harmless.
    assert client.post(path).status_code == 302


def test_it_writes_the_confirmation_in_the_chosen_language(client):
    _subscribe(client, "vecina@example.org", language="es")

    message = OutboxMessage.objects.get()
    assert message.language == "es"
    assert "/es/transparency/subscribe/confirm/" in message.context["confirm_url"]


def test_it_keeps_the_districts_and_categories_chosen(client):
    north, east = DistrictFactory(), DistrictFactory()
    _subscribe(client, "a@example.org", categories=[Category.TRAINING, Category.POLICY_CHANGE], districts=[north.pk])

    subscriber = Subscriber.objects.get()
    assert set(subscriber.subscriptions.values_list("category", flat=True)) == {"training", "policy_change"}
    assert list(subscriber.districts.all()) == [north]
    assert east not in subscriber.districts.all()


# --- Resubscribing never tells whether an address is known -----------------------------------------


def test_it_answers_the_same_for_a_known_and_an_unknown_address(client):
    SubscriberFactory(email="known@example.org", categories=[Category.TRAINING])

    known = _subscribe(client, "KNOWN@example.org")
    unknown = _subscribe(client, "new@example.org")

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    sent = client.get(known["Location"])
    assert sent.status_code == 200


def test_it_sends_an_active_subscriber_their_manage_link_and_leaves_their_choices(client):
    subscriber = SubscriberFactory(email="known@example.org", categories=[Category.TRAINING])

    _subscribe(client, "known@example.org", categories=[Category.SAFETY_ALERT])

    message = OutboxMessage.objects.get()
    assert message.template == "transparency/email/already"
    assert subscriber_from_link_token(token=_path(message.context["manage_url"]).split("/")[-2]) == subscriber
    assert list(subscriber.subscriptions.values_list("category", flat=True)) == ["training"]


def test_it_sends_a_new_confirmation_to_an_unconfirmed_or_unsubscribed_address(client):
    SubscriberFactory(email="waiting@example.org", confirmed_at=None, categories=[Category.TRAINING])
    SubscriberFactory(email="left@example.org", unsubscribed_at=timezone.now())

    _subscribe(client, "waiting@example.org", categories=[Category.SAFETY_ALERT])
    _subscribe(client, "left@example.org")

    assert list(OutboxMessage.objects.values_list("template", flat=True)) == ["transparency/email/confirm"] * 2
    waiting = Subscriber.objects.get(email="waiting@example.org")
    assert list(waiting.subscriptions.values_list("category", flat=True)) == ["safety_alert"]
    left = Subscriber.objects.get(email="left@example.org")
    assert left.unsubscribed_at is not None  # still nothing sent until the new link is followed


def test_it_limits_requests_for_one_address(client):
    statuses = [_subscribe(client, "flood@example.org").status_code for _ in range(4)]

    assert statuses[:3] == [302, 302, 302]
    assert statuses[3] == 429
    assert OutboxMessage.objects.count() == 3


# --- Bad addresses ----------------------------------------------------------------------------------


@pytest.mark.parametrize("email", ["not-an-address", "someone@", "someone@localhost", "a b@example.org"])
def test_it_refuses_an_invalid_address_with_a_clear_message(client, email):
    response = _subscribe(client, email)

    assert response.status_code == 400
    assert "Enter a valid email address" in response.content.decode()
    assert not Subscriber.objects.exists()


@pytest.mark.parametrize("email", ["throwaway@mailinator.com", "x@YOPMAIL.com", "x@inbox.mailinator.com"])
def test_it_refuses_a_disposable_address(client, email):
    response = _subscribe(client, email)

    assert response.status_code == 400
    assert "temporary (disposable) email address" in response.content.decode()
    assert not Subscriber.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_it_refuses_a_subscription_without_a_category(client):
    response = client.post(reverse("transparency:subscribe"), {"email": "a@example.org", "language": "en"})

    assert response.status_code == 400
    assert "Choose at least one kind of update." in response.content.decode()


def test_it_refuses_unknown_choices_without_a_500(client):
    response = _subscribe(client, "a@example.org", categories=["nonsense"], districts=["x", "999999"], language="fr")

    assert response.status_code == 400


def test_the_service_refuses_a_disposable_address_with_a_code():
    with pytest.raises(ValidationError) as exc:
        services.subscriber_subscribe(
            email="a@mailinator.com", categories=[Category.TRAINING], district_ids=[], language="en"
        )
    assert exc.value.code == "disposable"


# --- Tampered and expired links --------------------------------------------------------------------


def test_it_answers_a_tampered_confirmation_link_with_a_clear_404(client):
    subscriber = SubscriberFactory(confirmed_at=None)
    token = confirmation_token(subscriber=subscriber)

    response = client.get(reverse("transparency:confirm", kwargs={"token": token[:-3] + "abc"}))

    assert response.status_code == 404
    assert "This link does not work" in response.content.decode()
    assert client.post(reverse("transparency:confirm", kwargs={"token": token[:-3] + "abc"})).status_code == 404
    subscriber.refresh_from_db()
    assert subscriber.confirmed_at is None


def test_it_refuses_an_expired_confirmation_link(client, settings):
    subscriber = SubscriberFactory(confirmed_at=None)
    token = confirmation_token(subscriber=subscriber)

    later = timezone.now() + datetime.timedelta(days=settings.TRANSPARENCY_CONFIRM_DAYS, hours=1)
    with time_machine.travel(later):
        response = client.post(reverse("transparency:confirm", kwargs={"token": token}))

    assert response.status_code == 404
    subscriber.refresh_from_db()
    assert subscriber.confirmed_at is None


def test_it_refuses_a_confirmation_link_made_for_an_old_address(client):
    subscriber = SubscriberFactory(confirmed_at=None, email="old@example.org")
    token = confirmation_token(subscriber=subscriber)
    Subscriber.objects.filter(pk=subscriber.pk).update(email="new@example.org")

    assert client.get(reverse("transparency:confirm", kwargs={"token": token})).status_code == 404


@pytest.mark.parametrize("name", ["transparency:manage", "transparency_oneclick:unsubscribe"])
def test_it_answers_a_wrong_or_forged_subscriber_link_with_a_404(client, name):
    subscriber = SubscriberFactory()
    good = subscriber_link_token(subscriber=subscriber)
    other = SubscriberFactory()

    for token in [
        "nonsense",
        f"{other.pk}.{good.split('.')[1]}",
        good[:-1] + ("1" if good.endswith("0") else "0"),
        "x.y",
        f"{subscriber.pk}.",
    ]:
        assert client.get(reverse(name, kwargs={"token": token})).status_code == 404, token


def test_it_accepts_the_subscribers_own_token_and_the_derived_one(client):
    subscriber, token = SubscriberFactory.with_token()

    for link in (token, subscriber_link_token(subscriber=subscriber)):
        assert client.get(reverse("transparency:manage", kwargs={"token": link})).status_code == 200


def test_rotating_the_token_hash_kills_every_mailed_link():
    subscriber = SubscriberFactory()
    token = subscriber_link_token(subscriber=subscriber)
    Subscriber.objects.filter(pk=subscriber.pk).update(token_hash="rotated")

    assert subscriber_from_link_token(token=token) is None


# --- One-click unsubscribe (RFC 8058) -----------------------------------------------------------------


def test_one_click_unsubscribe_works_without_a_session_or_csrf_token():
    subscriber = SubscriberFactory()
    client = Client(enforce_csrf_checks=True)
    url = reverse("transparency_oneclick:unsubscribe", kwargs={"token": subscriber_link_token(subscriber=subscriber)})
    assert not url.startswith("/es/")
    assert url.startswith("/transparency/unsubscribe/")

    response = client.post(url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")

    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.unsubscribed_at is not None


def test_one_click_unsubscribe_is_idempotent():
    subscriber = SubscriberFactory()
    client = Client(enforce_csrf_checks=True)
    url = reverse("transparency_oneclick:unsubscribe", kwargs={"token": subscriber_link_token(subscriber=subscriber)})

    first = client.post(url, {"List-Unsubscribe": "One-Click"})
    subscriber.refresh_from_db()
    when = subscriber.unsubscribed_at
    second = client.post(url, {"List-Unsubscribe": "One-Click"})

    assert first.status_code == second.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.unsubscribed_at == when


def test_one_click_get_shows_a_button_and_changes_nothing(client):
    subscriber = SubscriberFactory(language="es")
    url = reverse("transparency_oneclick:unsubscribe", kwargs={"token": subscriber_link_token(subscriber=subscriber)})

    response = client.get(url)

    assert response.status_code == 200
    body = response.content.decode()
    assert 'method="post"' in body
    assert 'name="List-Unsubscribe"' in body
    assert 'lang="es"' in body  # unprefixed: the page speaks the subscriber's language
    subscriber.refresh_from_db()
    assert subscriber.unsubscribed_at is None
    assert response["Cache-Control"].startswith("max-age=0")


def test_only_the_one_click_view_is_csrf_exempt():
    subscriber = SubscriberFactory()
    client = Client(enforce_csrf_checks=True)
    url = reverse("transparency:manage", kwargs={"token": subscriber_link_token(subscriber=subscriber)})

    assert client.post(url, {"action": "unsubscribe"}).status_code == 403
    subscriber.refresh_from_db()
    assert subscriber.unsubscribed_at is None


# --- The manage page ------------------------------------------------------------------------------------


def test_the_manage_page_changes_the_choices(client):
    subscriber = SubscriberFactory(categories=[Category.TRAINING])
    district = DistrictFactory()
    url = reverse("transparency:manage", kwargs={"token": subscriber_link_token(subscriber=subscriber)})

    response = client.post(
        url,
        {
            "action": "save",
            "categories": [Category.SAFETY_ALERT, Category.POLICY_CHANGE],
            "districts": [district.pk],
            "language": "es",
        },
    )

    assert response.status_code == 302
    subscriber.refresh_from_db()
    assert set(subscriber.subscriptions.values_list("category", flat=True)) == {"safety_alert", "policy_change"}
    assert list(subscriber.districts.all()) == [district]
    assert subscriber.language == "es"


def test_the_manage_page_refuses_no_category_with_a_message(client):
    subscriber = SubscriberFactory()
    url = reverse("transparency:manage", kwargs={"token": subscriber_link_token(subscriber=subscriber)})

    response = client.post(url, {"action": "save", "language": "en"})

    assert response.status_code == 400
    assert "Choose at least one kind of update." in response.content.decode()


def test_the_manage_page_unsubscribes_and_turns_it_back_on(client):
    subscriber = SubscriberFactory()
    url = reverse("transparency:manage", kwargs={"token": subscriber_link_token(subscriber=subscriber)})

    client.post(url, {"action": "unsubscribe"})
    subscriber.refresh_from_db()
    assert subscriber.unsubscribed_at is not None
    assert not subscriber.is_active

    client.post(url, {"action": "resume"})
    subscriber.refresh_from_db()
    assert subscriber.is_active


def test_the_manage_page_is_not_cached_or_indexed(client):
    subscriber = SubscriberFactory()
    response = client.get(
        reverse("transparency:manage", kwargs={"token": subscriber_link_token(subscriber=subscriber)})
    )

    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "same-origin"


# --- Signed-in residents ---------------------------------------------------------------------------------


def test_a_resident_subscribes_from_their_account_without_a_second_confirmation(client):
    resident = ResidentFactory()
    client.force_login(resident)
    url = reverse("transparency:my-subscriptions")

    assert client.get(url).status_code == 200
    response = client.post(url, {"action": "save", "categories": [Category.MEETING_MINUTES], "language": "en"})

    assert response.status_code == 302
    subscriber = Subscriber.objects.get()
    assert subscriber.user == resident
    assert subscriber.email == resident.email.lower()
    assert subscriber.is_active
    assert not OutboxMessage.objects.exists()


def test_a_resident_sees_and_stops_the_subscription_made_with_their_address(client):
    resident = ResidentFactory()
    subscriber = SubscriberFactory(email=resident.email.upper())
    client.force_login(resident)
    url = reverse("transparency:my-subscriptions")

    page = client.get(url)
    assert "You are subscribed" in page.content.decode()
    client.post(url, {"action": "unsubscribe"})

    subscriber.refresh_from_db()
    assert subscriber.unsubscribed_at is not None


def test_my_account_links_to_the_subscriptions_page(client):
    client.force_login(ResidentFactory())

    response = client.get(reverse("portal:account"))

    assert reverse("transparency:my-subscriptions") in response.content.decode()


def test_export_and_erase_cover_subscriptions():
    resident = ResidentFactory()
    SubscriberFactory(email=resident.email, categories=[Category.TRAINING])

    exported = services.subscriptions_export(resident)
    assert exported["subscriptions"][0]["categories"] == ["training"]

    services.subscriptions_erase(resident)
    assert not Subscriber.objects.exists()


def test_the_sent_page_reads_the_same_for_everyone(client):
    response = client.get(reverse("transparency:subscribe-sent"))

    assert response.status_code == 200
    assert re.search(r"If you are already subscribed", response.content.decode())
