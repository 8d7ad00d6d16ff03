"""The shared browser helpers (tests/browser.py) work on our own pages."""

import asyncio

import pytest
from django.contrib.auth import get_user_model

from tests.browser import accessibility_violations, in_first_viewport, open_page, screenshot

pytestmark = pytest.mark.browser


def test_a_signed_in_page_at_both_widths_is_screenshotted_and_checked(live_server, chromium):
    user = get_user_model().objects.create_user("ann@example.com", "ann@example.com", "x-pw-1")
    for viewport in ("desktop", "phone"):
        page = open_page(chromium, live_server, user=user, viewport=viewport)
        page.goto("/library/")
        assert page.viewport_size["width"] == (1366 if viewport == "desktop" else 390)
        assert in_first_viewport(page.locator("h1").first)
        path = screenshot(page, "browser-helpers-library")
        assert path.exists() and path.stat().st_size > 1000
        assert isinstance(accessibility_violations(page), list)
        page.context.close()


def test_an_anonymous_page_is_the_sign_in_page(live_server, chromium):
    page = open_page(chromium, live_server)
    page.goto("/my/")
    assert "/accounts/login/" in page.url
    page.context.close()


def test_a_browser_test_gets_the_workers_chromium_with_its_loop_running(
    _chromium_process, chromium
):
    """The worker's one Chromium stays up between tests; its loop is marked running only inside a
    browser test, so other tests' ORM calls are checked for async safety as without it."""
    assert chromium.is_connected()
    chromium.new_page().set_content("<p>one</p>")
    assert asyncio.get_running_loop() is _chromium_process[0]


@pytest.mark.django_db
def test_outside_a_browser_test_no_loop_runs_and_the_orm_is_checked(_chromium_process, monkeypatch):
    monkeypatch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE", raising=False)
    with pytest.raises(RuntimeError):
        asyncio.get_running_loop()
    assert get_user_model().objects.count() == 0
