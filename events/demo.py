"""Demo events for `manage.py seed_demo` (registered from EventsConfig.ready()).

A few dozen events across the demo districts and kinds, from eight weeks ago to eight weeks ahead:
some full with a waitlist, a couple online, one cancelled with a reason, a draft, and past events
with attendance recorded. The demo officer (officer@example.org, Sergeant Ana Ruiz) hosts several,
including one soon enough to try the check-in page and a past one whose attendance is still to be
recorded. The demo resident (resident@example.org) holds a seat, a waitlist place, a seat at the
cancelled event and a past attended seat.

How it is made:
- Upcoming events go through the hosting services (event_create, event_publish, event_cancel), and
  the demo resident's places through rsvp_create, so their rules hold and their side effects
  (fragment bumps, capacity alerts, change emails) happen as they would for real.
- The services refuse to publish an event in the past, so past events are written directly, with
  the same fields a published event has; attendance is then recorded with attendance_record.
- The other people holding seats are guests (no account), bulk-created so that the rules hold:
  confirmed party sizes never exceed capacity and a waitlist only exists behind a full event.
- Mail: the services queue the emails they always queue (confirmation, waitlist, capacity alerts,
  cancellation); the seeder marks those outbox rows sent, so the console worker prints none of
  them. The send tasks queued after commit find nothing to send.

Idempotent: an event is identified by its slug (from its title); one that exists is left alone,
with its RSVPs. The demo resident's places are only made when they have none at that event.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from events.caching import event_fragments_bump
from events.models import RSVP, Event
from events.services import hosting
from events.services.rsvp import RSVP_TOKEN_PURPOSE, rsvp_create
from portal import tokens
from portal.models import District, Language, OfficerProfile, OutboxMessage, User

if TYPE_CHECKING:
    from portal.demo import DemoReport

ADMIN_EMAIL = "admin@example.org"
RESIDENT_EMAIL = "resident@example.org"

K = Event.Kind

# Where events happen, per district: (venue, address).
VENUES = {
    "east": [
        ("East District community room", "410 Harbor Street"),
        ("Eastside Market hall", "22 Market Square"),
        ("Eastside High School auditorium", "900 Lincoln Avenue"),
        ("Eastside branch library", "75 Fifth Street"),
    ],
    "downtown": [
        ("Central Public Library, meeting room B", "1 Library Plaza"),
        ("City Hall, council chamber", "200 Civic Center Drive"),
        ("Riverfront Park pavilion", "Riverfront Park, Water Street entrance"),
        ("Bean & Barrel Coffee", "118 Main Street"),
    ],
    "south": [
        ("Southview Recreation Center", "3100 Southview Boulevard"),
        ("County Fairgrounds, Hall 2", "5 Fairground Road"),
        ("Southview Apartments clubhouse", "2450 Pine Street"),
    ],
    "north": [
        ("North District station, community room", "640 Elm Avenue"),
        ("University Student Center, room 210", "1200 College Avenue"),
        ("Northgate Shopping Center, atrium", "88 Northgate Drive"),
    ],
}

DESCRIPTIONS = {
    K.COMMUNITY_MEETING: (
        "Hear what has happened in the neighbourhood this month, raise what worries you, and meet the "
        "officers who patrol your streets. Every question gets an answer, on the night or in writing "
        "within two weeks."
    ),
    K.COFFEE_WITH_A_COP: (
        "No speeches and no agenda: a cup of coffee on us and a conversation with the officers who "
        "serve your area. Drop in for five minutes or stay for the hour."
    ),
    K.SCHOOL_PROGRAM: (
        "Officers visit the school to talk with students and parents about staying safe online, on "
        "the way to school and at home. Families are welcome."
    ),
    K.SAFETY_WORKSHOP: (
        "A practical, hands-on session: what to do, who to call, and how to look out for each other. "
        "You leave with a printed checklist in English and Spanish."
    ),
    K.CITIZEN_ACADEMY: (
        "A look behind the scenes of the department: how calls are answered, how officers are "
        "trained, how complaints are investigated. Bring your questions."
    ),
    K.YOUTH_ACTIVITY: (
        "Games, coaching and snacks for young people aged 10 to 17, run by officers and volunteers. "
        "A parent or guardian signs a short form at the door."
    ),
    K.OTHER: (
        "An open event run by the department with community partners. Everyone is welcome; bring a "
        "friend or a neighbour."
    ),
}

# People holding seats at the demo events (guests, without an account).
FIRST_NAMES = [
    "Alicia", "Ben", "Chen", "Dolores", "Emeka", "Farah", "George", "Hana", "Ibrahim", "Joy",
    "Kofi", "Lucia", "Marcus", "Nadia", "Oscar", "Priya", "Quentin", "Rosa", "Sione", "Tamara",
    "Umar", "Valeria", "Walter", "Ximena", "Yusuf", "Zoe", "Anh", "Bruno", "Carmen", "Dmitri",
    "Elena", "Faisal", "Gloria", "Hector", "Irene", "Jamal", "Kim", "Luis", "Mai", "Noah",
]  # fmt: skip
LAST_NAMES = [
    "Abbott", "Baptiste", "Castillo", "Dang", "Eriksen", "Flores", "Greene", "Hassan", "Ibarra",
    "Jensen", "Kowalski", "Le", "Morales", "Novak", "Owusu", "Pham", "Quinn", "Reyes", "Singh",
    "Torres", "Uddin", "Vargas", "Wong", "Yilmaz", "Zhang", "Alvarez", "Brennan", "Cruz", "Diaz",
]  # fmt: skip
PARTY_SIZES = [1, 2, 1, 3, 1, 2, 4, 1, 2, 1]


@dataclass(frozen=True)
class EventSpec:
    title: str
    kind: str
    district: str
    day: int  # days from today (negative: in the past)
    start: tuple[int, int]  # local hour, minute
    minutes: int
    hosts: tuple[str, ...]  # officer profile slugs
    venue: int | None = 0  # index into VENUES[district]; None: online only
    capacity: int | None = 30
    seats_taken: int = 0  # confirmed seats held by guests (never above capacity)
    waiting: int = 0  # waiting parties (only behind a full event)
    languages: tuple[str, ...] = ("en",)
    features: tuple[str, ...] = ()  # step_free_access, interpreter, childcare, captioning
    notes: str = ""
    summary: str = ""
    description: str = ""  # else the kind's description
    deadline_days: int | None = None  # RSVP deadline, days before the start
    status: str = Event.Status.PUBLISHED  # draft, published or cancelled
    cancel_reason: str = ""
    record_attendance: bool = True  # past events: attended / no-show recorded
    walk_ins: int = 0
    resident: str = ""  # the demo resident's place: "seat", "waitlist" (rsvp_create), "attended" (past)
    resident_party: int = 1


STEP_FREE = "step_free_access"
INTERPRETER = "interpreter"
CHILDCARE = "childcare"
CAPTIONING = "captioning"

EVENTS = [
    # --- Upcoming ---------------------------------------------------------------------------
    EventSpec(
        "Open evening at the East District station", K.COMMUNITY_MEETING, "east", 1, (18, 0), 120,
        ("ana-ruiz", "carlos-mendez"), venue=0, capacity=40, seats_taken=18, languages=("en", "es"),
        features=(STEP_FREE, INTERPRETER),
        summary="An open evening at the district station: meet the team, see the community room.",
        notes="The community room is on the ground floor with a step-free entrance from the car park.",
    ),
    EventSpec(
        "Coffee with a Cop: Eastside Market", K.COFFEE_WITH_A_COP, "east", 3, (9, 30), 90,
        ("ana-ruiz", "minh-nguyen"), venue=1, capacity=25, seats_taken=11, languages=("en", "es", "vi"),
        features=(STEP_FREE,), summary="Coffee, pastries and a chat by the market fountain.", resident="seat",
        resident_party=2,
    ),
    EventSpec(
        "East District neighbourhood meeting", K.COMMUNITY_MEETING, "east", 6, (18, 30), 120,
        ("ana-ruiz", "thanh-tran"), venue=0, capacity=12, seats_taken=12, waiting=3,
        languages=("en", "es", "vi"), features=(STEP_FREE, INTERPRETER, CHILDCARE),
        summary="The monthly meeting: traffic on Lincoln Avenue, the new street lights, your questions.",
        notes="Spanish and Vietnamese interpreters are in the room. Childcare in the room next door.",
        resident="waitlist",
    ),
    EventSpec(
        "Staying safe online: a workshop for parents", K.SAFETY_WORKSHOP, "east", 9, (19, 0), 90,
        ("minh-nguyen",), venue=3, capacity=30, seats_taken=9, languages=("en", "vi"), features=(STEP_FREE, CHILDCARE),
        summary="Scams, privacy settings and what children meet online, in plain words.",
    ),
    EventSpec(
        "Eastside youth soccer clinic", K.YOUTH_ACTIVITY, "east", 12, (10, 0), 180,
        ("carlos-mendez",), venue=2, capacity=40, seats_taken=40, waiting=4, languages=("en", "es"),
        summary="Drills, a friendly match and lunch with the officers who coach the Eastside team.",
    ),
    EventSpec(
        "Coffee with a Cop: Central Library", K.COFFEE_WITH_A_COP, "downtown", 2, (8, 30), 90,
        ("daniel-cho", "grace-okafor"), venue=0, capacity=None, seats_taken=14, languages=("en", "zh-hans"),
        features=(STEP_FREE,), summary="Start the day with coffee and the Downtown bicycle patrol.",
    ),
    EventSpec(
        "Downtown business owners' safety meeting", K.COMMUNITY_MEETING, "downtown", 5, (8, 0), 60,
        ("grace-okafor",), venue=1, capacity=50, seats_taken=22, features=(STEP_FREE, CAPTIONING),
        summary="Shoplifting, late-night deliveries and the new parking rules.", deadline_days=1,
    ),
    EventSpec(
        "Bicycle registration and safety check", K.SAFETY_WORKSHOP, "downtown", 10, (11, 0), 180,
        ("michael-oconnor", "daniel-cho"), venue=2, capacity=60, seats_taken=17,
        summary="Register your bicycle for free, get the brakes and lights checked, learn a good lock.",
    ),
    EventSpec(
        "Riverfront park walk with the bicycle patrol", K.COMMUNITY_MEETING, "downtown", 13, (17, 30), 90,
        ("daniel-cho",), venue=2, capacity=20, seats_taken=14,
        summary="A gentle walk along the river with the officers who patrol it every day.",
        description=(
            "An easy two-mile walk on the paved riverfront path, with stops to talk about the park, "
            "its lighting and what the bicycle patrol sees. Comfortable shoes; the path is flat."
        ),
        resident="seat", resident_party=1,
        status=Event.Status.CANCELLED,
        cancel_reason="The riverfront path is closed for flood repairs. We will set a new date once it reopens.",
    ),
    EventSpec(
        "Working with interpreters: language access in the department", K.OTHER, "downtown", 17, (18, 0), 90,
        ("fatima-ali",), venue=None, capacity=100, seats_taken=23, languages=("en", "ar", "es"),
        features=(CAPTIONING, INTERPRETER), summary="How to ask for an interpreter, online, with live captions.",
    ),
    EventSpec(
        "Citizen academy, spring session: week 1", K.CITIZEN_ACADEMY, "south", 8, (18, 30), 150,
        ("helen-park", "rosa-delgado"), venue=0, capacity=24, seats_taken=24, waiting=5,
        features=(STEP_FREE,), deadline_days=3,
        summary="Seven Tuesday evenings inside the department. Week 1: the 911 centre and dispatch.",
    ),
    EventSpec(
        "Southview youth basketball night", K.YOUTH_ACTIVITY, "south", 4, (17, 0), 150,
        ("maria-santos", "samuel-brooks"), venue=0, capacity=60, seats_taken=31, languages=("en", "es", "tl"),
        summary="Pick-up games, a free-throw contest and pizza.",
    ),
    EventSpec(
        "Home safety workshop for seniors", K.SAFETY_WORKSHOP, "south", 11, (14, 0), 90,
        ("rosa-delgado",), venue=2, capacity=30, seats_taken=6, languages=("en", "es"),
        features=(STEP_FREE, INTERPRETER), summary="Door locks, phone scams and who to call, with tea and biscuits.",
    ),
    EventSpec(
        "South District community meeting", K.COMMUNITY_MEETING, "south", 20, (18, 30), 120,
        ("helen-park",), venue=1, capacity=80, seats_taken=12, features=(STEP_FREE, CHILDCARE),
        summary="The district's quarterly meeting at the fairgrounds.",
    ),
    EventSpec(
        "Coffee with a Cop: Northgate", K.COFFEE_WITH_A_COP, "north", 2, (10, 0), 90,
        ("james-whitfield", "wei-lin"), venue=2, capacity=None, seats_taken=5, languages=("en", "zh-hans"),
        features=(STEP_FREE,), summary="Find us by the atrium fountain.",
    ),
    EventSpec(
        "International students: know your rights and your city", K.SCHOOL_PROGRAM, "north", 7, (16, 0), 90,
        ("leila-haddad",), venue=1, capacity=45, seats_taken=28, languages=("en", "ar", "zh-hans"),
        features=(STEP_FREE, CAPTIONING), summary="Renting, reporting a crime, and what a police stop looks like here.",
    ),
    EventSpec(
        "North District neighbourhood meeting", K.COMMUNITY_MEETING, "north", 15, (19, 0), 90,
        ("james-whitfield",), venue=0, capacity=35, seats_taken=8,
        summary="Speeding on Elm Avenue, the campus night bus, and your questions.",
    ),
    EventSpec(
        "Online Q&A: how a complaint is investigated", K.OTHER, "north", 24, (19, 0), 60,
        ("james-whitfield", "leila-haddad"), venue=None, capacity=None, seats_taken=19, features=(CAPTIONING,),
        summary="Step by step through what happens after you file a complaint, with live captions.",
    ),
    EventSpec(
        "Bike to school safety day", K.SCHOOL_PROGRAM, "east", 30, (8, 0), 120,
        ("carlos-mendez", "minh-nguyen"), venue=2, capacity=120, seats_taken=35, languages=("en", "es", "vi"),
        summary="Helmet fitting, a route check and a police escort on the ride in.",
    ),
    EventSpec(
        "Citizen academy, summer session: open evening", K.CITIZEN_ACADEMY, "downtown", 38, (18, 0), 90,
        ("grace-okafor", "fatima-ali"), venue=1, capacity=40, seats_taken=4, features=(STEP_FREE, CAPTIONING),
        summary="Thinking of joining the academy? Meet past students and the instructors.",
    ),
    EventSpec(
        "Family fun day at the fairgrounds", K.YOUTH_ACTIVITY, "south", 45, (11, 0), 300,
        ("maria-santos", "samuel-brooks", "helen-park"), venue=1, capacity=None, seats_taken=46,
        languages=("en", "es", "tl"), features=(STEP_FREE, CHILDCARE),
        summary="Meet the mounted unit and the police dogs, climb into a patrol car, face painting.",
    ),
    EventSpec(
        "Neighbourhood watch starter session", K.SAFETY_WORKSHOP, "north", 52, (18, 30), 90,
        ("wei-lin",), venue=0, capacity=25, seats_taken=3,
        summary="Thinking of starting a watch on your street? Here is how.",
    ),
    EventSpec(
        "East District open evening: planning draft", K.COMMUNITY_MEETING, "east", 34, (18, 0), 120,
        ("ana-ruiz",), venue=0, capacity=40, status=Event.Status.DRAFT,
        summary="A draft: not published yet, so only its hosts and administrators see it.",
    ),
    # --- Past ---------------------------------------------------------------------------------
    EventSpec(
        "Coffee with a Cop: Bean & Barrel", K.COFFEE_WITH_A_COP, "downtown", -4, (9, 0), 90,
        ("daniel-cho", "michael-oconnor"), venue=3, capacity=30, seats_taken=21, walk_ins=6,
        summary="Coffee and conversation on Main Street.",
    ),
    EventSpec(
        "East District neighbourhood meeting, last month", K.COMMUNITY_MEETING, "east", -2, (18, 30), 120,
        ("ana-ruiz", "thanh-tran"), venue=0, capacity=40, seats_taken=26, languages=("en", "es", "vi"),
        features=(STEP_FREE, INTERPRETER), walk_ins=4, record_attendance=False,
        summary="Attendance still to be recorded by the hosts.",
    ),
    EventSpec(
        "Scam awareness workshop", K.SAFETY_WORKSHOP, "east", -9, (14, 0), 90,
        ("ana-ruiz", "minh-nguyen"), venue=3, capacity=25, seats_taken=19, languages=("en", "es", "vi"),
        features=(STEP_FREE,), walk_ins=3, resident="attended", resident_party=1,
        summary="Phone, door-to-door and online scams, and how to report them.",
    ),
    EventSpec(
        "Southview youth basketball night, last month", K.YOUTH_ACTIVITY, "south", -12, (17, 0), 150,
        ("maria-santos", "samuel-brooks"), venue=0, capacity=60, seats_taken=44, walk_ins=11,
        summary="Pick-up games and pizza.",
    ),
    EventSpec(
        "Downtown business owners' safety meeting, last month", K.COMMUNITY_MEETING, "downtown", -16, (8, 0), 60,
        ("grace-okafor",), venue=1, capacity=50, seats_taken=33, features=(STEP_FREE, CAPTIONING),
        summary="Shoplifting and the holiday season.",
    ),
    EventSpec(
        "Career day at Eastside High School", K.SCHOOL_PROGRAM, "east", -20, (9, 0), 240,
        ("carlos-mendez", "thanh-tran"), venue=2, capacity=150, seats_taken=88, walk_ins=15,
        summary="What a career in the department looks like, from dispatcher to detective.",
    ),
    EventSpec(
        "North District neighbourhood meeting, last month", K.COMMUNITY_MEETING, "north", -23, (19, 0), 90,
        ("james-whitfield", "leila-haddad"), venue=0, capacity=35, seats_taken=35, walk_ins=2,
        languages=("en", "ar"), features=(INTERPRETER,), summary="Campus parking and the night bus.",
    ),
    EventSpec(
        "Online Q&A: body-worn cameras", K.OTHER, "downtown", -30, (19, 0), 60,
        ("fatima-ali", "michael-oconnor"), venue=None, capacity=None, seats_taken=41, features=(CAPTIONING,),
        summary="When cameras record, who sees the footage, how long it is kept.",
    ),
    EventSpec(
        "Citizen academy, winter session: graduation", K.CITIZEN_ACADEMY, "south", -37, (18, 30), 120,
        ("helen-park", "rosa-delgado"), venue=0, capacity=24, seats_taken=22, walk_ins=9,
        features=(STEP_FREE,), summary="Certificates, family photos and cake.",
    ),
    EventSpec(
        "Coffee with a Cop: Eastside Market, winter", K.COFFEE_WITH_A_COP, "east", -44, (9, 30), 90,
        ("ana-ruiz",), venue=1, capacity=25, seats_taken=14, walk_ins=7, languages=("en", "es"),
        summary="Coffee by the market fountain.",
    ),
    EventSpec(
        "Home safety workshop for seniors, winter", K.SAFETY_WORKSHOP, "south", -51, (14, 0), 90,
        ("rosa-delgado",), venue=2, capacity=30, seats_taken=17, languages=("en", "es"),
        features=(STEP_FREE, INTERPRETER), summary="Door locks, phone scams and who to call.",
    ),
]  # fmt: skip


@dataclass
class _Run:
    admin: User
    resident: User | None
    districts: dict[str, District]
    officers: dict[str, OfficerProfile]
    languages: dict[str, Language]
    now: datetime.datetime
    seat_codes: set[str] = field(default_factory=set)
    people: int = 0  # guests named so far (names and addresses go round the lists)
    events: int = 0
    rsvps: int = 0
    touched: list[int] = field(default_factory=list)


def seed_events(*, report: DemoReport) -> None:
    """The demo events; see the module docstring. Needs the portal's demo data (run after it)."""
    admin = User.objects.filter(email=ADMIN_EMAIL).first()
    if admin is None:
        report.notes.append("Demo events skipped: the demo administrator account is missing.")
        return
    run = _Run(
        admin=admin,
        resident=User.objects.filter(email=RESIDENT_EMAIL).first(),
        districts={district.slug: district for district in District.objects.all()},
        officers={officer.slug: officer for officer in OfficerProfile.objects.all()},
        languages={language.code: language for language in Language.objects.all()},
        now=timezone.now(),
        seat_codes=set(),
    )
    last_message = OutboxMessage.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    existing = set(
        Event.objects.filter(slug__in=[slugify(spec.title) for spec in EVENTS]).values_list("slug", flat=True)
    )
    for spec in EVENTS:
        if slugify(spec.title) not in existing:
            _seed_event(run, spec)
    # The mail the services queued for demo data is marked sent: the console worker prints none.
    silenced = OutboxMessage.objects.filter(
        pk__gt=last_message, template__startswith="events/", status=OutboxMessage.Status.PENDING
    ).update(status=OutboxMessage.Status.SENT, sent_at=run.now)
    if silenced:
        report.notes.append(f"Demo events: {silenced} emails their RSVPs queued were marked sent, not delivered.")
    if run.touched:
        # bulk_create sends no signal: make the cached event pages and lists stale by hand.
        transaction.on_commit(lambda: event_fragments_bump(event_id=None))
    report.count("outreach events", run.events)
    report.count("RSVPs", run.rsvps)


