"""Factories for updates and subscribers (setup only: they bypass the services)."""

from __future__ import annotations

import hashlib

import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from portal import tokens
from transparency.models import Category, Subscriber, Subscription, Update, UpdateAttachment
from transparency.subscription_links import SUBSCRIBER_TOKEN_PURPOSE

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class UpdateFactory(factory.django.DjangoModelFactory):
    """A draft community-news update (use PublishedUpdateFactory for a published one)."""

    class Meta:
        model = Update

    slug = factory.Sequence(lambda n: f"update-{n}")
    category = Category.COMMUNITY_NEWS
    title = factory.Sequence(lambda n: f"Community news {n}")
    summary = "What happened this month."
    body = "The department **met** residents."
    body_html = "<p>The department <strong>met</strong> residents.</p>"


class PublishedUpdateFactory(UpdateFactory):
    status = Update.Status.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)


class UpdateAttachmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UpdateAttachment

    update = factory.SubFactory(PublishedUpdateFactory)
    title = "Minutes (PDF)"
    file = factory.LazyFunction(lambda: ContentFile(PDF_BYTES, name="minutes.pdf"))
    size = len(PDF_BYTES)
    sha256 = hashlib.sha256(PDF_BYTES).hexdigest()


class SubscriberFactory(factory.django.DjangoModelFactory):
    """A confirmed subscriber to community news; `with_token` also returns the private token."""

    class Meta:
        model = Subscriber
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"subscriber{n}@example.org")
    token_hash = factory.LazyFunction(lambda: tokens.token_hash(tokens.token_new(), purpose=SUBSCRIBER_TOKEN_PURPOSE))
    confirmed_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def categories(self, create, extracted, **kwargs):
        if not create:
            return
        for category in extracted if extracted is not None else [Category.COMMUNITY_NEWS]:
            Subscription.objects.create(subscriber=self, category=category)

    @classmethod
    def with_token(cls, **kwargs) -> tuple[Subscriber, str]:
        token = tokens.token_new()
        return cls(token_hash=tokens.token_hash(token, purpose=SUBSCRIBER_TOKEN_PURPOSE), **kwargs), token
