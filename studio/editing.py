"""The editor's sections and the document being edited (docs/studio.md).

A section is a page of the editor: the top-level keys of the pack document it edits. The
keys come from roles.document, so a field added to the document appears under "More"
until a section names it.
"""

from __future__ import annotations

from dataclasses import dataclass

from roles.canonical import version_to_document
from roles.document import PackDocument
from roles.document_types import placeholders
from roles.models import RolePack, RolePackVersion
from roles.sentences import fvm_sentence
from roles.validation import PackError, validate_document
from studio.document_form import field_id, pad_path


@dataclass(frozen=True)
class EditorSection:
    key: str
    title: str
    keys: tuple[str, ...]


_DECLARED = (
    ("fvm", "Role and first value", ("name", "description", "holdout_percent", "fvm")),
    ("context", "Context", ("context",)),
    ("prompts", "Prompts", ("prompts",)),
    ("demos", "Demos", ("demos",)),
    ("path", "Path", ("path",)),
    ("interventions", "Interventions", ("interventions",)),
    ("kpis", "KPIs", ("kpis",)),
    ("reinforcement", "Reinforcement", ("reinforcement",)),
)


def editor_sections() -> list[EditorSection]:
    fields = PackDocument.model_fields
    sections = []
    named = {"slug"}
    for key, title, keys in _DECLARED:
        present = tuple(k for k in keys if k in fields)
        named.update(keys)
        if present:
            sections.append(EditorSection(key, title, present))
    rest = tuple(k for k in fields if k not in named)
    if rest:
        sections.append(EditorSection("more", "More", rest))
    return sections


def editor_section(key: str) -> EditorSection | None:
    return next((s for s in editor_sections() if s.key == key), None)


def working_version(pack: RolePack) -> RolePackVersion | None:
    """The draft, else the latest version: what the editor starts from."""
    return pack.versions.order_by("-number").first()


def working_document(pack: RolePack) -> dict:
    version = working_version(pack)
    return version_to_document(version) if version else {"slug": pack.slug}


def draft_errors(document: dict, *, slug: str) -> list[PackError]:
    """The one validator's errors for a draft being written, path padded as the form shows it."""
    errors = validate_document(pad_path(document), complete=False)
    if document.get("slug") != slug:
        errors.append(PackError("<studio>", None, "slug", f'the slug must be "{slug}"'))
    return errors


def errors_by_path(errors: list[PackError]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for error in errors:
        found.setdefault(error.path, []).append(error.message)
    return found


def sync_variables(document: dict) -> dict:
    """Each prompt with a variable row for every ``{{name}}`` its body uses (new rows
    required, description to write); rows the author wrote are kept as they are."""
    for prompt in document.get("prompts") or []:
        if not isinstance(prompt, dict):
            continue
        variables = prompt.setdefault("variables", [])
        declared = {v.get("name") for v in variables if isinstance(v, dict)}
        for name in placeholders(prompt.get("body") or ""):
            if name not in declared:
                variables.append({"name": name, "description": "", "required": True})
    return document


def check_payload(document: dict, *, slug: str, shown: set[str]) -> dict:
    """The live check's answer: each shown field's message (by element id), the other
    errors in plain words, and the FVM sentence."""
    fields: dict[str, str] = {}
    other: list[str] = []
    for error in draft_errors(document, slug=slug):
        if error.path in shown:
            key = field_id(error.path)
            fields[key] = (
                f"{fields[key]} {error.message}".strip() if key in fields else error.message
            )
        else:
            other.append(f"{error.path or 'pack'}: {error.message}")
    return {"fields": fields, "other": other, "sentence": fvm_sentence_of(document)}


def fvm_sentence_of(document: dict) -> str:
    fvm = document.get("fvm") if isinstance(document.get("fvm"), dict) else {}
    return fvm_sentence(
        role=str(document.get("name") or "…"),
        deliverable=str(fvm.get("deliverable") or "…"),
        target=fvm.get("target_minutes", "…"),
        baseline=fvm.get("baseline_minutes", "…"),
        subject=str(fvm.get("subject") or ""),
    )