def _local(day: int, start: tuple[int, int], *, now: datetime.datetime) -> datetime.datetime:
    today = timezone.localdate(now)
    moment = datetime.datetime.combine(today + datetime.timedelta(days=day), datetime.time(*start))
    return timezone.make_aware(moment)


def _when(spec: EventSpec, now: datetime.datetime) -> tuple[datetime.datetime, datetime.datetime]:
    starts_at = _local(spec.day, spec.start, now=now)
    if spec.day >= 0:
        # An upcoming event starts at least two hours from now (the first one is for trying check-in).
        while starts_at < now + datetime.timedelta(hours=2):
            starts_at += datetime.timedelta(days=1)
    return starts_at, starts_at + datetime.timedelta(minutes=spec.minutes)


def _place(spec: EventSpec) -> dict[str, str]:
    if spec.venue is None:
        return {"online_url": f"https://meet.example.org/common-ground/{slugify(spec.title)[:60]}"}
    venue_name, address = VENUES[spec.district][spec.venue]
    return {"venue_name": venue_name, "address": address}


def _fields(run: _Run, spec: EventSpec, starts_at: datetime.datetime, ends_at: datetime.datetime) -> dict:
    features = {name: name in spec.features for name in (STEP_FREE, INTERPRETER, CHILDCARE, CAPTIONING)}
    deadline = starts_at - datetime.timedelta(days=spec.deadline_days) if spec.deadline_days else None
    return {
        "title": spec.title,
        "kind": spec.kind,
        "district": run.districts.get(spec.district),
        "summary": spec.summary,
        "description": spec.description or DESCRIPTIONS[spec.kind],
        "starts_at": starts_at,
        "ends_at": ends_at,
        "capacity": spec.capacity,
        "rsvp_deadline": deadline if deadline and deadline > run.now else None,
        "accessibility_notes": spec.notes,
        **_place(spec),
        **features,
    }


