"""The officer page's section registry (portal.officer_sections), the twin of district_sections."""

import pytest
from django.template import engines

from portal import officer_sections, page_sections
from tests.factories import OfficerProfileFactory


@pytest.fixture
def registry():
    """Register sections as a feature app's ready() would, and leave the registry as it was."""
    before = dict(officer_sections._sections)
    yield officer_sections
    officer_sections._sections.clear()
    officer_sections._sections.update(before)


@pytest.fixture
def string_templates(monkeypatch):
    """Section templates from strings, so the test needs no template files."""
    sources = {
        "t/hello.html": "<section><h2>Hello {{ officer.first_name }}, {{ word }}</h2></section>",
        "t/empty.html": "{% if nothing %}x{% endif %}",
    }
    engine = engines["django"]

    def render_to_string(name, context, request=None):
        return engine.from_string(sources[name]).render(context, request)

    monkeypatch.setattr(page_sections, "render_to_string", render_to_string)


def test_it_renders_registered_sections_in_order_with_their_context(db, client, registry, string_templates):
    registry._sections.clear()
    calls = []

    def context(officer, request):
        calls.append((officer.pk, request.path))
        return {"word": "thanks"}

    registry.register("b", template="t/hello.html", context=context, order=20)
    registry.register("a", template="t/empty.html", order=10)
    officer = OfficerProfileFactory(first_name="Dana")
    response = client.get(officer.get_absolute_url())
    assert response.status_code == 200
    assert "Hello Dana, thanks" in response.content.decode()
    assert calls == [(officer.pk, officer.get_absolute_url())]
    rendered = officer_sections.officer_sections_render(officer=officer, request=response.wsgi_request)
    assert [section.key for section in rendered] == ["b"]  # the empty one is left out


def test_it_replaces_a_section_registered_twice_and_orders_ties_by_key(registry):
    registry._sections.clear()
    registry.register("x", template="one.html", order=5)
    registry.register("x", template="two.html", order=5)
    registry.register("a", template="three.html", order=5)
    assert [(s.key, s.template) for s in registry.registered_sections()] == [("a", "three.html"), ("x", "two.html")]
    registry.unregister("x")
    assert [s.key for s in registry.registered_sections()] == ["a"]
