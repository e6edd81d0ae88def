"""Spanish ships complete: every msgid translated, nothing fuzzy, and no English left on Spanish pages."""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from feedback.models import Feedback, Reply
from tests.events.factories import EventFactory, RSVPFactory
from tests.factories import (
    AdministratorFactory,
    DistrictFactory,
    OfficerFactory,
    OfficerProfileFactory,
    ResidentFactory,
)
from tests.feedback.factories import FeedbackFactory, PublishedComplimentFactory, ReplyFactory

PO_FILE = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES" / "django.po"
# The same run as `make messages`: what makemessages must find already translated.
MAKEMESSAGES_IGNORES = [".venv", "node_modules", "staticfiles", "var", "tests"]
GETTEXT_TOOLS = ("xgettext", "msgmerge", "msgfmt")


def parse_po(text: str) -> list[dict]:
    """The entries of a .po file: msgid, msgid_plural, msgstr (a list: one, or one per plural form), flags."""
    entries = []
    for block in re.split(r"\n\s*\n", text.strip()):
        entry: dict = {"msgid": None, "msgid_plural": None, "msgstr": [], "flags": set(), "obsolete": False}
        current: str | None = None
        for line in block.splitlines():
            if line.startswith("#~"):
                entry["obsolete"] = True
                continue
            if line.startswith("#,"):
                entry["flags"].update(flag.strip() for flag in line[2:].split(","))
                continue
            if line.startswith("#"):
                continue
            keyword, _, rest = line.partition(" ")
            if line.startswith('"'):
                value = _unquote(line)
            else:
                value = _unquote(rest)
                current = keyword
                if keyword.startswith("msgstr"):
                    entry["msgstr"].append("")
                elif keyword in ("msgid", "msgid_plural"):
                    entry[keyword] = ""
            if current is None:
                continue
            if current.startswith("msgstr"):
                entry["msgstr"][-1] += value
            elif current in ("msgid", "msgid_plural"):
                entry[current] += value
        if entry["msgid"] is not None:
            entries.append(entry)
    return entries


def _unquote(quoted: str) -> str:
    inner = quoted.strip()[1:-1]
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), inner)


def problems_in(po_text: str) -> list[str]:
    problems = []
    for entry in parse_po(po_text):
        if entry["obsolete"]:
            problems.append(f"obsolete: {entry['msgid']!r}")
        elif entry["msgid"] == "":
            if "fuzzy" in entry["flags"]:
                problems.append("the header is marked fuzzy")
        elif "fuzzy" in entry["flags"]:
            problems.append(f"fuzzy: {entry['msgid']!r}")
        elif not entry["msgstr"] or not all(entry["msgstr"]):
            problems.append(f"untranslated: {entry['msgid']!r}")
    return problems


def require_gettext() -> None:
    missing = [tool for tool in GETTEXT_TOOLS if shutil.which(tool) is None]
    if missing:
        message = f"GNU gettext is not installed ({', '.join(missing)} missing): apt-get install gettext"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


def test_it_has_no_untranslated_or_fuzzy_spanish_entry():
    text = PO_FILE.read_text(encoding="utf-8")
    assert len(parse_po(text)) > 100
    assert problems_in(text) == []
    assert '"Language: es\\n"' in text


def test_it_keeps_the_spanish_catalogue_valid_for_msgfmt():
    require_gettext()
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", os.devnull, str(PO_FILE)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "LC_ALL": "C"},
    )
    assert result.returncode == 0, result.stderr
    # e.g. "345 translated messages." — never "... fuzzy translations" or "... untranslated messages".
    assert re.fullmatch(r"\d+ translated messages?\.", result.stderr.strip()), result.stderr


