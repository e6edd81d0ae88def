"""Factories for feedback, replies and survey invitations (setup only: they bypass the services)."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from feedback.models import Feedback, Reply, ReplyTemplate, SurveyInvitation
from feedback.services.sending import READER_TOKEN_PURPOSE
from portal import tokens
from tests.events.factories import EventFactory
from tests.factories import DistrictFactory, ResidentFactory


class FeedbackFactory(factory.django.DjangoModelFactory):
    """A suggestion about a district from a signed-in resident, new and not for publication."""

    class Meta:
        model = Feedback

    kind = Feedback.Kind.SUGGESTION
    about = Feedback.About.DISTRICT
    district = factory.SubFactory(DistrictFactory)
    message = factory.Faker("paragraph")
    author = factory.SubFactory(ResidentFactory)
    language = "en"


class PublishedComplimentFactory(FeedbackFactory):
    """A published compliment about an officer (pass officer=...)."""

    kind = Feedback.Kind.COMPLIMENT
    about = Feedback.About.OFFICER
    may_publish = True
    publication = Feedback.Publication.PUBLISHED
    public_message = factory.LazyAttribute(lambda item: item.message)
    published_at = factory.LazyFunction(timezone.now)


class AnonymousFeedbackFactory(FeedbackFactory):
    """Sent without an account; `with_token` also returns the private reading link's secret."""

    author = None
    contact_email = factory.Sequence(lambda n: f"anon{n}@example.org")

    @classmethod
    def with_token(cls, **kwargs) -> tuple[Feedback, str]:
        token = tokens.token_new()
        item = cls(reader_token_hash=tokens.token_hash(token, purpose=READER_TOKEN_PURPOSE), **kwargs)
        return item, token


class ReplyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reply

    feedback = factory.SubFactory(FeedbackFactory)
    author = factory.SubFactory(ResidentFactory)
    body = factory.Faker("paragraph")
    is_public = True


class ReplyTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReplyTemplate

    title = factory.Sequence(lambda n: f"Thank you {n}")
    body = "Thank you for telling us. We have passed this on to the district commander."


class SurveyInvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurveyInvitation

    rsvp_id = factory.Sequence(lambda n: 10_000 + n)
    event = factory.SubFactory(EventFactory)
    district = factory.LazyAttribute(lambda invitation: invitation.event.district)
    email = factory.Sequence(lambda n: f"attendee{n}@example.org")
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))
