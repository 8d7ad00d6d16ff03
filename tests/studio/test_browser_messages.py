"""The interventions editor in Chromium: as the author types a message, the preview beside
it shows it as the recipient gets it. axe and screenshots at desktop and phone width."""

import pytest
from playwright.sync_api import expect

from tests.browser import assert_accessible, open_page, screenshot
from tests.factories import enablement_user, make_pack


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_typing_a_message_changes_its_preview(live_server, chromium, viewport):
    make_pack()
    author = enablement_user(username="author@example.com")
    page = open_page(chromium, live_server, user=author, viewport=viewport)
    page.goto("/studio/finance-analyst/edit/interventions/")
    preview = page.locator("#message-preview-1")
    expect(preview).to_contain_text("Day 5: help Alex Example with")
    message = page.get_by_label("Message").first
    message.fill("")
    message.press_sequentially("Hi {{manager_name}}, could {{name}} try {{one_task}} today?")
    expect(preview).to_contain_text("Hi Sam Manager, could Alex Example try Write this month")
    expect(preview).not_to_contain_text("Day 5: help")
    page.locator('[name="interventions[0].kind"]').select_option("microtraining")
    expect(preview).to_contain_text("To: Alex Example")
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    assert_accessible(page)
    screenshot(page, "studio-interventions-preview")
