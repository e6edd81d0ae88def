"""A year of demo feedback and survey answers for `manage.py seed_demo` (from FeedbackConfig.ready(), order 21).

feedback/demo.py makes the current month's items and a couple of months of survey responses, so the
public dashboard's feedback-replies and trust-index figures were empty for most of the year. This
seeder adds, for each of the last twelve months, feedback items (most answered, with their first
staff reply a day to a week later) and, for three districts, at least TRUST_INDEX_MIN_RESPONSES
anonymous survey responses, so those months show a trust index.

Written with bulk_create (no services, no emails). Idempotent: the history items' messages start
with HISTORY_MARK; if any exists the seeder does nothing. Deterministic (a fixed random seed).
"""

from __future__ import annotations

import datetime
import random

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from feedback.models import Feedback, Reply, SurveyResponse
from portal.demo import DemoReport
from portal.models import District, User

HISTORY_MARK = "[Demo history]"
SEED = 20260121
ADMIN_EMAIL = "admin@example.org"
SURVEY_DISTRICTS = ("downtown", "east", "south")
MESSAGES = {
    Feedback.Kind.COMPLIMENT: "Thank you to the officers who helped at the school fair.",
    Feedback.Kind.SUGGESTION: "Please hold the district meeting on a weekend now and then.",
    Feedback.Kind.CONCERN: "Cars speed past the playground every evening.",
    Feedback.Kind.QUESTION: "How do I get a copy of a police report?",
}
REPLY = "Thank you for writing to us. We have passed this to the district team."


def register_demo() -> None:
    from portal import demo

    demo.register("feedback-history", seed_feedback_history, order=21)


def _month_start(day: datetime.date, months_back: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 - months_back
    return datetime.date(index // 12, index % 12 + 1, 1)


@transaction.atomic
def seed_feedback_history(*, report: DemoReport) -> None:
    """A year of answered feedback and survey responses; nothing if they are already there."""
    if Feedback.objects.filter(message__startswith=HISTORY_MARK).exists():
        report.count("past feedback items", 0)
        return
    admin = User.objects.filter(email=ADMIN_EMAIL).first()
    districts = dict(District.objects.values_list("slug", "pk"))
    if admin is None or not districts:
        report.notes.append("Demo feedback history skipped: the demo administrator or districts are missing.")
        return
    rng = random.Random(SEED)  # noqa: S311 - demo data, not security
    now = timezone.now()
    items = []
    for _number in range(220):
        created_at = now - datetime.timedelta(days=rng.uniform(7, 364))
        kind = rng.choice(list(MESSAGES))
        answered = rng.random() < 0.8
        first_reply_at = created_at + datetime.timedelta(hours=rng.uniform(6, 24 * 8)) if answered else None
        items.append(
            Feedback(
                kind=kind,
                about=Feedback.About.DISTRICT,
                district_id=rng.choice(list(districts.values())),
                message=f"{HISTORY_MARK} {MESSAGES[kind]}",
                language=rng.choice(["en", "en", "en", "es"]),
                status=Feedback.Status.CLOSED if answered else Feedback.Status.NEW,
                created_at=created_at,
                first_reply_at=first_reply_at,
                closed_at=first_reply_at,
            )
        )
    Feedback.objects.bulk_create(items, batch_size=500)
    made = list(Feedback.objects.filter(message__startswith=HISTORY_MARK).order_by("created_at", "pk"))
    Reply.objects.bulk_create(
        [
            Reply(feedback=item, author=admin, body=REPLY, created_at=item.first_reply_at)
            for item in made
            if item.first_reply_at
        ],
        batch_size=500,
    )

    minimum = settings.TRUST_INDEX_MIN_RESPONSES
    today = timezone.localdate()
    responses = []
    for months_back in range(1, 12):
        month = _month_start(today, months_back)
        for slug in SURVEY_DISTRICTS:
            if slug not in districts:
                continue
            for _answer in range(minimum + rng.randint(0, 6)):
                base = rng.choice([3, 4, 4, 4, 5])
                responses.append(
                    SurveyResponse(
                        district_id=districts[slug],
                        month=month,
                        trust=max(1, min(5, base + rng.choice([-1, 0, 0, 1]))),
                        respect=max(1, min(5, base + rng.choice([-1, 0, 0]))),
                        listened=max(1, min(5, base + rng.choice([-1, 0, 1]))),
                    )
                )
    SurveyResponse.objects.bulk_create(responses, batch_size=500)
    from feedback.caching import trust_fragments_bump

    transaction.on_commit(trust_fragments_bump)  # bulk_create sends no signal
    report.count("past feedback items", len(items))
    report.count("past survey responses", len(responses))
