"""Microsoft 365 Copilot declarative agent: one Teams app package per role.

The package holds ``manifest.json`` (app manifest v1.30, whose ``copilotAgents``
points at the agent), ``declarativeAgent.json`` (declarative agent schema v1.6),
``color.png`` (192×192) and ``outline.png`` (32×32, white on transparent).

Rules applied (from the schemas and Microsoft's docs):
- ``instructions``: the role context and FVM sentence, at most 8,000 characters.
  Over the limit is an error naming the role and by how much; never truncated.
- ``conversation_starters``: one per prompt, up to the limit of the declared schema
  version (:data:`STARTER_LIMITS`); the rest are listed in the instructions.
- No line breaks in name, description, starter title or text; ``[[``/``]]`` (the
  localisation-key syntax) are broken up everywhere.
"""

import io
import json
import re
import uuid

from django.conf import settings
from PIL import Image, ImageDraw, ImageFont

from templates_library.exporters.base import ExportError, ExportFile
from templates_library.exporters.common import (
    fill_role_context,
    one_line,
    role_context_lines,
    zip_bytes,
)

AGENT_SCHEMA_VERSION = "v1.6"
AGENT_SCHEMA_URL = (
    "https://developer.microsoft.com/json-schemas/copilot/declarative-agent/v1.6/schema.json"
)
MANIFEST_VERSION = "1.30"
MANIFEST_SCHEMA_URL = (
    "https://developer.microsoft.com/json-schemas/teams/v1.30/MicrosoftTeams.schema.json"
)
INSTRUCTIONS_LIMIT = 8000
# Declarative agent schema version → most conversation starters allowed.
STARTER_LIMITS = {
    "v1.0": 6,
    "v1.2": 6,
    "v1.3": 6,
    "v1.4": 6,
    "v1.5": 6,
    "v1.6": 12,
    "v1.7": 12,
    "v1.8": 12,
}
ACCENT_COLOR = "#0B5CAD"
DEVELOPER_NAME = "FirstValue"
APP_ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:firstvalue:m365-agent")


def starter_limit(schema_version: str) -> int:
    """Conversation starters allowed by a declarative agent schema version ("v1.6" → 12)."""
    if schema_version in STARTER_LIMITS:
        return STARTER_LIMITS[schema_version]
    match = re.fullmatch(r"v(\d+)\.(\d+)", schema_version)
    if not match:
        raise ValueError(f"not a declarative agent schema version: {schema_version!r}")
    return 12 if (int(match[1]), int(match[2])) >= (1, 6) else 6


def neutralise_brackets(text: str) -> str:
    """Break up ``[[`` and ``]]`` (Teams localisation keys) by inserting a space."""
    return re.sub(r"\](?=\])", "] ", re.sub(r"\[(?=\[)", "[ ", text or ""))


def safe_line(text: str, limit: int | None = None) -> str:
    text = neutralise_brackets(one_line(text))
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def app_id(slug: str) -> str:
    """A stable app id: the same pack slug always gets the same GUID."""
    return str(uuid.uuid5(APP_ID_NAMESPACE, slug))


def app_version(version) -> str:
    return f"1.{version.number}.0"


def _prompt_text(prompt, version) -> str:
    declared = [v.name for v in prompt.variables.all()]
    return fill_role_context(prompt.body, version, declared)


def instructions_for(version, overflow_prompts) -> str:
    lines = [
        f"You are the {version.name} assistant. You help people in this role reach first "
        "value with AI in their first week.",
        "",
        "## First value",
        version.fvm_sentence,
    ]
    if version.fvm_evidence:
        lines.append(f"Evidence that counts: {version.fvm_evidence}.")
    if version.description:
        lines += ["", "## The role", version.description.strip()]
    context = role_context_lines(version)
    if context:
        lines += ["", "## Context", *context]
    lines += [
        "",
        "## How to answer",
        "Write for the audience above, in the expected output format, using the company "
        "terminology. When a prompt has placeholders in double curly braces, ask for those "
        "values first.",
    ]
    if overflow_prompts:
        lines += ["", "## More prompts you can offer"]
        for prompt in overflow_prompts:
            lines.append(f"- {one_line(prompt.title)}: {one_line(_prompt_text(prompt, version))}")
    return neutralise_brackets("\n".join(lines))