def _seed_event(run: _Run, spec: EventSpec) -> None:
    starts_at, ends_at = _when(spec, run.now)
    hosts = [run.officers[slug] for slug in spec.hosts if slug in run.officers]
    languages = [run.languages[code] for code in spec.languages if code in run.languages]
    fields = _fields(run, spec, starts_at, ends_at)
    try:
        with transaction.atomic():
            if starts_at > run.now:
                event = hosting.event_create(actor=run.admin, hosts=hosts, languages=languages, **fields)
                if spec.status != Event.Status.DRAFT:
                    event = hosting.event_publish(event_id=event.pk, actor=run.admin)
            else:
                event = _past_event(run, spec, fields, hosts=hosts, languages=languages)
            _seed_rsvps(run, spec, event)
            if spec.status == Event.Status.CANCELLED:
                hosting.event_cancel(event_id=event.pk, reason=spec.cancel_reason, actor=run.admin)
    except (ValidationError, PermissionDenied):
        # A rule the demo data did not expect (a setting changed, say): skip this event, keep the rest.
        return
    run.events += 1
    run.touched.append(event.pk)


def _past_event(run: _Run, spec: EventSpec, fields: dict, *, hosts: list, languages: list) -> Event:
    """The services publish only future events: a past one is written as publishing left it."""
    event = Event.objects.create(
        slug=slugify(spec.title),
        status=Event.Status.PUBLISHED,
        published_at=fields["starts_at"] - datetime.timedelta(days=21),
        walk_ins=spec.walk_ins,
        created_by=run.admin,
        **fields,
    )
    event.hosts.set(hosts)
    event.languages.set(languages)
    return event


