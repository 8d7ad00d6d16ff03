"""Prompty: a zip of one ``.prompty`` file per prompt (``<role>/<prompt>.prompty``).

YAML front matter per the Prompty v2 schema (``Agent.yaml``): ``name``, ``description``,
``metadata`` (tags, role, version), ``inputs`` (a list: name, kind, description,
required, default) and ``template`` (jinja2 with the prompty parser). The body has a
``system:`` message (role context and FVM) and a ``user:`` message (the prompt,
variables as ``{{var}}``).
"""

import re

import yaml

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


def prompty_file(version, prompt) -> str:
    declared = [v.name for v in prompt.variables.all()]
    body = fill_role_context(prompt.body, version, declared).strip()
    front = header_text(header(version, prompt))
    return f"---\n{front}---\nsystem:\n{role_context_text(version)}\n\nuser:\n{body}\n"


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
