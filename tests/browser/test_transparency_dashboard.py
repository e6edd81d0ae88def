"""The statistics dashboard in a real browser: charts and tables visible, axe in English and
Spanish, filters, and a 360 px phone screenshot (saved for a person to look at)."""

from __future__ import annotations

import datetime
import os
import tempfile
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from complaints.models import AllegationCategory
from feedback.models import SurveyResponse
from tests.browser.helpers import assert_fits_a_phone, assert_no_axe_violations
from tests.complaints.factories import AllegationFactory, ComplaintFactory
from tests.factories import DistrictFactory

SCREENSHOT_DIR = Path(os.environ.get("PORTAL_SCREENSHOT_DIR", Path(tempfile.gettempdir()) / "portal-screenshots"))


def category(slug: str) -> AllegationCategory:
    # A transactional test flushes the rows the data migration made: make them again if needed.
    found, _created = AllegationCategory.objects.get_or_create(
        slug=slug, defaults={"name_en": slug.replace("-", " ").capitalize(), "name_es": slug}
    )
    return found


def _seed() -> None:
    north = DistrictFactory(name="North", slug="north")
    south = DistrictFactory(name="South", slug="south")
    today = timezone.localdate()
    for months_back, (district, slug, n) in enumerate(
        [(north, "use-of-force", 3), (south, "discourtesy", 9), (north, "discourtesy", 12), (south, "property", 6)]
    ):
        day = (today.replace(day=1) - datetime.timedelta(days=months_back * 31)).replace(day=5)
        for _ in range(n):
            complaint = ComplaintFactory(
                district=district, received_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))
            )
            AllegationFactory(officer__complaint=complaint, complaint=complaint, category=category(slug))
    month = today.replace(day=1)
    for _ in range(12):
        SurveyResponse.objects.create(district=north, month=month, trust=4, respect=5, listened=4)


@pytest.fixture
def seeded(site):
    _seed()
    return site


def test_it_shows_charts_and_tables_and_passes_axe_in_english(page: Page, seeded):
    page.goto(f"{seeded}/transparency/dashboard/")
    expect(page.get_by_role("heading", level=1, name="Statistics")).to_be_visible()
    expect(page.get_by_role("img", name="Complaints by allegation category")).to_be_visible()
    expect(page.get_by_role("table", name="Complaints by allegation category — All districts")).to_be_visible()
    expect(page.get_by_role("img", name="Trust index")).to_be_visible()
    assert page.locator("svg[role=img]").count() == 7
    assert page.locator("table.usa-table").count() == 7
    expect(page.get_by_text("fewer than 5").first).to_be_visible()
    assert_no_axe_violations(page)


def test_it_filters_by_district_and_period(page: Page, seeded):
    page.goto(f"{seeded}/transparency/dashboard/")
    page.get_by_label("District", exact=True).select_option(label="North")
    page.get_by_label("Period", exact=True).select_option(value="quarter")
    page.get_by_role("button", name="Show statistics").click()
    expect(page.get_by_text("Showing North: Last 8 quarters, by quarter.")).to_be_visible()
    assert "district=north" in page.url
    assert_no_axe_violations(page)


def test_it_passes_axe_in_spanish_and_with_an_error(page: Page, seeded):
    page.goto(f"{seeded}/es/transparency/dashboard/")
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.locator("svg[role=img]").count() == 7
    assert_no_axe_violations(page)
    response = page.goto(f"{seeded}/transparency/dashboard/?period=week")
    assert response is not None
    assert response.status == 400
    expect(page.get_by_role("alert")).to_be_visible()
    assert_no_axe_violations(page)


def test_it_fits_a_phone_and_saves_a_screenshot(page: Page, seeded):
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{seeded}/transparency/dashboard/")
    assert_fits_a_phone(page)
    chart = page.locator("#dataset-complaints-by-category svg")
    box = chart.bounding_box()
    assert box is not None
    assert box["width"] <= 360
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.locator("#dataset-complaints-by-category").screenshot(path=str(SCREENSHOT_DIR / "dashboard-360-category.png"))
    page.locator("#dataset-complaints-by-month").screenshot(path=str(SCREENSHOT_DIR / "dashboard-360-month.png"))
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SCREENSHOT_DIR / "dashboard-360.png"), full_page=False)