def _seat_code(run: _Run) -> str:
    while True:
        code = tokens.short_code_new()
        if code not in run.seat_codes and not RSVP.objects.filter(seat_code=code).exists():
            run.seat_codes.add(code)
            return code


def _guest(run: _Run, event: Event, *, party_size: int, moment: datetime.datetime, **fields: object) -> RSVP:
    index = run.people
    run.people += 1
    first = FIRST_NAMES[index % len(FIRST_NAMES)]
    last = LAST_NAMES[(index * 7) % len(LAST_NAMES)]
    return RSVP(
        event=event,
        guest_name=f"{first} {last}",
        # The number keeps addresses unique per event however often the names come round.
        guest_email=f"{slugify(first)}.{slugify(last)}.{index}@example.org",
        manage_token_hash=tokens.token_hash(tokens.token_new(), purpose=RSVP_TOKEN_PURPOSE),
        language="es" if index % 5 == 0 else "en",
        party_size=party_size,
        seat_code=_seat_code(run),
        created_at=moment,
        reminders=index % 9 != 0,
        **fields,
    )


def _parties(total: int, *, start: int) -> list[int]:
    """Party sizes adding up to exactly `total` seats."""
    sizes, index = [], start
    while total > 0:
        size = min(PARTY_SIZES[index % len(PARTY_SIZES)], total)
        sizes.append(size)
        total -= size
        index += 1
    return sizes


