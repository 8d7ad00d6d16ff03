"""The launch checklist: what a pack needs before people start on it (docs/studio.md).

One function, :func:`launch_checklist`, over a pack *document* (draft or published, valid
or not): the studio's list and pack page, and the publish page's warnings, all read it.
The items come from the seeds' advice ("don't launch until you can finish this sentence",
"reduce cycle time by 30% or more", baselines measured before deployment, a timed demo, the
first-value task inside the first week, a nudge on day 5). The checklist warns; it never
blocks: the one validator (roles.validation) decides what may be published.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from roles.document_types import DAY_MAX, DAY_MIN, placeholders
from roles.models import KPIS_ADVISED, PathStep

TARGET_CUT = 0.30  # the target at least 30% below the baseline
KPIS_MIN, KPIS_MAX = KPIS_ADVISED
FVM_TASK_BY_DAY = 5
NUDGE_DAY = 5
MEASURED_ON = "baseline_measured_on"


@dataclass(frozen=True)
class Check:
    key: str
    label: str
    ok: bool
    detail: str

    @property
    def gap(self) -> bool:
        return not self.ok


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def _number(value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _list(document: dict, key: str) -> list[dict]:
    value = document.get(key)
    if isinstance(value, dict):
        value = [value]
    return [item for item in value or [] if isinstance(item, dict)]


def _fvm_sentence(document: dict) -> Check:
    fvm = document.get("fvm") if isinstance(document.get("fvm"), dict) else {}
    missing = [
        label
        for label, ok in (
            ("the role's name", _text(document.get("name"))),
            ("the deliverable", _text(fvm.get("deliverable"))),
            ("the baseline minutes", _number(fvm.get("baseline_minutes"))),
            ("the target minutes", _number(fvm.get("target_minutes"))),
            ("the evidence", _text(fvm.get("evidence"))),
        )
        if not ok
    ]
    detail = "Missing: " + ", ".join(missing) + "." if missing else "The sentence is complete."
    return Check("fvm", "FVM sentence complete", not missing, detail)


def _target_cut(document: dict) -> Check:
    fvm = document.get("fvm") if isinstance(document.get("fvm"), dict) else {}
    baseline, target = _number(fvm.get("baseline_minutes")), _number(fvm.get("target_minutes"))
    label = f"Target at least {TARGET_CUT:.0%} below the baseline"
    if not baseline or target is None:
        return Check("target", label, False, "Set the baseline and target minutes.")
    cut = 1 - target / baseline
    ok = cut >= TARGET_CUT - 1e-9
    detail = f"{target:g} minutes instead of {baseline:g}: {cut:.0%} below the baseline."
    return Check("target", label, ok, detail)


def _kpis(document: dict, today: date, first_start: date | None) -> Check:
    kpis = _list(document, "kpis")
    label = f"{KPIS_MIN}–{KPIS_MAX} KPIs with baselines measured before launch"
    problems = []
    if not KPIS_MIN <= len(kpis) <= KPIS_MAX:
        problems.append(f"{len(kpis)} KPI{'s' if len(kpis) != 1 else ''}")
    no_baseline = [
        _text(k.get("name")) or "(unnamed)" for k in kpis if _number(k.get("baseline")) is None
    ]
    if no_baseline:
        problems.append("no baseline for " + ", ".join(no_baseline))
    undated, late = [], []
    for kpi in kpis:
        name = _text(kpi.get("name")) or "(unnamed)"
        measured = _date(kpi.get(MEASURED_ON))
        if measured is None or measured > today:
            undated.append(name)
        elif first_start is not None and measured > first_start:
            late.append(name)
    if undated:
        problems.append("no date the baseline was measured for " + ", ".join(undated))
    if late:
        problems.append(
            f"baseline measured after the first start ({first_start.isoformat()}) for "
            + ", ".join(late)
        )
    detail = "; ".join(problems) if problems else f"{len(kpis)} KPIs"
    detail = detail[:1].upper() + detail[1:] + "."
    return Check("kpis", label, not problems, detail)


def _date(value) -> date | None:
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return None
    return value if isinstance(value, date) else None


def _timed_demo(document: dict) -> Check:
    timed = [
        d
        for d in _list(document, "demos")
        if (b := _number(d.get("before_minutes")))
        and (a := _number(d.get("after_minutes")))
        and a < b
    ]
    detail = (
        f"{len(timed)} timed demo{'s' if len(timed) != 1 else ''}."
        if timed
        else ("Add a demo with its minutes before and after.")
    )
    return Check("demo", "At least one timed demo", bool(timed), detail)


def _days(track: dict) -> dict[int, list[dict]]:
    days: dict[int, list[dict]] = {}
    for day in track.get("days") or []:
        if isinstance(day, dict) and isinstance(day.get("day"), int):
            steps = [s for s in day.get("steps") or [] if isinstance(s, dict)]
            days.setdefault(day["day"], []).extend(steps)
    return days


def _fvm_task(document: dict) -> Check:
    label = f"The FVM task on the path by working day {FVM_TASK_BY_DAY}"
    tracks = _list(document, "path")
    if not tracks:
        return Check("fvm_task", label, False, "The path has no track yet.")
    late = []
    for track in tracks:
        days = [
            n
            for n, steps in _days(track).items()
            for s in steps
            if s.get("kind") == PathStep.Kind.FVM_TASK
        ]
        name = _text(track.get("track")) or "a track"
        if not days:
            late.append(f"{name}: none")
        elif min(days) > FVM_TASK_BY_DAY:
            late.append(f"{name}: day {min(days)}")
    detail = "Late or missing: " + "; ".join(late) + "." if late else "On time in every track."
    return Check("fvm_task", label, not late, detail)


def _nudge(document: dict) -> Check:
    found = [i for i in _list(document, "interventions") if i.get("day") == NUDGE_DAY]
    detail = (
        ", ".join(_text(i.get("kind")) or "(no kind)" for i in found) + "."
        if found
        else f"Add an intervention on day {NUDGE_DAY} for people who have not reached first value."
    )
    return Check("nudge", f"A day-{NUDGE_DAY} intervention", bool(found), detail)


def _variables(document: dict) -> Check:
    undeclared = []
    for prompt in _list(document, "prompts"):
        declared = {v.get("name") for v in prompt.get("variables") or [] if isinstance(v, dict)}
        body = prompt.get("body") if isinstance(prompt.get("body"), str) else ""
        missing = [name for name in placeholders(body) if name not in declared]
        if missing:
            slug = _text(prompt.get("slug")) or "(no slug)"
            undeclared.append(f"{slug}: " + ", ".join(missing))
    detail = "Undeclared: " + "; ".join(undeclared) + "." if undeclared else "All declared."
    return Check("variables", "Every prompt's variables declared", not undeclared, detail)


def _no_empty_day(document: dict) -> Check:
    empty = []
    for track in _list(document, "path"):
        days = _days(track)
        missing = [n for n in range(DAY_MIN, DAY_MAX + 1) if not days.get(n)]
        if missing:
            name = _text(track.get("track")) or "a track"
            empty.append(f"{name}: day " + ", ".join(map(str, missing)))
    if not _list(document, "path"):
        empty.append("the path has no track yet")
    detail = (
        "Empty: " + "; ".join(empty) + "." if empty else f"Days {DAY_MIN}–{DAY_MAX} all have steps."
    )
    return Check("days", "No empty day", not empty, detail)


def launch_checklist(
    document: dict, *, today: date | None = None, first_start: date | None = None
) -> list[Check]:
    """The eight launch checks of ``document``, in the order the studio shows them.
    ``first_start``: the role's first enrollment start (roles.selectors.rolepack_first_start),
    which every KPI baseline should be measured by."""
    document = document if isinstance(document, dict) else {}
    today = today or timezone.localdate()
    return [
        _fvm_sentence(document),
        _target_cut(document),
        _kpis(document, today, first_start),
        _timed_demo(document),
        _fvm_task(document),
        _nudge(document),
        _variables(document),
        _no_empty_day(document),
    ]
