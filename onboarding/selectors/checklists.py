"""A person's dated checklist: their path's steps by working day, with what is done.

Everything is loaded in a fixed number of queries whatever the length of the path or the
number of people; the assembly happens in Python.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property

from django.utils import timezone

from roles.models import Demo, PathStep, Prompt, RolePackVersion
from roles.version_content import VersionContent, version_contents
from templates_library.variables import FilledPrompt, PromptField, fill_prompt, prompt_fields

from .. import workdays
from ..models import Enrollment, FvmCompletion
from .enrollments import (
    days_and_done,
    fvm_for_enrollment,
    holiday_dates,
    path_steps,
    path_track,
)

PATH_DAYS = range(1, 8)

BEFORE, DURING, AFTER = "before", "during", "after"


@dataclass
class StepItem:
    step: PathStep
    date: date | None
    done_at: datetime | None
    prompt: Prompt | None = None
    demo: Demo | None = None
    enrollment: Enrollment | None = field(default=None, repr=False)  # whose prompt to fill

    @cached_property
    def filled(self) -> FilledPrompt | None:
        """The prompt filled for this person, made when first read (the API never does)."""
        if self.prompt is None or self.enrollment is None:
            return None
        values = self.enrollment.values if isinstance(self.enrollment.values, dict) else {}
        return fill_prompt(self.prompt, person_values=values, version=self.enrollment.version)

    @cached_property
    def fields(self) -> list[PromptField]:
        return prompt_fields(self.prompt, self.filled) if self.filled is not None else []

    @property
    def uid(self) -> str:
        """A prefix for element ids that is unique on the page."""
        return f"step-{self.step.id}"

    @property
    def is_fvm(self) -> bool:
        return self.step.kind == PathStep.Kind.FVM_TASK

    @property
    def title(self) -> str:
        if self.step.title:
            return self.step.title
        if self.demo is not None:
            return self.demo.title
        if self.prompt is not None:
            return self.prompt.title
        return self.step.get_kind_display()


@dataclass
class DayItem:
    number: int
    date: date | None
    steps: list[StepItem] = field(default_factory=list)
    is_today: bool = False
    is_focus: bool = False

    @property
    def done_count(self) -> int:
        return sum(1 for s in self.steps if s.done_at)


@dataclass
class Checklist:
    enrollment: Enrollment
    track: str
    today: date
    phase: str  # before | during | after
    current_day: int | None  # the latest working day that has begun; None before day 1
    today_is_working_day: bool
    days: list[DayItem]
    fvm: FvmCompletion | None

    @property
    def steps(self) -> list[StepItem]:
        return [s for d in self.days for s in d.steps]

    @property
    def total(self) -> int:
        return len(self.steps)

    @property
    def done(self) -> int:
        return sum(1 for s in self.steps if s.done_at)

    @property
    def next_step(self) -> StepItem | None:
        return next((s for s in self.steps if not s.done_at), None)

    @property
    def fvm_step(self) -> StepItem | None:
        return next((s for s in self.steps if s.is_fvm), None)

    @property
    def focus_day(self) -> DayItem | None:
        return next((d for d in self.days if d.is_focus), None)

    @property
    def upcoming_days(self) -> list[DayItem]:
        """The days after the focus day (none once the week is over)."""
        focus = self.focus_day
        return [d for d in self.days if focus is not None and d.number > focus.number]

    @property
    def earlier_days(self) -> list[DayItem]:
        """The days already behind the person (all of them once the week is over)."""
        focus = self.focus_day
        return [d for d in self.days if focus is None or d.number < focus.number]

    @property
    def earlier_undone(self) -> int:
        return sum(1 for d in self.earlier_days for s in d.steps if not s.done_at)

    @property
    def day_label(self) -> str:
        if self.phase == BEFORE:
            return "Your first week has not started yet"
        if self.phase == AFTER:
            return "Your first week is over"
        return f"Day {self.current_day} of 7"

    @property
    def sentence(self) -> str:
        return self.enrollment.version.fvm_sentence


def _position(day_dates: dict[int, date], today: date) -> tuple[str, int | None, bool]:
    begun = [n for n, d in day_dates.items() if d <= today]
    if not day_dates or not begun:
        return BEFORE, None, False
    current = max(begun)
    if current == 7 and day_dates[7] < today:
        return AFTER, 7, False
    return DURING, current, day_dates[current] == today


def _focus(phase: str, current: int | None, is_working: bool) -> int | None:
    """The day the page opens on: day 1 before the week, today, or the next working day."""
    if phase == BEFORE:
        return 1
    if phase == AFTER:
        return None
    return current if is_working else min(current + 1, 7)


def _step_item(
    step: PathStep, enrollment: Enrollment, content: VersionContent, day_dates, done
) -> StepItem:
    item = StepItem(
        step=step, date=day_dates.get(step.day), done_at=done.get(step.id), enrollment=enrollment
    )
    if step.prompt_slug:
        item.prompt = content.prompts.get(step.prompt_slug)
    if step.demo_slug:
        item.demo = content.demos.get(step.demo_slug)
    return item


def _checklist(enrollment: Enrollment, content: VersionContent, now: datetime) -> Checklist:
    day_dates, done = days_and_done(enrollment)
    return _assemble(
        enrollment,
        content,
        today=workdays.local_date(now, enrollment.timezone),
        day_dates=day_dates,
        done=done,
        fvm=fvm_for_enrollment(enrollment=enrollment),
    )


def _assemble(
    enrollment: Enrollment,
    content: VersionContent,
    *,
    today: date,
    day_dates: dict[int, date],
    done: dict[int, datetime],
    fvm: FvmCompletion | None,
) -> Checklist:
    """The checklist from what is known of the person; no query of its own, so a transient
    (unsaved) enrollment for a preview goes through exactly the same assembly."""
    phase, current, is_working = _position(day_dates, today)
    all_steps = content.steps
    days = {n: DayItem(number=n, date=day_dates.get(n)) for n in PATH_DAYS}
    for step in path_steps(all_steps, enrollment.track):
        item = _step_item(step, enrollment, content, day_dates, done)
        days[step.day].steps.append(item)
    focus = _focus(phase, current, is_working)
    for n, item in days.items():
        item.is_today = is_working and n == current
        item.is_focus = n == focus
    return Checklist(
        enrollment=enrollment,
        track=path_track(all_steps, enrollment.track),
        today=today,
        phase=phase,
        current_day=current if phase != BEFORE else None,
        today_is_working_day=is_working,
        days=list(days.values()),
        fvm=fvm,
    )


def checklists_build(
    enrollments: Iterable[Enrollment], *, now: datetime | None = None
) -> list[Checklist]:
    """Dated checklists for enrollments loaded with ``enrollments.enrollment_queryset`` (or
    one from ``enrollments.enrollment_for_user``).

    No query more for published versions this process has already read, else four whatever
    their number: steps, prompts, their variables, demos (roles/version_content.py).
    """
    enrollments = list(enrollments)
    now = now or timezone.now()
    contents = version_contents({e.version_id: e.version for e in enrollments}.values())
    return [_checklist(e, contents[e.version_id], now) for e in enrollments]


def checklist_build(*, enrollment: Enrollment, now: datetime | None = None) -> Checklist:
    return checklists_build([enrollment], now=now)[0]


# --- Preview: the week of someone who does not exist -------------------------------

PREVIEW_NAME = "Alex Example"


def _preview_dates(day: int, today: date, holidays: frozenset[date]) -> dict[int, date]:
    """Working days 1–7 such that working day ``day`` is today (or the next working day)."""
    anchor = today
    while not workdays.is_working_day(anchor, holidays):
        anchor += timedelta(days=1)
    start = anchor
    for _ in range(day - 1):
        start -= timedelta(days=1)
        while not workdays.is_working_day(start, holidays):
            start -= timedelta(days=1)
    return workdays.working_days(start, PATH_DAYS, holidays)


def checklist_preview(
    *,
    version: RolePackVersion,
    track: str,
    day: int,
    reached: bool = False,
    now: datetime | None = None,
) -> Checklist:
    """The checklist a person on ``version``/``track`` sees on working day ``day`` (1–7).

    Nothing is written: the enrollment (and, with ``reached``, the FVM completion) are
    transient. The person is on track: every step of the days before ``day`` is done except
    the FVM task, which is done only by recording first value (``reached``). Five queries:
    holidays, steps, prompts, their variables, demos (only holidays for a published version
    this process has already read, roles/version_content.py).
    """
    if day not in PATH_DAYS:
        raise ValueError("day must be a working day from 1 to 7")
    now = now or timezone.now()
    today = workdays.local_date(now, "UTC")
    day_dates = _preview_dates(day, today, holiday_dates())
    enrollment = Enrollment(
        version=version,
        track=track,
        name=PREVIEW_NAME,
        start_date=day_dates[1],
        timezone="UTC",
        values={},
    )
    content = version_contents([version])[version.id]
    done = {
        step.id: now
        for step in path_steps(content.steps, track)
        if step.day < day and step.kind != PathStep.Kind.FVM_TASK
    }
    fvm = None
    if reached:
        fvm = FvmCompletion(
            enrollment=enrollment,
            completed_at=now,
            local_date=today,
            ttv=day,
            minutes_taken=version.fvm_target_minutes,
            minutes_saved=version.fvm_baseline_minutes - version.fvm_target_minutes,
            evidence="(preview)",
            rating=4,
        )
    return _assemble(
        enrollment, content, today=day_dates[day], day_dates=day_dates, done=done, fvm=fvm
    )
