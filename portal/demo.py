"""Demo data for `manage.py seed_demo`: idempotent, and only ever run with DEBUG on.

`demo_seed()` makes what is missing and leaves what is there alone, so running it twice changes
nothing. Feature apps add their own demo data (events, feedback, ...) by registering a seeder from
their `AppConfig.ready()`: `demo.register("events", seed_events, order=10)`; each seeder gets the
`DemoReport` and records what it made in `report.created` (and, if it must, `report.notes`).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from allauth.mfa.utils import decrypt
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction

from portal import fragments
from portal.models import District, Language, OfficerProfile, SitePage, TrainingRecord, User
from portal.roles import Role
from portal.site_pages import DEFAULTS as SITE_PAGE_DEFAULTS

# Printed by the command. Demo accounts only exist where DEBUG is on.
DEMO_PASSWORD = "common-ground-demo"  # noqa: S105

LANGUAGES = [
    ("en", "English"),
    ("es", "Spanish"),
    ("vi", "Vietnamese"),
    ("zh-hans", "Chinese (Simplified)"),
    ("ar", "Arabic"),
    ("tl", "Tagalog"),
]

DISTRICTS = [
    (
        "north",
        "North District",
        "The North District runs from the river bluffs to the city line: quiet residential streets, "
        "the university campus and the Northgate shopping centre. Its station on Elm Avenue is open "
        "to the public every day from 8 am to 8 pm.",
    ),
    (
        "downtown",
        "Downtown District",
        "Downtown covers the business district, City Hall, the courthouse, the bus terminal and the "
        "riverfront park. Officers here patrol on foot and by bicycle, and run the weekly "
        "Coffee with a Cop at the public library.",
    ),
    (
        "east",
        "East District",
        "The East District is home to the city's largest Vietnamese and Spanish-speaking "
        "communities, the Eastside market and three public schools. Its community room hosts "
        "neighbourhood meetings on the first Tuesday of each month.",
    ),
    (
        "south",
        "South District",
        "The South District includes the industrial park, the Southview apartments and the "
        "county fairgrounds. Its youth programmes run at the Southview recreation centre.",
    ),
]

# slug, first, last, badge, rank, district, languages, public, bio
OFFICERS = [
    ("ana-ruiz", "Ana", "Ruiz", "1042", "Sergeant", "east", ["en", "es"], True,
     "Sergeant Ruiz has served the East District for twelve years and leads its community outreach team. "
     "She grew up a few streets from the Eastside market."),
    ("minh-nguyen", "Minh", "Nguyen", "1187", "Officer", "east", ["en", "vi"], True,
     "Officer Nguyen joined the department in 2019 after teaching maths at Eastside High School."),
    ("grace-okafor", "Grace", "Okafor", "0931", "Lieutenant", "downtown", ["en"], True,
     "Lieutenant Okafor commands the Downtown foot and bicycle patrols and chairs the monthly "
     "business owners' safety meeting."),
    ("daniel-cho", "Daniel", "Cho", "1203", "Officer", "downtown", ["en", "zh-hans"], True,
     "Officer Cho patrols the riverfront park by bicycle and is a certified crisis intervention officer."),
    ("maria-santos", "María", "Santos", "1115", "Corporal", "south", ["en", "es", "tl"], True,
     "Corporal Santos runs the youth basketball league at the Southview recreation centre."),
    ("james-whitfield", "James", "Whitfield", "0877", "Captain", "north", ["en"], True,
     "Captain Whitfield leads the North District. He has worked in every district of the city "
     "in his 22 years with the department."),
    ("leila-haddad", "Leila", "Haddad", "1150", "Officer", "north", ["en", "ar"], True,
     "Officer Haddad is the North District's liaison to the university and its international students."),
    ("samuel-brooks", "Samuel", "Brooks", "1221", "Officer", "south", ["en"], True,
     "Officer Brooks joined the department in 2023 after four years as a paramedic."),
    ("rosa-delgado", "Rosa", "Delgado", "0998", "Sergeant", "south", ["en", "es"], True,
     "Sergeant Delgado supervises the South District's evening shift and its domestic violence response team."),
    ("thanh-tran", "Thanh", "Tran", "1176", "Senior Officer", "east", ["en", "vi"], True,
     "Senior Officer Tran trains new officers in the East District and speaks Vietnamese at home."),
    ("michael-oconnor", "Michael", "O'Connor", "1064", "Detective", "downtown", ["en"], True,
     "Detective O'Connor investigates property crime downtown and runs the bicycle registration programme."),
    ("wei-lin", "Wei", "Lin", "1239", "Officer", "north", ["en", "zh-hans"], True,
     "Officer Lin is the newest member of the North District team."),
    ("fatima-ali", "Fatima", "Ali", "1132", "Corporal", "downtown", ["en", "ar"], True,
     "Corporal Ali coordinates the department's interpreters and its language access plan."),
    ("carlos-mendez", "Carlos", "Mendez", "1098", "Officer", "east", ["en", "es"], True,
     "Officer Mendez coaches the Eastside youth soccer team on Saturdays."),
    ("helen-park", "Helen", "Park", "0915", "Lieutenant", "south", ["en"], True,
     "Lieutenant Park commands the South District and leads the department's citizen academy."),
    ("david-kim", "David", "Kim", "1250", "Officer", "north", ["en"], False,
     "Officer Kim is in field training and not yet listed in the public directory."),
]  # fmt: skip

COURSES = [
    "Crisis Intervention Team (CIT)",
    "De-escalation and Use of Force",
    "Fair and Impartial Policing",
    "Mental Health First Aid",
    "Procedural Justice",
    "First Aid and CPR",
    "Working with Interpreters",
    "Youth Engagement",
    "Domestic Violence Response",
]


@dataclass(frozen=True)
class DemoAccountSpec:
    email: str
    first_name: str
    last_name: str
    role: Role | None
    is_staff: bool = False
    officer_slug: str | None = None


ACCOUNTS = [
    DemoAccountSpec("resident@example.org", "Maya", "Patel", None),
    DemoAccountSpec("officer@example.org", "Ana", "Ruiz", Role.OFFICER, officer_slug="ana-ruiz"),
    DemoAccountSpec("investigator@example.org", "Jordan", "Ellis", Role.INVESTIGATOR),
    DemoAccountSpec("admin@example.org", "Dana", "Brooks", Role.ADMINISTRATOR, is_staff=True),
]


@dataclass(frozen=True)
class DemoAccount:
    email: str
    role: str
    totp_secret: str | None
    note: str = ""


@dataclass
class DemoReport:
    password: str
    created: dict[str, int] = field(default_factory=dict)
    accounts: list[DemoAccount] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def count(self, label: str, number: int) -> None:
        self.created[label] = self.created.get(label, 0) + number


Seeder = Callable[..., None]
_seeders: dict[str, tuple[int, Seeder]] = {}


def register(name: str, seeder: Seeder, *, order: int = 100) -> None:
    """Add a feature app's seeder: `seeder(report=DemoReport)`, run after the portal's own data."""
    _seeders[name] = (order, seeder)


@transaction.atomic
def demo_seed() -> DemoReport:
    """Make whatever demo data is missing; return what was made and the accounts to sign in with."""
    report = DemoReport(password=DEMO_PASSWORD)
    _seed_languages(report)
    _seed_districts(report)
    _seed_officers(report)
    _seed_site_pages(report)
    _seed_accounts(report)
    for _order, seeder in sorted(_seeders.values(), key=lambda item: item[0]):
        seeder(report=report)
    # bulk_create sends no signals: make the directory's cached fragments stale by hand.
    transaction.on_commit(lambda: fragments.fragment_version_bump(scope=fragments.DIRECTORY))
    return report


def _seed_languages(report: DemoReport) -> None:
    existing = set(Language.objects.values_list("code", flat=True))
    new = [Language(code=code, name=name) for code, name in LANGUAGES if code not in existing]
    Language.objects.bulk_create(new)
    report.count("languages", len(new))


def _seed_districts(report: DemoReport) -> None:
    existing = set(District.objects.values_list("slug", flat=True))
    new = [
        District(slug=slug, name=name, description=description)
        for slug, name, description in DISTRICTS
        if slug not in existing
    ]
    District.objects.bulk_create(new)
    report.count("districts", len(new))


def _seed_officers(report: DemoReport) -> None:
    existing = set(OfficerProfile.objects.values_list("slug", flat=True))
    taken_badges = set(OfficerProfile.objects.values_list("badge_number", flat=True))
    districts = dict(District.objects.values_list("slug", "pk"))
    languages = dict(Language.objects.values_list("code", "pk"))
    specs = [spec for spec in OFFICERS if spec[0] not in existing and spec[3] not in taken_badges]
    officers = OfficerProfile.objects.bulk_create(
        [
            OfficerProfile(
                slug=slug,
                first_name=first,
                last_name=last,
                badge_number=badge,
                rank=rank,
                district_id=districts.get(district),
                is_public=public,
                bio=bio,
            )
            for slug, first, last, badge, rank, district, _langs, public, bio in specs
        ]
    )
    if not officers:
        report.count("officers", 0)
        return
    # bulk_create gives primary keys on PostgreSQL and SQLite; read them back to be sure.
    by_slug = dict(OfficerProfile.objects.filter(slug__in=[spec[0] for spec in specs]).values_list("slug", "pk"))
    Through = OfficerProfile.languages.through
    Through.objects.bulk_create(
        [
            Through(officerprofile_id=by_slug[spec[0]], language_id=languages[code])
            for spec in specs
            for code in spec[6]
            if code in languages
        ],
        ignore_conflicts=True,
    )
    records = []
    for index, spec in enumerate(specs):
        # Deterministic, so the demo looks the same everywhere: 2 to 4 courses each.
        for step in range(2 + index % 3):
            course = COURSES[(index * 2 + step) % len(COURSES)]
            completed_on = datetime.date(2025, 1, 15) - datetime.timedelta(days=97 * step + 11 * index)
            records.append(TrainingRecord(officer_id=by_slug[spec[0]], course=course, completed_on=completed_on))
    TrainingRecord.objects.bulk_create(records)
    report.count("officers", len(officers))
    report.count("training records", len(records))


def _seed_site_pages(report: DemoReport) -> None:
    existing = set(SitePage.objects.values_list("slug", flat=True))
    new = [SitePage(slug=slug, **texts) for slug, texts in SITE_PAGE_DEFAULTS.items() if slug not in existing]
    SitePage.objects.bulk_create(new)
    report.count("site pages", len(new))


def _seed_accounts(report: DemoReport) -> None:
    emails = [spec.email for spec in ACCOUNTS]
    existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    password_hash = make_password(DEMO_PASSWORD)  # hashed once: the hasher is slow by design
    new_users = [
        User(
            email=spec.email,
            first_name=spec.first_name,
            last_name=spec.last_name,
            is_staff=spec.is_staff,
            password=password_hash,
        )
        for spec in ACCOUNTS
        if spec.email not in existing
    ]
    User.objects.bulk_create(new_users)
    report.count("accounts", len(new_users))
    users = {user.email: user for user in User.objects.filter(email__in=emails)}

    verified = set(EmailAddress.objects.filter(user__in=users.values()).values_list("email", flat=True))
    EmailAddress.objects.bulk_create(
        [
            EmailAddress(user=user, email=user.email, primary=True, verified=True)
            for user in users.values()
            if user.email not in verified
        ]
    )

    groups = {group.name: group for group in Group.objects.filter(name__in=[role.value for role in Role])}
    Membership = User.groups.through
    Membership.objects.bulk_create(
        [
            Membership(user_id=users[spec.email].pk, group_id=groups[spec.role.value].pk)
            for spec in ACCOUNTS
            if spec.role is not None and spec.email in users
        ],
        ignore_conflicts=True,
    )

    for spec in ACCOUNTS:
        user = users[spec.email]
        note = ""
        if spec.officer_slug:
            note = _link_officer(user=user, officer_slug=spec.officer_slug)
        secret = _ensure_totp(user) if spec.role is not None else None
        report.accounts.append(
            DemoAccount(
                email=spec.email, role=str(spec.role.label) if spec.role else "Resident", totp_secret=secret, note=note
            )
        )


def _link_officer(*, user: User, officer_slug: str) -> str:
    officer = OfficerProfile.objects.filter(slug=officer_slug).first()
    if officer is None:
        return ""
    if officer.user_id is None and not OfficerProfile.objects.filter(user=user).exists():
        # update() rather than save(): only this column, and no signal (the row's public
        # fields do not change).
        OfficerProfile.objects.filter(pk=officer.pk, user__isnull=True).update(user=user)
        officer.user_id = user.pk
    if officer.user_id == user.pk:
        return f"{officer.rank} {officer.full_name}, badge {officer.badge_number}".strip()
    return ""


def _ensure_totp(user: User) -> str:
    """The account's TOTP secret, setting two-factor up first if it has none."""
    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if authenticator is None:
        secret = generate_totp_secret()
        TOTP.activate(user, secret)
        return secret
    return decrypt(authenticator.data["secret"])
