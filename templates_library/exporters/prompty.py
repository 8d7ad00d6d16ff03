"""Prompty: a zip of one ``.prompty`` file per prompt (``<role>/<prompt>.prompty``).

YAML front matter per the Prompty v2 schema (``Agent.yaml``): ``name``, ``description``,
``metadata`` (tags, role, version), ``inputs`` (a list: name, kind, description,
required, default) and ``template`` (jinja2 with the prompty parser). The body has a
``system:`` message (role context and FVM) and a ``user:`` message (the prompt,
variables as ``{{var}}``).

Every word the author wrote reaches the model as written (``docs/exports.md``): literal text is
escaped for Jinja (each ``{`` that would open ``{{``, ``{%`` or ``{#`` is written as
``{{ "{" }}``) and a line the prompty parser would read as a role marker (``user:``,
``# assistant:``) gets an invisible word joiner (U+2060) in front, so it stays one message.
"""

import re

import yaml

from roles.document_types import PLACEHOLDER_RE
from templates_library.exporters.base import ExportFile, file_stem
from templates_library.exporters.common import (
    fill_role_context,
    one_line,
    role_context_text,
    zip_bytes,
)


def header(version, prompt) -> dict:
    variables = list(prompt.variables.all())
    inputs = []
    for variable in variables:
        item = {
            "name": variable.name,
            "kind": "string",
            "description": variable.description or variable.name,
            "required": bool(variable.required),
        }
        if variable.default:
            item["default"] = variable.default
        inputs.append(item)
    data = {
        "name": prompt.slug,
        "displayName": one_line(prompt.title),
        "description": one_line(f"{version.name}: {prompt.title}"),
        "metadata": {
            "tags": list(prompt.tags or []),
            "role": version.pack.slug,
            "role_version": version.number,
        },
    }
    if inputs:
        data["inputs"] = inputs
    data["template"] = {"format": "jinja2", "parser": "prompty"}
    return data


class _HeaderDumper(yaml.SafeDumper):
    pass


def _represent_str(dumper, value: str):
    # Prompty finds the end of the front matter at the first "---" or "+++" anywhere, so such
    # runs in a value are written double-quoted and escaped (see _escape_runs).
    style = '"' if re.search(r"--|\+\+", value) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_HeaderDumper.add_representer(str, _represent_str)


def _escape_runs(text: str) -> str:
    """``--`` → ``-\\x2D`` (and ``++``): only double-quoted scalars hold such runs."""
    return re.sub(
        r"([-+])(\1+)",
        lambda m: m.group(1) + ("\\x2D" if m.group(1) == "-" else "\\x2B") * len(m.group(2)),
        text,
    )


def header_text(data: dict) -> str:
    dumped = yaml.dump(
        data, Dumper=_HeaderDumper, sort_keys=False, allow_unicode=True, width=2**31 - 1
    )
    return _escape_runs(dumped)


# The prompty parser's role names (prompty.core.types.ROLES) and its boundary rule: a line that,
# stripped, is ``role:`` or ``#role:``, optionally with ``[attributes]``.
ROLE_MARKER = re.compile(
    r"^\s*#?\s*(assistant|developer|system|user)"
    r"(\[(?:\w++\s*+=\s*+(?:\"[^\"]*\"|[^\",\]]*+)\s*+,?+\s*+)+\])?\s*:\s*$",
    re.IGNORECASE,
)
WORD_JOINER = "\u2060"
_JINJA_OPENERS = re.compile(r"\{(?=[{%#]|\Z)")


def jinja_literal(text: str) -> str:
    """``text`` as a Jinja template that renders to exactly ``text``."""
    return _JINJA_OPENERS.sub('{{ "{" }}', text)


def lines_kept(text: str) -> str:
    """Line breaks as ``\\n`` (Jinja and the parser read them so) and no line left that the
    parser would take for a role marker."""
    lines = text.splitlines()
    return "\n".join(WORD_JOINER + line if ROLE_MARKER.match(line) else line for line in lines)


def template_text(text: str) -> str:
    """Authored text (placeholders included) as the template: literal parts escaped for Jinja,
    each ``{{ name }}`` left as the Jinja variable ``{{name}}``."""
    text = lines_kept(text)
    parts, last = [], 0
    for match in PLACEHOLDER_RE.finditer(text):
        parts.append(jinja_literal(text[last : match.start()]))
        parts.append("{{" + match.group(1) + "}}")
        last = match.end()
    parts.append(jinja_literal(text[last:]))
    return "".join(parts)


def message_body(version, prompt) -> str:
    """The user message as the author wrote it, role-context placeholders filled; outer line
    breaks trimmed (the parser trims them from every message)."""
    declared = [v.name for v in prompt.variables.all()]
    return fill_role_context(prompt.body, version, declared).strip("\r\n")


def prompty_file(version, prompt) -> str:
    front = header_text(header(version, prompt))
    system = jinja_literal(lines_kept(role_context_text(version)))
    user = template_text(message_body(version, prompt))
    return f"---\n{front}---\nsystem:\n{system}\n\nuser:\n{user}\n"


def files(versions):
    for version in versions:
        for prompt in version.prompts.all():
            yield (
                f"{version.pack.slug}/{prompt.slug}.prompty",
                prompty_file(version, prompt).encode(),
            )


def export(versions) -> ExportFile:
    return ExportFile(
        content=zip_bytes(files(versions)),
        filename=f"{file_stem(versions)}-prompty.zip",
        content_type="application/zip",
    )
