"""Each export format, validated against the target tool's own rules."""

import csv
import io
import json
import re
import zipfile
from pathlib import Path

import jsonschema
import prompty
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from roles.models import Prompt, PromptVariable
from templates_library.csvsafe import FORMULA_STARTS, neutralise, unneutralise
from templates_library.exporters import ExportError, build_export
from templates_library.exporters.m365 import app_id, neutralise_brackets, starter_limit
from tests.factories import make_pack
from tests.templates_library.openwebui_variables import extract_input_variables

SCHEMAS = Path(__file__).resolve().parent.parent / "data" / "schemas"
NO_BRACKETS = re.compile(r"\[\[|\]\]")


def _json_schema(name):
    return json.loads((SCHEMAS / name).read_text())


AGENT_VALIDATOR = jsonschema.Draft7Validator(
    _json_schema("m365-declarative-agent-v1.6.schema.json")
)
MANIFEST_VALIDATOR = jsonschema.Draft7Validator(
    _json_schema("m365-app-manifest-teams-v1.30.schema.json")
)


def _prompty_validator():
    resources = []
    for path in sorted((SCHEMAS / "prompty").glob("*.yaml")):
        contents = yaml.safe_load(path.read_text())
        resources.append((contents["$id"], Resource.from_contents(contents, DRAFT202012)))
    registry = Registry().with_resources(resources)
    root = yaml.safe_load((SCHEMAS / "prompty" / "Agent.yaml").read_text())
    return jsonschema.Draft202012Validator(root, registry=registry)


PROMPTY_VALIDATOR = _prompty_validator()


def _errors(validator, document):
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


def assert_valid_app_package(content: bytes) -> tuple[dict, dict]:
    """A Teams app package with a declarative agent, checked as Microsoft's tools check it."""
    archive = zipfile.ZipFile(io.BytesIO(content))
    assert sorted(archive.namelist()) == sorted(
        ["manifest.json", "declarativeAgent.json", "color.png", "outline.png"]
    )
    manifest = json.loads(archive.read("manifest.json"))
    agent = json.loads(archive.read("declarativeAgent.json"))
    assert _errors(MANIFEST_VALIDATOR, manifest) == []
    assert _errors(AGENT_VALIDATOR, agent) == []
    assert agent["version"] == "v1.6" and "/v1.6/" in agent["$schema"]
    assert manifest["manifestVersion"] == "1.30"
    assert manifest["copilotAgents"]["declarativeAgents"][0]["file"] == "declarativeAgent.json"
    assert len(agent["instructions"]) <= 8000
    assert len(agent.get("conversation_starters", [])) <= starter_limit(agent["version"])
    one_liners = [agent["name"], agent["description"]]
    for starter in agent.get("conversation_starters", []):
        one_liners += [starter["title"], starter["text"]]
    for text in one_liners:
        assert "\n" not in text and "\r" not in text
    for name in ("manifest.json", "declarativeAgent.json"):
        assert not NO_BRACKETS.search(archive.read(name).decode())
    color = Image.open(io.BytesIO(archive.read("color.png")))
    assert color.format == "PNG" and color.size == (192, 192)
    outline = Image.open(io.BytesIO(archive.read("outline.png")))
    assert outline.format == "PNG" and outline.size == (32, 32)
    outline = outline.convert("RGBA")
    pixels = [outline.getpixel((x, y)) for y in range(32) for x in range(32)]
    assert all(p[:3] == (255, 255, 255) for p in pixels if p[3] > 0), "outline must be white"
    assert any(p[3] == 0 for p in pixels), "outline must have a transparent background"
    assert any(p[3] > 0 for p in pixels)
    return manifest, agent


def split_prompty(text: str) -> tuple[dict, str]:
    match = re.match(r"^---\n(.*?)\n---\n(.*)$", text, re.S)
    assert match, "a .prompty file starts with a --- front matter block"
    return yaml.safe_load(match.group(1)), match.group(2)


