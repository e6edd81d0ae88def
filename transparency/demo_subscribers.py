"""Demo subscribers for `manage.py seed_demo` (order 39: before the updates' demo at 40, so the
published demo updates fan out to them).

One confirmed subscriber per language, some with districts chosen, one still waiting for its
confirmation and one unsubscribed, so the fan-out and its progress page have someone to send to.
Idempotent: addresses that exist are left alone. Addresses are @example.org (never delivered).
"""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from portal import tokens
from portal.demo import DemoReport
from portal.models import District
from transparency.models import Category, Subscriber, Subscription
from transparency.subscription_links import SUBSCRIBER_TOKEN_PURPOSE, subscriber_link_token

# (address, language, categories (None = all), district slugs, state)
DEMO_SUBSCRIBERS = [
    ("updates.en@example.org", "en", None, [], "active"),
    ("novedades.es@example.org", "es", None, [], "active"),
    ("north.watch@example.org", "en", [Category.SAFETY_ALERT, Category.COMMUNITY_NEWS], ["north"], "active"),
    ("vecinos.este@example.org", "es", [Category.SAFETY_ALERT, Category.MEETING_MINUTES], ["east"], "active"),
    ("waiting@example.org", "en", [Category.POLICY_CHANGE], [], "unconfirmed"),
    ("left@example.org", "es", [Category.TRAINING], [], "unsubscribed"),
]


def seed_subscribers(*, report: DemoReport) -> None:
    languages = {code for code, _name in settings.LANGUAGES}
    existing = {e.lower() for e in Subscriber.objects.values_list("email", flat=True)}
    districts = {d.slug: d for d in District.objects.all()}
    now = timezone.now()
    made = 0
    for email, language, categories, district_slugs, state in DEMO_SUBSCRIBERS:
        if email in existing:
            continue
        subscriber = Subscriber.objects.create(
            email=email,
            language=language if language in languages else settings.LANGUAGE_CODE,
            token_hash=tokens.token_hash(tokens.token_new(), purpose=SUBSCRIBER_TOKEN_PURPOSE),
            confirmed_at=None if state == "unconfirmed" else now,
            unsubscribed_at=now if state == "unsubscribed" else None,
        )
        Subscription.objects.bulk_create(
            [Subscription(subscriber=subscriber, category=c) for c in (categories or Category.values)]
        )
        subscriber.districts.set([districts[s] for s in district_slugs if s in districts])
        made += 1
        if email == "updates.en@example.org":
            path = f"/transparency/subscriptions/{subscriber_link_token(subscriber=subscriber)}/"
            report.notes.append(f"A demo subscriber's manage page: {settings.SITE_URL}{path}")
    report.count("transparency subscribers", made)
