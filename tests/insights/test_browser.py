"""The dashboard in a real browser: the SVG charts render and are visible."""

from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from tests.factories import make_pack

from .conftest import complete, enroll, utc

RESULTS = Path(__file__).resolve().parents[2] / "test-results"
CHARTS = ["chart-by-role", "chart-by-cohort", "chart-ttv", "chart-funnel", "chart-minutes-saved"]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_dashboard_shows_its_charts_in_a_browser(live_server, chromium, admin_user):
    finance = make_pack()
    sales = make_pack("sales-rep", name="Sales rep", baseline=60, target=5)
    for i in range(8):
        version = finance if i % 2 else sales
        person = enroll(version, f"p{i}@example.com", date(2026, 3, 2 + i % 5))
        if i % 3:
            complete(person, utc(2026, 3, 4 + i, 12), minutes=15)
    client = Client()
    client.force_login(admin_user)
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )

    page.goto(f"{live_server.url}/dashboard/?as_of=2026-03-31")

    expect(page.get_by_role("heading", name="Activation and value")).to_be_visible()
    for chart in CHARTS:
        svg = page.locator(f"svg#{chart}")
        expect(svg).to_be_visible()
        box = svg.bounding_box()
        assert box and box["width"] > 200 and box["height"] > 50, chart
    expect(page.locator("svg#chart-by-role g.benchmark")).to_have_count(2)
    expect(page.get_by_role("link", name="Download CSV (by role)")).to_be_visible()
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / "insights-dashboard.png"), full_page=True)
    assert (RESULTS / "insights-dashboard.png").stat().st_size > 10_000
    context.close()
