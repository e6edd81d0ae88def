"""English at /..., Spanish at /es/...; a visitor whose browser prefers Spanish is offered it."""

import pytest
from django.utils import translation

from tests.factories import DistrictFactory, OfficerProfileFactory

PAGES = ["/", "/officers/", "/districts/", "/privacy/", "/accessibility/"]


def spanish(text: str) -> str:
    with translation.override("es"):
        return str(translation.gettext(text))


@pytest.mark.parametrize("path", PAGES)
def test_it_serves_english_without_a_prefix_and_spanish_under_es(db, client, path):
    english = client.get(path)
    assert english.status_code == 200
    assert '<html lang="en"' in english.content.decode()
    spanish_page = client.get(f"/es{path}")
    assert spanish_page.status_code == 200
    assert '<html lang="es"' in spanish_page.content.decode()


def test_it_serves_officer_and_district_pages_in_both_languages(db, client):
    officer = OfficerProfileFactory(district=DistrictFactory(slug="east"))
    for path in (officer.get_absolute_url(), "/districts/east/"):
        assert client.get(path).status_code == 200
        assert client.get(f"/es{path}").status_code == 200


def test_it_keeps_unprefixed_pages_english_whatever_the_browser_prefers(db, client):
    response = client.get("/officers/", HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9")
    assert response.status_code == 200  # no redirect to /es/
    assert '<html lang="en"' in response.content.decode()


@pytest.mark.parametrize("header", ["es", "es-MX,es;q=0.9,en;q=0.8", "fr,es;q=0.8,en;q=0.5", "en;q=0.3, es;q=0.9"])
def test_it_offers_spanish_when_the_browser_prefers_it(db, client, header):
    response = client.get("/officers/?district=east", HTTP_ACCEPT_LANGUAGE=header)
    body = response.content.decode()
    assert "portal-language-offer" in body
    assert 'href="/es/officers/?district=east" hreflang="es"' in body
    assert spanish("This page is also available in Spanish.") in body


@pytest.mark.parametrize("header", ["", "en-US,en;q=0.9", "en,es;q=0.9", "fr", "*"])
def test_it_does_not_offer_spanish_to_other_browsers(db, client, header):
    response = client.get("/officers/", HTTP_ACCEPT_LANGUAGE=header)
    assert "portal-language-offer" not in response.content.decode()


def test_it_does_not_offer_spanish_on_a_spanish_page(db, client):
    response = client.get("/es/officers/", HTTP_ACCEPT_LANGUAGE="es")
    assert "portal-language-offer" not in response.content.decode()


def test_it_links_each_page_to_itself_in_the_other_language(db, client):
    english = client.get("/districts/?x=1").content.decode()
    assert 'href="/es/districts/?x=1" hreflang="es"' in english
    assert 'aria-current="page" lang="en"' in english
    spanish_page = client.get("/es/districts/").content.decode()
    assert 'href="/districts/" hreflang="en"' in spanish_page
    assert 'aria-current="page" lang="es"' in spanish_page


def test_it_translates_the_directory_strings(db, client):
    body = client.get("/es/officers/").content.decode()
    assert spanish("Name or badge number") in body
    assert spanish("Any district") in body
