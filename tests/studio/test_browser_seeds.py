"""The editor's KPI dates, step minutes and reinforcement days in Chromium, at desktop and
phone width: axe finds no serious or critical violation, nothing is wider than the phone."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from roles.models import Kpi, RolePackVersion
from tests.browser import assert_accessible, open_page, screenshot
from tests.factories import enablement_user

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "rolepacks" / "finance-analyst.yaml"
SLUG = "finance-analyst"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_author_edits_baseline_dates_minutes_and_reinforcement(live_server, chromium):
    call_command("import_rolepack", str(EXAMPLE), stdout=io.StringIO())
    author = enablement_user(username="author@example.com", email="author@example.com")
    page = open_page(chromium, live_server, user=author)
    page.goto(f"/studio/{SLUG}/edit/kpis/")
    date_input = page.locator('[name="kpis[0].baseline_measured_on"]')
    expect(date_input).to_have_value("2026-09-30")
    date_input.fill("2026-09-29")
    page.get_by_role("button", name="Save", exact=True).first.click()
    expect(page.get_by_text("Saved the draft")).to_be_visible()
    draft = RolePackVersion.objects.get(pack__slug=SLUG, status="draft")
    assert Kpi.objects.get(version=draft, order=0).baseline_measured_on.isoformat() == "2026-09-29"
    assert_accessible(page)
    screenshot(page, "studio-kpis")

    page.goto(f"/studio/{SLUG}/edit/reinforcement/")
    expect(page.get_by_text("Day 30 check-in")).to_be_visible()
    minutes = page.locator('[name="reinforcement[1].steps[0].minutes"]')
    expect(minutes).to_have_value("5")
    minutes.fill("7")
    page.get_by_role("button", name="Save", exact=True).first.click()
    expect(page.get_by_text("Saved the draft")).to_be_visible()
    draft = RolePackVersion.objects.get(pack__slug=SLUG, status="draft")
    assert draft.steps.reinforcement().get(day=90, order=0).minutes == 7
    assert_accessible(page)
    screenshot(page, "studio-reinforcement")
    page.context.close()

    phone = open_page(chromium, live_server, user=author, viewport="phone")
    for name, url in [
        ("kpis", f"/studio/{SLUG}/edit/kpis/"),
        ("reinforcement", f"/studio/{SLUG}/edit/reinforcement/"),
        ("path", f"/studio/{SLUG}/edit/path/"),
    ]:
        phone.goto(url)
        assert_accessible(phone)
        screenshot(phone, f"studio-{name}")
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{url} is {width}px wide on a phone"
