"""The day-30 check-in page in Chromium at 1366×900 and 390×844: the yes/no button in the
first screenful, the optional sentiment question, the day's reinforcement steps to tick,
one click records; screenshots; axe."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from onboarding.checkins import checkin_urls
from onboarding.models import Checkin, StepCompletion
from onboarding.services import enrollment_enroll
from tests.browser import assert_accessible, in_first_viewport, open_page, screenshot
from tests.factories import make_pack

from .test_checkin_reinforcement import reinforce

pytestmark = pytest.mark.browser


@pytest.fixture
def checkin(db):
    version = make_pack()
    reinforce(version)
    person = enrollment_enroll(
        email="ana@example.com", version=version, start_date=date(2026, 3, 2), timezone="UTC"
    )
    due = datetime(2026, 4, 13, 9, tzinfo=ZoneInfo("UTC"))
    return Checkin.objects.create(enrollment=person, day=30, due_at=due, sent_at=due)


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_the_checkin_page_records_the_answer_and_the_sentiment(
    chromium, live_server, checkin, viewport, settings
):
    settings.SITE_URL = live_server.url
    yes_url, _ = checkin_urls(checkin)
    page = open_page(chromium, live_server, viewport=viewport)
    page.goto(yes_url)
    button = page.get_by_role("button", name="Yes, still using it")
    assert in_first_viewport(button)
    question = page.get_by_role("group", name="Does the AI tool help with your work")
    assert question.is_visible()
    steps = page.get_by_role("heading", name="Keep it going: 2 steps for day 30")
    assert steps.is_visible()
    assert page.get_by_role("textbox", name="The prompt to paste into the AI tool").is_visible()
    screenshot(page, "checkin-day30")
    assert_accessible(page)

    question.get_by_label("5 – helps a lot").check()
    page.get_by_label("I did this: Run the variance prompt on this month").check()
    page.get_by_role("button", name="Save my answer and the steps I did").click()
    page.get_by_role("heading", name="Thank you").wait_for()
    assert "helps with your work (5 of 5)" in page.content()
    assert page.get_by_text("✔ Done").count() == 1
    screenshot(page, "checkin-day30-done")
    assert_accessible(page)
    checkin.refresh_from_db()
    assert (checkin.active, checkin.sentiment) == (True, 5)
    assert StepCompletion.objects.filter(enrollment=checkin.enrollment).count() == 1
