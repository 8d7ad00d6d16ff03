"""Filling a prompt's ``{{variable}}`` placeholders.

A value comes from, in order: the person's own values (their enrollment), the role
context (``audience``, ``output_format``, ``terminology`` as a readable list), then
the variable's default. A required variable with none of these is *missing*: the
plain text keeps ``{{name}}`` so the person sees what to fill in, the HTML shows
"fill in: name".

Values never become markup. The template's Markdown is rendered once with inert
placeholder tokens (cached by content hash like any Markdown), then each token is
replaced by the HTML-escaped value, and the result is sanitised again so a value
that lands inside an attribute (a link target) cannot smuggle a ``javascript:`` URL.
"""

import hashlib
import html
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

import nh3
from django.utils.safestring import SafeString, mark_safe

from roles.document_types import PLACEHOLDER_RE, placeholders
from templates_library import markdown as md

# Markup we add ourselves around filled values and missing names.
_FILLED_ATTRIBUTES = {**md.ALLOWED_ATTRIBUTES, "span": {"class"}, "mark": {"class"}}
_FILLED_TAGS = md.ALLOWED_TAGS | {"mark"}


@dataclass(frozen=True)
class VariableSpec:
    name: str
    description: str = ""
    default: str = ""
    required: bool = True


@dataclass(frozen=True)
class FilledPrompt:
    text: str
    body: str = ""  # the prompt's Markdown, placeholders unfilled
    missing: list[str] = field(default_factory=list)
    values: dict[str, str] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)

    @cached_property
    def html(self) -> SafeString:
        """The sanitised HTML (:func:`fill_html`), made when first read: /my/ shows only
        the text, so a page of prompts does not sanitise each one on every request."""
        return fill_html(self.body, self.values, self.missing)


def terminology_text(terminology: Mapping[str, str] | None) -> str:
    """``{"FY": "fiscal year"}`` → ``"FY: fiscal year"``; entries joined by "; "."""
    return "; ".join(f"{term}: {meaning}" for term, meaning in (terminology or {}).items())


def role_context_values(version) -> dict[str, str]:
    """The role context as variable values (empty ones left out)."""
    if version is None:
        return {}
    values = {
        "audience": version.context_audience or "",
        "output_format": version.context_output_format or "",
        "terminology": terminology_text(version.context_terminology),
    }
    return {name: value for name, value in values.items() if value}


def variable_specs(prompt) -> list[VariableSpec]:
    """The declared variables of a prompt (uses a prefetched ``variables`` if present)."""
    return [
        VariableSpec(name=v.name, description=v.description, default=v.default, required=v.required)
        for v in prompt.variables.all()
    ]


def resolve_values(
    *,
    body: str,
    variables: Iterable[VariableSpec],
    person_values: Mapping[str, object] | None = None,
    context_values: Mapping[str, str] | None = None,
) -> tuple[dict[str, str], dict[str, str], list[str]]:
    """(values, source per name, missing required names) for every placeholder and variable.

    Undeclared placeholders count as required. An optional variable with nothing to
    fill it becomes the empty string.
    """
    specs = {spec.name: spec for spec in variables}
    names = list(dict.fromkeys([*placeholders(body), *specs]))
    person_values = person_values or {}
    context_values = context_values or {}
    values: dict[str, str] = {}
    sources: dict[str, str] = {}
    missing: list[str] = []
    for name in names:
        spec = specs.get(name, VariableSpec(name=name))
        person_value = person_values.get(name)
        if person_value not in (None, ""):
            values[name], sources[name] = str(person_value), "you"
        elif context_values.get(name):
            values[name], sources[name] = context_values[name], "role"
        elif spec.default:
            values[name], sources[name] = spec.default, "default"
        elif spec.required:
            missing.append(name)
        else:
            values[name], sources[name] = "", "empty"
    return values, sources, missing


def _token_salt(body: str) -> str:
    # Letters and digits only, so Markdown leaves the token alone wherever it sits.
    return hashlib.sha256(body.encode()).hexdigest()[:10]


def fill_text(body: str, values: Mapping[str, str]) -> str:
    """Plain text for the copy button: filled values, missing ones kept as ``{{name}}``."""

    def replace(match: re.Match) -> str:
        name = match.group(1)
        return values[name] if name in values else "{{" + name + "}}"

    return PLACEHOLDER_RE.sub(replace, body or "")


