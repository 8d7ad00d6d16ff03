"""Open WebUI model presets (``openwebui-model``): one JSON array, a preset per role, in the
shape Open WebUI's model import (``/api/v1/models/import``) and ``/api/v1/models/create``
take: ``{id, base_model_id, name, meta: {description, suggestion_prompts}, params: {system},
access_control, is_active}``. The system prompt is the role context and FVM; the role's prompts
become suggestion prompts (title, and the prompt with its variables in Open WebUI's syntax).
``base_model_id`` is ``OPENWEBUI_BASE_MODEL`` (the model the preset runs on)."""

import json

from django.conf import settings

from templates_library.exporters.base import ExportFile, file_stem
from templates_library.exporters.common import fill_role_context, one_line, role_context_text
from templates_library.exporters.openwebui import openwebui_content, sanitise_command


def preset_id(version) -> str:
    return sanitise_command(f"firstvalue-{version.pack.slug}").lower()


def preset(version) -> dict:
    prompts = []
    for prompt in version.prompts.all():
        variables = list(prompt.variables.all())
        body = fill_role_context(prompt.body, version, [v.name for v in variables])
        prompts.append(
            {"title": [one_line(prompt.title), ""], "content": openwebui_content(body, variables)}
        )
    return {
        "id": preset_id(version),
        "base_model_id": settings.OPENWEBUI_BASE_MODEL or None,
        "name": one_line(version.name),
        "meta": {
            "description": one_line(version.fvm_sentence),
            "suggestion_prompts": prompts,
            "tags": [{"name": "firstvalue"}],
        },
        "params": {"system": role_context_text(version)},
        "access_control": None,
        "is_active": True,
    }


def export(versions) -> ExportFile:
    data = [preset(version) for version in versions]
    return ExportFile(
        content=(json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode(),
        filename=f"{file_stem(versions)}-openwebui-models.json",
        content_type="application/json",
    )
