import pytest
from django.test import RequestFactory
from django.utils import translation

from portal.context_processors import (
    browser_prefers_spanish,
    language_url,
    safe_hex_color,
    site,
    text_color_on,
)
from tests.factories import AdministratorFactory, OfficerFactory, ResidentFactory


@pytest.mark.parametrize(("value", "expected"), [("#1a4480", "#1a4480"), ("#ABC", "#abc"), (" #e5a000 ", "#e5a000")])
def test_it_accepts_hex_colours(value, expected):
    assert safe_hex_color(value, default="#000000") == expected


@pytest.mark.parametrize(
    "value",
    [
        "red",
        "#12345",
        "#1a4480; } body { display: none",
        "</style><script>alert(1)</script>",
        "",
        "url(x)",
        "#1a4480\n",
    ],
)
def test_it_refuses_anything_but_a_hex_colour(value):
    assert safe_hex_color(value, default="#1a4480") == "#1a4480"


def test_it_keeps_a_bad_colour_setting_out_of_the_page(db, client, settings):
    settings.DEPARTMENT_PRIMARY_COLOR = "red; } body { background: url(//evil.example) }"
    body = client.get("/").content.decode()
    assert "evil.example" not in body
    assert "--brand-primary: #1a4480;" in body


def test_it_uses_the_department_colours_from_settings(db, client, settings):
    settings.DEPARTMENT_PRIMARY_COLOR = "#004d40"
    settings.DEPARTMENT_ACCENT_COLOR = "#ffd54f"
    body = client.get("/").content.decode()
    assert "--brand-primary: #004d40;" in body
    assert "--brand-primary-text: #ffffff;" in body
    assert "--brand-accent-text: #1b1b1b;" in body


def test_it_picks_readable_text_for_a_colour():
    assert text_color_on("#1a4480") == "#ffffff"
    assert text_color_on("#ffffff") == "#1b1b1b"
    assert text_color_on("#ff0") == "#1b1b1b"


def test_it_shows_the_department_name_and_logo_from_settings(db, client, settings):
    settings.DEPARTMENT_NAME = "Lakeside Police"
    settings.DEPARTMENT_LOGO = "img/logo.svg"
    body = client.get("/").content.decode()
    assert "Lakeside Police" in body
    assert "/static/img/logo.svg" in body


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("es", True),
        ("es-419", True),
        ("ES-es", True),
        ("en", False),
        ("de,es;q=0.5", True),  # German is not served: Spanish is the first we serve
        ("de,en;q=0.9,es;q=0.5", False),
        ("es;q=0, en", False),
        ("garbage;;;,,,", False),
        ("", False),
    ],
)
def test_it_reads_the_browsers_language_preference(rf: RequestFactory, header, expected):
    assert browser_prefers_spanish(rf.get("/", HTTP_ACCEPT_LANGUAGE=header)) is expected


def test_it_makes_language_urls_for_known_and_unknown_paths(db):
    with translation.override("en"):
        assert language_url("/officers/?q=ana", "es") == "/es/officers/?q=ana"
        assert language_url("/officers/", "en") == "/officers/"
        assert language_url("/nowhere/", "es") == "/es/nowhere/"
    with translation.override("es"):
        assert language_url("/es/officers/", "en") == "/officers/"
        assert language_url("/es/nowhere/", "en") == "/nowhere/"
        assert language_url("/es/", "en") == "/"


@pytest.mark.parametrize(
    ("factory", "flags"),
    [
        (None, set()),
        (ResidentFactory, set()),
        (OfficerFactory, {"viewer_is_staff", "viewer_is_officer"}),
        (AdministratorFactory, {"viewer_is_staff", "viewer_is_administrator"}),
    ],
)
def test_it_tells_templates_the_viewers_roles(db, rf: RequestFactory, factory, flags):
    from django.contrib.auth.models import AnonymousUser

    request = rf.get("/")
    request.user = factory() if factory else AnonymousUser()
    context = site(request)
    role_flags = {key for key, value in context.items() if key.startswith("viewer_is_") and value}
    assert role_flags == flags
