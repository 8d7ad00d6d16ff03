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

# Limits on one pack file (docs/security.md, "Input limits"); the largest example pack is
# 20 kB with about 900 nodes and 6 levels. A node is a scalar, list or mapping, counted once
# for every place an alias repeats it: "billion laughs" stops at the cap, not in memory.
MAX_FILE_CHARS = 1_048_576  # a pack file, and each Markdown file it includes
MAX_NODES = 20_000  # per document, aliases expanded
MAX_ALIASES = 100  # alias uses (*name) per document
MAX_DEPTH = 32  # levels of nested lists/mappings, aliases expanded
MAX_NUMBER_CHARS = 24  # an integer or float written with more characters is refused
_TAG = "tag:yaml.org,2002:"
# The safe core: plain strings, numbers, booleans, null, lists and mappings (and ``<<`` merges).
SCALAR_TAGS = {f"{_TAG}{name}" for name in ("str", "int", "float", "bool", "null")}
COLLECTION_TAGS = {f"{_TAG}seq", f"{_TAG}map"}
MERGE_TAG = f"{_TAG}merge"


class _LimitError(yaml.MarkedYAMLError):
    """A pack file past one of the limits above, at the node where it was found."""

    def __init__(self, problem: str, mark):
        super().__init__(problem=problem, problem_mark=mark)


class BoundedLoader(yaml.SafeLoader):
    """PyYAML's SafeLoader composing nodes under the limits above.

    Each composed node carries its size and depth with aliases expanded, so the limits hold
    for the data the document stands for, not only for its text; a recursive alias is refused.
    Dates are not recognised: ``2026-01-05`` (or ``2026-13-45``) is a plain string.
    """

    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != f"{_TAG}timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def __init__(self, stream):
        super().__init__(stream)
        self.fv_depth = 0
        self.fv_aliases = 0

    def compose_document(self):
        self.fv_aliases = 0
        return super().compose_document()

    def compose_node(self, parent, index):
        mark = self.peek_event().start_mark
        if self.check_event(yaml.AliasEvent):
            self.fv_aliases += 1
            if self.fv_aliases > MAX_ALIASES:
                raise _LimitError(f"more than {MAX_ALIASES} aliases (*name) in one document", mark)
            node = super().compose_node(parent, index)
            if not hasattr(node, "fv_size"):
                raise _LimitError("an alias refers to a list or mapping that contains it", mark)
            return node
        self.fv_depth += 1
        if self.fv_depth > MAX_DEPTH:
            raise _LimitError(f"nested deeper than {MAX_DEPTH} levels", mark)
        try:
            node = super().compose_node(parent, index)
        finally:
            self.fv_depth -= 1
        children = _children(node)
        node.fv_size = 1 + sum(child.fv_size for child in children)
        node.fv_depth = 1 + max((child.fv_depth for child in children), default=0)
        if node.fv_size > MAX_NODES:
            raise _LimitError(
                f"more than {MAX_NODES} values in one document (aliases counted as expanded)",
                mark,
            )
        if node.fv_depth > MAX_DEPTH:
            raise _LimitError(f"nested deeper than {MAX_DEPTH} levels (aliases expanded)", mark)
        return node


def _children(node) -> list:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [child for pair in node.value for child in pair]
    return []


def _error_line(exc: yaml.YAMLError, text: str) -> int | None:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is not None:
        return mark.line + 1
    position = getattr(exc, "position", None)  # the reader's errors: a character offset
    return text.count("\n", 0, position) + 1 if position is not None else None


def _read_bounded(path: Path) -> str:
    """The file's text; ValueError past MAX_FILE_CHARS (by its size, before reading it)."""
    if path.stat().st_size > 4 * MAX_FILE_CHARS:
        raise ValueError(f"the file is larger than {MAX_FILE_CHARS} characters")
    text = path.read_text(encoding="utf-8")
    if len(text) > MAX_FILE_CHARS:
        raise ValueError(f"the file is larger than {MAX_FILE_CHARS} characters")
    return text


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
        text = _read_bounded(path)
    except (OSError, UnicodeDecodeError) as exc:
        return [], [PackError(display, None, "", f"cannot read the file: {exc}")]
    except ValueError as exc:
        return [], [PackError(display, None, "", str(exc))]
    return load_text(text, source=display, base_dir=path.parent)


