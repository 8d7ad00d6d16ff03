r"""Open WebUI prompts: one JSON array of ``{command, name, content}``.

``command`` matches ``^[a-zA-Z0-9_-]+$`` and is unique across the export
(``<role>-<prompt>``, sanitised, a numeric suffix on a clash). Our ``{{var}}``
become Open WebUI input variables in the syntax its ``extractInputVariables`` reads:
``{{var | TYPE:placeholder="…":default="…":required}}``. TYPE is ``textarea`` for pasted or
multi-line content (``multiline``), ``text`` otherwise; the placeholder is the variable's
description, the default its default, ``:required`` when required. Role-context placeholders
are filled in.

Open WebUI reads a property value up to the next ``}`` and does not unescape quotes, so
``"``, ``{``, ``}`` and ``\`` in a description or default are written as their full-width
forms (＂ ｛ ｝ ＼), which read the same (``docs/exports.md``).
"""

import json
import re

from roles.document_types import PLACEHOLDER_RE
from templates_library.exporters.base import ExportFile, file_stem
from templates_library.exporters.common import fill_role_context

COMMAND_PATTERN = re.compile(r"^[a-zA-Z0-9_-]+$")


def sanitise_command(text: str) -> str:
    command = re.sub(r"[^a-zA-Z0-9_-]+", "-", text).strip("-")
    return command or "prompt"


# Characters Open WebUI's property parser cannot carry inside a quoted value.
PROPERTY_LOOKALIKES = str.maketrans({'"': "\uff02", "{": "\uff5b", "}": "\uff5d", "\\": "\uff3c"})
# What makes a variable multi-line: its description asks to paste, or lists lines; or its
# name says it holds a table, transcript, thread, notes or a text.
_MULTILINE_DESCRIPTION = re.compile(r"\bpast(e|ed|ing)\b|\bone (line|row|item) per\b", re.I)
_MULTILINE_NAME = re.compile(r"(^|_)(table|transcript|thread|notes|text|export|draft|list)$", re.I)


def multiline(variable) -> bool:
    """Whether a variable holds pasted or multi-line content (a textarea in the tool)."""
    return bool(
        _MULTILINE_DESCRIPTION.search(variable.description or "")
        or _MULTILINE_NAME.search(variable.name)
    )


def property_value(text: str) -> str:
    """A quoted property value Open WebUI reads back as ``text`` (see the module docstring)."""
    return '"' + (text or "").translate(PROPERTY_LOOKALIKES) + '"'


def input_variable(name: str, variable) -> str:
    """``{{name | type:properties}}`` for one declared variable (or an undeclared one)."""
    if variable is None:
        return "{{" + f"{name} | text:required" + "}}"
    parts = ["textarea" if multiline(variable) else "text"]
    if variable.description:
        parts.append("placeholder=" + property_value(variable.description))
    if variable.default:
        parts.append("default=" + property_value(variable.default))
    if variable.required:
        parts.append("required")
    return "{{" + f"{name} | " + ":".join(parts) + "}}"


def openwebui_content(body: str, variables) -> str:
    declared = {v.name: v for v in variables}
    return PLACEHOLDER_RE.sub(lambda m: input_variable(m.group(1), declared.get(m.group(1))), body)


def rows(versions):
    used: set[str] = set()
    for version in versions:
        for prompt in version.prompts.all():
            variables = list(prompt.variables.all())
            base = sanitise_command(f"{version.pack.slug}-{prompt.slug}")
            command, n = base, 2
            while command in used:
                command, n = f"{base}-{n}", n + 1
            used.add(command)
            body = fill_role_context(prompt.body, version, [v.name for v in variables])
            yield {
                "command": command,
                "name": f"{version.name}: {prompt.title}",
                "content": openwebui_content(body, variables),
            }


def export(versions) -> ExportFile:
    data = list(rows(versions))
    return ExportFile(
        content=(json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode(),
        filename=f"{file_stem(versions)}-openwebui-prompts.json",
        content_type="application/json",
    )
