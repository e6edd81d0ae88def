from pathlib import Path

import pytest

from portal import district_sections
from tests.factories import DistrictFactory, OfficerProfileFactory

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"


@pytest.fixture
def section_templates(settings):
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], TEMPLATES_DIR]}]


@pytest.fixture
def registry():
    """Register sections as a feature app's ready() would, and leave the registry as it was."""
    before = dict(district_sections._sections)
    yield district_sections
    district_sections._sections.clear()
    district_sections._sections.update(before)


def test_it_renders_a_registered_section_with_its_context(db, client, section_templates, registry):
    calls = []

    def context(district, request):
        calls.append((district.pk, request.path))
        return {"headline": "Coffee with a Cop"}

    registry.register("test-upcoming", template="district_sections_test/upcoming.html", context=context, order=10)
    district = DistrictFactory(name="East District")
    response = client.get(district.get_absolute_url())
    content = response.content.decode()
    assert response.status_code == 200
    assert "Upcoming in East District" in content
    assert f"Coffee with a Cop for {district.get_absolute_url()}" in content
    assert calls == [(district.pk, district.get_absolute_url())]


def test_it_renders_sections_in_order_after_the_officers(db, client, section_templates, registry):
    registry.register(
        "trust", template="district_sections_test/trust.html", context=lambda d, r: {"score": 4}, order=50
    )
    registry.register("upcoming", template="district_sections_test/upcoming.html", order=10)
    district = DistrictFactory(name="South")
    OfficerProfileFactory(first_name="Ana", last_name="Ruiz", district=district)
    content = client.get(district.get_absolute_url()).content.decode()
    assert content.index("Ana Ruiz") < content.index("Upcoming in South") < content.index("Trust in South")
    assert "Score 4" in content


def test_it_leaves_out_a_section_with_nothing_to_show(db, client, section_templates, registry):
    registry.register("empty", template="district_sections_test/empty.html")
    content = client.get(DistrictFactory().get_absolute_url()).content.decode()
    assert 'data-section="empty"' not in content


def test_it_replaces_a_section_registered_twice(db, section_templates, registry):
    registry.register("trust", template="district_sections_test/upcoming.html", order=1)
    registry.register("trust", template="district_sections_test/trust.html", order=2)
    keys = [(s.key, s.template, s.order) for s in registry.registered_sections() if s.key == "trust"]
    assert keys == [("trust", "district_sections_test/trust.html", 2)]


def test_it_orders_ties_by_key(registry):
    registry._sections.clear()
    registry.register("b", template="x.html", order=5)
    registry.register("a", template="y.html", order=5)
    registry.register("c", template="z.html", order=1)
    assert [s.key for s in registry.registered_sections()] == ["c", "a", "b"]


def test_it_can_unregister_a_section(registry):
    registry.register("gone", template="x.html")
    registry.unregister("gone")
    registry.unregister("never-there")
    assert "gone" not in [s.key for s in registry.registered_sections()]
