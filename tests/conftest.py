import asyncio
import os

import pytest
from django.test import override_settings

CHROMIUM = "/usr/bin/chromium"
# Every test password is hashed with this. The production hasher (PBKDF2, a million rounds:
# about a second of CPU per hash on this machine) is under test nowhere here, and it made
# each factory user, each demo run and each password sign-in cost that second. The checks of
# the production settings run `manage.py check --deploy` in a subprocess, untouched by this.
TEST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing():
    with override_settings(PASSWORD_HASHERS=TEST_PASSWORD_HASHERS):
        yield


@pytest.fixture(autouse=True)
def _media_and_email(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def _chromium_process():
    """Playwright's driver and Debian's Chromium, started once per process (per xdist worker)
    by its first browser test: starting them cost each browser test a second or more of CPU.

    Playwright's sync API leaves its event loop marked as running in the main thread between
    calls, and Django refuses ORM calls while a loop runs; so the loop is marked running only
    inside a browser test (``chromium`` below) and cleared again after it, which leaves every
    other test's ORM calls checked as before.
    """
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing; CI must run the browser test")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    loop = asyncio.get_running_loop()
    held = {"browser": None}

    def browser():
        if held["browser"] is None or not held["browser"].is_connected():
            held["browser"] = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
        return held["browser"]

    asyncio._set_running_loop(None)
    yield loop, browser
    asyncio._set_running_loop(loop)
    try:
        if held["browser"] is not None:
            held["browser"].close()
    finally:
        playwright.stop()


@pytest.fixture
def chromium(_chromium_process, monkeypatch):
    """The worker's Chromium for this test; every context (and page) the test opened is closed
    after it, so no cookie, storage or page outlives the test."""
    loop, browser = _chromium_process
    # Only for this test: ORM calls made while Playwright's loop runs are plain synchronous ones.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    asyncio._set_running_loop(loop)
    try:
        shared = browser()
        yield shared
        for context in list(shared.contexts):
            context.close()
    finally:
        asyncio._set_running_loop(None)
