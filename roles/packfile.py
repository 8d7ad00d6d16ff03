"""Role pack files: reading YAML/JSON (with line numbers) and writing documents.

The *document* is the plain-dict form of a pack described in docs/rolepack-format.md.
:func:`load_path` reads a file, a pack folder (``pack.yaml`` + Markdown files) or a
folder of packs into documents plus a field-path → line map for error messages.
:func:`dump_yaml` and :func:`dump_json` write (canonical) documents back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from roles.document import PackDocument
from roles.document_types import Markdown, OneOrMany, marker, nested
from roles.validation import PackError

PACK_FILE_NAMES = ("pack.yaml", "pack.yml")
PACK_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass
class LoadedPack:
    document: object
    source: str
    lines: dict[str, int] = field(default_factory=dict)
    # Paths whose {file: …} could not be read: already reported, not validated again.
    unresolved: set[str] = field(default_factory=set)


# --- reading -------------------------------------------------------------------


def load_path(
    path: Path, *, display: str | None = None
) -> tuple[list[LoadedPack], list[PackError]]:
    """Every pack under ``path`` and every error met while reading them.

    ``path`` is a YAML/JSON file (one pack, or a list of packs), a pack folder holding
    ``pack.yaml``, or a folder whose ``*.yaml``/``*.yml``/``*.json`` files and pack
    folders are each read.
    """
    path = Path(path)
    display = display or str(path)
    if path.is_dir():
        for name in PACK_FILE_NAMES:
            if (path / name).is_file():
                return load_file(path / name, display=str(Path(display) / name))
        packs: list[LoadedPack] = []
        errors: list[PackError] = []
        found = False
        for child in sorted(path.iterdir()):
            child_display = str(Path(display) / child.name)
            if child.is_dir() and any((child / n).is_file() for n in PACK_FILE_NAMES):
                found = True
                more, errs = load_path(child, display=child_display)
            elif child.is_file() and child.suffix.lower() in PACK_SUFFIXES:
                found = True
                more, errs = load_file(child, display=child_display)
            else:
                continue
            packs += more
            errors += errs
        if not found:
            errors.append(
                PackError(display, None, "", "no pack.yaml and no .yaml/.json pack files here")
            )
        return packs, errors
    if not path.exists():
        return [], [PackError(display, None, "", "no such file or folder")]
    return load_file(path, display=display)


def load_file(path: Path, *, display: str) -> tuple[list[LoadedPack], list[PackError]]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return [], [PackError(display, None, "", f"cannot read the file: {exc}")]
    return load_text(text, source=display, base_dir=path.parent)


def load_text(
    text: str, *, source: str, base_dir: Path | None = None
) -> tuple[list[LoadedPack], list[PackError]]:
    """Packs in one YAML or JSON text (a pack mapping, or a list of them)."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark else None
        problem = getattr(exc, "problem", None) or str(exc)
        return [], [PackError(source, line, "", f"not valid YAML/JSON: {problem}")]
    if node is None:
        return [], [PackError(source, 1, "", "the file is empty")]
    errors: list[PackError] = []
    builder = _Builder(source, errors)
    if isinstance(node, yaml.SequenceNode):
        packs = []
        for item in node.value:
            lines: dict[str, int] = {}
            builder.lines = lines
            document = builder.build(item, "")
            packs.append(LoadedPack(document, source, lines))
    else:
        lines = {}
        builder.lines = lines
        packs = [LoadedPack(builder.build(node, ""), source, lines)]
    for pack in packs:
        resolve_files(pack, base_dir, errors)
    return packs, errors


class _Builder:
    """Plain Python data from a composed YAML node, recording each field's line."""

    def __init__(self, source: str, errors: list[PackError]):
        self.source = source
        self.errors = errors
        self.lines: dict[str, int] = {}
        self.constructor = yaml.SafeLoader("")

    def build(self, node, path: str):
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            self.constructor.flatten_mapping(node)
            result = {}
            for key_node, value_node in node.value:
                key = self.constructor.construct_object(key_node, deep=True)
                if not isinstance(key, str | int | float | bool) or key is None:
                    key = str(key)
                child = _join(path, str(key))
                if key in result:
                    self.errors.append(
                        PackError(
                            self.source,
                            key_node.start_mark.line + 1,
                            child,
                            f'"{key}" appears twice in the same mapping',
                        )
                    )
                self.lines[child] = key_node.start_mark.line + 1
                result[key] = self.build(value_node, child)
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, f"{path}[{i}]") for i, item in enumerate(node.value)]
        return self.constructor.construct_object(node, deep=True)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _markdown_fields(document) -> list[tuple[dict, str, str]]:
    """(mapping, key, field path) of every Markdown field (marked in roles.document) that
    may be given as ``{file: …}``, wherever the document's shape allows it."""
    found: list[tuple[dict, str, str]] = []

    def visit(cls, obj, path: str) -> None:
        if not isinstance(obj, dict):
            return
        for key, spec in cls.model_fields.items():
            if key not in obj:
                continue
            sub, many = nested(spec)
            child = _join(path, key)
            if marker(spec, Markdown):
                found.append((obj, key, child))
            elif sub is not None and many:
                value = obj[key]
                if isinstance(value, dict) and marker(spec, OneOrMany):
                    visit(sub, value, child)
                elif isinstance(value, list):
                    for i, item in enumerate(value):
                        visit(sub, item, f"{child}[{i}]")
            elif sub is not None:
                visit(sub, obj[key], child)

    visit(PackDocument, document, "")
    return found


def resolve_files(pack: LoadedPack, base_dir: Path | None, errors: list[PackError]) -> None:
    """Replace ``{file: relative/path.md}`` in Markdown fields with the file's text."""
    for obj, key, path in _markdown_fields(pack.document):
        value = obj[key]
        if not (isinstance(value, dict) and set(value) == {"file"}):
            continue
        line = pack.lines.get(_join(path, "file"), pack.lines.get(path))

        def fail(message, line=line, path=path):
            errors.append(PackError(pack.source, line, path, message))
            pack.unresolved.add(path)

        relative = value["file"]
        if not isinstance(relative, str) or not relative.strip():
            fail("file: must be a relative path to a Markdown file")
            continue
        if base_dir is None:
            fail("{file: …} references are only allowed in pack files, not here")
            continue
        root = base_dir.resolve()
        target = (root / relative).resolve()
        if not target.is_relative_to(root):
            fail(f'"{relative}" is outside the pack folder')
            continue
        try:
            obj[key] = target.read_text(encoding="utf-8")
        except FileNotFoundError:
            fail(f'file "{relative}" does not exist (looked in {base_dir})')
        except (OSError, UnicodeDecodeError) as exc:
            fail(f'cannot read "{relative}": {exc}')


# --- writing ---------------------------------------------------------------------


class _PackDumper(yaml.SafeDumper):
    def ignore_aliases(self, data):
        return True


def _represent_str(dumper, value: str):
    # Markdown (anything multi-line) as a block string; PyYAML falls back to a quoted
    # scalar by itself when a block cannot represent the text exactly.
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_PackDumper.add_representer(str, _represent_str)


def dump_yaml(document: dict) -> str:
    """Readable YAML for a document: stable key order, Markdown as ``|`` block strings."""
    return yaml.dump(
        document,
        Dumper=_PackDumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
    )


def dump_json(documents: list[dict]) -> str:
    return json.dumps(documents, ensure_ascii=False, indent=2) + "\n"
