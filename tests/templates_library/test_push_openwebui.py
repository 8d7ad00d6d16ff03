"""push_prompts --to openwebui against a loopback stub of Open WebUI's prompt and model API."""

import io

import pytest
from django.core.management import CommandError, call_command

from templates_library.models import ExportLog
from tests.factories import make_pack
from tests.templates_library.openwebui_variables import extract_input_variables

from .openwebui_stub import API_KEY, OpenWebUIStub

pytestmark = pytest.mark.django_db


@pytest.fixture
def openwebui(settings):
    settings.OPENWEBUI_API_KEY = API_KEY
    settings.OPENWEBUI_BASE_MODEL = "gpt-4o"
    with OpenWebUIStub() as stub:
        yield stub


def push(stub, *extra) -> str:
    out = io.StringIO()
    call_command("push_prompts", "--to", "openwebui", "--url", stub.url, *extra, stdout=out)
    return out.getvalue()


def test_a_second_push_changes_nothing_and_a_changed_prompt_is_updated_in_place(openwebui):
    version = make_pack(prompts=2)
    out = push(openwebui, "--role", "finance-analyst")
    assert "3 created, 0 updated, 0 unchanged." in out
    prompts = openwebui.state["prompts"]
    assert sorted(prompts) == ["finance-analyst-prompt-1", "finance-analyst-prompt-2"]
    parsed = extract_input_variables(prompts["finance-analyst-prompt-1"]["content"])
    assert parsed["table"]["type"] == "textarea" and parsed["table"]["default"] == "(table)"
    model = openwebui.state["models"]["firstvalue-finance-analyst"]
    assert model["base_model_id"] == "gpt-4o"
    assert version.fvm_sentence in model["params"]["system"]
    assert len(model["meta"]["suggestion_prompts"]) == 2
    writes = len(openwebui.writes())

    out = push(openwebui, "--role", "finance-analyst")
    assert "0 created, 0 updated, 3 unchanged." in out
    assert len(openwebui.writes()) == writes  # nothing written the second time

    prompt = version.prompts.get(slug="prompt-2")
    prompt.body = "A better prompt for {{period}}."
    prompt.save()
    out = push(openwebui, "--role", "finance-analyst")
    assert "update prompt /finance-analyst-prompt-2" in out
    assert "update model firstvalue-finance-analyst" in out  # its suggestion changed too
    assert sorted(prompts) == ["finance-analyst-prompt-1", "finance-analyst-prompt-2"]
    assert prompts["finance-analyst-prompt-2"]["content"].startswith("A better prompt for {{")
    assert ("POST", "/api/v1/prompts/command/finance-analyst-prompt-2/update") in openwebui.writes()
    logs = list(ExportLog.objects.filter(via="push").order_by("created_at"))
    assert len(logs) == 2  # the unchanged run logged nothing
    assert logs[0].target == f"openwebui:{openwebui.url}"
    assert "prompt /finance-analyst-prompt-1" in logs[0].target_ids


def test_the_dry_run_says_what_would_change_and_changes_nothing(openwebui):
    make_pack(prompts=1)
    out = push(openwebui, "--all", "--dry-run")
    assert "would create prompt /finance-analyst-prompt-1" in out
    assert "would create model firstvalue-finance-analyst" in out
    assert "dry run, nothing changed." in out
    assert openwebui.writes() == [] and not ExportLog.objects.exists()


def test_errors_are_clear(openwebui, settings):
    make_pack(prompts=1)
    with pytest.raises(CommandError, match="no published version|not found|unknown"):
        push(openwebui, "--role", "nope")
    settings.OPENWEBUI_API_KEY = "wrong"
    with pytest.raises(CommandError, match="GET /api/v1/prompts/ answered 401: Not authenticated"):
        push(openwebui, "--all")
    settings.OPENWEBUI_API_KEY = ""
    with pytest.raises(CommandError, match="OPENWEBUI_API_KEY is not set"):
        push(openwebui, "--all")
