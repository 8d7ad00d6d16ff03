"""The editor's forms, read off the pack document's tree (roles.document): no second copy
of the document's shape.

Every input is named by its document path (``prompts[0].variables[1].name``), so an error
of the one validator, which names that same path, lands at its field. :func:`nodes` turns a
section of a document into a tree of widgets for ``studio/_node.html``; :func:`parse` turns
the posted form back into document values. The path is shown padded (both tracks, days
1–7, each with its steps) so that the author picks a day instead of typing one;
:func:`compact_path` drops the empty days again before saving.
"""

from __future__ import annotations

import re
import typing
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Literal

from django.db import models

from roles.document import PackDocument
from roles.document_types import (
    DAY_MAX,
    DAY_MIN,
    Canonical,
    Column,
    Markdown,
    Section,
    canonical_number,
    marker,
    nested,
)
from roles.models import REINFORCEMENT_DAYS, Track

# Lists the author does not add to or take from: the tracks and the days are fixed.
FIXED_LISTS = {"path", "path[].days", "reinforcement"}
# Values that say which track or day a group is: shown as the group's heading.
GROUP_KEYS = {"path[].track", "path[].days[].day", "reinforcement[].day"}
# Step fields chosen from the pack's own prompts and demos.
REFERENCES = {
    f"{steps}[].{key}": plural
    for steps in ("path[].days[].steps", "reinforcement[].steps")
    for key, plural in (("prompt", "prompts"), ("demo", "demos"))
}
GROUP_LABELS = {"fvm": "First value (FVM)", "context": "Role context"}
ITEM_NAMES = {
    "prompts": "Prompt",
    "prompts[].variables": "Variable",
    "demos": "Demo",
    "path[].days[].steps": "Step",
    "reinforcement[].steps": "Step",
    "interventions": "Intervention",
    "kpis": "KPI",
}
_INDEX = re.compile(r"\[\d+\]")
_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def shape(path: str) -> str:
    """``prompts[2].variables[0].name`` → ``prompts[].variables[].name``."""
    return _INDEX.sub("[]", path)


def join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def parts(path: str) -> list[str | int]:
    return [int(index) if index else name for name, index in _PART.findall(path)]


def field_id(path: str) -> str:
    return "f-" + re.sub(r"[^A-Za-z0-9]+", "-", path).strip("-")


@dataclass
class Node:
    kind: str  # group, list, item, terms, or a leaf: text, textarea, int, number, bool, choice, tags, date
    name: str
    label: str
    help: str = ""
    value: object = None
    choices: list[tuple[str, str]] = field(default_factory=list)
    children: list[Node] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    add: bool = False  # a list the author may add an item to
    remove: bool = False  # an item the author may remove
    sync: str = ""  # a prompt body: the id of its variables, picked up as the author types
    where: str = ""  # a list's place, for its buttons' accessible names ("track, day 3")

    @property
    def id(self) -> str:
        return field_id(self.name)

    @property
    def leaf(self) -> bool:
        return self.kind not in ("group", "list", "item", "terms")


# --- reading a field's declaration -------------------------------------------------------


def _base(annotation):
    while typing.get_origin(annotation) is Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation


def _django_field(spec) -> models.Field | None:
    column = marker(spec, Column)
    return column.django_field() if column else None


def leaf_kind(spec) -> str:
    base = _base(spec.annotation)
    origin = typing.get_origin(base)
    if origin is Literal:
        return "choice"
    if origin is list:
        return "tags"
    if origin is dict:
        return "terms"
    if isinstance(_django_field(spec), models.DateField):
        return "date"  # written YYYY-MM-DD in the document, as in a pack file
    if base is bool:
        return "bool"
    if base is int:
        return "int"
    if base is float:
        return "number"
    if base is date:
        return "date"
    if marker(spec, Markdown) or isinstance(_django_field(spec), models.TextField):
        return "textarea"
    return "text"


def _label(name: str, spec) -> str:
    column = _django_field(spec)
    words = str(column.verbose_name) if column is not None else name.replace("_", " ")
    return words[:1].upper() + words[1:]


def _help(spec) -> str:
    column = _django_field(spec)
    return spec.description or (str(column.help_text) if column is not None else "")


def _choices(spec) -> list[tuple[str, str]]:
    """The document's values (a reinforcement step's kinds are some of the column's), with
    the column's labels."""
    allowed = [str(value) for value in typing.get_args(_base(spec.annotation))]
    column = _django_field(spec)
    labels = {str(value): str(label) for value, label in (column.choices or [])} if column else {}
    return [(value, labels.get(value, value)) for value in allowed]


def _item_name(list_path: str, cls: type[Section]) -> str:
    return ITEM_NAMES.get(shape(list_path)) or cls.what.split(":")[0].removeprefix("a ").title()