def load_text(
    text: str, *, source: str, base_dir: Path | None = None
) -> tuple[list[LoadedPack], list[PackError]]:
    """Packs in one YAML or JSON text (a pack mapping, or a list of them), read under the
    limits of :class:`BoundedLoader`."""
    if len(text) > MAX_FILE_CHARS:
        return [], [
            PackError(source, None, "", f"the file is larger than {MAX_FILE_CHARS} characters")
        ]
    try:
        node = yaml.compose(text, Loader=BoundedLoader)
    except _LimitError as exc:
        return [], [PackError(source, _error_line(exc, text), "", exc.problem)]
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or str(exc)
        line = _error_line(exc, text)
        return [], [PackError(source, line, "", f"not valid YAML/JSON: {problem}")]
    if node is None:
        return [], [PackError(source, 1, "", "the file is empty")]
    errors: list[PackError] = []
    builder = _Builder(source, errors)
    if isinstance(node, yaml.SequenceNode):
        packs = []
        for item in node.value:
            builder.lines, builder.unresolved = {}, set()
            document = builder.build(item, "")
            packs.append(LoadedPack(document, source, builder.lines, builder.unresolved))
    else:
        builder.lines, builder.unresolved = {}, set()
        document = builder.build(node, "")
        packs = [LoadedPack(document, source, builder.lines, builder.unresolved)]
    for pack in packs:
        resolve_files(pack, base_dir, errors)
    return packs, errors


class _Builder:
    """Plain Python data from a composed YAML node, recording each field's line."""

    def __init__(self, source: str, errors: list[PackError]):
        self.source = source
        self.errors = errors
        self.lines: dict[str, int] = {}
        self.unresolved: set[str] = set()
        self.constructor = yaml.SafeLoader("")

    def fail(self, node, path: str, message: str) -> None:
        self.errors.append(PackError(self.source, node.start_mark.line + 1, path, message))
        self.unresolved.add(path)  # reported here: not validated again

    def build(self, node, path: str):
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node, path)
        if node.tag not in COLLECTION_TAGS:
            shown = node.tag.replace(_TAG, "!!")
            self.fail(
                node, path, f"the YAML tag {shown} is not allowed (plain lists and mappings only)"
            )
            return None
        if isinstance(node, yaml.MappingNode):
            try:
                self.constructor.flatten_mapping(node)
            except yaml.YAMLError as exc:
                self.fail(node, path, f"not valid YAML: {exc.problem}")
                return None
            result = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    self.fail(key_node, path, "a key must be a plain value, not a list or mapping")
                    continue
                key = self.scalar(key_node, path)
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
        return [self.build(item, f"{path}[{i}]") for i, item in enumerate(node.value)]

    def scalar(self, node, path: str):
        """A plain value of the safe core; anything else is an error here (and None)."""
        if node.tag not in SCALAR_TAGS:
            shown = node.tag.replace(_TAG, "!!")
            self.fail(node, path, f"the YAML tag {shown} is not allowed (plain values only)")
            return None
        if node.tag in (f"{_TAG}int", f"{_TAG}float") and len(node.value) > MAX_NUMBER_CHARS:
            self.fail(node, path, f"a number longer than {MAX_NUMBER_CHARS} characters")
            return None
        if "\x00" in node.value:
            self.fail(node, path, "a NUL character (\\0) is not allowed in text")
            return None
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
            obj[key] = _read_bounded(target)
        except FileNotFoundError:
            fail(f'file "{relative}" does not exist (looked in {base_dir})')
        except (OSError, UnicodeDecodeError) as exc:
            fail(f'cannot read "{relative}": {exc}')
        except ValueError as exc:
            fail(f'"{relative}": {exc}')


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
