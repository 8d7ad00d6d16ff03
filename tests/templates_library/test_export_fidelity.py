"""Every export keeps what the author wrote (docs/exports.md): read back with the target's
own software — prompty renders each ``.prompty`` file, Open WebUI's variable parser (written
again in tests/templates_library/openwebui_variables.py) reads each prompt."""

import io
import json
import os
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from types import SimpleNamespace

import prompty
import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from roles.document_types import PLACEHOLDER_RE, placeholders
from templates_library.exporters import build_export
from templates_library.exporters.common import fill_role_context, role_context_text
from templates_library.exporters.openwebui import (
    PROPERTY_LOOKALIKES,
    input_variable,
    multiline,
    openwebui_content,
)
from templates_library.exporters.prompty import WORD_JOINER, lines_kept, template_text
from templates_library.selectors import export_versions
from tests.templates_library.openwebui_variables import _PLAIN, _TYPED, extract_input_variables

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "rolepacks"
BACK = {ord(v): k for k, v in PROPERTY_LOOKALIKES.items()}

# Text that stresses both targets: Jinja's openers, role markers, quotes, braces, line breaks.
AWKWARD = st.lists(
    st.sampled_from(
        [*"{}%#-+:|\"'\\= \n\tabxyz", "user:", "assistant:", "{{", "}}", "{%", "{#", "é"]
    ),
    max_size=30,
).map("".join)


def normalised(text: str) -> str:
    """The authored text as the prompty parser hands it on: ``\\n`` line breaks, outer line
    breaks trimmed."""
    return "\n".join(text.splitlines()).strip("\n")


def unjoined(text: str) -> str:
    """A rendered message without the word joiners that keep role-marker lines in place."""
    return "\n".join(line.removeprefix(WORD_JOINER) for line in text.split("\n"))


def filled(text: str, values: dict[str, str]) -> str:
    """``text`` with each placeholder replaced as Jinja does (an unknown one by nothing)."""
    return PLACEHOLDER_RE.sub(lambda m: values.get(m.group(1), ""), text)


def prompty_messages(text: str, inputs: dict[str, str]):
    header = "---\nname: t\ntemplate: {format: jinja2, parser: prompty}\n---\n"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "t.prompty"
        path.write_text(header + text, encoding="utf-8")
        return prompty.prepare(prompty.load(path), inputs)


def message_texts(messages) -> list[tuple[str, str]]:
    return [(m.role, "".join(p.value for p in m.parts)) for m in messages]


# --- Prompty: the rendered message is the authored text ------------------------------------


@pytest.mark.parametrize(
    "authored",
    [
        "{#123}",
        "{{ 1 + 1 }}",
        "{% raw %}kept{% endraw %}",
        "before\nuser:\nassistant:\n# system:\nafter",
        "{{{x}}} and {",
        "a {%- b -%} c {# d #}",
    ],
)
def test_prompty_renders_jinja_lookalikes_and_role_markers_as_written(authored):
    template = "system:\nS\n\nuser:\n" + template_text(authored) + "\n"
    values = {name: f"<{name}>" for name in placeholders(authored)}
    messages = message_texts(prompty_messages(template, values))
    expected = PLACEHOLDER_RE.sub(lambda m: values[m.group(1)], authored)
    assert [role for role, _ in messages] == ["system", "user"]
    assert unjoined(messages[1][1]) == normalised(expected)
    assert messages[1][1] == lines_kept(normalised(expected))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(authored=AWKWARD.filter(lambda t: t.strip()))
def test_prompty_renders_any_authored_text_to_itself(authored):
    values = {name: f"<{name}>" for name in placeholders(authored)}
    template = "system:\n" + template_text("You help.") + "\n\nuser:\n" + template_text(authored)
    messages = message_texts(prompty_messages(template + "\n", values))
    expected = normalised(PLACEHOLDER_RE.sub(lambda m: values[m.group(1)], authored))
    assert messages[0] == ("system", "You help.")
    users = [text for role, text in messages[1:]]
    if expected.strip("\n"):
        assert len(users) == 1 and unjoined(users[0]) == expected


# --- Open WebUI: variables arrive with their kind, placeholder and default ------------------


def _variable(name="v", description="", default="", required=True):
    return SimpleNamespace(name=name, description=description, default=default, required=required)


@settings(max_examples=200, deadline=None)
@given(description=AWKWARD, default=AWKWARD, required=st.booleans())
def test_open_webui_reads_back_any_description_and_default(description, default, required):
    variable = _variable(description=description, default=default, required=required)
    parsed = extract_input_variables("Hi " + input_variable("v", variable) + " there")
    assert list(parsed) == ["v"]
    got = parsed["v"]
    assert got.get("placeholder", "").translate(BACK) == description
    assert got.get("default", "").translate(BACK) == default
    assert got.get("required", False) is required


@settings(max_examples=150, deadline=None)
@given(body=AWKWARD)
def test_open_webui_substitutes_into_the_authored_body(body):
    declared = [_variable(name) for name in placeholders(body)]
    content = openwebui_content(body, declared)
    ours = {m.group(0) for m in PLACEHOLDER_RE.finditer(content)}
    theirs = [m.group(0) for m in _TYPED.finditer(content)] + [
        m.group(0) for m in _PLAIN.finditer(content)
    ]
    # Text Open WebUI would itself read as a variable is outside what an author can escape.
    if any(t not in ours and "|" in t for t in theirs) or any(t in ours for t in theirs):
        return
    values = {v.name: f"<{v.name}>" for v in declared}
    filled = _TYPED.sub(lambda m: values[m.group(1).strip()], content)
    assert filled == PLACEHOLDER_RE.sub(lambda m: values[m.group(1)], body)


