"""A real browser (Chromium) through the employee's first visit: email link → /my/ → first value."""

import os
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from onboarding.services import enrollment_enroll
from tests.factories import make_pack

from .triggers_support import eager_celery

pytestmark = pytest.mark.browser


def _latest_weekday():
    day = timezone.localdate()
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


@pytest.fixture
def _sends_in_process(settings, live_server):
    # The sign-in page enqueues the email; the test reads the outbox, so the task runs
    # in-process even when CELERY_BROKER_URL is set (CI). The link is built on SITE_URL.
    settings.SITE_URL = live_server.url
    with eager_celery():
        yield


def test_a_person_signs_in_by_email_and_reaches_first_value(
    live_server, chromium, _sends_in_process
):
    enrollment_enroll(
        email="ada@example.com",
        version=make_pack(),
        start_date=_latest_weekday(),
        name="Ada Lovelace",
        values={"period": "2026-11"},
    )
    context = chromium.new_context(base_url=live_server.url)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto("/accounts/email-link/")
        page.get_by_label("Your work email").fill("ada@example.com")
        page.get_by_role("button", name="Send me a link").click()
        page.get_by_role("heading", name="Check your inbox").wait_for()

        assert len(mail.outbox) == 1
        link = re.search(r"http://\S+/accounts/email-link/\S+/", mail.outbox[0].body).group(0)
        page.goto(link)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(re.compile(r"/my/$"))
        assert page.locator("#day-label").inner_text() == "Day 1 of 7"

        prompt = page.locator("textarea.prompt-text").first
        expected = prompt.input_value()
        assert "Explain the 2026-11 variances number 1." in expected
        copy = page.get_by_role("button", name="Copy prompt").first
        copy.click()
        status = page.locator(".copy-status").first
        status.filter(has_text="Copied").wait_for()
        assert page.evaluate("navigator.clipboard.readText()") == expected

        page.get_by_role("button", name="Mark done: Watch the demo").click()
        page.get_by_text("1 of 8 steps done").first.wait_for()
        assert page.locator("article.step.done").count() == 1

        # On day 1 the FVM task waits, folded, on its own day: one click away.
        page.locator("#day-3 > summary").click()
        page.get_by_label("Minutes it took you with the AI").fill("25")
        page.get_by_label("Evidence").fill("https://wiki.example.com/variance")
        page.get_by_label("4 – good").check()
        page.get_by_role("button", name="Record my first value").click()
        page.wait_for_url(re.compile(r"/my/first-value/(#fvm)?$"))
        page.get_by_role("heading", name="You reached first value").wait_for()
        assert "you saved 65 minutes" in page.locator(".saved").inner_text()
    finally:
        context.close()


def test_the_browser_test_is_not_silently_skipped_in_ci():
    if os.environ.get("CI"):
        assert os.path.exists("/usr/bin/chromium"), "CI must have Chromium for the browser test"