def _seed_rsvps(run: _Run, spec: EventSpec, event: Event) -> None:
    if spec.status == Event.Status.DRAFT:
        return
    past = event.starts_at <= run.now
    taken = spec.seats_taken if spec.capacity is None else min(spec.seats_taken, spec.capacity)
    sizes = _parties(taken, start=run.people)
    # Replies came in over the weeks before the event (past) or the last few days (upcoming).
    first = (event.starts_at - datetime.timedelta(days=20)) if past else (run.now - datetime.timedelta(days=4))
    step = datetime.timedelta(minutes=37)
    rows = []
    for number, size in enumerate(sizes):
        moment = first + step * number
        extra: dict[str, object] = {"status": RSVP.Status.CONFIRMED, "confirmed_at": moment}
        if past and number % 5 != 3:
            # Checked in at the door (the hosts' attendance page starts them as attended).
            extra["checked_in_at"] = event.starts_at + datetime.timedelta(minutes=number % 15)
        rows.append(_guest(run, event, party_size=size, moment=moment, **extra))
    full = spec.capacity is not None and taken >= spec.capacity
    if full and not past:
        # A waitlist only ever forms behind a full event; first come, first served.
        for number in range(spec.waiting):
            moment = first + step * (len(sizes) + number)
            size = PARTY_SIZES[(run.people + number) % len(PARTY_SIZES)]
            rows.append(
                _guest(run, event, party_size=size, moment=moment, status=RSVP.Status.WAITLISTED, queued_at=moment)
            )
    RSVP.objects.bulk_create(rows)
    run.rsvps += len(rows)
    if past and spec.record_attendance:
        seats = RSVP.objects.filter(event=event, status=RSVP.Status.CONFIRMED)
        attendance = {
            rsvp.pk: RSVP.Attendance.ATTENDED if rsvp.checked_in_at else RSVP.Attendance.NO_SHOW
            for rsvp in seats.only("pk", "checked_in_at")
        }
        hosting.attendance_record(event_id=event.pk, attendance=attendance, actor=run.admin)
    _seed_resident(run, spec, event)


def _seed_resident(run: _Run, spec: EventSpec, event: Event) -> None:
    """The demo resident's place at this event, made the way a resident would make it."""
    resident = run.resident
    if not spec.resident or resident is None or RSVP.objects.filter(event=event, user=resident).exists():
        return
    if spec.resident == "attended":
        RSVP.objects.create(
            event=event,
            user=resident,
            language=resident.language,
            party_size=spec.resident_party,
            status=RSVP.Status.CONFIRMED,
            seat_code=_seat_code(run),
            created_at=event.starts_at - datetime.timedelta(days=6),
            confirmed_at=event.starts_at - datetime.timedelta(days=6),
            checked_in_at=event.starts_at + datetime.timedelta(minutes=4),
            attendance=RSVP.Attendance.ATTENDED,
        )
    else:
        # A seat or a waitlist place: rsvp_create decides, by the same rules as for everyone.
        rsvp_create(event_id=event.pk, user=resident, party_size=spec.resident_party)
    run.rsvps += 1
