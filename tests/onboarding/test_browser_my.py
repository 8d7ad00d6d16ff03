"""/my/ as a person uses it, in Chromium at a desktop's and a phone's size: what is in the
first screenful, a prompt filled and copied, first value recorded (and refused, and
corrected). Screenshots land in test-results/screenshots/."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from onboarding import workdays
from onboarding.models import FvmCompletion
from onboarding.services import enrollment_enroll
from tests.browser import assert_accessible, in_first_viewport, open_page, screenshot
from tests.factories import make_pack

pytestmark = pytest.mark.browser

VIEWPORTS = ("desktop", "phone")


def _start_for_working_day(n: int):
    """A start date that makes the latest working day up to today working day ``n``."""
    day = timezone.localdate()
    while not workdays.is_working_day(day):
        day -= timedelta(days=1)
    for _ in range(n - 1):
        day -= timedelta(days=1)
        while not workdays.is_working_day(day):
            day -= timedelta(days=1)
    return day


def _person(version, email: str, day: int):
    return enrollment_enroll(
        email=email, version=version, start_date=_start_for_working_day(day), name="Ada Lovelace"
    )


def test_day_5_without_first_value_the_task_and_its_form_come_first(live_server, chromium):
    person = _person(make_pack(), "ada@example.com", 5)
    for viewport in VIEWPORTS:
        page = open_page(chromium, live_server, user=person.user, viewport=viewport)
        page.goto("/my/")
        assert page.locator("#day-label").inner_text() == "Day 5 of 7"
        task = page.get_by_role("heading", name=re.compile("This is the task that counts"))
        assert in_first_viewport(task)
        assert in_first_viewport(page.get_by_role("heading", name="Record your first value"))
        assert in_first_viewport(page.get_by_label("Minutes it took you with the AI"))
        assert page.get_by_role("button", name=re.compile("Mark done: Write this")).count() == 0
        screenshot(page, "my-day5-stuck")
        assert_accessible(page)
        page.context.close()


def _submit(page, button: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=button).click()


def test_a_refused_first_value_shows_why_in_view_then_records_and_corrects(live_server, chromium):
    person = _person(make_pack(), "ada@example.com", 5)
    page = open_page(chromium, live_server, user=person.user, viewport="phone")
    page.goto("/my/")
    _submit(page, "Record my first value")
    assert page.url.endswith("/my/fvm/#fvm")
    summary = page.locator("#fvm-errors")
    assert in_first_viewport(summary)
    assert page.evaluate("document.activeElement.id") == "fvm-errors"
    assert "Minutes it took you with the AI" in summary.inner_text()
    screenshot(page, "my-fvm-error")
    assert_accessible(page)

    # 100,000 minutes asks to be confirmed first, and confirmed is refused (more than the task
    # could take); 400 (over 3 × 90, under the limit) is recorded once confirmed.
    page.get_by_label("Minutes it took you with the AI").fill("100000")
    page.get_by_label("Evidence").fill("https://wiki.example.com/variance")
    page.get_by_label("4 – good").check()
    _submit(page, "Record my first value")
    assert "about 1,667 hours" in page.locator("#fvm-errors").inner_text()
    page.get_by_label("Yes, it really took 100,000 minutes").check()
    _submit(page, "Record my first value")
    assert "more than this task could take" in page.locator("#fvm-errors").inner_text()
    assert page.get_by_label(re.compile("Yes, it really took")).count() == 0
    page.get_by_label("Minutes it took you with the AI").fill("400")
    _submit(page, "Record my first value")
    confirm = page.get_by_label("Yes, it really took 400 minutes")
    assert in_first_viewport(page.locator("#fvm-errors")) and confirm.is_visible()
    assert not FvmCompletion.objects.exists()
    confirm.check()
    _submit(page, "Record my first value")
    page.wait_for_url(re.compile(r"/my/first-value/(#fvm)?$"))
    assert FvmCompletion.objects.get().minutes_taken == 400

    # A typo after all: corrected within the week.
    page.get_by_role("link", name="Correct it").click()
    page.get_by_label("Minutes it took you with the AI").fill("40")
    _submit(page, "Save the correction")
    page.wait_for_url(re.compile(r"/my/first-value/(#fvm)?$"))
    assert "you saved 50 minutes" in page.locator(".saved").inner_text()
    page.goto("/my/")
    assert in_first_viewport(page.get_by_role("heading", name="✓ You reached first value"))
    screenshot(page, "my-reached")
    assert_accessible(page)


def test_day_1_the_first_step_leads_and_a_prompt_copies_filled(live_server, chromium):
    person = _person(make_pack(), "ada@example.com", 1)
    for viewport in VIEWPORTS:
        page = open_page(chromium, live_server, user=person.user, viewport=viewport, clipboard=True)
        page.goto("/my/")
        first = page.locator("#now article.step").first
        assert in_first_viewport(first.get_by_role("heading"))
        assert in_first_viewport(page.get_by_text("What to do now"))
        if viewport == "desktop":
            month = page.get_by_label("The month").first
            month.fill("2026-11")
            page.get_by_role("button", name="Copy prompt: Prompt 1").first.click()
            page.locator(".copy-status").first.filter(has_text="Copied").wait_for()
            copied = page.evaluate("navigator.clipboard.readText()")
            assert "Explain the 2026-11 variances number 1." in copied
            assert "{{" not in copied
            page.reload()  # kept in this browser, never sent
            assert page.get_by_label("The month").first.input_value() == "2026-11"
        screenshot(page, "my-day1")
        assert_accessible(page)
        page.context.close()


def test_the_library_and_sign_in_pages_pass_the_accessibility_check(live_server, chromium):
    person = _person(make_pack(), "ada@example.com", 2)
    page = open_page(chromium, live_server, user=person.user)
    for url in ("/library/", "/library/finance-analyst/"):
        page.goto(url)
        assert_accessible(page)
    screenshot(page, "library-role")
    page.context.close()
    for viewport in VIEWPORTS:
        page = open_page(chromium, live_server, viewport=viewport)
        for url, name in (("/accounts/login/", "sign-in"), ("/accounts/email-link/", "email-link")):
            page.goto(url)
            assert_accessible(page)
            screenshot(page, name)
        page.context.close()
