"""publish_agent against the loopback HTTPS stub of the identity platform and Graph: the
device-code sign-in through the real MSAL, the Teams app catalog's publish and new version."""

import io

import pytest
from django.core.management import CommandError, call_command

from templates_library.exporters.m365 import app_id
from templates_library.models import ExportLog
from tests.factories import make_pack
from tests.insights.graph_stub import CLIENT_ID, TENANT, TOKEN, GraphStub

pytestmark = pytest.mark.django_db


@pytest.fixture
def graph(tmp_path, settings):
    with GraphStub(tmp_path) as stub:
        settings.GRAPH_TENANT_ID = TENANT
        settings.GRAPH_CLIENT_ID = CLIENT_ID
        settings.GRAPH_BASE_URL = stub.url
        settings.GRAPH_AUTHORITY_HOST = stub.url
        settings.GRAPH_CA_BUNDLE = str(stub.cert)
        settings.SITE_URL = "https://fv.contoso.com"
        yield stub


def publish(*args) -> str:
    out = io.StringIO()
    call_command("publish_agent", *args, stdout=out)
    return out.getvalue()


def test_it_publishes_then_adds_a_version_and_logs_what_is_live(graph):
    version = make_pack()
    out = publish("--role", "finance-analyst")
    assert "enter ABCD-EFGH" in out  # the device-code message for the admin
    assert "finance-analyst: published 1.1.0 (new app" in out
    (app,) = graph.script.apps.values()
    assert app["externalId"] == app_id("finance-analyst")
    assert [d["version"] for d in app["appDefinitions"]] == ["1.1.0"]

    assert "1.1.0 is already in the catalog" in publish("--role", "finance-analyst")
    posts = [p for m, p, a in graph.script.log if m == "POST" and "teamsApps" in p]
    assert len(posts) == 1  # nothing sent the second time

    version.number = 2
    version.save()
    out = publish("--all")
    assert f"finance-analyst: published 1.2.0 (new version, Teams app {app['id']})" in out
    assert [d["version"] for d in app["appDefinitions"]] == ["1.1.0", "1.2.0"]
    assert (
        "POST",
        f"/v1.0/appCatalogs/teamsApps/{app['id']}/appDefinitions",
        f"Bearer {TOKEN}",
    ) in (graph.script.log)
    logs = list(ExportLog.objects.filter(via="push").order_by("created_at"))
    assert [log.target for log in logs] == [f"teams-catalog:{TENANT}"] * 2
    assert logs[1].target_ids == [
        {
            "role": "finance-analyst",
            "version": "1.2.0",
            "teams_app_id": app["id"],
            "action": "new version",
        }
    ]


def test_the_dry_run_sends_nothing(graph):
    make_pack()
    assert "would publish 1.1.0 (new app" in publish("--all", "--dry-run")
    assert graph.script.apps == {} and not ExportLog.objects.exists()


def test_without_graph_settings_it_says_what_to_set(settings):
    make_pack()
    settings.GRAPH_TENANT_ID = ""
    with pytest.raises(CommandError, match="set GRAPH_TENANT_ID, GRAPH_CLIENT_ID"):
        publish("--all")
