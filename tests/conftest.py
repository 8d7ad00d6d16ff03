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