# --- document → widgets --------------------------------------------------------------------


def nodes(document: dict, keys: list[str], errors: dict[str, list[str]]) -> list[Node]:
    """The widgets for the top-level ``keys`` of ``document`` (path padded), with errors."""
    builder = _Builder(document, errors)
    fields = PackDocument.model_fields
    return [builder.field(name, fields[name], document.get(name), name) for name in keys]


class _Builder:
    def __init__(self, document: dict, errors: dict[str, list[str]]):
        self.document = document
        self.errors = errors

    def field(self, name: str, spec, value, path: str) -> Node:
        sub, many = nested(spec)
        label, help_text = _label(name, spec), _help(spec)
        if sub is not None and many:
            return self.many(sub, value, path, label, help_text)
        if sub is not None:
            return Node(
                "group",
                path,
                GROUP_LABELS.get(path, label),
                help_text,
                children=self.section(sub, value, path),
                errors=self.errors.get(path, []),
            )
        return self.leaf(spec, value, path, label, help_text)

    def section(self, cls: type[Section], data, path: str) -> list[Node]:
        data = data if isinstance(data, dict) else {}
        return [
            self.field(name, spec, data.get(name), join(path, name))
            for name, spec in cls.model_fields.items()
        ]

    def many(self, cls, value, path: str, label: str, help_text: str) -> Node:
        fixed = shape(path) in FIXED_LISTS
        items = value if isinstance(value, list) else []
        noun = _item_name(path, cls)
        children = []
        for index, item in enumerate(items):
            item_path = join(path, index)
            inner = self.section(cls, item, item_path)
            heading = next((n for n in inner if shape(n.name) in GROUP_KEYS), None)
            title = f"{noun} {index + 1}"
            if heading is not None:
                title = _group_title(heading)
            children.append(
                Node(
                    "item",
                    item_path,
                    title,
                    children=inner,
                    errors=self.errors.get(item_path, []),
                    remove=not fixed,
                )
            )
        return Node(
            "list",
            path,
            label,
            help_text,
            value=noun,
            children=children,
            errors=self.errors.get(path, []),
            add=not fixed,
            where=self.where(path),
        )

    def where(self, path: str) -> str:
        """Where a list is, in words, when it repeats (a day's steps, a prompt's variables)."""
        found = parts(path)
        if shape(path) == "path[].days[].steps":
            track = self.document.get("path", [])[found[1]].get("track", "")
            label = Track(track).label.split(" (")[0] if track in Track.values else track
            return f"{label.lower()} track, day {found[3] + 1}"
        if shape(path) == "reinforcement[].steps":
            return f"day-{REINFORCEMENT_DAYS[found[1]]} check-in"
        if shape(path) == "prompts[].variables":
            return f"prompt {found[1] + 1}"
        return ""

    def leaf(self, spec, value, path: str, label: str, help_text: str) -> Node:
        kind = leaf_kind(spec)
        node = Node(kind, path, label, help_text, errors=self.errors.get(path, []))
        if shape(path) in GROUP_KEYS:
            node.kind = "hidden"
        if shape(path) == "prompts[].body":
            node.sync = field_id(path.rsplit(".", 1)[0] + ".variables")
        if kind == "choice":
            node.choices = _choices(spec)
        reference = REFERENCES.get(shape(path))
        if reference:
            node.kind = "choice"
            node.choices = [
                (item.get("slug", ""), f"{item.get('title') or item.get('slug')}")
                for item in self.document.get(reference) or []
                if isinstance(item, dict) and item.get("slug")
            ]
        if kind == "terms":
            node.value = list((value or {}).items()) if isinstance(value, dict) else []
        elif kind == "tags":
            node.value = ", ".join(str(v) for v in value or [])
        elif kind == "bool":
            node.value = bool(value) if value is not None else bool(spec.default)
        elif value is None:
            node.value = ""
        else:
            node.value = value.isoformat() if isinstance(value, date) else value
        return node


def _group_title(node: Node) -> str:
    if node.name.endswith(".track"):
        return Track(node.value).label if node.value in Track.values else str(node.value)
    if node.name.startswith("reinforcement"):
        return f"Day {node.value} check-in"
    return f"Day {node.value}"


# --- the path, padded and compacted ----------------------------------------------------------


