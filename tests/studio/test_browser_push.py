"""The export page's pushes in Chromium: an author pushes to Open WebUI (the loopback stub)
and sees the counts, and starts the agent's publish and sees the sign-in code. axe and
screenshots at desktop and phone width."""

import pytest
from playwright.sync_api import expect

from tests.browser import assert_accessible, open_page, screenshot
from tests.factories import enablement_user, make_pack
from tests.insights.graph_stub import CLIENT_ID, TENANT, GraphStub
from tests.onboarding.triggers_support import eager_celery
from tests.templates_library.openwebui_stub import API_KEY, OpenWebUIStub


@pytest.fixture
def tools(settings, tmp_path):
    with OpenWebUIStub() as openwebui, GraphStub(tmp_path) as graph, eager_celery():
        settings.OPENWEBUI_URL, settings.OPENWEBUI_API_KEY = openwebui.url, API_KEY
        settings.OPENWEBUI_BASE_MODEL = "gpt-4o"
        settings.GRAPH_TENANT_ID, settings.GRAPH_CLIENT_ID = TENANT, CLIENT_ID
        settings.GRAPH_BASE_URL = settings.GRAPH_AUTHORITY_HOST = graph.url
        settings.GRAPH_CA_BUNDLE = str(graph.cert)
        yield openwebui, graph


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_an_author_pushes_to_open_webui_and_starts_the_agents_publish(
    live_server, chromium, tools, viewport
):
    openwebui, graph = tools
    make_pack()
    author = enablement_user(username="author@example.com")
    page = open_page(chromium, live_server, user=author, viewport=viewport)
    page.goto("/studio/finance-analyst/export/")
    page.get_by_role("button", name="Push to Open WebUI").click()
    expect(page.get_by_text("3 created, 0 updated, 0 unchanged")).to_be_visible()
    assert "finance-analyst-prompt-1" in openwebui.state["prompts"]
    page.get_by_role("button", name="Publish the Microsoft 365 agent").click()
    expect(page.get_by_text("ABCD-EFGH")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    assert_accessible(page)
    screenshot(page, "studio-export-push")
    page.get_by_role("button", name="I have signed in: publish the agent").click()
    expect(page.get_by_text("1 created, 0 updated, 0 unchanged")).to_be_visible()
    assert len(graph.script.apps) == 1