def fill_html(body: str, values: Mapping[str, str], missing: Iterable[str]) -> SafeString:
    """Sanitised HTML of the Markdown body with escaped values in place of placeholders."""
    body = body or ""
    salt = _token_salt(body)
    names = placeholders(body)
    tokens = {name: f"fvvar{salt}x{index}x" for index, name in enumerate(names)}
    template = PLACEHOLDER_RE.sub(lambda m: tokens[m.group(1)], body)
    rendered = str(md.render_markdown(template))
    missing = set(missing)
    for name, token in tokens.items():
        if name in missing:
            replacement = f'<mark class="fill-in">fill in: {html.escape(name)}</mark>'
        else:
            replacement = f'<span class="filled">{html.escape(values.get(name, ""))}</span>'
        rendered = _replace_token(rendered, token, replacement, values.get(name, ""))
    cleaned = nh3.clean(
        rendered,
        tags=_FILLED_TAGS,
        attributes=_FILLED_ATTRIBUTES,
        url_schemes=md.ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        attribute_filter=md._set_image_attributes,
        set_tag_attribute_values=md.IMAGE_ATTRIBUTE_VALUES,
        strip_comments=True,
    )
    return mark_safe(cleaned)  # sanitised by nh3 above


_TAG = re.compile(r"<[^>]*>")


def _replace_token(rendered: str, token: str, element: str, value: str) -> str:
    """Replace ``token``: inside a tag (an attribute) by the escaped bare value, elsewhere by
    ``element``. Either way the value is escaped; nh3 then re-checks attributes and URLs."""
    parts: list[str] = []
    last = 0
    for tag in _TAG.finditer(rendered):
        parts.append(rendered[last : tag.start()].replace(token, element))
        parts.append(tag.group(0).replace(token, html.escape(value, quote=True)))
        last = tag.end()
    parts.append(rendered[last:].replace(token, element))
    return "".join(parts)


def fill_prompt(
    prompt,
    *,
    person_values: Mapping[str, object] | None = None,
    version=None,
    variables: Iterable[VariableSpec] | None = None,
) -> FilledPrompt:
    """Fill ``prompt`` (a Prompt or anything with ``body``) for one person."""
    body = prompt.body or ""
    specs = list(variables) if variables is not None else variable_specs(prompt)
    values, sources, missing = resolve_values(
        body=body,
        variables=specs,
        person_values=person_values,
        context_values=role_context_values(version),
    )
    return FilledPrompt(
        text=fill_text(body, values),
        body=body,
        missing=missing,
        values=values,
        sources=sources,
    )


# A value that is pasted content rather than a word or two: said so by its description.
_MULTILINE_WORDS = re.compile(
    r"\b(paste[ds]?|pasting|tables?|transcripts?|text|notes?|emails?|documents?|drafts?|"
    r"minutes of|thread|log|lines|paragraphs?|body|content)\b",
    re.IGNORECASE,
)


def is_multiline(spec: VariableSpec) -> bool:
    """Whether the variable takes pasted, multi-line content (its description says paste,
    table, transcript, text, notes …, or its default has a line break)."""
    return bool(_MULTILINE_WORDS.search(spec.description or "")) or "\n" in (spec.default or "")


@dataclass(frozen=True)
class PromptField:
    """One field of a prompt ready to run: what the person types a variable's value into."""

    name: str
    label: str
    hint: str
    value: str
    required: bool
    missing: bool
    multiline: bool


def _label(spec: VariableSpec) -> tuple[str, str]:
    """(label, hint): a short description is the label; a long one is the hint."""
    words = spec.name.replace("_", " ").strip()
    plain = words[:1].upper() + words[1:]
    description = (spec.description or "").strip()
    if not description:
        return plain, ""
    if len(description) <= 60:
        return description[:1].upper() + description[1:], ""
    return plain, description


def prompt_fields(prompt, filled: FilledPrompt) -> list[PromptField]:
    """A field per variable (declared, or only used in the body), prefilled with what
    ``filled`` resolved: the person's value, the role context or the default."""
    specs = {spec.name: spec for spec in variable_specs(prompt)}
    names = list(dict.fromkeys([*placeholders(prompt.body or ""), *specs]))
    fields = []
    for name in names:
        spec = specs.get(name, VariableSpec(name=name))
        label, hint = _label(spec)
        fields.append(
            PromptField(
                name=name,
                label=label,
                hint=hint,
                value=filled.values.get(name, ""),
                required=spec.required,
                missing=name in filled.missing,
                multiline=is_multiline(spec),
            )
        )
    return fields