def pad_path(document: dict) -> dict:
    """Both tracks, each with days DAY_MIN..DAY_MAX (steps empty where there are none), and
    both reinforcement days."""
    path = document.get("path")
    tracks = [path] if isinstance(path, dict) else [t for t in path or [] if isinstance(t, dict)]
    by_name = {t.get("track"): t for t in tracks}
    padded = []
    for name in Track.values:
        track = by_name.get(name, {})
        days = {d.get("day"): d for d in track.get("days") or [] if isinstance(d, dict)}
        padded.append(
            {
                "track": name,
                "days": [
                    {"day": n, "steps": list(days.get(n, {}).get("steps") or [])}
                    for n in range(DAY_MIN, DAY_MAX + 1)
                ],
            }
        )
    given = document.get("reinforcement")
    given = (
        {d.get("day"): d for d in given or [] if isinstance(d, dict)}
        if isinstance(given, list)
        else {}
    )
    reinforcement = [
        {"day": n, "steps": list(given.get(n, {}).get("steps") or [])} for n in REINFORCEMENT_DAYS
    ]
    return {**document, "path": padded, "reinforcement": reinforcement}


def compact_path(document: dict) -> dict:
    """The path without days that have no step, nor tracks without a day; the reinforcement
    without its empty days."""
    tracks = []
    for track in document.get("path") or []:
        days = [d for d in track.get("days") or [] if d.get("steps")]
        if days:
            tracks.append({**track, "days": days})
    reinforcement = [d for d in document.get("reinforcement") or [] if d.get("steps")]
    return {**document, "path": tracks, "reinforcement": reinforcement}


# --- posted form → document values -----------------------------------------------------------


def parse(post, keys: list[str]) -> dict:
    """The values of the top-level ``keys`` posted in ``post`` (a QueryDict), typed as the
    document declares them. A value that cannot be read (``abc`` minutes) is kept as text,
    so the validator says what is wrong with it. ``_remove`` drops the item it names."""
    raw: dict = {}
    for name in post:
        path = parts(name)
        if not path or path[0] not in keys:
            continue
        _put(raw, path, post.getlist(name))
    for removed in post.getlist("_remove"):
        _drop(raw, parts(removed))
    fields = PackDocument.model_fields
    values = {key: _value(fields[key], raw[key]) for key in keys if key in raw}
    return {key: value for key, value in values.items() if value is not _ABSENT}


def _put(tree: dict, path: list, values: list[str]) -> None:
    for part in path[:-1]:
        tree = tree.setdefault(part, {})
    tree[path[-1]] = values


def _drop(tree, path: list) -> None:
    for part in path[:-1]:
        if not isinstance(tree, dict) or part not in tree:
            return
        tree = tree[part]
    if isinstance(tree, dict):
        tree.pop(path[-1], None)


def _section(cls: type[Section], raw) -> dict:
    raw = raw if isinstance(raw, dict) else {}
    result = {}
    for name, spec in cls.model_fields.items():
        if name in raw:
            value = _value(spec, raw[name])
            if value is not _ABSENT:
                result[name] = value
    return result


_ABSENT = object()


def _value(spec, raw):
    sub, many = nested(spec)
    if sub is not None and many:
        items = raw if isinstance(raw, dict) else {}
        return [_section(sub, items[i]) for i in sorted(k for k in items if isinstance(k, int))]
    if sub is not None:
        return _section(sub, raw)
    kind = leaf_kind(spec)
    if kind == "terms":
        rows = raw if isinstance(raw, dict) else {}
        terms = {}
        for index in sorted(k for k in rows if isinstance(k, int)):
            term = _last(rows[index].get("term")).strip()
            meaning = _last(rows[index].get("meaning")).strip()
            if term or meaning:
                terms[term] = meaning
        return terms
    text = _last(raw).replace("\r\n", "\n")
    if kind == "bool":
        return "on" in (raw or [])
    if kind == "tags":
        return [tag.strip() for tag in text.split(",") if tag.strip()]
    if kind in ("int", "number", "date", "choice") and not text.strip():
        return _ABSENT
    if not text and getattr(marker(spec, Canonical), "omit_empty", False):
        return _ABSENT  # an optional value left empty: absent, as in a pack file
    if kind == "int":
        return int(text) if re.fullmatch(r"\s*-?\d+\s*", text) else text
    if kind == "number":
        try:
            return canonical_number(Decimal(text.strip()))
        except (InvalidOperation, ValueError):
            return text
    if kind == "date":
        return text.strip()  # the document's form; the validator says what is wrong with it
    return text


def _last(values) -> str:
    if isinstance(values, list) and values:
        return str(values[-1])
    return ""


def add_item(document: dict, list_path: str) -> dict:
    """``document`` with an empty item appended to the list at ``list_path``."""
    target = document
    path = parts(list_path)
    for part in path:
        if isinstance(target, dict):
            if part not in target:
                target[part] = [] if part == path[-1] else {}
            target = target[part]
        elif isinstance(target, list) and isinstance(part, int) and part < len(target):
            target = target[part]
        else:
            return document
    if isinstance(target, list):
        target.append({})
    return document
