"""The rules of a pack document that relate one field to another (docs/rolepack-format.md,
"Rules the validator enforces").

They run after pydantic has checked each field, on the values it accepted: a value with
an error of its own is left out (``good``), so a rule never repeats an error, and a bad
value elsewhere never hides a rule's error. Rules marked *incomplete* report what is still
missing; a draft saved in the admin (``complete=False``) may lack those.
"""

from __future__ import annotations

from roles.document import (
    DayDoc,
    DemoDoc,
    FvmDoc,
    InterventionDoc,
    KpiDoc,
    PackDocument,
    PromptDoc,
    ReinforcementDoc,
    ReinforcementStepDoc,
    StepDoc,
    TrackDoc,
    VariableDoc,
)
from roles.document_types import (
    MESSAGE_PLACEHOLDERS,
    WEBHOOK_CHANNELS,
    Section,
    fields_of,
    placeholders,
)
from roles.models import KPIS_ADVISED, Kpi, PathStep, Track


def join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def path_tracks(path) -> list:
    """The list form of ``path``: a single ``{track, days}`` mapping becomes a list of one."""
    return [path] if isinstance(path, dict) else path


class Rules:
    def __init__(self, document: dict, *, bad: set[str], complete: bool):
        self.document = document
        self.bad = bad
        self.complete = complete
        self.errors: list[tuple[str, str]] = []

    def error(self, path: str, message: str, *, incomplete: bool = False) -> None:
        if self.complete or not incomplete:
            self.errors.append((path, message))

    def good(self, obj, path: str, cls: type[Section]) -> dict | None:
        """The values of ``obj`` that passed their own checks (None: not a mapping)."""
        if not isinstance(obj, dict) or path in self.bad:
            return None
        names = fields_of(cls)
        return {
            key: value
            for key, value in obj.items()
            if key in names and value is not None and join(path, key) not in self.bad
        }

    def items(self, obj: dict, key: str, path: str, cls: type[Section]):
        """(index, item path, good values) of each well-formed item of the list ``obj[key]``."""
        values = obj.get(key)
        if not isinstance(values, list):
            return
        for index, item in enumerate(values):
            item_path = join(join(path, key), index)
            good = self.good(item, item_path, cls)
            if good is not None:
                yield index, item_path, good

    def unique(self, seen: dict, value, index: int, path: str, what: str) -> bool:
        if value in seen:
            self.error(path, f'duplicate {what} "{value}" (first at index {seen[value]})')
            return False
        seen[value] = index
        return True

    def run(self) -> list[tuple[str, str]]:
        top = self.good(self.document, "", PackDocument)
        if top is None:
            return self.errors
        if "fvm" in top:
            self.fvm(self.good(top["fvm"], "fvm", FvmDoc))
        prompt_slugs = self.prompts(top)
        demo_slugs = self.demos(top)
        if "path" in top:
            self.path(top["path"], prompt_slugs, demo_slugs)
        self.reinforcement(top, prompt_slugs, demo_slugs)
        self.interventions(top)
        if "kpis" in top:
            self.kpis(top)
        return self.errors

    def fvm(self, fvm: dict | None) -> None:
        if fvm and "baseline_minutes" in fvm and "target_minutes" in fvm:
            target, baseline = fvm["target_minutes"], fvm["baseline_minutes"]
            if target >= baseline:
                self.error(
                    "fvm.target_minutes",
                    f"target minutes ({target}) must be less than baseline minutes "
                    f"({baseline}): with AI the deliverable must take less time",
                )

    def prompts(self, top: dict) -> set[str]:
        slugs: dict[str, int] = {}
        for i, path, prompt in self.items(top, "prompts", "", PromptDoc):
            if "slug" in prompt:
                self.unique(slugs, prompt["slug"], i, join(path, "slug"), "prompt slug")
            self.variables(prompt, path)
        return set(slugs)

    def variables(self, prompt: dict, path: str) -> None:
        body = prompt.get("body")
        declared: dict[str, int] = {}
        for j, var_path, var in self.items(prompt, "variables", path, VariableDoc):
            if "name" not in var:
                continue
            name, name_path = var["name"], join(var_path, "name")
            if self.unique(declared, name, j, name_path, "variable") and body is not None:
                if name not in placeholders(body):
                    self.error(name_path, f'variable "{name}" is declared but not used in the body')
        if body is not None:
            for name in placeholders(body):
                if name not in declared:
                    self.error(
                        join(path, "body"),
                        f'"{{{{{name}}}}}" is used in the body but not declared in variables',
                    )

    def demos(self, top: dict) -> set[str]:
        slugs: dict[str, int] = {}
        for i, path, demo in self.items(top, "demos", "", DemoDoc):
            if "slug" in demo:
                self.unique(slugs, demo["slug"], i, join(path, "slug"), "demo slug")
            if "before_minutes" in demo and "after_minutes" in demo:
                after, before = demo["after_minutes"], demo["before_minutes"]
                if after >= before:
                    self.error(
                        join(path, "after_minutes"),
                        f"after minutes ({after}) must be less than before minutes ({before})",
                    )
        return set(slugs)

    def path(self, value, prompt_slugs: set[str], demo_slugs: set[str]) -> None:
        single = isinstance(value, dict)
        tracks_seen: dict[str, int] = {}
        for i, obj in enumerate(path_tracks(value)):
            path = "path" if single else join("path", i)
            track = self.good(obj, path, TrackDoc)
            if track is None:
                continue
            name = track.get("track")
            if name is not None:
                if not self.unique(tracks_seen, name, i, join(path, "track"), "track"):
                    name = None
            if "days" in track:
                self.days(track, path, name, prompt_slugs, demo_slugs)
        if Track.PRESCRIPTIVE not in tracks_seen:
            self.error(
                "path",
                "the prescriptive track is required (exploratory is optional)",
                incomplete=True,
            )

    def days(self, track: dict, track_path: str, name, prompt_slugs, demo_slugs) -> None:
        path = join(track_path, "days")
        if not track["days"]:
            self.error(path, "a track needs at least one day", incomplete=True)
        days_seen: dict[int, int] = {}
        fvm_tasks: list[str] = []
        for i, day_path, day in self.items(track, "days", track_path, DayDoc):
            if "day" in day:
                self.unique(days_seen, day["day"], i, join(day_path, "day"), "day")
            if "steps" in day and not day["steps"]:
                self.error(
                    join(day_path, "steps"), "a day needs at least one step", incomplete=True
                )
            for _, step_path, step in self.items(day, "steps", day_path, StepDoc):
                self.step(step, step_path, prompt_slugs, demo_slugs, fvm_tasks)
        if name and len(fvm_tasks) != 1:
            if not fvm_tasks:
                self.error(
                    path,
                    f"the {name} track needs exactly one fvm_task step, found none",
                    incomplete=True,
                )
            for extra in fvm_tasks[1:]:
                self.error(
                    extra, f"the {name} track needs exactly one fvm_task step, found another"
                )

    def reinforcement(self, top: dict, prompt_slugs, demo_slugs) -> None:
        days_seen: dict[int, int] = {}
        for i, day_path, day in self.items(top, "reinforcement", "", ReinforcementDoc):
            if "day" in day:
                self.unique(days_seen, day["day"], i, join(day_path, "day"), "reinforcement day")
            if "steps" in day and not day["steps"]:
                self.error(
                    join(day_path, "steps"),
                    "a reinforcement day needs at least one step",
                    incomplete=True,
                )
            for _, step_path, step in self.items(day, "steps", day_path, ReinforcementStepDoc):
                self.step(step, step_path, prompt_slugs, demo_slugs, [])

    def step(self, step: dict, path: str, prompt_slugs, demo_slugs, fvm_tasks: list) -> None:
        kind = step.get("kind")
        Kind = PathStep.Kind
        if kind == Kind.WATCH_DEMO and "demo" not in step:
            self.error(path, 'a watch_demo step needs "demo" (a demo slug)', incomplete=True)
        if kind == Kind.TRY_PROMPT and "prompt" not in step:
            self.error(path, 'a try_prompt step needs "prompt" (a prompt slug)', incomplete=True)
        if kind == Kind.FVM_TASK:
            fvm_tasks.append(path)
            if not step.get("title", "").strip():
                self.error(
                    path, 'an fvm_task step needs a "title": the one task to do', incomplete=True
                )
        if kind in (Kind.REFLECT, Kind.READ) and not (
            step.get("title", "").strip() or step.get("body", "").strip()
        ):
            self.error(path, f'a {kind} step needs a "title" or a "body"', incomplete=True)
        if "prompt" in step and step["prompt"] not in prompt_slugs:
            self.error(join(path, "prompt"), f'no prompt with slug "{step["prompt"]}"')
        if "demo" in step and step["demo"] not in demo_slugs:
            self.error(join(path, "demo"), f'no demo with slug "{step["demo"]}"')

    def interventions(self, top: dict) -> None:
        seen: dict[tuple, int] = {}
        for i, path, item in self.items(top, "interventions", "", InterventionDoc):
            if "day" in item and "kind" in item:
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
            url_path = join(path, "webhook_url")
            if (
                channel in WEBHOOK_CHANNELS
                and not item.get("webhook_url")
                and url_path not in self.bad
            ):
                self.error(path, f"a {channel} intervention needs an https webhook_url")
            if channel is not None and channel not in WEBHOOK_CHANNELS and item.get("webhook_url"):
                self.error(
                    url_path,
                    f"webhook_url is only used by slack and teams, not {channel}",
                )
            for name in placeholders(item.get("message", "")):
                if name not in MESSAGE_PLACEHOLDERS:
                    allowed = ", ".join("{{" + p + "}}" for p in MESSAGE_PLACEHOLDERS)
                    self.error(
                        join(path, "message"),
                        f'unknown placeholder "{{{{{name}}}}}" (allowed: {allowed})',
                    )

    def kpis(self, top: dict) -> None:
        if not top["kpis"]:
            self.error(
                "kpis",
                f"a pack needs at least one KPI ({KPIS_ADVISED[0]} to {KPIS_ADVISED[1]} advised): "
                "what shows that the role's work got better",
                incomplete=True,
            )
        names: dict[str, int] = {}
        for i, path, kpi in self.items(top, "kpis", "", KpiDoc):
            if "name" in kpi:
                self.unique(names, kpi["name"], i, join(path, "name"), "KPI name")
            direction = kpi.get("direction")
            if direction is None or "baseline" not in kpi or "target" not in kpi:
                continue
            baseline, target = kpi["baseline"], kpi["target"]
            if direction == Kpi.Direction.DOWN and not target < baseline:
                self.error(
                    join(path, "target"),
                    f"direction is down (lower is better), so the target ({target}) "
                    f"must be below the baseline ({baseline})",
                )
            if direction == Kpi.Direction.UP and not target > baseline:
                self.error(
                    join(path, "target"),
                    f"direction is up (higher is better), so the target ({target}) "
                    f"must be above the baseline ({baseline})",
                )