def assert_valid_prompty_zip(content: bytes, tmp_path: Path) -> list[dict]:
    archive = zipfile.ZipFile(io.BytesIO(content))
    headers = []
    for name in archive.namelist():
        assert name.endswith(".prompty")
        text = archive.read(name).decode()
        header, body = split_prompty(text)
        assert _errors(PROMPTY_VALIDATOR, header) == []
        assert body.startswith("system:\n") and "\nuser:\n" in body
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
        loaded = prompty.load(target)
        assert loaded.name == header["name"]
        assert [p.name for p in loaded.inputs or []] == [
            i["name"] for i in header.get("inputs", [])
        ]
        headers.append(header)
    return headers


OPENWEBUI_COMMAND = re.compile(r"^[a-zA-Z0-9_-]+$")


def assert_valid_openwebui(content: bytes) -> list[dict]:
    data = json.loads(content)
    assert isinstance(data, list)
    commands = [item["command"] for item in data]
    assert len(commands) == len(set(commands)), "commands are unique"
    for item in data:
        assert set(item) == {"command", "name", "content"}
        assert OPENWEBUI_COMMAND.match(item["command"])
        assert item["name"].strip() and item["content"].strip()
        placeholders = re.findall(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*[|}]", item["content"])
        parsed = extract_input_variables(item["content"])
        assert sorted(parsed) == sorted(set(placeholders))
        assert all(v["type"] in ("text", "textarea") for v in parsed.values())
    return data


def is_formula(cell: str) -> bool:
    return cell.startswith(FORMULA_STARTS)


def assert_safe_csv(content: bytes) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(content.decode("utf-8"), newline="")))
    assert rows[0] == ["role", "slug", "title", "body", "variables", "tags"]
    for row in rows:
        for cell in row:
            assert not is_formula(cell)
    return rows


# --- Microsoft 365 declarative agent -------------------------------------------------


@pytest.mark.django_db
def test_it_exports_a_valid_m365_app_package():
    version = make_pack()
    result = build_export([version], "m365-agent")
    assert result.filename == "finance-analyst-m365-agent.zip"
    assert result.content_type == "application/zip"
    manifest, agent = assert_valid_app_package(result.content)
    assert manifest["version"] == "1.1.0"
    assert manifest["id"] == app_id("finance-analyst")
    assert version.fvm_sentence in agent["instructions"]
    assert "CFO and finance leadership" in agent["instructions"]
    assert "BvA: budget versus actual" in agent["instructions"]
    assert [s["title"] for s in agent["conversation_starters"]] == ["Prompt 1", "Prompt 2"]


@pytest.mark.django_db
def test_it_keeps_the_app_id_stable_and_the_version_following_the_pack():
    first = make_pack()
    second = make_pack(pack=first.pack, number=2)
    one = json.loads(
        zipfile.ZipFile(io.BytesIO(build_export([first], "m365-agent").content)).read(
            "manifest.json"
        )
    )
    two = json.loads(
        zipfile.ZipFile(io.BytesIO(build_export([second], "m365-agent").content)).read(
            "manifest.json"
        )
    )
    assert one["id"] == two["id"]
    assert (one["version"], two["version"]) == ("1.1.0", "1.2.0")


@pytest.mark.django_db
def test_it_lists_prompts_beyond_the_starter_limit_in_the_instructions():
    version = make_pack(prompts=20)
    _, agent = assert_valid_app_package(build_export([version], "m365-agent").content)
    assert len(agent["conversation_starters"]) == 12
    for i in range(13, 21):
        assert (
            f"- Prompt {i}: Explain the {{{{period}}}} variances number {i}."
            in (agent["instructions"])
        )
    assert "Prompt 12:" not in agent["instructions"]


@pytest.mark.django_db
def test_it_refuses_instructions_over_8000_characters_naming_the_role_and_excess():
    version = make_pack(prompts=13)
    version.description = "x" * 7500
    version.save()
    with pytest.raises(ExportError) as excinfo:
        build_export([version], "m365-agent")
    message = str(excinfo.value)
    match = re.fullmatch(
        r"finance-analyst: instructions are ([\d,]+) characters, ([\d,]+) over the 8,000 limit",
        message,
    )
    assert match, message
    total, over = (int(g.replace(",", "")) for g in match.groups())
    assert total - over == 8000 and over > 0


