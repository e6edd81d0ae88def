"""Demo feedback for `manage.py seed_demo` (registered from FeedbackConfig.ready(), after events).

Feedback of every kind (compliment, suggestion, concern, question), about the department, districts,
events and officers, in every state (new, assigned, answered, closed) and every publication state
(private, awaiting moderation, published — some as a redacted copy —, declined with a reason), from
the demo resident and from anonymous senders, with public and private replies signed by officers or
as the department. The demo officer (officer@example.org, Sergeant Ana Ruiz) finds items about
herself and the East District in her inbox; a concern naming her goes to administrators only.
Two reply templates, and survey responses so that some districts show a trust index and one is
suppressed (fewer than TRUST_INDEX_MIN_RESPONSES responses).

Idempotent: an item is made only if no item with its message exists, a template only if none with
its title exists, and survey responses only up to each district-month's target. Mail the services
queue is marked sent, never delivered.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from feedback.models import Feedback, Reply, ReplyTemplate, SurveyResponse
from feedback.services import answering, sending
from portal.demo import DemoReport
from portal.models import District, OfficerProfile, OutboxMessage, User

RESIDENT_EMAIL = "resident@example.org"
OFFICER_EMAIL = "officer@example.org"
ADMIN_EMAIL = "admin@example.org"

K = Feedback.Kind
A = Feedback.About
S = Feedback.Status
P = Feedback.Publication


@dataclass(frozen=True)
class ReplySpec:
    body: str
    by: str = "admin"  # "admin" or "officer" (the demo officer)
    public: bool = True
    signature: str = Reply.Signature.DEPARTMENT


@dataclass(frozen=True)
class ItemSpec:
    kind: str
    about: str
    message: str
    days_ago: int
    subject: str = ""  # a district slug, an officer slug or an event title (by `about`)
    sender: str = "anonymous"  # "resident" or "anonymous"
    contact_email: str = ""
    language: str = "en"
    may_publish: bool = True
    replies: tuple[ReplySpec, ...] = ()
    reply_after_days: int = 2
    # What happens after: "publish", "publish-redacted", "decline", "assign", "close".
    then: tuple[str, ...] = ()
    public_text: str = ""
    decline_reason: str = ""


ITEMS = [
    # -- About the demo officer (Ana Ruiz): she sees these in her inbox.
    ItemSpec(
        K.COMPLIMENT,
        A.OFFICER,
        "Sergeant Ruiz stayed with my mother after the break-in until her daughter "
        "arrived, and explained every step in Spanish. Thank you.",
        24,
        subject="ana-ruiz",
        language="es",
        contact_email="lucia.fernandez@example.org",
        replies=(
            ReplySpec(
                "Thank you for writing. I am glad your mother is safe; give her my best.",
                by="officer",
                signature=Reply.Signature.OFFICER,
            ),
        ),
        then=("publish",),
    ),
    ItemSpec(
        K.COMPLIMENT,
        A.OFFICER,
        "Sergeant Ruiz ran the best Coffee with a Cop we have had at the Eastside Market. "
        "My neighbour at 14 Alder Street finally met the officers who patrol our block.",
        12,
        subject="ana-ruiz",
        sender="resident",
        replies=(
            ReplySpec(
                "Thank you, it was a pleasure. See you at the next one!",
                by="officer",
                signature=Reply.Signature.OFFICER,
            ),
        ),
        then=("publish-redacted",),
        public_text="Sergeant Ruiz ran the best Coffee with a Cop we have had at the Eastside Market. "
        "My neighbour finally met the officers who patrol our block.",
    ),
    ItemSpec(
        K.QUESTION,
        A.OFFICER,
        "Sergeant Ruiz, could your team talk to our tenants' association about bike theft?",
        3,
        subject="ana-ruiz",
        sender="resident",
        may_publish=False,
    ),
    ItemSpec(
        K.SUGGESTION,
        A.DISTRICT,
        "Could the East District station keep its front desk open until 9 pm on market days? Many of us work until 8.",
        9,
        subject="east",
        contact_email="tuan.pham@example.org",
        language="vi",
        then=("assign",),
    ),
    ItemSpec(
        K.QUESTION,
        A.DISTRICT,
        "Who do I call about a car abandoned on our street for three weeks?",
        6,
        subject="east",
        replies=(
            ReplySpec(
                "Call the non-emergency line, 555-0100, or report it online under 'Report a problem'. "
                "We tow after a 72-hour notice.",
                by="officer",
            ),
        ),
        then=("publish",),
    ),
    # -- A concern naming the demo officer: administrators only, never her.
    ItemSpec(
        K.CONCERN,
        A.OFFICER,
        "The officer at the market on Saturday spoke to my son very sharply when he asked "
        "for directions. I would like someone to look into it.",
        4,
        subject="ana-ruiz",
        contact_email="worried.parent@example.org",
        may_publish=False,
        replies=(
            ReplySpec(
                "Thank you for telling us. A lieutenant will call you this week. If you want to make a "
                "formal complaint, the complaints page explains how.",
                public=False,
            ),
        ),
    ),
    # -- Other officers and districts.
    ItemSpec(
        K.COMPLIMENT,
        A.OFFICER,
        "Officer Cho helped my father find his way home from the riverfront park when "
        "he was confused. He was patient and kind.",
        30,
        subject="daniel-cho",
        sender="resident",
        replies=(ReplySpec("Thank you. Officer Cho has passed on his best wishes to your father."),),
        then=("publish",),
    ),
    ItemSpec(
        K.COMPLIMENT,
        A.OFFICER,
        "Corporal Santos's basketball league keeps our kids busy all winter. Thank you!",
        40,
        subject="maria-santos",
        then=("publish",),
    ),
    ItemSpec(
        K.SUGGESTION,
        A.DISTRICT,
        "Please add more foot patrols near the bus terminal after 10 pm.",
        18,
        subject="downtown",
        sender="resident",
        replies=(ReplySpec("Thank you. From next month two officers will walk the terminal until midnight."),),
        then=("publish",),
    ),
    ItemSpec(
        K.CONCERN,
        A.DISTRICT,
        "Cars speed down Southview Avenue every evening. Someone will be hurt. Call me on 555-0199.",
        15,
        subject="south",
        contact_email="southview.resident@example.org",
        replies=(
            ReplySpec("We have asked traffic to run speed checks on Southview Avenue in the evenings.", public=True),
        ),
        then=("publish-redacted",),
        public_text="Cars speed down Southview Avenue every evening. Someone will be hurt.",
    ),
    ItemSpec(
        K.CONCERN,
        A.DISTRICT,
        "The North District is useless and everybody there should be fired!!!",
        20,
        subject="north",
        then=("decline",),
        decline_reason="Insulting and gives nothing we can act on; the sender was invited to write again.",
    ),
    ItemSpec(
        K.QUESTION,
        A.DISTRICT,
        "Is the North District station open on public holidays?",
        2,
        subject="north",
        sender="resident",
    ),
    # -- Events.
    ItemSpec(
        K.COMPLIMENT,
        A.EVENT,
        "The scam awareness workshop was excellent, and the Vietnamese interpreter made "
        "all the difference for my grandmother.",
        8,
        subject="Scam awareness workshop",
        sender="resident",
        replies=(
            ReplySpec(
                "Thank you for coming. We will run it again in the spring.",
                by="officer",
                signature=Reply.Signature.OFFICER,
            ),
        ),
        then=("publish",),
    ),
    ItemSpec(
        K.SUGGESTION,
        A.EVENT,
        "The online Q&A about body cameras was too short: please do a second one.",
        28,
        subject="Online Q&A: body-worn cameras",
        replies=(ReplySpec("A second session is planned. Thank you for the suggestion.", public=False),),
    ),
    # -- The department.
    ItemSpec(
        K.QUESTION,
        A.DEPARTMENT,
        "How long does the department keep body-worn camera footage?",
        35,
        sender="resident",
        replies=(
            ReplySpec(
                "Ninety days, or longer when it is evidence in a case. The retention policy is on the policies page."
            ),
        ),
        then=("publish", "close"),
    ),
    ItemSpec(
        K.SUGGESTION,
        A.DEPARTMENT,
        "Please publish the department's policies in Spanish as well.",
        26,
        language="es",
        then=("publish",),
        replies=(ReplySpec("The most-read policies are being translated and will be online next month."),),
    ),
    ItemSpec(
        K.CONCERN,
        A.DEPARTMENT,
        "I phoned the non-emergency line twice last week and nobody answered.",
        10,
        sender="resident",
        may_publish=False,
        replies=(
            ReplySpec("We are sorry. Two dispatchers were off sick; we have added a call-back option.", public=False),
        ),
        then=("close",),
    ),
    ItemSpec(
        K.COMPLIMENT,
        A.DEPARTMENT,
        "Thank you to everyone who helped during the flood in March.",
        1,
    ),
]

TEMPLATES = [
    (
        "Thank you for your compliment",
        "Thank you for taking the time to write. We have passed your kind words on to the officers "
        "involved and to their supervisor.",
        "en",
    ),
    (
        "Gracias por su mensaje",
        "Gracias por escribirnos. Hemos recibido su mensaje y le responderemos lo antes posible.",
        "es",
    ),
]

# Survey responses per (district slug, months back, how many): at least TRUST_INDEX_MIN_RESPONSES (10)
# for an index, or fewer (suppressed).
SURVEYS = [
    ("east", 0, 14),
    ("east", 1, 16),
    ("downtown", 0, 12),
    ("downtown", 1, 11),
    ("south", 1, 10),
    ("north", 0, 4),  # below the minimum: shown as suppressed
]


def _month(today: datetime.date, months_back: int) -> datetime.date:
    number = today.year * 12 + (today.month - 1) - months_back
    return datetime.date(number // 12, number % 12 + 1, 1)


def seed_feedback(*, report: DemoReport) -> None:
    """The demo feedback; see the module docstring. Runs after the portal's and the events' demo data."""
    admin = User.objects.filter(email=ADMIN_EMAIL).first()
    if admin is None:
        report.notes.append("Demo feedback skipped: the demo administrator account is missing.")
        return
    people = {
        "admin": admin,
        "officer": User.objects.filter(email=OFFICER_EMAIL).first(),
        "resident": User.objects.filter(email=RESIDENT_EMAIL).first(),
    }
    now = timezone.now()
    last_message = OutboxMessage.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    existing = set(
        Feedback.objects.filter(message__in=[spec.message for spec in ITEMS]).values_list("message", flat=True)
    )
    made = replies = 0
    for spec in ITEMS:
        if spec.message in existing:
            continue
        count = _seed_item(spec, people=people, now=now)
        if count is not None:
            made += 1
            replies += count
    templates = _seed_templates(admin)
    responses = _seed_surveys(now=now)
    silenced = OutboxMessage.objects.filter(
        pk__gt=last_message, template__startswith="feedback/", status=OutboxMessage.Status.PENDING
    ).update(status=OutboxMessage.Status.SENT, sent_at=now)
    if silenced:
        report.notes.append(f"Demo feedback: {silenced} emails it queued were marked sent, not delivered.")
    report.count("feedback items", made)
    report.count("feedback replies", replies)
    report.count("reply templates", templates)
    report.count("survey responses", responses)


def _subject(spec: ItemSpec) -> dict:
    from events.models import Event

    if spec.about == A.DISTRICT:
        return {"district": District.objects.filter(slug=spec.subject).first()}
    if spec.about == A.OFFICER:
        return {"officer": OfficerProfile.objects.filter(slug=spec.subject).first()}
    if spec.about == A.EVENT:
        return {"event": Event.objects.filter(title=spec.subject, status=Event.Status.PUBLISHED).first()}
    return {}


def _seed_item(spec: ItemSpec, *, people: dict[str, User | None], now: datetime.datetime) -> int | None:
    """One item and what followed it; None if a rule refused it (the rest of the demo goes on)."""
    author = people["resident"] if spec.sender == "resident" else None
    if spec.sender == "resident" and author is None:
        return None
    sent_at = now - datetime.timedelta(days=spec.days_ago)
    try:
        with transaction.atomic():
            item, _token = sending.feedback_submit(
                kind=spec.kind,
                about=spec.about,
                message=spec.message,
                language=spec.language,
                may_publish=spec.may_publish,
                author=author,
                contact_email=spec.contact_email,
                **_subject(spec),
            )
            Feedback.objects.filter(pk=item.pk).update(created_at=sent_at)
            count = 0
            for number, reply_spec in enumerate(spec.replies):
                actor = people[reply_spec.by] or people["admin"]
                reply = answering.feedback_reply(
                    feedback_id=item.pk,
                    author=actor,
                    body=reply_spec.body,
                    is_public=reply_spec.public,
                    signature=reply_spec.signature,
                )
                replied_at = min(now, sent_at + datetime.timedelta(days=spec.reply_after_days, hours=number))
                Reply.objects.filter(pk=reply.pk).update(created_at=replied_at)
                if number == 0:
                    Feedback.objects.filter(pk=item.pk).update(first_reply_at=replied_at)
                count += 1
            for step in spec.then:
                _follow(step, spec, item_id=item.pk, people=people)
    except (ValidationError, ValueError):
        return None
    return count


def _follow(step: str, spec: ItemSpec, *, item_id: int, people: dict[str, User | None]) -> None:
    admin = people["admin"]
    if step == "publish":
        answering.feedback_publish(feedback_id=item_id, public_text="", actor=admin)
    elif step == "publish-redacted":
        answering.feedback_publish(feedback_id=item_id, public_text=spec.public_text, actor=admin)
    elif step == "decline":
        answering.feedback_decline(feedback_id=item_id, reason=spec.decline_reason, actor=admin)
    elif step == "assign":
        assignee = people["officer"] or admin
        answering.feedback_assign(feedback_id=item_id, assignee=assignee, actor=admin)
    elif step == "close":
        answering.feedback_close(feedback_id=item_id, actor=admin)


def _seed_templates(admin: User) -> int:
    existing = set(ReplyTemplate.objects.values_list("title", flat=True))
    made = 0
    for title, body, language in TEMPLATES:
        if title not in existing:
            answering.reply_template_create(title=title, body=body, language=language, actor=admin)
            made += 1
    return made


def _seed_surveys(*, now: datetime.datetime) -> int:
    """Answers written directly: they carry only the district, the month and the scores."""
    districts = dict(District.objects.values_list("slug", "pk"))
    today = timezone.localdate(now)
    rows = []
    for slug, months_back, target in SURVEYS:
        if slug not in districts:
            continue
        month = _month(today, months_back)
        have = SurveyResponse.objects.filter(district_id=districts[slug], month=month).count()
        for number in range(have, target):
            # Deterministic scores, a little different per district: mostly 3 to 5.
            base = 3 + (number + len(slug)) % 3
            rows.append(
                SurveyResponse(
                    district_id=districts[slug],
                    month=month,
                    trust=base,
                    respect=min(5, base + number % 2),
                    listened=max(1, base - (number % 3 == 0)),
                    comment="Good to meet the officers in person." if number % 4 == 0 else "",
                )
            )
    SurveyResponse.objects.bulk_create(rows)
    if rows:
        # bulk_create sends no signal: make the cached trust index stale by hand.
        from feedback.caching import trust_fragments_bump

        transaction.on_commit(trust_fragments_bump)
    return len(rows)
