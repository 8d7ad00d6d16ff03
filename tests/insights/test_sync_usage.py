"""sync_usage against a loopback HTTPS stub of the identity platform and Graph, driven through
the real MSAL client and requests (tests/insights/graph_stub.py)."""

import json
import os
import subprocess
import sys
import time
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from insights.graph_sync import usage_sync_status
from insights.models import UsageActivity, UsageReport, UsageSnapshot, UsageSync
from tests.factories import UserFactory, enablement_user

from .graph_stub import CLIENT_ID, CLIENT_SECRET, TENANT, TOKEN, GraphStub

pytestmark = pytest.mark.django_db


@pytest.fixture
def stub(tmp_path, settings):
    with GraphStub(tmp_path) as running:
        settings.GRAPH_TENANT_ID = TENANT
        settings.GRAPH_CLIENT_ID = CLIENT_ID
        settings.GRAPH_CLIENT_SECRET = CLIENT_SECRET
        settings.GRAPH_CLIENT_CERTIFICATE_PATH = ""
        settings.GRAPH_BASE_URL = running.url
        settings.GRAPH_AUTHORITY_HOST = running.url
        settings.GRAPH_CA_BUNDLE = str(running.cert)  # the stub's self-signed certificate
        settings.GRAPH_CONFIGURED = True
        settings.GRAPH_MAX_ATTEMPTS = 3
        settings.GRAPH_RETRY_MAX_SECONDS = 2
        yield running


@pytest.fixture
def people():
    return {
        "ada": UserFactory(username="ada@example.com"),
        "bob": UserFactory(username="bob@example.com"),
    }


def test_it_stores_the_report_as_history_and_a_second_run_doubles_nothing(stub, people, capsys):
    call_command("sync_usage")
    out = capsys.readouterr().out
    assert "as of 2026-03-31: 3 row(s); 2 matched (1 without activity), 1 unmatched" in out
    assert "Unmatched (first ones): stranger@contoso.com" in out  # reported, not fatal
    ada = UsageSnapshot.objects.get(user=people["ada"])
    assert (ada.report_date, ada.last_activity_date) == (date(2026, 3, 31), date(2026, 3, 30))
    assert (ada.prompts_submitted, ada.active_days) == (42, 5)
    assert ada.app_last_activity == {"Chat": "2026-03-30", "Word": "2026-03-25"}
    assert ada.report.period_days == 7
    counts = (UsageReport.objects.count(), UsageSnapshot.objects.count())
    days = UsageActivity.objects.count()
    call_command("sync_usage")
    assert "the same report as the last sync: nothing written" in capsys.readouterr().out
    assert (UsageReport.objects.count(), UsageSnapshot.objects.count()) == counts == (1, 2)
    assert UsageActivity.objects.count() == days == 2
    assert list(UsageSync.objects.values_list("outcome", flat=True)) == ["unchanged", "ok"]
    # The token went to Graph only; the pre-authenticated download got none.
    downloads = [auth for method, path, auth in stub.script.log if path.startswith("/download")]
    assert downloads == ["", ""]
    assert ("POST", f"/{TENANT}/oauth2/v2.0/token", "") in stub.script.log


def test_a_429_is_waited_out(stub, people):
    stub.script.answers = ["429", "503"]
    started = time.monotonic()
    call_command("sync_usage")
    assert time.monotonic() - started >= 2  # Retry-After: 1, twice
    assert UsageSnapshot.objects.count() == 2
    reports = [p for m, p, _ in stub.script.log if "getMicrosoft365CopilotUsageUserDetail" in p]
    assert len(reports) == 3


def test_a_500_fails_clearly_stores_nothing_and_is_recorded(stub, people):
    stub.script.answers = ["500"]
    with pytest.raises(CommandError, match="answered 500 Internal Server Error: InternalServer"):
        call_command("sync_usage")
    assert UsageReport.objects.count() == UsageSnapshot.objects.count() == 0
    sync = UsageSync.objects.get()
    assert sync.outcome == "failed" and "500" in sync.message
    status = usage_sync_status()
    assert status["outcome"] == "failed" and status["stale"] is True


def test_json_pages_are_followed(stub, people):
    stub.script.answers = ["json"]
    call_command("sync_usage")
    assert {
        s.user.email: s.last_activity_date for s in UsageSnapshot.objects.select_related("user")
    } == {"ada@example.com": date(2026, 3, 30), "bob@example.com": date(2026, 3, 27)}
    assert UsageSnapshot.objects.get(user=people["ada"]).app_last_activity == {"Word": "2026-03-28"}


def test_a_wrong_secret_is_a_clear_error(stub, people, settings):
    settings.GRAPH_CLIENT_SECRET = "wrong"
    with pytest.raises(CommandError, match="sign-in refused: invalid_client: AADSTS7000215"):
        call_command("sync_usage")


def test_without_credentials_it_says_what_to_set(settings):
    settings.GRAPH_TENANT_ID = settings.GRAPH_CLIENT_ID = settings.GRAPH_CLIENT_SECRET = ""
    settings.GRAPH_CLIENT_CERTIFICATE_PATH = ""
    with pytest.raises(
        CommandError, match="set GRAPH_TENANT_ID, GRAPH_CLIENT_ID, GRAPH_CLIENT_SECRET"
    ):
        call_command("sync_usage")


def test_the_status_json_names_the_last_sync(stub, people, client):
    call_command("sync_usage")
    assert client.get("/healthz/usage").status_code == 401
    client.force_login(enablement_user())
    response = client.get("/healthz/usage")
    assert response.status_code == 200
    body = response.json()
    assert body["configured"] is True and body["outcome"] == "ok"
    assert body["report_date"] == "2026-03-31" and body["stale"] is False
    assert (body["matched"], body["unmatched"]) == (2, 1)
    assert TOKEN not in json.dumps(body)


def _beat(env: dict) -> dict:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GRAPH_")}
    code = (
        "import django, json; django.setup(); from django.conf import settings; "
        "print(json.dumps({k: v['task'] for k, v in settings.CELERY_BEAT_SCHEDULE.items()}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_the_daily_beat_entry_exists_only_when_graph_is_configured():
    assert "usage-sync" not in _beat({})
    configured = _beat({"GRAPH_TENANT_ID": "t", "GRAPH_CLIENT_ID": "c", "GRAPH_CLIENT_SECRET": "s"})
    assert configured["usage-sync"] == "insights.tasks.usage_sync_task"


def test_the_dashboard_shows_the_last_sync(stub, people, client):
    stub.script.answers = ["500"]
    with pytest.raises(CommandError):
        call_command("sync_usage")
    client.force_login(enablement_user())
    text = client.get("/dashboard/").content.decode()
    assert "Usage from Microsoft Graph:" in text and "the last sync failed" in text
    call_command("sync_usage")
    text = client.get("/dashboard/").content.decode()
    assert "report as of 2026-03-31, 2 people matched, 1 not found here." in text


def test_a_certificate_signs_in_instead_of_a_secret(stub, people, settings, tmp_path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = tmp_path / "graph-app.pem"
    pem.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    settings.GRAPH_CLIENT_SECRET = ""
    settings.GRAPH_CLIENT_CERTIFICATE_PATH = str(pem)
    settings.GRAPH_CLIENT_CERTIFICATE_THUMBPRINT = "A1" * 20
    call_command("sync_usage")
    assert UsageSnapshot.objects.count() == 2  # signed in with a client assertion, no secret