@pytest.mark.django_db
def test_it_strips_line_breaks_and_double_brackets_from_the_agent():
    version = make_pack(name="Finance [[analyst]]")
    version.description = "Line one\nline two ]] and [[key]]"
    version.save()
    prompt = version.prompts.first()
    prompt.title = "Two\nlines [[x]]"
    prompt.body = "First\r\nsecond [[not a key]] {{period}}"
    prompt.save()
    _, agent = assert_valid_app_package(build_export([version], "m365-agent").content)
    assert agent["conversation_starters"][0]["text"] == "First second [ [not a key] ] {{period}}"


def test_it_knows_the_starter_limit_of_each_schema_version():
    assert [starter_limit(v) for v in ("v1.0", "v1.4", "v1.5", "v1.6", "v1.8", "v1.9")] == [
        6,
        6,
        6,
        12,
        12,
        12,
    ]
    with pytest.raises(ValueError):
        starter_limit("1.6")


def test_it_breaks_up_every_double_bracket():
    assert not NO_BRACKETS.search(neutralise_brackets("[[[a]]] [[ ]]"))


@pytest.mark.django_db
def test_it_exports_several_roles_as_a_zip_of_app_packages():
    versions = [make_pack("finance-analyst"), make_pack("sales-rep", name="Sales rep")]
    result = build_export(versions, "m365-agent")
    outer = zipfile.ZipFile(io.BytesIO(result.content))
    assert sorted(outer.namelist()) == ["finance-analyst.zip", "sales-rep.zip"]
    for name in outer.namelist():
        assert_valid_app_package(outer.read(name))


# --- Open WebUI ------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_exports_open_webui_prompts_with_required_flags():
    versions = [make_pack("finance-analyst"), make_pack("sales-rep", name="Sales rep")]
    data = assert_valid_openwebui(build_export(versions, "openwebui").content)
    assert [d["command"] for d in data] == [
        "finance-analyst-prompt-1",
        "finance-analyst-prompt-2",
        "sales-rep-prompt-1",
        "sales-rep-prompt-2",
    ]
    assert data[0]["content"] == (
        'Explain the {{period | text:placeholder="the month":required}} variances number 1.'
        '\n\n{{table | textarea:placeholder="paste the table":default="(table)"}}'
    )
    assert extract_input_variables(data[0]["content"]) == {
        "period": {"type": "text", "placeholder": "the month", "required": True},
        "table": {"type": "textarea", "placeholder": "paste the table", "default": "(table)"},
    }
    assert data[0]["name"] == "Finance analyst: Prompt 1"


@pytest.mark.django_db
def test_it_fills_role_context_placeholders_for_open_webui():
    version = make_pack(prompts=1)
    prompt = version.prompts.get()
    prompt.body = "For {{audience}} in {{period}}."
    prompt.save()
    data = assert_valid_openwebui(build_export([version], "openwebui").content)
    assert data[0]["content"] == (
        'For CFO and finance leadership in {{period | text:placeholder="the month":required}}.'
    )


# --- Prompty ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_exports_prompty_files_that_validate_and_load(tmp_path):
    version = make_pack()
    result = build_export([version], "prompty")
    assert result.filename == "finance-analyst-prompty.zip"
    headers = assert_valid_prompty_zip(result.content, tmp_path)
    assert headers[0]["name"] == "prompt-1"
    assert headers[0]["metadata"]["tags"] == ["fvm"]
    assert headers[0]["inputs"] == [
        {"name": "period", "kind": "string", "description": "the month", "required": True},
        {
            "name": "table",
            "kind": "string",
            "description": "paste the table",
            "required": False,
            "default": "(table)",
        },
    ]
    text = zipfile.ZipFile(io.BytesIO(result.content)).read("finance-analyst/prompt-1.prompty")
    _, body = split_prompty(text.decode())
    assert version.fvm_sentence in body.split("user:")[0]
    assert body.split("\nuser:\n")[1].startswith("Explain the {{period}} variances number 1.")


