"""The canonical form of a pack document, and the rows a document is stored as.

Both walk the tree in :mod:`roles.document`, so
``version_to_document(stored(doc)) == normalize_document(doc)``: keys in format order,
defaults made explicit where the format shows them, empty optional text left out, the
path as a list (prescriptive first, days ascending) and interventions by day and kind.
A content hash is the sha256 of the canonical JSON (stored on a published version).
"""

from __future__ import annotations

import hashlib
import json

from django.db import models
from pydantic_core import PydanticUndefined

from roles.document import PackDocument
from roles.document_types import Canonical, Column, Section, marker, nested
from roles.models import RolePackVersion


def canonical_json(document: dict) -> str:
    return json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def content_hash(document: dict) -> str:
    """sha256 of the canonical JSON of a (canonical) document."""
    return hashlib.sha256(canonical_json(document).encode()).hexdigest()


def normalize_document(document: dict) -> dict:
    """The canonical form of a document (valid, or a draft's: nothing is checked here)."""
    return _canonical(PackDocument, document)


def _default(field):
    if field.default_factory is not None:
        return field.default_factory()
    return None if field.default is PydanticUndefined else field.default


def _canonical(cls: type[Section], data) -> dict:
    data = data if isinstance(data, dict) else {}
    result = {}
    for name, field in cls.model_fields.items():
        value = data.get(name)
        if value is None:
            value = _default(field)
            if value is None:
                continue
        canon = marker(field, Canonical) or Canonical()
        sub, many = nested(field)
        if sub is not None and many:
            items = [value] if isinstance(value, dict) else list(value)
            value = [_canonical(sub, item) for item in items]
            if canon.sort:
                value.sort(key=canon.sort)
        elif sub is not None:
            value = _canonical(sub, value)
        elif canon.convert:
            value = canon.convert(value)
        elif isinstance(value, dict | list):
            value = type(value)(value)
        if canon.omit_empty and not value:
            continue
        result[name] = value
    return result


# --- stored rows -> document --------------------------------------------------------------


def version_to_document(version: RolePackVersion) -> dict:
    """The canonical document of a stored version (draft or published)."""
    return normalize_document(_read(PackDocument, version))


def version_header(version: RolePackVersion) -> dict:
    """The canonical document of a version's own fields (saved or not), every list empty:
    what the admin's version form edits."""
    return normalize_document(_read(PackDocument, version, lists=False))


def version_column(path: str) -> str | None:
    """The version's attribute a document path is stored in (``fvm.target_minutes`` →
    ``fvm_target_minutes``, ``slug`` → ``pack``), or None for a path below a list."""
    cls: type[Section] | None = PackDocument
    for part in path.split("."):
        field = cls.model_fields.get(part) if cls else None
        if field is None:
            return None
        sub, many = nested(field)
        if many:
            return None
        if sub is None:
            return marker(field, Column).attr.split(".")[0]
        cls = sub
    return None


def own_columns(cls: type[Section]) -> list[str]:
    """The columns of a section's own values (not its lists nor sections), format order."""
    return [
        marker(field, Column).attr.split(".")[0]
        for field in cls.model_fields.values()
        if nested(field) == (None, False)
    ]


def _read(cls: type[Section], row, pool: list | None = None, key=None, lists=True) -> dict:
    """The document of ``cls`` from ``row``; a grouping level (a track, a day) reads its own
    values from ``key`` and its items from ``pool``, the rows below it."""
    document = {}
    for name, field in cls.model_fields.items():
        sub, many = nested(field)
        column = marker(field, Column)
        if many and not lists:
            document[name] = []
        elif sub is None:
            if key is not None and column.attr in key:
                document[name] = key[column.attr]
            elif column is not None and isinstance(row, column.model):
                document[name] = _get(row, column.attr)
        elif not many:
            document[name] = _read(sub, row, lists=lists)
        elif sub.rows is not None:
            rows = pool if pool is not None else _children(row, sub)
            document[name] = [_read(sub, child) for child in rows]
        else:
            rows = pool if pool is not None else _children(row, _leaf(sub))
            if sub.picks is not None:
                rows = [child for child in rows if sub.picks(child)]
            attrs = _group_attrs(sub)
            groups: dict[tuple, list] = {}
            for child in rows:
                groups.setdefault(tuple(getattr(child, a) for a in attrs), []).append(child)
            document[name] = [
                _read(sub, row, pool=members, key=dict(zip(attrs, values, strict=True)))
                for values, members in groups.items()
            ]
    return document


def _get(row, attr: str):
    for part in attr.split("."):
        row = getattr(row, part)
    return row


def _leaf(cls: type[Section]) -> type[Section]:
    """The row class below a grouping level (a track's days' steps)."""
    for field in cls.model_fields.values():
        sub, many = nested(field)
        if sub is not None and many:
            return sub if sub.rows is not None else _leaf(sub)
    raise TypeError(f"{cls.__name__} holds no rows")


def _group_attrs(cls: type[Section]) -> list[str]:
    """The columns a grouping level's own values are stored in (and its rows grouped by)."""
    attrs = []
    for field in cls.model_fields.values():
        if nested(field)[0] is None:
            attrs.append(marker(field, Column).attr)
    return attrs


def _relation(parent_model: type[models.Model], child_model: type[models.Model]):
    for field in child_model._meta.get_fields():
        if isinstance(field, models.ForeignKey) and field.related_model is parent_model:
            return field
    raise TypeError(f"{child_model.__name__} has no foreign key to {parent_model.__name__}")


def _children(row: models.Model, cls: type[Section]) -> list:
    """The rows of ``cls`` under ``row``, in their model's order, the rows below them
    prefetched (one query per level, whatever the caller prefetched or not)."""
    accessor = _relation(type(row), cls.rows).remote_field.get_accessor_name()
    manager = getattr(row, accessor)
    if accessor in getattr(row, "_prefetched_objects_cache", {}):
        return list(manager.all())
    below = [
        _relation(cls.rows, sub.rows).remote_field.get_accessor_name()
        for sub, many in map(nested, cls.model_fields.values())
        if sub is not None and many and sub.rows is not None
    ]
    return list(manager.all().prefetch_related(*below))


# --- document -> rows ---------------------------------------------------------------------


def document_rows(document: dict, version: RolePackVersion) -> list[list[models.Model]]:
    """Unsaved rows for a canonical ``document`` under the saved ``version``, one list per
    model in the order they must be created (parents first). Sets the version's own
    columns from the document too (the caller saves it)."""
    batches: dict[type[models.Model], list] = {}
    _write(PackDocument, document, version, {}, batches)
    return list(batches.values())


def _write(cls: type[Section], data: dict, row, inherited: dict, batches: dict) -> None:
    for name, field in cls.model_fields.items():
        sub, many = nested(field)
        value = data.get(name)
        if value is None:
            value = _default(field)
        if sub is None:
            column = marker(field, Column)
            if value is None:
                value = None if column.django_field().null else ""
            if isinstance(row, column.model):
                if "." not in column.attr:
                    setattr(row, column.attr, value)
            else:
                inherited = {**inherited, column.attr: value}
        elif not many:
            _write(sub, value or {}, row, inherited, batches)
        else:
            for index, item in enumerate(value or []):
                if sub.rows is None:
                    _write(sub, item, row, inherited, batches)
                    continue
                child = sub.rows(**inherited)
                setattr(child, _relation(type(row), sub.rows).name, row)
                if any(f.name == "order" for f in sub.rows._meta.fields):
                    child.order = index
                batches.setdefault(sub.rows, []).append(child)
                _write(sub, item, child, {}, batches)
