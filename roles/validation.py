"""The one role pack validator.

It checks a plain pack *document* (docs/rolepack-format.md) against the tree in
:mod:`roles.document` and returns every problem it finds, never only the first. The
YAML/JSON import, the REST API, the admin and Publish all call :func:`validate_document`;
nothing else decides whether a pack is valid.

Two passes, so that one bad value never hides another error: pydantic checks each field
(types, limits, choices, required and unknown keys) and its errors are put in our words;
then the rules that relate fields to each other run on every value pydantic accepted,
even when a neighbouring field was rejected (pydantic's own model validators would run
only on a wholly valid object).

``lines`` maps a field path (``prompts[2].variables[0].name``) to its 1-based line in the
source file; an error on a path without a line takes the line of the nearest enclosing
field. Errors come in document order.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError

from roles.document import PackDocument
from roles.document_types import OneOrMany, Section, describe, fields_of, marker, nested
from roles.rules import Rules


@dataclass(frozen=True)
class PackError:
    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.path or '(pack)'}: {self.message}"

    def as_dict(self) -> dict:
        return {"line": self.line, "path": self.path, "message": self.message}


class PackValidationError(Exception):
    """Raised with *every* error found; nothing has been written."""

    def __init__(self, errors: list[PackError]):
        self.errors = list(errors)
        super().__init__("\n".join(str(e) for e in self.errors))


def validate_document(
    document,
    *,
    source: str = "<document>",
    lines: dict[str, int] | None = None,
    complete: bool = True,
) -> list[PackError]:
    """Every error in ``document``; an empty list means the pack is valid.

    ``complete=False`` checks a draft as the admin saves it: what is wrong is an error,
    what is still missing (an empty text, a track without its fvm_task) is not.
    """
    shape = _shape_errors(document, complete)
    bad = {path for path, _ in shape}
    rules = Rules(document, bad=bad, complete=complete).run() if isinstance(document, dict) else []
    found = sorted(shape + rules, key=lambda error: _position(document, error[0]))
    lines = lines or {}
    return [PackError(source, _line_of(lines, path), path, message) for path, message in found]


def raise_for_errors(
    document,
    *,
    source: str = "<document>",
    lines: dict[str, int] | None = None,
    complete: bool = True,
) -> None:
    """:func:`validate_document`, raising PackValidationError with every error it finds."""
    errors = validate_document(document, source=source, lines=lines, complete=complete)
    if errors:
        raise PackValidationError(errors)


# --- pydantic's errors, in our words ------------------------------------------------------


def _shape_errors(document, complete: bool) -> list[tuple[str, str]]:
    try:
        PackDocument.model_validate(document, context={"complete": complete})
    except ValidationError as exc:
        return [_translate(document, error) for error in exc.errors(include_url=False)]
    return []


def _translate(document, error: dict) -> tuple[str, str]:
    keys, owner, cls = _walk(document, error["loc"])
    path = _path(keys)
    kind, value = error["type"], error.get("input")
    if kind == "missing":
        return path, f'"{keys[-1]}" is required'
    if kind == "extra_forbidden":
        allowed = ", ".join(fields_of(owner)) if owner else ""
        return path, f'unknown field "{keys[-1]}" (allowed: {allowed})'
    if kind in ("model_type", "model_attributes_type"):
        return path, f"must be a mapping ({cls.what if cls else 'a mapping'})"
    if kind == "list_type":
        return path, f"must be a list, got {describe(value)}"
    if kind == "dict_type":
        return path, f"must be a mapping, got {describe(value)}"
    if kind in ("too_long", "string_too_long"):
        return path, f"is {len(value)} characters long; at most {error['ctx']['max_length']}"
    return path, error["msg"]


def _walk(document, loc: tuple) -> tuple[list, type[Section] | None, type[Section] | None]:
    """The document's keys along pydantic's ``loc``, the class of the mapping holding the
    last key (for "unknown field") and the class expected at ``loc`` ("must be a mapping")."""
    keys: list = []
    value, cls, owner, single = document, PackDocument, None, False
    for part in loc:
        if part == "[key]" or (single and part == 0):
            single = False  # a list written as its one item: pydantic saw a list of one
            continue
        keys.append(part if isinstance(value, list) else str(part))
        value = value.get(part) if isinstance(value, dict) else _index(value, part)
        if isinstance(part, str):
            owner = cls
            field = cls.model_fields.get(part) if cls else None
            cls = nested(field)[0] if field else None
            single = (
                field is not None and bool(marker(field, OneOrMany)) and isinstance(value, dict)
            )
    return keys, owner, cls


def _index(value, part):
    if isinstance(value, list) and isinstance(part, int) and 0 <= part < len(value):
        return value[part]
    return None


def _path(keys: list) -> str:
    path = ""
    for key in keys:
        path = f"{path}[{key}]" if isinstance(key, int) else (f"{path}.{key}" if path else key)
    return path


# --- where an error is -------------------------------------------------------------------


def _line_of(lines: dict[str, int], path: str) -> int | None:
    while True:
        if path in lines:
            return lines[path]
        if not path:
            return None
        cut = max(path.rfind("."), path.rfind("["))
        path = path[: max(cut, 0)]


def _position(document, path: str) -> tuple:
    """Document order: each key by its place in the format, each item by its index."""
    position: list[int] = []
    cls: type[Section] | None = PackDocument
    for part in _split(path):
        if isinstance(part, int):
            position.append(part)
            continue
        names = fields_of(cls) if cls else []
        position.append(names.index(part) if part in names else -1)
        field = cls.model_fields.get(part) if cls else None
        cls = nested(field)[0] if field else None
    return tuple(position)


def _split(path: str) -> list:
    parts: list = []
    for chunk in path.replace("[", ".[").split("."):
        if chunk.startswith("[") and chunk.endswith("]") and chunk[1:-1].isdigit():
            parts.append(int(chunk[1:-1]))
        elif chunk:
            parts.append(chunk)
    return parts
