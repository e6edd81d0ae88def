"""Factories for events and RSVPs (RSVPs made here bypass the services: use them for setup only)."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from events.models import RSVP, Event
from events.services.rsvp import RSVP_TOKEN_PURPOSE
from portal import tokens
from tests.factories import DistrictFactory, ResidentFactory


class EventFactory(factory.django.DjangoModelFactory):
    """A published event a week from now, with 20 seats."""

    class Meta:
        model = Event
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"event-{n}")
    title = factory.Sequence(lambda n: f"Community meeting {n}")
    summary = "Meet the officers who serve your neighbourhood."
    description = factory.Faker("paragraph")
    kind = Event.Kind.COMMUNITY_MEETING
    district = factory.SubFactory(DistrictFactory)
    starts_at = factory.LazyFunction(lambda: (timezone.now() + timedelta(days=7)).replace(microsecond=0))
    ends_at = factory.LazyAttribute(lambda event: event.starts_at + timedelta(hours=2))
    venue_name = "Riverside Library"
    address = "100 Main Street, Riverside"
    capacity = 20
    status = Event.Status.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def hosts(self, create, extracted, **kwargs):
        if create and extracted:
            self.hosts.set(extracted)

    @factory.post_generation
    def languages(self, create, extracted, **kwargs):
        if create and extracted:
            self.languages.set(extracted)


class RSVPFactory(factory.django.DjangoModelFactory):
    """A confirmed seat for a resident."""

    class Meta:
        model = RSVP

    event = factory.SubFactory(EventFactory)
    user = factory.SubFactory(ResidentFactory)
    party_size = 1
    status = RSVP.Status.CONFIRMED
    seat_code = factory.LazyFunction(tokens.short_code_new)
    confirmed_at = factory.LazyFunction(timezone.now)


class GuestRSVPFactory(RSVPFactory):
    """A confirmed seat for someone without an account; `with_token` also returns its private link."""

    user = None
    guest_name = factory.Faker("name")
    guest_email = factory.Sequence(lambda n: f"guest{n}@example.org")

    @classmethod
    def with_token(cls, **kwargs) -> tuple[RSVP, str]:
        token = tokens.token_new()
        rsvp = cls(manage_token_hash=tokens.token_hash(token, purpose=RSVP_TOKEN_PURPOSE), **kwargs)
        return rsvp, token
