"""The one role pack validator.

It checks a plain pack *document* (the dict form of docs/rolepack-format.md) and
returns every problem it finds, never only the first. The YAML/JSON import, the
REST API and the admin's Publish all call :func:`validate_document`; nothing
else decides whether a pack is valid.

``lines`` maps a field path (``prompts[2].variables[0].name``) to its 1-based
line in the source file; an error on a path without a line takes the line of
the nearest enclosing field.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

SLUG_RE = re.compile(r"^[-a-zA-Z0-9_]+\Z")
NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\Z")
# {{ name }} with optional spaces; the name group decides what counts as a variable.
PLACEHOLDER_RE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")

TRACKS = ("prescriptive", "exploratory")
STEP_KINDS = ("watch_demo", "try_prompt", "fvm_task", "reflect", "read")
INTERVENTION_KINDS = ("manager_nudge", "microtraining", "power_user_session")
CHANNELS = ("email", "slack", "teams", "in_app")
WEBHOOK_CHANNELS = ("slack", "teams")
DIRECTIONS = ("down", "up")
MESSAGE_PLACEHOLDERS = ("name", "manager_name", "role", "fvm_sentence", "one_task", "link")
MAX_HOLDOUT_PERCENT = 50
KPI_MAX_DIGITS = 14
KPI_DECIMAL_PLACES = 4


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


# Field specs: key -> (kind, required, max_length). Kinds: text (non-empty string),
# optional_text (string, may be empty), slug, int, number, bool, url, https_url,
# list, dict.
TOP = {
    "slug": ("slug", True, 80),
    "name": ("text", True, 120),
    "description": ("optional_text", False, None),
    "holdout_percent": ("int", False, None),
    "fvm": ("dict", True, None),
    "context": ("dict", True, None),
    "prompts": ("list", False, None),
    "demos": ("list", False, None),
    "path": ("path", True, None),
    "interventions": ("list", False, None),
    "kpis": ("list", True, None),
}
FVM = {
    "deliverable": ("text", True, 300),
    "baseline_minutes": ("int", True, None),
    "target_minutes": ("int", True, None),
    "evidence": ("text", True, 300),
}
CONTEXT = {
    "audience": ("text", True, 300),
    "terminology": ("dict", False, None),
    "output_format": ("text", True, 500),
}
PROMPT = {
    "slug": ("slug", True, 80),
    "title": ("text", True, 200),
    "body": ("text", True, None),
    "variables": ("list", False, None),
    "tags": ("list", False, None),
}
VARIABLE = {
    "name": ("text", True, 60),
    "description": ("text", True, 300),
    "default": ("optional_text", False, None),
    "required": ("bool", False, None),
}
DEMO = {
    "slug": ("slug", True, 80),
    "title": ("text", True, 200),
    "deliverable": ("text", True, 300),
    "before_minutes": ("int", True, None),
    "after_minutes": ("int", True, None),
    "video_url": ("url", False, 200),
    "steps": ("text", True, None),
    "presenter": ("optional_text", False, 120),
}
TRACK = {"track": ("text", True, None), "days": ("list", True, None)}
DAY = {"day": ("int", True, None), "steps": ("list", True, None)}
STEP = {
    "kind": ("text", True, None),
    "title": ("optional_text", False, 200),
    "body": ("optional_text", False, None),
    "prompt": ("slug", False, 80),
    "demo": ("slug", False, 80),
    "expected_output": ("optional_text", False, None),
}
INTERVENTION = {
    "day": ("int", True, None),
    "kind": ("text", True, None),
    "channel": ("text", True, None),
    "message": ("text", True, None),
    "webhook_url": ("https_url", False, 200),
}
KPI = {
    "name": ("text", True, 120),
    "unit": ("text", True, 40),
    "baseline": ("number", True, None),
    "target": ("number", True, None),
    "direction": ("text", True, None),
}

TYPE_NAMES = {
    "text": "a non-empty string",
    "optional_text": "a string",
    "slug": "a slug (letters, digits, - and _)",
    "int": "an integer",
    "number": "a number",
    "bool": "true or false",
    "url": "a URL",
    "https_url": "an https URL",
    "list": "a list",
    "dict": "a mapping",
    "path": "a list of tracks",
}


def placeholders(text: str) -> list[str]:
    """Variable names used as ``{{ name }}`` in ``text``, in order of first use."""
    return list(dict.fromkeys(PLACEHOLDER_RE.findall(text)))


def validate_document(
    document, *, source: str = "<document>", lines: dict[str, int] | None = None
) -> list[PackError]:
    """Every error in ``document``; an empty list means the pack is valid."""
    checker = _Checker(source, lines or {})
    checker.pack(document)
    return checker.errors


def raise_for_errors(
    document, *, source: str = "<document>", lines: dict[str, int] | None = None
) -> None:
    errors = validate_document(document, source=source, lines=lines)
    if errors:
        raise PackValidationError(errors)


def canonical_json(document: dict) -> str:
    return json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def content_hash(document: dict) -> str:
    """sha256 of the canonical JSON of a (canonical) document."""
    return hashlib.sha256(canonical_json(document).encode()).hexdigest()


def path_tracks(path) -> list:
    """The list form of ``path``: a single ``{track, days}`` mapping becomes a list of one."""
    return [path] if isinstance(path, dict) else path


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


class _Checker:
    def __init__(self, source: str, lines: dict[str, int]):
        self.source = source
        self.lines = lines
        self.errors: list[PackError] = []

    def line_of(self, path: str) -> int | None:
        while True:
            if path in self.lines:
                return self.lines[path]
            if not path:
                return None
            cut = max(path.rfind("."), path.rfind("["))
            path = path[: max(cut, 0)]

    def error(self, path: str, message: str) -> None:
        self.errors.append(PackError(self.source, self.line_of(path), path, message))

    # --- generic field checks ----------------------------------------------

    def fields(self, obj, path: str, spec: dict, what: str) -> dict | None:
        """Check keys and value types of one mapping; returns the well-typed values."""
        if not isinstance(obj, dict):
            self.error(path, f"must be a mapping ({what})")
            return None
        good = {}
        for key in obj:
            if key not in spec:
                allowed = ", ".join(spec)
                self.error(_join(path, str(key)), f'unknown field "{key}" (allowed: {allowed})')
        for key, (kind, required, max_length) in spec.items():
            field_path = _join(path, key)
            if key not in obj or obj[key] is None:
                if required:
                    self.error(field_path, f'"{key}" is required')
                continue
            if self.value(obj[key], field_path, kind, max_length):
                good[key] = obj[key]
        return good

    def value(self, value, path: str, kind: str, max_length: int | None) -> bool:
        ok = True
        if kind in ("text", "optional_text", "slug", "url", "https_url"):
            ok = isinstance(value, str)
            if ok and kind == "text" and not value.strip():
                self.error(path, "must not be empty")
                return False
            if ok and kind == "slug" and not SLUG_RE.match(value):
                self.error(path, f'"{value}" is not a valid slug (letters, digits, - and _)')
                return False
            if ok and kind in ("url", "https_url") and value:
                scheme_ok = value.startswith("https://") or (
                    kind == "url" and value.startswith("http://")
                )
                if not scheme_ok or " " in value or len(value.split("://", 1)[1]) < 1:
                    self.error(path, f"must be {TYPE_NAMES[kind]}, got {value!r}")
                    return False
            if ok and max_length and len(value) > max_length:
                self.error(path, f"is {len(value)} characters long; at most {max_length}")
                return False
        elif kind == "int":
            ok = isinstance(value, int) and not isinstance(value, bool)
        elif kind == "number":
            ok = isinstance(value, int | float | Decimal) and not isinstance(value, bool)
        elif kind == "bool":
            ok = isinstance(value, bool)
        elif kind == "list":
            ok = isinstance(value, list)
        elif kind == "dict":
            ok = isinstance(value, dict)
        elif kind == "path":
            ok = isinstance(value, list | dict)
        if not ok:
            self.error(path, f"must be {TYPE_NAMES[kind]}, got {_describe(value)}")
        return ok

    def choice(self, value, path: str, choices: tuple) -> bool:
        if value not in choices:
            self.error(path, f'"{value}" is not one of: {", ".join(choices)}')
            return False
        return True

    def minutes(self, obj: dict, path: str, key: str) -> bool:
        if key in obj and obj[key] <= 0:
            self.error(_join(path, key), f"must be a positive number of minutes, got {obj[key]}")
            return False
        return key in obj

    def day(self, value, path: str) -> bool:
        if not 1 <= value <= 7:
            self.error(path, f"working day must be between 1 and 7, got {value}")
            return False
        return True

    # --- the pack ------------------------------------------------------------

    def pack(self, doc) -> None:
        top = self.fields(doc, "", TOP, "a role pack")
        if top is None:
            return
        holdout = top.get("holdout_percent")
        if holdout is not None and not 0 <= holdout <= MAX_HOLDOUT_PERCENT:
            self.error(
                "holdout_percent", f"must be between 0 and {MAX_HOLDOUT_PERCENT}, got {holdout}"
            )
        if "fvm" in top:
            self.fvm(top["fvm"])
        if "context" in top:
            self.context(top["context"])
        prompt_slugs = self.prompts(top.get("prompts", []))
        demo_slugs = self.demos(top.get("demos", []))
        if "path" in top:
            self.path(top["path"], prompt_slugs, demo_slugs)
        self.interventions(top.get("interventions", []))
        if "kpis" in top:
            self.kpis(top["kpis"])

    def fvm(self, obj) -> None:
        fvm = self.fields(obj, "fvm", FVM, "the FVM definition")
        if fvm is None:
            return
        both = self.minutes(fvm, "fvm", "baseline_minutes") & self.minutes(
            fvm, "fvm", "target_minutes"
        )
        if both and fvm["target_minutes"] >= fvm["baseline_minutes"]:
            self.error(
                "fvm.target_minutes",
                f"target minutes ({fvm['target_minutes']}) must be less than baseline minutes "
                f"({fvm['baseline_minutes']}): with AI the deliverable must take less time",
            )

    def context(self, obj) -> None:
        context = self.fields(obj, "context", CONTEXT, "the role context")
        if context is None:
            return
        for term, meaning in context.get("terminology", {}).items():
            term_path = _join("context.terminology", str(term))
            if not isinstance(term, str) or not term.strip():
                self.error(term_path, "a term must be a non-empty string")
            if not isinstance(meaning, str) or not meaning.strip():
                self.error(term_path, f"the meaning must be a non-empty string, got {meaning!r}")

    def prompts(self, items: list) -> set[str]:
        slugs: dict[str, int] = {}
        for i, obj in enumerate(items):
            path = _join("prompts", i)
            prompt = self.fields(obj, path, PROMPT, "a prompt")
            if prompt is None:
                continue
            if "slug" in prompt:
                self.unique(slugs, prompt["slug"], i, _join(path, "slug"), "prompt slug")
            for j, tag in enumerate(prompt.get("tags", [])):
                if not isinstance(tag, str) or not tag.strip():
                    self.error(_join(_join(path, "tags"), j), "a tag must be a non-empty string")
            declared: dict[str, int] = {}
            for j, var_obj in enumerate(prompt.get("variables", [])):
                var_path = _join(_join(path, "variables"), j)
                var = self.fields(var_obj, var_path, VARIABLE, "a prompt variable")
                if var is None or "name" not in var:
                    continue
                name = var["name"]
                if not NAME_RE.match(name):
                    self.error(
                        _join(var_path, "name"),
                        f'"{name}" is not a valid variable name (letters, digits and _, '
                        "not starting with a digit)",
                    )
                    continue
                if self.unique(declared, name, j, _join(var_path, "name"), "variable"):
                    if "body" in prompt and name not in placeholders(prompt["body"]):
                        self.error(
                            _join(var_path, "name"),
                            f'variable "{name}" is declared but not used in the body',
                        )
            if "body" in prompt:
                for name in placeholders(prompt["body"]):
                    if name not in declared:
                        self.error(
                            _join(path, "body"),
                            f'"{{{{{name}}}}}" is used in the body but not declared in variables',
                        )
        return set(slugs)

    def demos(self, items: list) -> set[str]:
        slugs: dict[str, int] = {}
        for i, obj in enumerate(items):
            path = _join("demos", i)
            demo = self.fields(obj, path, DEMO, "a demo")
            if demo is None:
                continue
            if "slug" in demo:
                self.unique(slugs, demo["slug"], i, _join(path, "slug"), "demo slug")
            both = self.minutes(demo, path, "before_minutes") & self.minutes(
                demo, path, "after_minutes"
            )
            if both and demo["after_minutes"] >= demo["before_minutes"]:
                self.error(
                    _join(path, "after_minutes"),
                    f"after minutes ({demo['after_minutes']}) must be less than before minutes "
                    f"({demo['before_minutes']})",
                )
        return set(slugs)

    def unique(self, seen: dict, value, index: int, path: str, what: str) -> bool:
        if value in seen:
            self.error(path, f'duplicate {what} "{value}" (first at index {seen[value]})')
            return False
        seen[value] = index
        return True

    def path(self, value, prompt_slugs: set[str], demo_slugs: set[str]) -> None:
        single = isinstance(value, dict)
        tracks_seen: dict[str, int] = {}
        for i, obj in enumerate(path_tracks(value)):
            path = "path" if single else _join("path", i)
            track = self.fields(obj, path, TRACK, "a track: {track, days}")
            if track is None:
                continue
            name = track.get("track")
            if name is not None:
                if not self.choice(name, _join(path, "track"), TRACKS):
                    name = None
                elif not self.unique(tracks_seen, name, i, _join(path, "track"), "track"):
                    name = None
            if "days" in track:
                self.days(track["days"], _join(path, "days"), name, prompt_slugs, demo_slugs)
        if "prescriptive" not in tracks_seen:
            self.error("path", "the prescriptive track is required (exploratory is optional)")

    def days(self, items, path: str, track, prompt_slugs, demo_slugs) -> None:
        if not items:
            self.error(path, "a track needs at least one day")
        days_seen: dict[int, int] = {}
        fvm_tasks: list[str] = []
        for i, obj in enumerate(items):
            day_path = _join(path, i)
            day = self.fields(obj, day_path, DAY, "a day: {day, steps}")
            if day is None:
                continue
            if "day" in day and self.day(day["day"], _join(day_path, "day")):
                self.unique(days_seen, day["day"], i, _join(day_path, "day"), "day")
            if "steps" in day and not day["steps"]:
                self.error(_join(day_path, "steps"), "a day needs at least one step")
            for j, step_obj in enumerate(day.get("steps", [])):
                step_path = _join(_join(day_path, "steps"), j)
                step = self.fields(step_obj, step_path, STEP, "a step")
                if step is None:
                    continue
                self.step(step, step_path, prompt_slugs, demo_slugs, fvm_tasks)
        if track and len(fvm_tasks) != 1:
            if not fvm_tasks:
                self.error(path, f"the {track} track needs exactly one fvm_task step, found none")
            for extra in fvm_tasks[1:]:
                self.error(
                    extra, f"the {track} track needs exactly one fvm_task step, found another"
                )

    def step(self, step: dict, path: str, prompt_slugs, demo_slugs, fvm_tasks: list) -> None:
        kind = step.get("kind")
        if kind is not None and not self.choice(kind, _join(path, "kind"), STEP_KINDS):
            kind = None
        if kind == "watch_demo" and "demo" not in step:
            self.error(path, 'a watch_demo step needs "demo" (a demo slug)')
        if kind == "try_prompt" and "prompt" not in step:
            self.error(path, 'a try_prompt step needs "prompt" (a prompt slug)')
        if kind == "fvm_task":
            fvm_tasks.append(path)
            if not step.get("title", "").strip():
                self.error(path, 'an fvm_task step needs a "title": the one task to do')
        if kind in ("reflect", "read") and not (
            step.get("title", "").strip() or step.get("body", "").strip()
        ):
            self.error(path, f'a {kind} step needs a "title" or a "body"')
        if "prompt" in step and step["prompt"] not in prompt_slugs:
            self.error(_join(path, "prompt"), f'no prompt with slug "{step["prompt"]}"')
        if "demo" in step and step["demo"] not in demo_slugs:
            self.error(_join(path, "demo"), f'no demo with slug "{step["demo"]}"')

    def interventions(self, items: list) -> None:
        seen: dict[tuple, int] = {}
        for i, obj in enumerate(items):
            path = _join("interventions", i)
            item = self.fields(obj, path, INTERVENTION, "an intervention")
            if item is None:
                continue
            day_ok = "day" in item and self.day(item["day"], _join(path, "day"))
            kind_ok = "kind" in item and self.choice(
                item["kind"], _join(path, "kind"), INTERVENTION_KINDS
            )
            if day_ok and kind_ok:
                key = (item["day"], item["kind"])
                if key in seen:
                    self.error(
                        path,
                        f"duplicate intervention: day {key[0]} {key[1]} "
                        f"(first at interventions[{seen[key]}])",
                    )
                else:
                    seen[key] = i
            channel = item.get("channel")
            if channel is not None and self.choice(channel, _join(path, "channel"), CHANNELS):
                if channel in WEBHOOK_CHANNELS and not item.get("webhook_url"):
                    self.error(path, f"a {channel} intervention needs an https webhook_url")
                if channel not in WEBHOOK_CHANNELS and item.get("webhook_url"):
                    self.error(
                        _join(path, "webhook_url"),
                        f"webhook_url is only used by slack and teams, not {channel}",
                    )
            if "message" in item:
                for name in placeholders(item["message"]):
                    if name not in MESSAGE_PLACEHOLDERS:
                        allowed = ", ".join("{{" + p + "}}" for p in MESSAGE_PLACEHOLDERS)
                        self.error(
                            _join(path, "message"),
                            f'unknown placeholder "{{{{{name}}}}}" (allowed: {allowed})',
                        )

    def kpis(self, items: list) -> None:
        if not items:
            self.error("kpis", "at least one KPI is required")
        names: dict[str, int] = {}
        for i, obj in enumerate(items):
            path = _join("kpis", i)
            kpi = self.fields(obj, path, KPI, "a KPI")
            if kpi is None:
                continue
            if "name" in kpi:
                self.unique(names, kpi["name"], i, _join(path, "name"), "KPI name")
            numbers_ok = True
            for key in ("baseline", "target"):
                if key in kpi and not self.decimal(kpi[key], _join(path, key)):
                    numbers_ok = False
            direction = kpi.get("direction")
            if direction is None or not self.choice(
                direction, _join(path, "direction"), DIRECTIONS
            ):
                continue
            if not numbers_ok or "baseline" not in kpi or "target" not in kpi:
                continue
            if direction == "down" and not kpi["target"] < kpi["baseline"]:
                self.error(
                    _join(path, "target"),
                    f"direction is down (lower is better), so the target ({kpi['target']}) "
                    f"must be below the baseline ({kpi['baseline']})",
                )
            if direction == "up" and not kpi["target"] > kpi["baseline"]:
                self.error(
                    _join(path, "target"),
                    f"direction is up (higher is better), so the target ({kpi['target']}) "
                    f"must be above the baseline ({kpi['baseline']})",
                )

    def decimal(self, value, path: str) -> bool:
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            self.error(path, f"must be a number, got {value!r}")
            return False
        if not number.is_finite():
            self.error(path, "must be a finite number")
            return False
        exponent = number.as_tuple().exponent
        if isinstance(exponent, int) and exponent < -KPI_DECIMAL_PLACES:
            self.error(path, f"at most {KPI_DECIMAL_PLACES} decimal places, got {value}")
            return False
        if abs(number) >= Decimal(10) ** (KPI_MAX_DIGITS - KPI_DECIMAL_PLACES):
            self.error(path, f"is too large: {value}")
            return False
        return True


def _describe(value) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, str):
        return f"a string ({value!r})" if len(value) < 40 else "a string"
    if isinstance(value, int | float):
        return f"a number ({value})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__
