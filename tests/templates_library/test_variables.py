"""Filling {{variables}}: person → role context → default; missing named; values escaped."""

from html.parser import HTMLParser
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest

from roles.document_types import placeholders
from templates_library.variables import (
    VariableSpec,
    fill_html,
    fill_prompt,
    resolve_values,
    role_context_values,
    terminology_text,
)

VERSION = SimpleNamespace(
    context_audience="the CFO",
    context_output_format="three short paragraphs",
    context_terminology={"FY": "fiscal year", "BvA": "budget versus actual"},
)


def _prompt(body, *specs):
    return SimpleNamespace(body=body), list(specs)


def test_it_lists_placeholder_names_in_order_once():
    assert placeholders("{{b}} {{ a }} {{b}} {{not valid}}") == ["b", "a"]


def test_it_writes_terminology_as_a_readable_list():
    assert terminology_text(VERSION.context_terminology) == (
        "FY: fiscal year; BvA: budget versus actual"
    )
    assert role_context_values(VERSION)["terminology"] == terminology_text(
        VERSION.context_terminology
    )


def test_it_prefers_the_persons_value_then_the_role_context_then_the_default():
    values, sources, missing = resolve_values(
        body="{{audience}} {{period}} {{table}} {{output_format}}",
        variables=[
            VariableSpec("audience", default="everyone"),
            VariableSpec("period", default="last month"),
            VariableSpec("table", default="(paste)", required=False),
            VariableSpec("output_format", default="bullets"),
        ],
        person_values={"period": "2026-10", "audience": ""},
        context_values=role_context_values(VERSION),
    )
    assert values == {
        "audience": "the CFO",
        "period": "2026-10",
        "table": "(paste)",
        "output_format": "three short paragraphs",
    }
    assert sources == {
        "audience": "role",
        "period": "you",
        "table": "default",
        "output_format": "role",
    }
    assert missing == []


def test_it_names_missing_required_variables_and_keeps_them_in_the_text():
    prompt, specs = _prompt(
        "Explain {{period}} for {{audience}}. {{notes}} {{undeclared}}",
        VariableSpec("period", required=True),
        VariableSpec("notes", required=False),
    )
    filled = fill_prompt(prompt, variables=specs, version=VERSION)
    assert filled.missing == ["period", "undeclared"]
    assert filled.text == "Explain {{period}} for the CFO.  {{undeclared}}"
    assert "fill in: period" in filled.html
    assert "fill in: undeclared" in filled.html


def test_it_fills_the_plain_text_for_the_copy_button():
    prompt, specs = _prompt("# Variance\n\nUse **{{period}}**.", VariableSpec("period"))
    filled = fill_prompt(prompt, variables=specs, person_values={"period": "2026-10"})
    assert filled.text == "# Variance\n\nUse **2026-10**."
    assert '<strong><span class="filled">2026-10</span></strong>' in filled.html


MALICIOUS_VALUES = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "**bold** [link](https://evil.example) # heading",
    "javascript:alert(1)",
    "</span><iframe src=https://evil.example></iframe>",
    "' onmouseover='alert(1)",
    "{{period}}",
]


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


@pytest.mark.parametrize("value", MALICIOUS_VALUES)
@pytest.mark.parametrize(
    "body",
    [
        "Text {{v}} here.",
        "**{{v}}**",
        "[see]({{v}})",
        "`{{v}}`",
        "    indented {{v}}",
        "<https://example.com/{{v}}>",
        "![alt {{v}}](https://example.com/{{v}}.png)",
    ],
)
def test_it_never_lets_a_value_inject_markup(body, value):
    html = str(fill_html(body, {"v": value}, missing=[]))
    template_html = str(fill_html(body, {"v": "plain"}, missing=[]))
    parser, template_parser = _Tags(), _Tags()
    parser.feed(html)
    template_parser.feed(template_html)
    # The same elements as with a harmless value: the value added no tag.
    assert [t for t, _ in parser.tags] == [t for t, _ in template_parser.tags]
    for _, attrs in parser.tags:
        assert not any(name.startswith("on") for name in attrs)
        for url in (attrs.get("href"), attrs.get("src")):
            if url is not None:
                assert urlsplit(url.strip()).scheme.lower() in {"http", "https", "mailto", ""}
    assert "<script" not in html and "<iframe" not in html and "<svg" not in html


def test_it_shows_a_value_as_text_not_markdown():
    html = str(fill_html("Hi {{v}}", {"v": "**bold** <b>x</b>"}, missing=[]))
    assert "<strong>" not in html and "<b>" not in html
    assert "**bold** &lt;b&gt;x&lt;/b&gt;" in html


def test_it_does_not_refill_placeholders_inside_values():
    prompt, specs = _prompt("{{a}} {{b}}", VariableSpec("a"), VariableSpec("b"))
    filled = fill_prompt(prompt, variables=specs, person_values={"a": "{{b}}", "b": "B"})
    assert filled.text == "{{b}} B"


def test_it_uses_an_empty_string_for_an_optional_variable_with_nothing():
    prompt, specs = _prompt("a{{x}}b", VariableSpec("x", required=False))
    filled = fill_prompt(prompt, variables=specs)
    assert filled.text == "ab" and filled.missing == []
