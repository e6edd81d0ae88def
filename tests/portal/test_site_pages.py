import pytest
from django.http import Http404
from django.test import RequestFactory

from portal.models import SitePage
from portal.site_pages import DEFAULTS, site_page_body_html, site_page_for_language
from portal.views.site import site_page_view
from tests.factories import AdministratorFactory, ResidentFactory


def content(response) -> str:
    return response.content.decode()


@pytest.mark.parametrize(
    ("path", "heading"), [("/privacy/", "Privacy notice"), ("/accessibility/", "Accessibility statement")]
)
def test_it_shows_useful_default_text_before_anyone_writes_the_page(db, client, path, heading):
    response = client.get(path)
    assert response.status_code == 200
    assert f"<h1>{heading}</h1>" in content(response)
    assert "<h2>" in content(response)  # real sections, not a placeholder
    assert "has not been written" not in content(response)


def test_it_shows_the_default_text_in_spanish_at_es(db, client):
    response = client.get("/es/privacy/")
    assert "<h1>Aviso de privacidad</h1>" in content(response)
    assert "Qué datos recogemos" in content(response)
    assert "not yet available in Spanish" not in content(response)


def test_it_shows_the_saved_page_in_each_language(db, client):
    SitePage.objects.create(
        slug="privacy",
        title_en="Our privacy",
        body_en="We keep little.",
        title_es="Privacidad",
        body_es="Guardamos poco.",
    )
    english = content(client.get("/privacy/"))
    assert "<h1>Our privacy</h1>" in english
    assert "We keep little." in english
    spanish = content(client.get("/es/privacy/"))
    assert "<h1>Privacidad</h1>" in spanish
    assert "Guardamos poco." in spanish
    assert "Last updated" in english


def test_it_falls_back_to_english_with_a_notice(db, client):
    SitePage.objects.create(slug="accessibility", title_en="Access", body_en="We aim for WCAG 2.2 AA.")
    response = client.get("/es/accessibility/")
    assert response.status_code == 200
    assert "We aim for WCAG 2.2 AA." in content(response)
    assert "Esta página todavía no está disponible en español, por eso se muestra en inglés." in content(response)
    assert 'lang="en"' in content(response)  # the English text is marked as English on the Spanish page


def test_it_offers_administrators_the_edit_page(db, client):
    client.force_login(AdministratorFactory())
    assert "/staff/pages/privacy/" in content(client.get("/privacy/"))


def test_it_does_not_offer_residents_the_edit_page(db, client):
    client.force_login(ResidentFactory())
    assert "/staff/pages/privacy/" not in content(client.get("/privacy/"))


def test_it_answers_404_for_a_page_that_is_not_a_site_page(db):
    with pytest.raises(Http404):
        site_page_view(RequestFactory().get("/x/"), page="terms")


def test_it_escapes_what_administrators_write():
    html = site_page_body_html('<script>alert("x")</script>\n\n## <b>Heading</b>\n- <i>item</i>')
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "<h2>&lt;b&gt;Heading&lt;/b&gt;</h2>" in html
    assert "<li>&lt;i&gt;item&lt;/i&gt;</li>" in html


def test_it_turns_plain_text_into_paragraphs_headings_and_lists():
    html = site_page_body_html("First line\nsame paragraph\r\n\r\n## Rights\n- one\n- two\n\nLast.")
    assert (
        html == "<p>First line<br>same paragraph</p>\n<h2>Rights</h2>\n<ul><li>one</li><li>two</li></ul>\n<p>Last.</p>"
    )


def test_it_has_default_text_in_both_languages_for_every_page():
    assert set(DEFAULTS) == set(SitePage.Slug.values)
    for texts in DEFAULTS.values():
        assert all(texts[key].strip() for key in ("title_en", "body_en", "title_es", "body_es"))


def test_it_treats_a_blank_spanish_body_as_missing(db):
    SitePage.objects.create(slug="privacy", title_en="Privacy", body_en="English.", title_es="Privacidad", body_es="  ")
    shown = site_page_for_language(slug="privacy", language="es")
    assert shown.is_fallback
    assert shown.language == "en"
    assert shown.title == "Privacy"
