"""The dashboard in a real browser with the demo data: `manage.py demo`, then the author's view."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from onboarding.management.commands.demo import AUTHOR_EMAIL, DEMO_PASSWORD

RESULTS = Path(__file__).resolve().parents[2] / "test-results"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_dashboard_renders_the_demo_data_with_its_charts(live_server, chromium, settings):
    settings.DEBUG = True  # the demo command refuses known passwords otherwise
    call_command("demo", stdout=io.StringIO())
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Email or username").fill(AUTHOR_EMAIL)
        page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.goto(f"{live_server.url}/dashboard/")

        expect(page.get_by_role("heading", name="Activation and value")).to_be_visible()
        charts = page.locator("svg[role=img]")
        assert charts.count() >= 5
        for i in range(charts.count()):
            expect(charts.nth(i)).to_be_visible()
        # The demo's people, by role, are on the page: the example packs, by name (not slug).
        for role in ("Finance analyst", "Sales representative", "Operations manager"):
            assert page.get_by_text(role, exact=True).count() >= 1, role
        assert page.locator("text=finance-analyst").count() == 0
        RESULTS.mkdir(exist_ok=True)
        shot = RESULTS / "dashboard-demo.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000
    finally:
        context.close()
