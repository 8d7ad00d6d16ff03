"""Open WebUI prompts: one JSON array of ``{command, name, content}``.

``command`` matches ``^[a-zA-Z0-9_-]+$`` and is unique across the export
(``<role>-<prompt>``, sanitised, a numeric suffix on a clash). Our ``{{var}}``
become Open WebUI input variables: ``{{var | text:required}}`` when required,
``{{var | text}}`` otherwise. Role-context placeholders are filled in.
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


def openwebui_content(body: str, variables) -> str:
    required = {v.name: v.required for v in variables}

    def replace(match: re.Match) -> str:
        name = match.group(1)
        flag = ":required" if required.get(name, True) else ""
        return "{{" + f"{name} | text{flag}" + "}}"

    return PLACEHOLDER_RE.sub(replace, body)


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
