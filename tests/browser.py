"""Pages as a person sees them: Chromium at a desktop's and a phone's width, signed in as
someone, with a screenshot saved and an accessibility (axe-core) check.

    page = open_page(chromium, live_server, user=person, viewport="phone")
    page.goto("/my/")
    assert in_first_viewport(page.get_by_role("heading", name="Today"))
    screenshot(page, "my-day1")           # test-results/screenshots/my-day1-phone.png
    assert_accessible(page)               # no serious or critical violation

Use the ``chromium`` fixture of tests/conftest.py (the worker's one browser; a fresh context
per page) and Django's ``live_server``. Screenshots are kept as CI artefacts under
``test-results/``.
"""

from __future__ import annotations

from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.test import Client

RESULTS = Path(__file__).resolve().parent.parent / "test-results"
SCREENSHOTS = RESULTS / "screenshots"
VIEWPORTS = {
    "desktop": {"width": 1366, "height": 900},
    "phone": {"width": 390, "height": 844},
}
# axe-core's impact levels that fail a page; "minor" and "moderate" are reported only.
FAILING_IMPACTS = ("serious", "critical")


def open_page(chromium, live_server, *, user=None, viewport: str = "desktop", clipboard=False):
    """A new page (in its own context) at ``viewport``, signed in as ``user`` when given.

    Closed with its context when the test's browser closes; call ``page.context.close()`` to
    use several viewports in one test."""
    size = VIEWPORTS[viewport]
    context = chromium.new_context(
        base_url=live_server.url,
        viewport=size,
        device_scale_factor=1,
        is_mobile=viewport == "phone",
        has_touch=viewport == "phone",
    )
    if clipboard:
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    if user is not None:
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.viewport_name = viewport
    return page


def screenshot(page, name: str) -> Path:
    """Save the whole page as test-results/screenshots/<name>-<viewport>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}-{getattr(page, 'viewport_name', 'page')}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def accessibility_violations(page) -> list[dict]:
    """axe-core's serious and critical violations on the page as it is now."""
    results = Axe().run(page)
    return [
        violation
        for violation in results.response["violations"]
        if violation.get("impact") in FAILING_IMPACTS
    ]


def assert_accessible(page) -> None:
    violations = accessibility_violations(page)
    lines = [
        f"{v['impact']}: {v['id']} ({v['help']}) at "
        + ", ".join(" ".join(node["target"]) for node in v["nodes"][:5])
        for v in violations
    ]
    assert not violations, f"{page.url}: accessibility violations:\n" + "\n".join(lines)


def in_first_viewport(locator) -> bool:
    """Whether the element is visible inside the first screenful (no scrolling needed)."""
    if not locator.is_visible():
        return False
    box = locator.bounding_box()
    height = locator.page.viewport_size["height"]
    return box is not None and box["y"] >= 0 and box["y"] + min(box["height"], 40) <= height
