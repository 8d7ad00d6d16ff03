import os
from datetime import date

import pytest
from django.core.cache import cache

from onboarding.services import enrollment_enroll
from tests.factories import make_pack

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(autouse=True)
def _clear_cache():
    # The email-link rate limit lives in the cache; tests must not share it.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def version(db):
    return make_pack()


@pytest.fixture
def enroll(db):
    """Enroll someone: ``enroll(email, version, start_date=..., **kwargs)``."""

    def _enroll(email="ada@example.com", version=None, start_date=date(2026, 11, 30), **kwargs):
        return enrollment_enroll(
            email=email, version=version or make_pack(), start_date=start_date, **kwargs
        )

    return _enroll


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def chromium(monkeypatch):
    """Debian's Chromium, headless, started and stopped inside one test.

    Not pytest-playwright's session-wide browser: its event loop would stay running in the main
    thread for the rest of the session, and Django refuses ORM calls while a loop runs.
    """
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing; CI must run the browser test")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Only for this test: ORM calls made while Playwright's loop runs are plain synchronous ones.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def login(client, settings):
    """Sign a user in for a test that travels in time (sessions would expire otherwise)."""
    settings.SESSION_COOKIE_AGE = 10 * 365 * 24 * 3600

    def _login(user):
        client.force_login(user)
        return user

    return _login
