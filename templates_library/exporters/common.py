"""Helpers shared by the exporters: the role context as text, safe one-line strings, zips."""

import io
import re
import zipfile
from collections.abc import Iterable

from roles.document_types import PLACEHOLDER_RE
from templates_library.variables import role_context_values, terminology_text

# A fixed timestamp keeps zip bytes (and so ExportLog.content_hash) stable for stable input.
_ZIP_DATE = (2020, 1, 1, 0, 0, 0)


def one_line(text: str) -> str:
    """Collapse every run of whitespace (line breaks included) into one space."""
    return re.sub(r"\s+", " ", text or "").strip()


def role_context_lines(version) -> list[str]:
    """The role context as Markdown lines (empty parts left out)."""
    lines = []
    if version.context_audience:
        lines.append(f"Audience: {version.context_audience}")
    if version.context_output_format:
        lines.append(f"Expected output format: {version.context_output_format}")
    if version.context_terminology:
        lines.append("Company terminology:")
        lines.extend(
            f"- {term}: {meaning}" for term, meaning in version.context_terminology.items()
        )
    return lines


def role_context_text(version) -> str:
    """A system message for the role: who it is for, the FVM and the context."""
    parts = [f"You help a {version.name} with their work."]
    if version.description:
        parts.append(one_line(version.description))
    parts.append(version.fvm_sentence)
    text = " ".join(parts)
    context = role_context_lines(version)
    return text + ("\n\n" + "\n".join(context) if context else "")


def fill_role_context(body: str, version, declared: Iterable[str]) -> str:
    """Fill undeclared placeholders that name a role-context value (audience, output_format,
    terminology): the AI tool has no other way to know them. Declared variables stay."""
    declared = set(declared)
    values = role_context_values(version)

    def replace(match: re.Match) -> str:
        name = match.group(1)
        if name not in declared and name in values:
            return values[name]
        return match.group(0)

    return PLACEHOLDER_RE.sub(replace, body or "")


def zip_bytes(files: Iterable[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files:
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, content)
    return buffer.getvalue()


__all__ = [
    "fill_role_context",
    "one_line",
    "role_context_lines",
    "role_context_text",
    "terminology_text",
    "zip_bytes",
]