def declarative_agent(version) -> dict:
    prompts = list(version.prompts.all())
    limit = starter_limit(AGENT_SCHEMA_VERSION)
    starters, overflow = prompts[:limit], prompts[limit:]
    instructions = instructions_for(version, overflow)
    if len(instructions) > INSTRUCTIONS_LIMIT:
        over = len(instructions) - INSTRUCTIONS_LIMIT
        raise ExportError(
            f"{version.pack.slug}: instructions are {len(instructions):,} characters, "
            f"{over:,} over the {INSTRUCTIONS_LIMIT:,} limit"
        )
    agent = {
        "$schema": AGENT_SCHEMA_URL,
        "version": AGENT_SCHEMA_VERSION,
        "name": safe_line(version.name, 100),
        "description": safe_line(version.description or version.fvm_sentence, 1000),
        "instructions": instructions,
    }
    if starters:
        agent["conversation_starters"] = [
            {
                "title": safe_line(prompt.title),
                "text": safe_line(_prompt_text(prompt, version)),
            }
            for prompt in starters
        ]
    return agent


def site_url() -> str:
    """The public address the manifest's links use; an export without one is refused."""
    if not settings.SITE_URL:
        raise ExportError(
            "SITE_URL is not set: the m365-agent package links to SITE_URL/privacy/ and "
            "SITE_URL/terms/; set SITE_URL to the public https address of FirstValue."
        )
    return settings.SITE_URL


def app_manifest(version) -> dict:
    site = site_url()
    description = safe_line(version.description or version.fvm_sentence)
    return {
        "$schema": MANIFEST_SCHEMA_URL,
        "manifestVersion": MANIFEST_VERSION,
        "version": app_version(version),
        "id": app_id(version.pack.slug),
        "developer": {
            "name": DEVELOPER_NAME,
            "websiteUrl": f"{site}/",
            "privacyUrl": f"{site}/privacy/",
            "termsOfUseUrl": f"{site}/terms/",
        },
        "name": {"short": safe_line(version.name, 30), "full": safe_line(version.name, 100)},
        "description": {
            "short": safe_line(version.fvm_sentence, 80),
            "full": safe_line(f"{version.fvm_sentence} {description}", 4000),
        },
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": ACCENT_COLOR,
        "copilotAgents": {
            "declarativeAgents": [
                {"id": f"firstvalue-{version.pack.slug}", "file": "declarativeAgent.json"}
            ]
        },
    }


def _initials(name: str) -> str:
    words = [w for w in re.split(r"[\s\-_]+", name) if w]
    return "".join(w[0] for w in words[:2]).upper() or "FV"


def _font(size: int):
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1
        return ImageFont.load_default()


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def color_icon(version) -> bytes:
    """192×192: the initials in white on the accent colour."""
    image = Image.new("RGB", (192, 192), ACCENT_COLOR)
    draw = ImageDraw.Draw(image)
    draw.text((96, 96), _initials(version.name), fill="white", font=_font(88), anchor="mm")
    return _png(image)


def outline_icon(version) -> bytes:
    """32×32: white strokes on transparent (Teams: the outline icon is white only)."""
    mask = Image.new("L", (32, 32), 0)
    draw = ImageDraw.Draw(mask)
    draw.rounded_rectangle((1, 1, 30, 30), radius=6, outline=255, width=2)
    draw.text((16, 16), _initials(version.name)[:1], fill=255, font=_font(18), anchor="mm")
    image = Image.new("RGBA", (32, 32), (255, 255, 255, 0))
    image.putalpha(mask)
    return _png(image)


def app_package(version) -> bytes:
    files = [
        ("manifest.json", _json(app_manifest(version))),
        ("declarativeAgent.json", _json(declarative_agent(version))),
        ("color.png", color_icon(version)),
        ("outline.png", outline_icon(version)),
    ]
    return zip_bytes(files)


def _json(data: dict) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode()


def export(versions) -> ExportFile:
    if len(versions) == 1:
        version = versions[0]
        return ExportFile(
            content=app_package(version),
            filename=f"{version.pack.slug}-m365-agent.zip",
            content_type="application/zip",
        )
    packages = [(f"{v.pack.slug}.zip", app_package(v)) for v in versions]
    return ExportFile(
        content=zip_bytes(packages),
        filename="firstvalue-m365-agents.zip",
        content_type="application/zip",
    )
