"""The export page's pushes: Open WebUI and the Microsoft 365 agent, from the studio, through
the commands' own code against the loopback stubs, run as the Celery task (in-process)."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from studio import pushes
from studio.models import PushRun
from templates_library.models import ExportLog
from tests.insights.graph_stub import TOKEN
from tests.onboarding.triggers_support import broker, eager_celery
from tests.templates_library.test_publish_agent import graph  # noqa: F401 (a fixture)
from tests.templates_library.test_push_openwebui import openwebui  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

EXPORT = reverse("studio:export", kwargs={"slug": "finance-analyst"})
OPENWEBUI = reverse("studio:push-openwebui", kwargs={"slug": "finance-analyst"})
M365 = reverse("studio:publish-m365", kwargs={"slug": "finance-analyst"})


@pytest.fixture(autouse=True)
def in_process():
    with eager_celery():
        yield


@pytest.fixture
def openwebui_on(openwebui, settings):  # noqa: F811
    settings.OPENWEBUI_URL = openwebui.url
    return openwebui


def page(client) -> str:
    return client.get(EXPORT).content.decode()


def test_without_settings_each_button_is_a_line_saying_what_to_set(author_client, version):
    html = page(author_client)
    assert "To push from here, set OPENWEBUI_URL and OPENWEBUI_API_KEY" in html
    assert "To publish from here, set GRAPH_TENANT_ID and GRAPH_CLIENT_ID" in html
    assert "docs/exports.md" in html
    assert OPENWEBUI not in html and M365 not in html
    response = author_client.post(OPENWEBUI)
    assert response.status_code == 400
    assert "set OPENWEBUI_URL and OPENWEBUI_API_KEY" in response.content.decode()
    assert author_client.post(M365).status_code == 400
    assert not PushRun.objects.exists()


def test_a_push_shows_its_counts_and_a_second_changes_nothing(
    author_client, author, version, openwebui_on
):
    assert OPENWEBUI in page(author_client)
    assert author_client.post(OPENWEBUI).status_code == 302
    html = page(author_client)
    assert "3 created, 0 updated, 0 unchanged" in html
    assert "created prompt /finance-analyst-prompt-1" in html
    assert sorted(openwebui_on.state["prompts"]) == [
        "finance-analyst-prompt-1",
        "finance-analyst-prompt-2",
    ]
    writes = len(openwebui_on.writes())

    author_client.post(OPENWEBUI)
    assert "0 created, 0 updated, 3 unchanged" in page(author_client)
    assert len(openwebui_on.writes()) == writes
    events = AuditEvent.objects.filter(action="pack.push").order_by("at", "id")
    assert [(e.actor, e.after["target"], len(e.after["unchanged"])) for e in events] == [
        (author, "openwebui", 0),
        (author, "openwebui", 3),
    ]
    assert ExportLog.objects.filter(via="push").count() == 1  # the unchanged run sent nothing


def test_a_refused_key_is_said_in_plain_words(author_client, version, openwebui_on, settings):
    settings.OPENWEBUI_API_KEY = "sk-wrong"
    author_client.post(OPENWEBUI)
    html = page(author_client)
    assert "stopped: Open WebUI refused the API key (OPENWEBUI_API_KEY)" in html
    assert "answered 401: Not authenticated" in html
    event = AuditEvent.objects.get(action="pack.push")
    assert event.after["error"].startswith("Open WebUI refused the API key")
    assert openwebui_on.state["prompts"] == {}


def test_an_unpublished_pack_has_nothing_to_push(author_client, openwebui_on):
    from tests.factories import make_pack

    make_pack(published=False)
    response = author_client.post(OPENWEBUI)
    assert response.status_code == 400
    assert "publish the pack first" in response.content.decode()


def test_the_agent_is_published_once_the_admin_has_signed_in(
    author_client,
    version,
    graph,  # noqa: F811
):
    assert author_client.post(M365).status_code == 302  # the sign-in starts
    html = page(author_client)
    assert "enter the code <strong><code>ABCD-EFGH</code></strong>" in html
    assert f'href="{graph.url}/devicelogin"' in html
    run = PushRun.objects.get()
    assert run.status == "sign_in"

    graph.script.signed_in = False
    assert author_client.post(M365, {"run": run.pk}).status_code == 302
    html = page(author_client)
    assert "has not finished signing in" in html and "ABCD-EFGH" in html
    assert graph.script.apps == {}

    graph.script.signed_in = True
    author_client.post(M365, {"run": run.pk})
    html = page(author_client)
    assert "1 created, 0 updated, 0 unchanged" in html
    (app,) = graph.script.apps.values()
    assert [d["version"] for d in app["appDefinitions"]] == ["1.1.0"]
    assert ("POST", "/v1.0/appCatalogs/teamsApps", f"Bearer {TOKEN}") in graph.script.log
    run.refresh_from_db()
    assert run.status == "done" and run.flow is None  # the device code is not kept
    assert AuditEvent.objects.get(action="pack.push").after["target"] == "m365"

    response = author_client.post(M365, {"run": run.pk})  # that sign-in was used
    assert response.status_code == 400
    assert "start the sign-in again" in response.content.decode()


def test_a_queued_push_says_so_and_the_page_polls(author_client, author, version, openwebui_on):
    PushRun.objects.create(
        pack=version.pack, target="openwebui", status="queued", user=author, version_number=1
    )
    html = page(author_client)
    assert 'id="push-openwebui" aria-labelledby="push-openwebui-title" data-poll' in html
    assert "Pushing v1… this page updates when it is done." in html
    assert "poll.js" in html


def test_a_run_queued_long_ago_is_named_as_not_finished(author_client, author, version, graph):  # noqa: F811
    from datetime import timedelta

    from django.utils import timezone

    long_ago = timezone.now() - pushes.STALE_AFTER - timedelta(minutes=1)
    run = PushRun.objects.create(
        pack=version.pack, target="m365", status="queued", user=author, version_number=1
    )
    PushRun.objects.filter(pk=run.pk).update(created_at=long_ago, queued_at=timezone.now())
    html = page(author_client)  # signed in slowly, queued just now: still waiting
    assert "Publishing v1… this page updates when it is done." in html
    PushRun.objects.filter(pk=run.pk).update(queued_at=long_ago)
    html = page(author_client)
    assert "did not finish (its worker stopped?)" in html
    assert 'id="push-m365" aria-labelledby="push-m365-title" data-poll' not in html


def test_a_broker_that_is_down_fails_the_run_and_says_so(
    author_client, version, openwebui_on, monkeypatch
):
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)  # Celery prefers it to its conf
    with broker("redis://127.0.0.1:1/0"):
        assert author_client.post(OPENWEBUI).status_code == 302
    assert pushes.QUEUE_DOWN in page(author_client)
    assert PushRun.objects.get().status == "failed"
    assert openwebui_on.state["calls"] == []
