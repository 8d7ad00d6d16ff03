"""Role pack files: reading YAML/JSON (with line numbers) and writing the canonical document.

The *document* is the plain-dict form of a pack described in docs/rolepack-format.md.
:func:`load_path` reads a file, a pack folder (``pack.yaml`` + Markdown files) or a
folder of packs into documents plus a field-path → line map for error messages;
:func:`normalize_document` turns a valid document into its canonical form, which is
exactly what :func:`version_to_document` returns for the stored version, so
``version_to_document(import(doc)) == normalize_document(doc)``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import yaml

from roles.models import RolePackVersion, Track
from roles.validation import (
    INTERVENTION_KINDS,
    TRACKS,
    PackError,
    canonical_json,  # noqa: F401 - part of this module's interface
    content_hash,  # noqa: F401 - part of this module's interface
    path_tracks,
)

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
    """(mapping, key, field path) of every Markdown text field that may be ``{file: …}``."""
    found: list[tuple[dict, str, str]] = []
    if not isinstance(document, dict):
        return found

    def add(obj, key, path):
        if isinstance(obj, dict) and key in obj:
            found.append((obj, key, _join(path, key)))

    def items(value):
        return value if isinstance(value, list) else []

    add(document, "description", "")
    for i, prompt in enumerate(items(document.get("prompts"))):
        add(prompt, "body", f"prompts[{i}]")
    for i, demo in enumerate(items(document.get("demos"))):
        add(demo, "steps", f"demos[{i}]")
    raw_path = document.get("path")
    single = isinstance(raw_path, dict)
    if isinstance(raw_path, list | dict):
        for t, track in enumerate(path_tracks(raw_path)):
            track_path = "path" if single else f"path[{t}]"
            days = track.get("days") if isinstance(track, dict) else None
            for d, day in enumerate(items(days)):
                steps = day.get("steps") if isinstance(day, dict) else None
                for s, step in enumerate(items(steps)):
                    step_path = f"{track_path}.days[{d}].steps[{s}]"
                    add(step, "body", step_path)
                    add(step, "expected_output", step_path)
    for i, item in enumerate(items(document.get("interventions"))):
        add(item, "message", f"interventions[{i}]")
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


# --- the canonical document ------------------------------------------------------


def _number(value):
    number = Decimal(str(value))
    return int(number) if number == number.to_integral_value() else float(number.normalize())


def _optional(target: dict, key: str, value) -> None:
    if value not in (None, ""):
        target[key] = value


def normalize_document(document: dict) -> dict:
    """The canonical form of a *valid* document: keys in format order, defaults made
    explicit where the format shows them, empty optional text left out, the path as a
    list (prescriptive first, days ascending) and interventions by day."""
    doc = {"slug": document["slug"], "name": document["name"]}
    _optional(doc, "description", document.get("description"))
    if document.get("holdout_percent"):
        doc["holdout_percent"] = document["holdout_percent"]
    fvm = document["fvm"]
    doc["fvm"] = {
        "deliverable": fvm["deliverable"],
        "baseline_minutes": fvm["baseline_minutes"],
        "target_minutes": fvm["target_minutes"],
        "evidence": fvm["evidence"],
    }
    context = document["context"]
    doc["context"] = {
        "audience": context["audience"],
        "terminology": dict(context.get("terminology") or {}),
        "output_format": context["output_format"],
    }
    doc["prompts"] = []
    for prompt in document.get("prompts") or []:
        variables = []
        for var in prompt.get("variables") or []:
            item = {"name": var["name"], "description": var["description"]}
            _optional(item, "default", var.get("default"))
            item["required"] = var.get("required", True)
            variables.append(item)
        doc["prompts"].append(
            {
                "slug": prompt["slug"],
                "title": prompt["title"],
                "body": prompt["body"],
                "variables": variables,
                "tags": list(prompt.get("tags") or []),
            }
        )
    doc["demos"] = []
    for demo in document.get("demos") or []:
        item = {
            "slug": demo["slug"],
            "title": demo["title"],
            "deliverable": demo["deliverable"],
            "before_minutes": demo["before_minutes"],
            "after_minutes": demo["after_minutes"],
        }
        _optional(item, "video_url", demo.get("video_url"))
        item["steps"] = demo["steps"]
        _optional(item, "presenter", demo.get("presenter"))
        doc["demos"].append(item)
    tracks = sorted(path_tracks(document["path"]), key=lambda t: TRACKS.index(t["track"]))
    doc["path"] = [
        {
            "track": track["track"],
            "days": [
                {"day": day["day"], "steps": [_step(step) for step in day["steps"]]}
                for day in sorted(track["days"], key=lambda d: d["day"])
            ],
        }
        for track in tracks
    ]
    interventions = sorted(
        document.get("interventions") or [],
        key=lambda i: (i["day"], INTERVENTION_KINDS.index(i["kind"])),
    )
    doc["interventions"] = []
    for intervention in interventions:
        item = {
            "day": intervention["day"],
            "kind": intervention["kind"],
            "channel": intervention["channel"],
            "message": intervention["message"],
        }
        _optional(item, "webhook_url", intervention.get("webhook_url"))
        doc["interventions"].append(item)
    doc["kpis"] = [
        {
            "name": kpi["name"],
            "unit": kpi["unit"],
            "baseline": _number(kpi["baseline"]),
            "target": _number(kpi["target"]),
            "direction": kpi["direction"],
        }
        for kpi in document["kpis"]
    ]
    return doc


def _step(step: dict) -> dict:
    item = {"kind": step["kind"]}
    for key in ("title", "body", "prompt", "demo", "expected_output"):
        _optional(item, key, step.get(key))
    return item


def version_to_document(version: RolePackVersion) -> dict:
    """The canonical document of a stored version (draft or published)."""
    steps: dict[str, dict[int, list]] = {}
    for step in version.steps.order_by("track", "day", "order", "id"):
        steps.setdefault(step.track, {}).setdefault(step.day, []).append(
            {
                "kind": step.kind,
                "title": step.title,
                "body": step.body,
                "prompt": step.prompt_slug,
                "demo": step.demo_slug,
                "expected_output": step.expected_output,
            }
        )
    document = {
        "slug": version.pack.slug,
        "name": version.name,
        "description": version.description,
        "holdout_percent": version.holdout_percent,
        "fvm": {
            "deliverable": version.fvm_deliverable,
            "baseline_minutes": version.fvm_baseline_minutes,
            "target_minutes": version.fvm_target_minutes,
            "evidence": version.fvm_evidence,
        },
        "context": {
            "audience": version.context_audience,
            "terminology": version.context_terminology or {},
            "output_format": version.context_output_format,
        },
        "prompts": [
            {
                "slug": prompt.slug,
                "title": prompt.title,
                "body": prompt.body,
                "variables": [
                    {
                        "name": var.name,
                        "description": var.description,
                        "default": var.default,
                        "required": var.required,
                    }
                    for var in prompt.variables.all()
                ],
                "tags": prompt.tags or [],
            }
            for prompt in version.prompts.prefetch_related("variables").order_by("order", "id")
        ],
        "demos": [
            {
                "slug": demo.slug,
                "title": demo.title,
                "deliverable": demo.deliverable,
                "before_minutes": demo.before_minutes,
                "after_minutes": demo.after_minutes,
                "video_url": demo.video_url,
                "steps": demo.steps,
                "presenter": demo.presenter,
            }
            for demo in version.demos.order_by("order", "id")
        ],
        "path": [
            {
                "track": track,
                "days": [{"day": day, "steps": steps[track][day]} for day in sorted(steps[track])],
            }
            for track in Track.values
            if track in steps
        ],
        "interventions": [
            {
                "day": item.day,
                "kind": item.kind,
                "channel": item.channel,
                "message": item.message,
                "webhook_url": item.webhook_url,
            }
            for item in version.interventions.order_by("day", "id")
        ],
        "kpis": [
            {
                "name": kpi.name,
                "unit": kpi.unit,
                "baseline": kpi.baseline,
                "target": kpi.target,
                "direction": kpi.direction,
            }
            for kpi in version.kpis.order_by("order", "id")
        ],
    }
    return normalize_document(document)


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
