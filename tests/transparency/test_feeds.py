"""Atom feeds of published updates (django.contrib.syndication): all, per category, per district."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from django.utils import translation

from tests.factories import DistrictFactory
from tests.transparency.factories import PublishedUpdateFactory, UpdateFactory
from transparency.models import Category

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def _feed(client, url: str) -> ET.Element:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)  # noqa: S314 — our own response, in a test
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{required}") is not None
    return root


def _titles(root: ET.Element) -> list[str]:
    return [entry.findtext(f"{ATOM}title") for entry in root.findall(f"{ATOM}entry")]


def test_it_is_a_valid_atom_feed_of_published_updates_only(client):
    published = PublishedUpdateFactory(title="Published one", summary="What we did.")
    UpdateFactory(title="A draft")
    root = _feed(client, reverse("transparency:feed"))
    assert _titles(root) == ["Published one"]
    entry = root.find(f"{ATOM}entry")
    for required in ("id", "title", "updated", "link", "summary"):
        assert entry.find(f"{ATOM}{required}") is not None
    assert entry.find(f"{ATOM}link").get("href").endswith(published.get_absolute_url())
    assert entry.findtext(f"{ATOM}summary") == "What we did."
    assert entry.find(f"{ATOM}category").get("term") == "Community news"


def test_it_filters_the_feed_by_category(client):
    PublishedUpdateFactory(title="Flood alert", category=Category.SAFETY_ALERT)
    PublishedUpdateFactory(title="Training done", category=Category.TRAINING)
    root = _feed(client, reverse("transparency:feed-category", kwargs={"category": Category.SAFETY_ALERT}))
    assert _titles(root) == ["Flood alert"]


def test_it_filters_the_feed_by_district(client):
    north = DistrictFactory(slug="north")
    mine = PublishedUpdateFactory(title="North news")
    mine.districts.add(north)
    PublishedUpdateFactory(title="Elsewhere")
    root = _feed(client, reverse("transparency:feed-district", kwargs={"slug": "north"}))
    assert _titles(root) == ["North news"]


def test_it_answers_404_for_an_unknown_category_or_district(client):
    assert client.get(reverse("transparency:feed-category", kwargs={"category": "gossip"})).status_code == 404
    assert client.get(reverse("transparency:feed-district", kwargs={"slug": "atlantis"})).status_code == 404


def test_it_links_each_item_in_the_feeds_language(client):
    update = PublishedUpdateFactory(title="Road closures", title_es="Cierres", summary_es="Resumen", body_es="Texto")
    untranslated = PublishedUpdateFactory(title="Only English")
    with translation.override("es"):
        url = reverse("transparency:feed")
        spanish_link = update.get_absolute_url()
        english_only_link = untranslated.get_absolute_url()
    root = _feed(client, url)
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "es"
    entries = {entry.findtext(f"{ATOM}title"): entry for entry in root.findall(f"{ATOM}entry")}
    assert set(entries) == {"Cierres", "Only English"}
    assert entries["Cierres"].find(f"{ATOM}link").get("href").endswith(spanish_link)
    assert spanish_link.startswith("/es/")
    assert entries["Only English"].find(f"{ATOM}link").get("href").endswith(english_only_link)
