"""The manager's and the power user's journeys in Chromium, at 1366×900 and 390×844: /team/'s
summary and statuses in the first screenful, the prefilled offer, what to do in the session,
the employee's request to their power user; screenshots; axe on /team/."""

from datetime import timedelta
from urllib.parse import unquote

import pytest
from django.utils import timezone

from onboarding.progress import fvm_completion_record
from onboarding.services import enrollment_enroll
from tests.browser import assert_accessible, in_first_viewport, open_page, screenshot
from tests.factories import make_pack

pytestmark = pytest.mark.browser
VIEWPORTS = ["desktop", "phone"]
TASK = "Write this month's variance commentary with the AI"


def _weekdays_back(count: int):
    """The weekday ``count`` weekdays before the latest weekday up to today."""
    day = timezone.localdate()
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    while count:
        day -= timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day


def _named(user, first, last):
    user.first_name, user.last_name = first, last
    user.save()
    return user


@pytest.fixture
def team(db):
    """Max manages six people on every status; Bea is the power user of two of them."""
    version = make_pack()
    people = {}
    for name, day, buddy in (
        ("Nia", 6, ""),
        ("Dan", 5, "bea@example.com"),
        ("Ivy", 9, ""),
        ("Eve", 2, "bea@example.com"),
        ("Bob", 3, ""),
    ):
        people[name] = enrollment_enroll(
            email=f"{name.lower()}@example.com",
            version=version,
            start_date=_weekdays_back(day - 1),
            name=f"{name} Example",
            manager_email="max@example.com",
            buddy_email=buddy,
        )
    next_monday = timezone.localdate() + timedelta(days=7 - timezone.localdate().weekday())
    people["Fay"] = enrollment_enroll(
        email="fay@example.com",
        version=version,
        start_date=next_monday,
        name="Fay Example",
        manager_email="max@example.com",
    )
    fvm_completion_record(enrollment=people["Bob"], minutes_taken=20, evidence="x", rating=4)
    _named(people["Nia"].manager, "Max", "Manager")
    _named(people["Dan"].buddy, "Bea", "Buddy")
    return people


def _mailto(page, link) -> dict:
    """The offer's address, subject and body as Chromium's URL parser reads them."""
    href = link.get_attribute("href")
    parts = page.evaluate(
        "href => { const u = new URL(href); return [u.protocol, u.pathname, u.search]; }", href
    )
    assert parts[0] == "mailto:"
    query = dict(pair.split("=", 1) for pair in parts[2].lstrip("?").split("&"))
    return {
        "to": unquote(parts[1]),
        "subject": unquote(query["subject"]),
        "body": unquote(query["body"]),
    }


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_manager_with_two_minutes_sees_who_needs_support_and_acts(
    live_server, chromium, team, viewport
):
    page = open_page(chromium, live_server, user=team["Nia"].manager, viewport=viewport)
    page.goto("/team/")
    summary = page.locator("#team-summary")
    assert in_first_viewport(summary)
    assert summary.inner_text() == (
        "1 of 6 reached first value, 2 need support now, 1 past the first week without it yet."
    )
    cards = page.locator("#reports-h ~ ul.team > li.card")
    first = cards.first
    assert first.locator("h3").inner_text().startswith("Nia Example")
    assert in_first_viewport(first.locator(".status"))
    assert first.locator(".status").inner_text() == "Needs support now"
    statuses = [s.strip() for s in cards.locator(".status").all_inner_texts()]
    assert statuses == [
        "Needs support now",
        "Needs support now",
        "Past the first week",
        "On track",
        "On track",
        "Reached first value",
    ]
    # The status is words on a colour, the colour never alone.
    colour = first.locator(".status").evaluate("e => getComputedStyle(e).backgroundColor")
    assert colour not in ("rgba(0, 0, 0, 0)", "transparent")

    offer = first.get_by_role("link", name="Offer Nia Example 15 minutes on it")
    offer.scroll_into_view_if_needed()
    assert offer.is_visible()
    mail = _mailto(page, offer)
    assert mail["to"] == "nia@example.com"
    assert mail["subject"] == f"15 minutes on {TASK}?"
    assert mail["body"].startswith(
        f"Hi Nia,\n\nShall we take 15 minutes together this week on {TASK}"
    )
    assert f"{live_server.url.split(':')[0]}" and "/my/#step-" in mail["body"]
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "team-manager")
    assert_accessible(page)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_power_user_sees_the_people_they_help_and_how_to_run_the_session(
    live_server, chromium, team, viewport
):
    dan = team["Dan"]
    # The employee asks for the session from /my/ ...
    employee = open_page(chromium, live_server, user=dan.user, viewport=viewport)
    employee.goto("/my/")
    helpers = employee.locator("section.helpers")
    helpers.scroll_into_view_if_needed()
    assert helpers.get_by_text("Bea Buddy").is_visible()
    ask = helpers.get_by_role("link", name="Ask Bea for a 15-minute session")
    assert ask.is_visible()
    request = _mailto(employee, ask)
    assert request["to"] == "bea@example.com"
    assert request["subject"] == f"Could you give me 15 minutes on {TASK}?"
    assert request["body"].endswith("Thanks,\nDan Example")
    screenshot(employee, "my-who-can-help")
    employee.context.close()

    # ... and the power user finds them on /team/ with what to do in it.
    page = open_page(chromium, live_server, user=dan.buddy, viewport=viewport)
    page.goto("/team/")
    heading = page.get_by_role("heading", name="People you help as a power user")
    assert in_first_viewport(heading)
    assert page.locator("#helped-summary").inner_text() == (
        "0 of 2 reached first value, 1 needs support now."
    )
    card = page.locator(f"#helps-{dan.pk}")
    assert in_first_viewport(card.locator(".status"))
    assert card.locator(".status").inner_text() == "Needs support now"
    card.get_by_text("What to do in the session").click()
    prompt = card.locator(".prompt-html")
    assert prompt.is_visible() and prompt.inner_text().startswith("Explain the")
    propose = card.get_by_role("link", name="Propose a 15-minute session to Dan Example")
    mail = _mailto(page, propose)
    assert mail["to"] == "dan@example.com"
    assert mail["subject"] == f"A 15-minute session on {TASK}"
    screenshot(page, "team-power-user")
    assert_accessible(page)