def test_a_pasted_table_is_a_textarea_and_a_date_is_a_line():
    assert multiline(_variable("bva_table", "paste the BvA table from Excel"))
    assert multiline(_variable("known_causes", "your notes, one line per cost centre"))
    assert multiline(_variable("meeting_notes"))
    assert not multiline(_variable("period", "the reporting month, e.g. October 2026"))
    assert not multiline(_variable("customer_email", "the customer's email address"))


# --- every example pack -------------------------------------------------------------------


@pytest.fixture
def example_versions(db):
    call_command("import_rolepack", str(EXAMPLES), stdout=io.StringIO())
    return export_versions(all_roles=True)


def test_every_example_prompt_keeps_its_variables_in_open_webui(example_versions):
    exported = json.loads(build_export(example_versions, "openwebui").content)
    by_command = {item["command"]: item for item in exported}
    pasted = defaults = 0
    for version in example_versions:
        for prompt in version.prompts.all():
            item = by_command[f"{version.pack.slug}-{prompt.slug}"]
            parsed = extract_input_variables(item["content"])
            for variable in prompt.variables.all():
                if variable.name not in parsed:
                    continue  # declared but unused in the body
                got = parsed[variable.name]
                if re.search(r"\bpaste\b", variable.description, re.I):
                    assert got["type"] == "textarea", (prompt.slug, variable.name)
                    pasted += 1
                if variable.default:
                    assert got["default"].translate(BACK) == variable.default
                    defaults += 1
                assert got.get("placeholder", "").translate(BACK) == variable.description
                assert got.get("required", False) is variable.required
    assert pasted >= 10 and defaults >= 5


def test_every_example_prompt_renders_in_prompty_to_its_authored_text(example_versions, tmp_path):
    archive = zipfile.ZipFile(io.BytesIO(build_export(example_versions, "prompty").content))
    checked = 0
    for version in example_versions:
        for prompt in version.prompts.all():
            path = tmp_path / version.pack.slug / f"{prompt.slug}.prompty"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(archive.read(f"{version.pack.slug}/{prompt.slug}.prompty"))
            variables = list(prompt.variables.all())
            values = {v.name: f"<{v.name}>" for v in variables}
            messages = message_texts(prompty.prepare(prompty.load(path), values))
            body = fill_role_context(prompt.body, version, values)
            expected = filled(body, values)
            assert messages == [
                ("system", normalised(role_context_text(version))),
                ("user", normalised(expected)),
            ], prompt.slug
            checked += 1
    assert checked == sum(v.prompts.count() for v in example_versions)


# --- the Markdown handout and the Microsoft 365 package ------------------------------------


@pytest.mark.django_db
def test_the_markdown_handout_keeps_authored_html_as_text(tmp_path):
    import markdown as markdown_lib

    from tests.factories import make_pack

    version = make_pack(prompts=1)
    version.name = "Analyst <img src=x onerror=alert(1)>"
    version.description = "Month-end <script>alert(1)</script> & more"
    version.save()
    prompt = version.prompts.get()
    prompt.title = "<b>bold</b> title"
    prompt.body = "Keep <div>this</div> as text: {{period}}"
    prompt.save()
    demo = version.demos.get()
    demo.steps = "1. Open <iframe src=https://evil.example></iframe>\n> a quote stays a quote"
    demo.video_url = "https://example.com/rec?a=1"
    demo.save()
    source = build_export([version], "markdown").content.decode()
    html = markdown_lib.markdown(source, extensions=["fenced_code"])
    for tag in ("<img", "<script", "<b>", "<div>", "<iframe"):
        assert tag not in html, tag
    assert "Month-end &lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in html
    assert "<blockquote>" in html  # Markdown the author wrote still works
    assert "Keep &lt;div&gt;this&lt;/div&gt; as text: {{period}}" in html  # the fenced body
    assert "<https://example.com/rec?a=1>" in source


@pytest.mark.django_db
def test_the_m365_manifest_links_to_the_pages_on_site_url(settings):
    from tests.factories import make_pack
    from tests.templates_library.test_export_formats import assert_valid_app_package

    settings.SITE_URL = "https://fv.contoso.com"
    manifest, _ = assert_valid_app_package(build_export([make_pack()], "m365-agent").content)
    assert manifest["developer"]["websiteUrl"] == "https://fv.contoso.com/"
    assert manifest["developer"]["privacyUrl"] == "https://fv.contoso.com/privacy/"
    assert manifest["developer"]["termsOfUseUrl"] == "https://fv.contoso.com/terms/"


@pytest.mark.django_db
def test_the_m365_export_is_refused_without_site_url(settings):
    from templates_library.exporters import ExportError
    from tests.factories import make_pack

    settings.DEBUG = False
    settings.SITE_URL = ""
    with pytest.raises(ExportError, match="SITE_URL is not set"):
        build_export([make_pack()], "m365-agent")


def test_production_settings_leave_site_url_empty_when_it_is_not_set():
    env = {k: v for k, v in os.environ.items() if k != "SITE_URL"}
    env.update(DEBUG="0", SECRET_KEY="x" * 50, DJANGO_SETTINGS_MODULE="config.settings")
    code = "import django; django.setup(); from django.conf import settings; print(repr(settings.SITE_URL))"
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip().splitlines()[-1] == "''"
