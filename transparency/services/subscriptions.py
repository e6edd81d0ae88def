"""Subscriptions to updates by email: double opt-in, manage through a private link, leave with one click.

Nothing is sent to an address until its owner followed the emailed confirmation link; the one
email before that is the confirmation itself. Whatever address is typed, the subscribe form
answers the same way, so it tells nobody whether that address is subscribed: an unknown,
unconfirmed or unsubscribed address gets a (new) confirmation link; an active subscriber gets
a "you are already subscribed" email with their manage link, and their choices are left alone
(only someone who can read that mailbox may change them).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from disposable_email_domains import blocklist as DISPOSABLE_DOMAINS
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal import tokens
from portal.models import District, User
from portal.outbox import outbox_enqueue
from transparency.models import Category, Subscriber, Subscription
from transparency.subscription_links import (
    SUBSCRIBER_TOKEN_PURPOSE,
    confirmation_token,
    subscriber_link_token,
)

LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


@dataclass(frozen=True)
class Choices:
    """What a subscriber wants: categories (at least one), districts (none = all), a language."""

    categories: list[str]
    district_ids: list[int]
    language: str


# --- Addresses ------------------------------------------------------------------------------------


def subscriber_email_normalize(*, email: str) -> str:
    """The stored form: trimmed, lower case (the unique constraint is case-insensitive anyway)."""
    return (email or "").strip().lower()


def subscriber_email_check(*, email: str) -> str:
    """The normalised address, or ValidationError: code "invalid" or "disposable".

    Disposable ("throwaway") domains come from the maintained `disposable-email-domains` list
    (about 10,000 domains, no network); a subdomain of a listed domain counts too.
    """
    address = subscriber_email_normalize(email=email)
    try:
        validate_email(address)
    except ValidationError:
        raise ValidationError(_("Enter a valid email address, like name@example.com."), code="invalid") from None
    domain = address.rpartition("@")[2]
    if "." not in domain or domain.endswith("."):
        raise ValidationError(_("Enter a valid email address, like name@example.com."), code="invalid")
    parts = domain.split(".")
    if any(".".join(parts[i:]) in DISPOSABLE_DOMAINS for i in range(len(parts) - 1)):
        raise ValidationError(
            _(
                "This looks like a temporary (disposable) email address. Use an address you will keep, "
                "so that updates keep reaching you."
            ),
            code="disposable",
        )
    return address


def _check_choices(choices: Choices) -> Choices:
    valid = set(Category.values)
    categories = sorted({c for c in choices.categories if c in valid})
    if not categories:
        raise ValidationError(_("Choose at least one kind of update."), code="no_category")
    if choices.language not in LANGUAGE_CODES:
        raise ValidationError(_("Choose a language we write in."), code="language")
    district_ids = sorted(set(District.objects.filter(pk__in=choices.district_ids).values_list("pk", flat=True)))
    if len(district_ids) != len(set(choices.district_ids)):
        raise ValidationError(_("Choose districts from the list."), code="district")
    return Choices(categories=categories, district_ids=district_ids, language=choices.language)


def _set_choices(subscriber: Subscriber, choices: Choices) -> None:
    current = set(subscriber.subscriptions.values_list("category", flat=True))
    wanted = set(choices.categories)
    if current - wanted:
        subscriber.subscriptions.filter(category__in=current - wanted).delete()
    Subscription.objects.bulk_create(
        [Subscription(subscriber=subscriber, category=c) for c in sorted(wanted - current)], ignore_conflicts=True
    )
    subscriber.districts.set(choices.district_ids)
    if subscriber.language != choices.language:
        subscriber.language = choices.language
        subscriber.save(update_fields=["language"])


# --- Links ----------------------------------------------------------------------------------------


def _absolute(view_name: str, *, language: str, **kwargs: str) -> str:
    with translation.override(language):
        return settings.SITE_URL + reverse(view_name, kwargs=kwargs)


def subscriber_manage_url(*, subscriber: Subscriber) -> str:
    return _absolute(
        "transparency:manage", language=subscriber.language, token=subscriber_link_token(subscriber=subscriber)
    )


def subscriber_unsubscribe_url(*, subscriber: Subscriber) -> str:
    # Unprefixed (RFC 8058 posts to it; the page shows itself in the subscriber's language).
    return settings.SITE_URL + reverse(
        "transparency_oneclick:unsubscribe", kwargs={"token": subscriber_link_token(subscriber=subscriber)}
    )


def _send_confirmation(subscriber: Subscriber) -> None:
    outbox_enqueue(
        # A new key each time: asking again sends a new link (the rate limit bounds how often).
        dedupe_key=f"transparency.confirm:{subscriber.pk}:{tokens.token_new()[:16]}",
        to=subscriber.email,
        template="transparency/email/confirm",
        context={
            "confirm_url": _absolute(
                "transparency:confirm",
                language=subscriber.language,
                token=confirmation_token(subscriber=subscriber),
            ),
            "confirm_days": settings.TRANSPARENCY_CONFIRM_DAYS,
        },
        language=subscriber.language,
    )


def _send_already_subscribed(subscriber: Subscriber) -> None:
    outbox_enqueue(
        dedupe_key=f"transparency.already:{subscriber.pk}:{tokens.token_new()[:16]}",
        to=subscriber.email,
        template="transparency/email/already",
        context={"manage_url": subscriber_manage_url(subscriber=subscriber)},
        language=subscriber.language,
    )


# --- Writing --------------------------------------------------------------------------------------


@transaction.atomic
def subscriber_subscribe(
    *, email: str, categories: Iterable[str], district_ids: Iterable[int], language: str
) -> Subscriber:
    """The public form: double opt-in. Always one email, never an answer that depends on the address."""
    address = subscriber_email_check(email=email)
    choices = _check_choices(Choices(categories=list(categories), district_ids=list(district_ids), language=language))
    subscriber = Subscriber.objects.select_for_update().filter(email__iexact=address).first()
    if subscriber is None:
        try:
            with transaction.atomic():
                subscriber = Subscriber.objects.create(
                    email=address,
                    language=choices.language,
                    token_hash=tokens.token_hash(tokens.token_new(), purpose=SUBSCRIBER_TOKEN_PURPOSE),
                )
        except IntegrityError:  # the same address, at the same moment, from another request
            subscriber = Subscriber.objects.select_for_update().get(email__iexact=address)
        else:
            _set_choices(subscriber, choices)
            _send_confirmation(subscriber)
            return subscriber
    if subscriber.is_active:
        # Their choices stay: only the mailbox's owner changes them, through the manage link.
        _send_already_subscribed(subscriber)
        return subscriber
    # Not confirmed yet, unsubscribed or undeliverable: nothing is sent to it, so the newest choices
    # win, and it stays silent until the new link is followed.
    _set_choices(subscriber, choices)
    _send_confirmation(subscriber)
    return subscriber


@transaction.atomic
def subscriber_confirm(*, subscriber_id: int) -> Subscriber:
    """Following the confirmation link: active from now on. Idempotent."""
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber_id)
    return _activate(subscriber)


def _activate(subscriber: Subscriber) -> Subscriber:
    if subscriber.is_active:
        return subscriber
    if subscriber.confirmed_at is None or subscriber.unsubscribed_at or subscriber.undeliverable_at:
        subscriber.confirmed_at = timezone.now()
    # Following an emailed link shows the mailbox works again.
    subscriber.unsubscribed_at = None
    subscriber.undeliverable_at = None
    subscriber.save(update_fields=["confirmed_at", "unsubscribed_at", "undeliverable_at"])
    return subscriber


@transaction.atomic
def subscriber_resume(*, subscriber_id: int) -> Subscriber:
    """ "Subscribe again" from the manage link (the link shows the person reads that mailbox)."""
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber_id)
    return _activate(subscriber)


@transaction.atomic
def subscriber_update(
    *, subscriber_id: int, categories: Iterable[str], district_ids: Iterable[int], language: str
) -> Subscriber:
    """Change what a subscriber gets (from the manage link or their account)."""
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber_id)
    choices = _check_choices(Choices(categories=list(categories), district_ids=list(district_ids), language=language))
    _set_choices(subscriber, choices)
    return subscriber


@transaction.atomic
def subscriber_unsubscribe(*, subscriber_id: int) -> bool:
    """Stop every email to this subscriber. Idempotent: True only the first time.

    One conditional UPDATE, so two clicks at once (a mail provider's one-click POST and a person)
    both succeed and record the first moment.
    """
    return bool(
        Subscriber.objects.filter(pk=subscriber_id, unsubscribed_at__isnull=True).update(unsubscribed_at=timezone.now())
    )


def subscriber_mark_undeliverable(*, email: str) -> int:
    """A permanent SMTP refusal: no more sends to this address (until it confirms again)."""
    return Subscriber.objects.filter(email__iexact=email, undeliverable_at__isnull=True).update(
        undeliverable_at=timezone.now()
    )


# --- Signed-in residents --------------------------------------------------------------------------


def subscriber_for_user(*, user: User) -> Subscriber | None:
    """The subscription of this account: linked to it, or made with its address."""
    linked = Subscriber.objects.filter(user=user).first()
    if linked is not None or not user.email:
        return linked
    return Subscriber.objects.filter(email__iexact=user.email).first()


def _user_email_verified(user: User) -> bool:
    from allauth.account.models import EmailAddress

    return EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True).exists()


@transaction.atomic
def subscriber_save_for_user(
    *, user: User, categories: Iterable[str], district_ids: Iterable[int], language: str
) -> tuple[Subscriber, bool]:
    """Subscribe (or change) from "My account". Returns (subscriber, needs_confirmation).

    The account's verified address needs no second confirmation; an unverified one gets the
    same confirmation email as the public form.
    """
    choices = _check_choices(Choices(categories=list(categories), district_ids=list(district_ids), language=language))
    subscriber = subscriber_for_user(user=user)
    if subscriber is not None:
        subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    if subscriber is None:
        address = subscriber_email_normalize(email=user.email)
        if not address:
            raise ValidationError(_("Your account has no email address."), code="no_email")
        subscriber = Subscriber.objects.create(
            email=address,
            user=user,
            language=choices.language,
            token_hash=tokens.token_hash(tokens.token_new(), purpose=SUBSCRIBER_TOKEN_PURPOSE),
        )
    elif subscriber.user_id is None:
        subscriber.user = user
        subscriber.save(update_fields=["user"])
    _set_choices(subscriber, choices)
    if subscriber.is_active:
        return subscriber, False
    if _user_email_verified(user) and subscriber.email.lower() == user.email.lower():
        return _activate(subscriber), False
    _send_confirmation(subscriber)
    return subscriber, True


# --- "Export my data" / "Delete my account" -------------------------------------------------------


def _subscribers_of(user: User):
    qs = Subscriber.objects.filter(user=user)
    if user.email:
        qs = qs | Subscriber.objects.filter(email__iexact=user.email)
    return qs.distinct().prefetch_related("subscriptions", "districts").order_by("pk")


def subscriptions_export(user: User) -> dict:
    return {
        "subscriptions": [
            {
                "email": s.email,
                "language": s.language,
                "categories": sorted(x.category for x in s.subscriptions.all()),
                "districts": sorted(d.name for d in s.districts.all()),
                "signed_up": s.created_at,
                "confirmed": s.confirmed_at,
                "unsubscribed": s.unsubscribed_at,
                "undeliverable_since": s.undeliverable_at,
            }
            for s in _subscribers_of(user)
        ]
    }


def subscriptions_erase(user: User) -> None:
    """The subscription goes with the account (nothing about it needs keeping)."""
    Subscriber.objects.filter(pk__in=[s.pk for s in _subscribers_of(user)]).delete()
