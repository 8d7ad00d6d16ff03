"""The executive view at the top of /dashboard/: headline figures, words beside colours,
names not slugs, filters as choices, phone legibility, print, and a fixed query count."""

from datetime import date

import pytest
from playwright.sync_api import expect

from insights.models import CostEntry, UsageActivity
from onboarding.models import FvmCompletion
from tests.browser import assert_accessible, in_first_viewport, open_page, screenshot
from tests.factories import make_pack

from .conftest import complete, enroll, utc

URL = "/dashboard/?as_of=2026-03-31"


def cohort(n=12):
    finance = make_pack()
    sales = make_pack("sales-rep", name="Sales rep", baseline=60, target=5)
    for i in range(n):
        version = finance if i % 2 else sales
        person = enroll(version, f"p{i}@example.com", date(2026, 3, 2 + 7 * (i % 3)))
        if i % 3:
            complete(person, utc(2026, 3, 4 + 7 * (i % 3), 12), minutes=15)
        elif i % 4 == 0:
            UsageActivity.objects.create(
                user=person.user, date=date(2026, 3, 10), reported_on=date(2026, 3, 12)
            )


@pytest.mark.django_db
def test_the_summary_comes_first_with_six_figures_in_words(client, author):
    cohort(4)
    client.force_login(author)
    body = client.get(URL).content.decode()
    assert body.index('id="h-summary"') < body.index('aria-label="Filters"')
    assert body.count('class="figure status-') == 6
    # 4 people, 1 eligible reached: a rate over few people is never judged.
    assert 'data-key="fvm_rate"' in body and "too few to judge" in body
    assert "Benchmark: minimum 40%, top quartile 65%" in body
    assert '<option value="finance-analyst">Finance analyst</option>' in body
    assert '<select id="f-role" name="role">' in body and 'type="date"' in body
    assert '<th scope="row">Sales rep</th>' in body
    assert "Not ready" in body


@pytest.mark.django_db
def test_a_passing_rate_is_coloured_and_named(client, author):
    version = make_pack()
    for i in range(10):
        person = enroll(version, f"q{i}@example.com", date(2026, 3, 2))
        if i < 7:
            complete(person, utc(2026, 3, 4, 9))
    client.force_login(author)
    body = client.get(URL).content.decode()
    start = body.index('data-key="fvm_rate"')
    figure = body[body.rindex("<li", 0, start) : body.index("</li>", start)]
    assert "status-top" in figure and "top quartile" in figure and "70%" in figure
    assert "7 of 10 eligible; 95% CI 40%–89%" in figure


def _figure(body: str, key: str) -> str:
    start = body.index(f'data-key="{key}"')
    return body[body.rindex("<li", 0, start) : body.index("</li>", start)]


@pytest.mark.django_db
def test_the_value_figure_says_costs_are_missing_not_that_there_is_no_data(client, author):
    cohort(4)
    client.force_login(author)
    figure = _figure(client.get(URL).content.decode(), "value")
    # (90 − 15) + (60 − 15) = 120 minutes saved, at the default EUR 60 an hour
    assert "EUR 120.00" in figure
    assert "no costs entered yet" in figure and "no data yet" not in figure
    assert "import_costs" in figure
    CostEntry.objects.create(
        kind="license", amount=100, period_start=date(2026, 3, 1), period_end=date(2026, 3, 31)
    )
    figure = _figure(client.get(URL).content.decode(), "value")
    assert "status-good" in figure and "on target" in figure
    assert "against cost EUR 100.00" in figure


@pytest.mark.django_db
def test_the_query_count_does_not_grow_with_people(client, author, django_assert_max_num_queries):
    cohort(6)
    client.force_login(author)
    with django_assert_max_num_queries(45) as small:
        assert client.get(URL).status_code == 200
    cohort_more = make_pack("ops", name="Ops")
    for i in range(40):
        person = enroll(cohort_more, f"o{i}@example.com", date(2026, 3, 9))
        if i % 2:
            complete(person, utc(2026, 3, 12, 9))
    assert FvmCompletion.objects.count() > 20
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(URL).status_code == 200


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_the_executive_view_in_a_browser(live_server, chromium, admin_user, viewport):
    cohort(12)
    page = open_page(chromium, live_server, user=admin_user, viewport=viewport)
    page.goto(f"{live_server.url}{URL}")
    summary = page.get_by_role("heading", name="Summary")
    assert in_first_viewport(summary)
    figures = page.locator(".headline .figure")
    expect(figures).to_have_count(6)
    first = figures.first
    assert in_first_viewport(first)
    expect(first.locator(".figure-status")).to_be_visible()
    # Charts keep legible text on a phone: 13px in the SVG, never scaled below 11px.
    trend = page.locator("svg#chart-by-cohort")
    expect(trend).to_be_visible()
    box = trend.bounding_box()
    natural = float(trend.get_attribute("width"))
    assert box["width"] / natural * 13 >= 11
    assert_accessible(page)
    screenshot(page, "dashboard-executive")
    if viewport == "desktop":
        page.emulate_media(media="print")
        expect(page.locator("form[aria-label=Filters]")).to_be_hidden()
        expect(page.locator("#h-non-activated")).to_be_hidden()
        expect(summary).to_be_visible()
        pdf = page.pdf(format="A4", landscape=True, print_background=True)
        assert (
            pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page ") + pdf.count(b"/Type/Page") <= 2
        )
        page.emulate_media(media="screen")
    page.context.close()
