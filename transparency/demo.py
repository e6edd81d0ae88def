"""Demo updates for `manage.py seed_demo` (registered from TransparencyConfig.ready(), order=40).

Updates of every category, published over the past months through the services (so their HTML
is rendered and sanitised like any other): one with a Spanish version, one corrected, the minutes
of a past demo event with a PDF attached, one for a district, one still a draft, and one
scheduled for next week (the beat task publishes it then).

Idempotent: an update is made only if none has its title. The fan-out mail that publishing them
queues (none on a fresh database: subscribers are seeded after) is marked sent, never delivered.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.utils import timezone

from portal.demo import DemoReport
from portal.models import District, OutboxMessage, User
from transparency.models import Category, Update
from transparency.services import updates as services

ADMIN_EMAIL = "admin@example.org"
# A tiny but valid PDF (one empty page): enough for the attachment check and a PDF viewer.
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


@dataclass(frozen=True)
class UpdateSpec:
    category: str
    title: str
    summary: str
    body: str
    days_ago: int | None  # None: not published
    title_es: str = ""
    summary_es: str = ""
    body_es: str = ""
    district: str = ""
    minutes: bool = False  # link to a past demo event and attach its minutes as a PDF
    correction: tuple[str, str] = ("", "")  # (note, corrected summary)
    scheduled_in_days: int | None = None


UPDATES = [
    UpdateSpec(
        Category.SAFETY_ALERT,
        "Road closures for the riverfront festival",
        "Riverside Drive is closed to traffic from Friday 6 pm to Sunday 10 pm.",
        "## What is closed\n\n- Riverside Drive between 1st and 5th Street\n- The riverfront car park\n\n"
        "Use the Elm Avenue bridge instead. Buses 4 and 12 take a signed diversion.\n\n"
        "**In an emergency, call 911.**",
        2,
        title_es="Cierres de calles por el festival de la ribera",
        summary_es="Riverside Drive estará cerrada al tráfico del viernes a las 6 pm al domingo a las 10 pm.",
        body_es="## Qué está cerrado\n\n- Riverside Drive entre las calles 1 y 5\n- El estacionamiento de la ribera\n\n"
        "Use el puente de Elm Avenue. Los autobuses 4 y 12 siguen un desvío señalizado.\n\n"
        "**En una emergencia, llame al 911.**",
        district="downtown",
    ),
    UpdateSpec(
        Category.POLICY_CHANGE,
        "New policy on body-worn cameras",
        "From next month, officers keep body-worn cameras recording for every contact with the public.",
        "The department has updated its body-worn camera policy after the public consultation in the spring.\n\n"
        "1. Cameras record from the moment of dispatch to the end of every contact.\n"
        "2. Footage is kept for at least 180 days, longer when a complaint is filed.\n"
        "3. A person filmed can ask to see the footage of their own contact.\n\n"
        "Read the full policy in the documents below.",
        20,
        correction=(
            "The first version said footage was kept for 90 days. The policy says 180 days.",
            "From next month, officers keep body-worn cameras recording for every contact with the public; "
            "footage is kept for at least 180 days.",
        ),
    ),
    UpdateSpec(
        Category.COMPLAINT_STATISTICS,
        "Complaint figures for the last quarter",
        "How many complaints we received, how long they took and what was found.",
        "| | Quarter |\n|---|---|\n| Complaints received | 41 |\n| Closed | 37 |\n"
        "| Median days to close | 63 |\n\nSee the [statistics dashboard](/transparency/dashboard/) for the "
        "figures by category and district.",
        35,
    ),
    UpdateSpec(
        Category.MEETING_MINUTES,
        "Minutes of the community meeting",
        "What residents raised, and what the department promised to do.",
        "Residents raised speeding on Elm Avenue, lighting in the riverfront park and response times at night.\n\n"
        "- Traffic unit to run speed checks on Elm Avenue for four weeks.\n"
        "- The city to be asked to repair the park lights.\n"
        "- Night response times to be published each quarter.",
        10,
        minutes=True,
    ),
    UpdateSpec(
        Category.TRAINING,
        "All patrol officers complete de-escalation training",
        "Every patrol officer has now completed the 16-hour de-escalation course.",
        "The course covers communication, time and distance, and working with people in a mental-health crisis. "
        "It was taught with the county's crisis-response team.",
        60,
    ),
    UpdateSpec(
        Category.COMMUNITY_NEWS,
        "Citizen academy graduates its tenth class",
        "Twenty-two residents finished the twelve-week citizen academy.",
        "The graduates toured the dispatch centre, rode along on patrol and met the oversight board. "
        "Applications for the next class open in January.",
        90,
        district="east",
    ),
    UpdateSpec(
        Category.COMMUNITY_NEWS,
        "Coffee with a Cop moves to Saturdays",
        "From next month, Coffee with a Cop at the library is on Saturday mornings.",
        "Many of you told us weekday mornings were hard to make. We listened.",
        None,
        scheduled_in_days=7,
    ),
    UpdateSpec(
        Category.POLICY_CHANGE,
        "Draft: changes to the vehicle pursuit policy",
        "A draft for review by the command staff.",
        "Not for publication yet.",
        None,
    ),
]


def seed_updates(*, report: DemoReport) -> None:
    now = timezone.now()
    admin = User.objects.filter(email__iexact=ADMIN_EMAIL).first()
    districts = {district.slug: district for district in District.objects.all()}
    last_message = OutboxMessage.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    existing = set(Update.objects.filter(title__in=[spec.title for spec in UPDATES]).values_list("title", flat=True))
    made = 0
    for spec in UPDATES:
        if spec.title in existing:
            continue
        _seed_update(spec, actor=admin, now=now, districts=districts)
        made += 1
    silenced = OutboxMessage.objects.filter(
        pk__gt=last_message, batch_key__startswith="update:", status=OutboxMessage.Status.PENDING
    ).update(status=OutboxMessage.Status.SENT, sent_at=now)
    if silenced:
        report.notes.append(f"Demo updates: {silenced} emails to subscribers were marked sent, not delivered.")
    report.count("transparency updates", made)


def _past_event(now: datetime.datetime):
    event_model = Update._meta.get_field("event").related_model
    return event_model.objects.filter(status="published", ends_at__lt=now).order_by("-starts_at").first()


def _seed_update(spec: UpdateSpec, *, actor: User | None, now: datetime.datetime, districts: dict) -> Update:
    attachments = []
    if spec.minutes:
        attachments.append(ContentFile(DEMO_PDF, name="Community meeting minutes.pdf"))
    if spec.category == Category.POLICY_CHANGE and spec.days_ago is not None:
        attachments.append(ContentFile(DEMO_PDF, name="Body-worn camera policy.pdf"))
    update = services.update_save(
        actor=actor,
        title=spec.title,
        summary=spec.summary,
        body=spec.body,
        category=spec.category,
        title_es=spec.title_es,
        summary_es=spec.summary_es,
        body_es=spec.body_es,
        districts=[districts[spec.district]] if spec.district in districts else [],
        event=_past_event(now) if spec.minutes else None,
        attachments=attachments,
    )
    if spec.scheduled_in_days is not None:
        return services.update_schedule(
            update_id=update.pk, publish_at=now + datetime.timedelta(days=spec.scheduled_in_days), actor=actor
        )
    if spec.days_ago is None:
        return update
    published_at = now - datetime.timedelta(days=spec.days_ago, hours=3)
    update = services.update_publish(update_id=update.pk, actor=actor, now=published_at)
    note, summary = spec.correction
    if note:
        update = services.update_correct(
            update_id=update.pk, note=note, actor=actor, summary=summary, now=published_at + datetime.timedelta(days=2)
        )
    return update