@pytest.mark.django_db
def test_it_writes_prompty_headers_safely_for_awkward_titles(tmp_path):
    version = make_pack(prompts=1)
    prompt = version.prompts.get()
    prompt.title = "---\nkey: value # not a comment: [x]"
    prompt.tags = ["a: b", "- c"]
    prompt.save()
    headers = assert_valid_prompty_zip(build_export([version], "prompty").content, tmp_path)
    assert headers[0]["metadata"]["tags"] == ["a: b", "- c"]


# --- CSV -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_exports_one_csv_row_per_prompt_with_no_formula_cells():
    version = make_pack(prompts=2)
    prompt = version.prompts.first()
    prompt.title = '=HYPERLINK("https://evil.example","x")'
    prompt.body = "@SUM(A1) {{period}}"
    prompt.tags = ["-1", "+fvm"]
    prompt.save()
    rows = assert_safe_csv(build_export([version], "csv").content)
    assert len(rows) == 3
    role, slug, title, body, variables, tags = rows[1]
    assert (role, slug) == ("finance-analyst", "prompt-1")
    assert unneutralise(title) == prompt.title
    assert unneutralise(body) == prompt.body
    assert unneutralise(tags) == "-1, +fvm"
    assert [v["name"] for v in json.loads(variables)] == ["period", "table"]


@given(st.text())
@settings(max_examples=300)
def test_it_round_trips_any_string_through_a_csv_cell_and_never_yields_a_formula(value):
    cell = neutralise(value)
    assert not is_formula(cell)
    assert unneutralise(cell) == value
    buffer = io.StringIO()
    csv.writer(buffer).writerow([cell])
    [[read_back]] = list(csv.reader(io.StringIO(buffer.getvalue(), newline="")))
    assert unneutralise(read_back) == value


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("'=x", "''=x"),
        ("'x", "'x"),
        ("plain", "plain"),
        ("", ""),
    ],
)
def test_it_neutralises_formula_cells_with_one_quote(value, cell):
    assert neutralise(value) == cell


# --- Markdown --------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_exports_a_readable_markdown_handout():
    versions = [make_pack("finance-analyst"), make_pack("sales-rep", name="Sales rep")]
    result = build_export(versions, "markdown")
    assert result.content_type.startswith("text/markdown")
    text = result.content.decode()
    assert "# Finance analyst" in text and "# Sales rep" in text
    assert "\n---\n" in text
    assert versions[0].fvm_sentence in text
    assert "- Audience: CFO and finance leadership" in text
    assert "  - BvA: budget versus actual" in text
    assert "### Prompt 1" in text
    assert "- `period` (required): the month" in text
    assert "### Variance commentary in 10 minutes" in text
    assert "Before: 90 minutes; with AI: 10 minutes." in text


# --- JSON (our own, lossless) ----------------------------------------------------------


@pytest.mark.django_db
def test_it_exports_json_as_the_pack_documents():
    from roles.canonical import version_to_document

    versions = [make_pack("finance-analyst"), make_pack("sales-rep", name="Sales rep")]
    result = build_export(versions, "json")
    assert result.content_type == "application/json"
    assert json.loads(result.content) == [version_to_document(v) for v in versions]


def test_it_refuses_an_unknown_format():
    with pytest.raises(ExportError, match="unknown format 'pdf'"):
        build_export([object()], "pdf")


@pytest.mark.django_db
def test_it_needs_the_declared_prompt_variables_in_each_format(tmp_path):
    version = make_pack(prompts=1)
    prompt = Prompt.objects.create(version=version, slug="no-vars", title="No vars", body="Hi")
    assert not PromptVariable.objects.filter(prompt=prompt).exists()
    assert_valid_prompty_zip(build_export([version], "prompty").content, tmp_path)
    assert_valid_openwebui(build_export([version], "openwebui").content)