def test_it_has_every_string_a_fresh_makemessages_would_find_translated(tmp_path):
    """Run makemessages on a copy of the project (never on the real catalogue) and check the result."""
    require_gettext()
    base = Path(settings.BASE_DIR)
    project = tmp_path / "project"
    shutil.copytree(
        base,
        project,
        ignore=shutil.ignore_patterns(
            *MAKEMESSAGES_IGNORES, ".git", ".env", "*.mo", "__pycache__", ".*_cache", "db.sqlite3*"
        ),
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DEBUG": "1",
        "VAR_DIR": str(tmp_path / "var"),
        "LC_ALL": "C.UTF-8",
    }
    command = [sys.executable, "manage.py", "makemessages", "-l", "es", "--no-obsolete", "-v", "0"]
    command += [f"--ignore={pattern}" for pattern in MAKEMESSAGES_IGNORES]
    result = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr

    fresh = (project / "locale" / "es" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    committed_ids = {entry["msgid"] for entry in parse_po(PO_FILE.read_text(encoding="utf-8"))}
    new_ids = sorted(entry["msgid"] for entry in parse_po(fresh) if entry["msgid"] not in committed_ids)
    assert new_ids == [], "run `make messages` and translate these in locale/es/LC_MESSAGES/django.po"
    assert problems_in(fresh) == []


# English phrases each page shows; none may be left on its Spanish version (/es/...). Each must
# really be on the English page, so the list cannot go stale without this test noticing.
COMMON = [
    "Skip to main content",
    "This site is not for emergencies",
    "Not for emergencies",
    "Non-emergency line",
    "Privacy notice",
    "Accessibility statement",
    "Officers",
    "Districts",
    "Main menu",
]
PAGES = {
    "/": ["Sign in", "Browse officers", "Browse districts", "Create an account", "in the open"],
    "/officers/": [
        "Sign in",
        "Name or badge number",
        "Any district",
        "Any language",
        "in the directory",
        "Badge number",
    ],
    "/districts/": ["Sign in", "The city is divided into districts"],
    "/privacy/": ["Sign in", "What we collect", "Who can see it"],
    "/accessibility/": ["Sign in", "What you can do on this site"],
    "/no-such-page/": ["Sign in", "Page not found", "Go to the home page", "Find an officer"],
    "/accounts/login/": ["Sign In", "Forgot your password?", "Password", "Remember Me"],
    "/accounts/signup/": ["Sign Up", "Already have an account?", "Password (again)"],
}
SIGNED_IN_PAGES = {
    "/account/": [
        "My account",
        "Sign out",
        "You are signed in as",
        "Preferences",
        "Preferred language",
        "Save preferences",
        "Two-factor sign-in",
        "Download my data",
        "Delete your account",
    ],
}
STAFF_PAGES = {
    "/staff/": ["My account", "Staff accounts", "Invite someone", "Site pages", "Back office", "Your role:"],
    "/staff/people/": ["Staff accounts", "Email address", "Two-factor", "Active"],
}
EVENT_LIST_PHRASES = [
    "Sign in",
    "meet the officers who serve your neighbourhood",
    "See past events",
    "Subscribe to the events calendar",
    "Filter events",
    "Kind of event",
    "Any kind",
    "Language offered",
    "Accessibility features needed",
    "Show events",
    "upcoming event",
    "seats left",
    "Community meeting",
    "Step-free access",
    "Interpreter",
]
EVENT_PAGE_PHRASES = [
    "Sign in",
    "When",
    "Where",
    "Find it on OpenStreetMap",
    "opens the map search",
    "seats left",
    "Add to your calendar",
    "About this event",
    "Hosted by the",
    "Languages and accessibility",
    "Languages offered",
    "Not listed",
    "Step-free access",
    "Interpreter available",
    "Sign in to RSVP",
    "RSVP without an account",
]
MY_EVENTS_PHRASES = [
    "My account",
    "Sign out",
    "My events",
    "Your seats and waitlist places",
    "Add all your events to your calendar app",
    "Upcoming",
    "Your place",
    "Seat code",
    "confirmed for",
]
STAFF_EVENT_PHRASES = [
    "My account",
    "Events you run",
    "As an administrator you can run every event",
    "Create an event",
    "Which events",
    "Upcoming and drafts",
    "Seats taken",
    "Waitlist",
    "Published",
]
FEEDBACK_WALL_PHRASES = [
    "Sign in",
    "What residents told us",
    "Send us feedback",
    "Filter the feedback",
    "Kind of feedback",
    "Any kind",
    "Compliment",
    "Suggestion",
    "Concern",
    "Question",
    "Show feedback",
    "Published feedback",
    "published item",
    "Reply from",
    "How quickly we answer",
    "Feedback received",
    "Median days to first reply",
    "All districts",
    "answered item",
]
FEEDBACK_SEND_PHRASES = [
    "Sign in",
    "Send feedback",
    "What kind of feedback is it?",
    "What is it about?",
    "The department",
    "Choose a district",
    "Choose an officer",
    "Your message",
    "Language of your message",
    "You may publish my message",
    "Your email address (optional)",
    "Leave this field empty",
    "Is it a complaint about an officer's conduct?",
    "To make a complaint",
    "Have an account?",
]
STAFF_FEEDBACK_PHRASES = [
    "My account",
    "Feedback inbox",
    "Saved reply templates",
    "In your inbox",
    "Any status",
    "Any officer",
    "Older than 7 days",
    "Awaiting moderation",
    "Only feedback assigned to me",
    "Show feedback",
    "Clear filters",
    "Assigned to",
    "Nobody yet",
    "Suggestion",
    "Question",
]
ATTRIBUTES = re.compile(r'\s(?:aria-label|alt|title|placeholder|data-label)="([^"]*)"')


def visible_text(body: str) -> str:
    """What a person sees or hears: text between tags, plus labels given in attributes."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.DOTALL)
    labels = ATTRIBUTES.findall(body)
    text = re.sub(r"<[^>]+>", "\n", body)
    return html.unescape("\n".join([text, *labels]))


def assert_no_english_left(client: Client, pages: dict[str, list[str]]) -> None:
    for path, phrases in pages.items():
        english = client.get(path)
        spanish = client.get(f"/es{path}")
        assert english.status_code == spanish.status_code, path
        assert spanish.status_code in (200, 404), path
        english_text = visible_text(english.content.decode())
        spanish_text = visible_text(spanish.content.decode())
        for phrase in [*COMMON, *phrases]:
            assert phrase in english_text, f"{phrase!r} is not on {path}: update this test"
            assert phrase not in spanish_text, f"{phrase!r} is left in English on /es{path}"


@pytest.fixture
def directory(db):
    # Data is shown as entered, so give it no English that the checks would mistake for ours.
    OfficerProfileFactory(first_name="Ana", last_name="Ruiz", rank="Sargento", bio="Ana trabaja en el distrito.")


@pytest.fixture
def event(db):
    # As with the directory: data in Spanish, so any English on the page is ours.
    return EventFactory(
        title="Reunión de vecinos",
        summary="Conozca a los agentes de su barrio.",
        description="Hablaremos de la seguridad en el barrio.",
        district=DistrictFactory(name="Centro"),
        venue_name="Biblioteca Central",
        address="Calle Mayor 100",
        step_free_access=True,
        interpreter=True,
    )


def test_it_leaves_no_english_on_spanish_public_pages(client, directory):
    assert_no_english_left(client, PAGES)


def test_it_leaves_no_english_on_a_residents_spanish_account_page(client, directory):
    client.force_login(ResidentFactory())
    assert_no_english_left(client, SIGNED_IN_PAGES)


def test_it_leaves_no_english_on_spanish_staff_pages(client, directory):
    client.force_login(AdministratorFactory(first_name="Luisa", last_name="Pérez"))
    assert_no_english_left(client, STAFF_PAGES)


def test_it_leaves_no_english_on_spanish_event_pages(client, directory, event):
    assert_no_english_left(client, {"/events/": EVENT_LIST_PHRASES, f"/events/{event.slug}/": EVENT_PAGE_PHRASES})


def test_it_leaves_no_english_on_a_residents_spanish_my_events_page(client, directory, event):
    resident = ResidentFactory()
    RSVPFactory(event=event, user=resident, party_size=2)
    client.force_login(resident)
    assert_no_english_left(client, {"/events/mine/": MY_EVENTS_PHRASES})


def test_it_leaves_no_english_on_the_spanish_staff_events_page(client, directory, event):
    client.force_login(AdministratorFactory(first_name="Luisa", last_name="Pérez"))
    assert_no_english_left(client, {"/staff/events/": STAFF_EVENT_PHRASES})


@pytest.fixture
def feedback_items(db):
    # Feedback in Spanish, about Spanish-named subjects: any English on the page is ours.
    centro = DistrictFactory(name="Centro", slug="centro", description="El centro de la ciudad.")
    officer = OfficerFactory(first_name="Ana", last_name="Ruiz")
    ana = OfficerProfileFactory(
        user=officer,
        first_name="Ana",
        last_name="Ruiz",
        rank="Sargento",
        bio="Ana trabaja en el centro.",
        district=centro,
    )
    compliment = PublishedComplimentFactory(
        officer=ana, district=None, message="Gracias por su ayuda en la feria.", language="es"
    )
    ReplyFactory(
        feedback=compliment, author=officer, body="Gracias a usted por venir.", signature=Reply.Signature.OFFICER
    )
    FeedbackFactory(
        district=centro,
        message="Pongan más luces en el parque.",
        language="es",
        author=ResidentFactory(first_name="Marta", last_name="Gómez"),
    )
    FeedbackFactory(
        kind=Feedback.Kind.QUESTION,
        district=centro,
        message="¿Cuándo es la próxima reunión?",
        language="es",
        may_publish=True,
        publication=Feedback.Publication.AWAITING,
    )


def test_it_leaves_no_english_on_the_spanish_feedback_pages(client, feedback_items):
    assert_no_english_left(client, {"/feedback/": FEEDBACK_WALL_PHRASES, "/feedback/new/": FEEDBACK_SEND_PHRASES})


def test_it_leaves_no_english_on_the_spanish_staff_feedback_inbox(client, feedback_items):
    client.force_login(AdministratorFactory(first_name="Luisa", last_name="Pérez"))
    assert_no_english_left(client, {"/staff/feedback/": STAFF_FEEDBACK_PHRASES})


def test_it_offers_the_spanish_page_in_spanish(db, client):
    body = visible_text(client.get("/officers/", HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9").content.decode())
    assert "Esta página también está disponible en español." in body


def test_it_ships_spanish_default_texts_for_every_site_page():
    from portal.site_pages import DEFAULTS

    for slug, texts in DEFAULTS.items():
        assert texts["title_es"], slug
        assert texts["body_es"], slug
        assert texts["body_es"] != texts["body_en"], slug
        # As many headings in Spanish as in English: the translation is whole, not a start.
        assert texts["body_es"].count("## ") == texts["body_en"].count("## "), slug
