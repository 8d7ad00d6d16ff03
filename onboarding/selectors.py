"""Reads for onboarding: a person's dated checklist and a manager's reports.

Everything is loaded in a fixed number of queries whatever the length of the path
or the number of reports; the assembly happens in Python.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from roles.models import Demo, PathStep, Prompt, Track
from templates_library.variables import FilledPrompt, fill_prompt

from . import calendar
from .models import Enrollment, EnrollmentDay, FvmCompletion, InterventionSend, OrgSettings
from .services import holiday_dates, path_steps_for

PATH_DAYS = range(1, 8)

BEFORE, DURING, AFTER = "before", "during", "after"


def enrollment_queryset() -> QuerySet[Enrollment]:
    return Enrollment.objects.select_related(
        "user", "version", "version__pack", "fvm_completion"
    ).prefetch_related(
        Prefetch("days", queryset=EnrollmentDay.objects.filter(number__lte=7)),
        "step_completions",
    )


def enrollment_for_user(*, user) -> Enrollment | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return enrollment_queryset().filter(user=user).first()


def reports_for_manager(*, manager) -> QuerySet[Enrollment]:
    """The manager's reports, each with the interventions already sent (``sent``)."""
    sent = (
        InterventionSend.objects.filter(status=InterventionSend.Status.SENT)
        .select_related("intervention")
        .order_by("sent_at", "id")
    )
    return (
        enrollment_queryset()
        .filter(manager=manager)
        .prefetch_related(Prefetch("intervention_sends", queryset=sent, to_attr="sent"))
        .order_by("start_date", "name", "id")
    )


def fvm_for_enrollment(*, enrollment: Enrollment) -> FvmCompletion | None:
    try:
        return enrollment.fvm_completion
    except FvmCompletion.DoesNotExist:
        return None


def path_track(steps: Iterable[PathStep], track: str) -> str:
    """The track whose steps make the path: the enrollment's own, or prescriptive when the
    pack has no steps on the requested track.

    The same rule as ``services.path_steps_for``, applied in Python to steps already loaded
    for several versions at once (the manager's view spans versions in one query).
    """
    if track != Track.PRESCRIPTIVE and not any(s.track == track for s in steps):
        return Track.PRESCRIPTIVE
    return track


def path_steps(steps: Iterable[PathStep], track: str) -> list[PathStep]:
    steps = list(steps)
    chosen = path_track(steps, track)
    return sorted((s for s in steps if s.track == chosen), key=lambda s: (s.day, s.order, s.id))


@dataclass
class StepItem:
    step: PathStep
    date: date | None
    done_at: datetime | None
    prompt: Prompt | None = None
    filled: FilledPrompt | None = None
    demo: Demo | None = None

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
    def other_days(self) -> list[DayItem]:
        return [d for d in self.days if not d.is_focus]

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


def checklists_build(
    enrollments: Iterable[Enrollment], *, now: datetime | None = None
) -> list[Checklist]:
    """Dated checklists for enrollments loaded with :func:`enrollment_queryset`.

    Three queries more whatever their number: steps, prompts (+ variables), demos.
    """
    enrollments = list(enrollments)
    now = now or timezone.now()
    version_ids = {e.version_id for e in enrollments}
    steps_by_version: dict[int, list[PathStep]] = defaultdict(list)
    prompts: dict[tuple[int, str], Prompt] = {}
    demos: dict[tuple[int, str], Demo] = {}
    if version_ids:
        for step in PathStep.objects.filter(version_id__in=version_ids):
            steps_by_version[step.version_id].append(step)
        for prompt in Prompt.objects.filter(version_id__in=version_ids).prefetch_related(
            "variables"
        ):
            prompts[(prompt.version_id, prompt.slug)] = prompt
        for demo in Demo.objects.filter(version_id__in=version_ids):
            demos[(demo.version_id, demo.slug)] = demo

    result = []
    for enrollment in enrollments:
        today = calendar.local_date(now, enrollment.timezone)
        day_dates = {d.number: d.date for d in enrollment.days.all() if d.number <= 7}
        done = {c.step_id: c.done_at for c in enrollment.step_completions.all()}
        phase, current, is_working = _position(day_dates, today)
        all_steps = steps_by_version[enrollment.version_id]
        track = path_track(all_steps, enrollment.track)
        days = {n: DayItem(number=n, date=day_dates.get(n)) for n in PATH_DAYS}
        values = enrollment.values if isinstance(enrollment.values, dict) else {}
        for step in path_steps(all_steps, enrollment.track):
            item = StepItem(step=step, date=day_dates.get(step.day), done_at=done.get(step.id))
            if step.prompt_slug:
                item.prompt = prompts.get((enrollment.version_id, step.prompt_slug))
                if item.prompt is not None:
                    item.filled = fill_prompt(
                        item.prompt, person_values=values, version=enrollment.version
                    )
            if step.demo_slug:
                item.demo = demos.get((enrollment.version_id, step.demo_slug))
            days[step.day].steps.append(item)
        if phase == BEFORE:
            focus = 1
        elif phase == AFTER:
            focus = None
        elif is_working:
            focus = current
        else:
            focus = min(current + 1, 7)
        for n, item in days.items():
            item.is_today = is_working and n == current
            item.is_focus = n == focus
        result.append(
            Checklist(
                enrollment=enrollment,
                track=track,
                today=today,
                phase=phase,
                current_day=current if phase != BEFORE else None,
                today_is_working_day=is_working,
                days=list(days.values()),
                fvm=fvm_for_enrollment(enrollment=enrollment),
            )
        )
    return result


def checklist_build(*, enrollment: Enrollment, now: datetime | None = None) -> Checklist:
    return checklists_build([enrollment], now=now)[0]


def path_step_for_enrollment(*, enrollment: Enrollment, step_id: int) -> PathStep | None:
    """A step of the person's own path, or None (someone else's step, another track …)."""
    return path_steps_for(enrollment.version, enrollment.track).filter(pk=step_id).first()


# Past this working day without first value, a person needs their manager first.
SUPPORT_AFTER_DAY = 5

_SUGGESTIONS = {
    # kind: (what we suggested to the manager, what we did when it went to someone else)
    "manager_nudge": ("sit with {name} for fifteen minutes on the one task", ""),
    "power_user_session": (
        "a short session with {name} on the one task",
        "we invited {name}'s buddy to a short session with them",
    ),
    "microtraining": ("", "we sent {name} a short how-to for the one task"),
}


@dataclass
class Suggestion:
    """An intervention already sent about a report, told as a suggestion, never a verdict."""

    sent_on: date
    to_you: bool
    text: str


@dataclass
class ReportRow:
    checklist: Checklist
    working_day: int | None  # working days since day 1, today included; None before day 1
    accountability: bool  # past OrgSettings.accountability_after_day without first value
    suggestions: list[Suggestion] = field(default_factory=list)

    @property
    def enrollment(self) -> Enrollment:
        return self.checklist.enrollment

    @property
    def offer(self) -> StepItem | None:
        return self.checklist.fvm_step

    @property
    def needs_support(self) -> bool:
        return (
            self.checklist.fvm is None
            and self.working_day is not None
            and self.working_day > SUPPORT_AFTER_DAY
        )

    @property
    def sort_key(self) -> tuple:
        """Who needs support first: past day 5 without first value, then the others in their
        week by how far they are, then those yet to start, then those who reached value."""
        checklist = self.checklist
        if checklist.fvm is not None:
            return (3, -checklist.fvm.local_date.toordinal())
        if self.needs_support:
            return (0, -self.working_day)
        if self.working_day is not None:
            return (1, -self.working_day)
        return (2, self.enrollment.start_date.toordinal())


def _suggestions(enrollment: Enrollment) -> list[Suggestion]:
    name = enrollment.name or enrollment.user.email
    result = []
    for send in getattr(enrollment, "sent", []):
        kind = send.intervention.kind
        to_manager, to_others = _SUGGESTIONS.get(kind, ("", "we sent {name} a suggestion"))
        # Who it went to follows messages.intervention_message: a power-user session goes to
        # the buddy when there is one; a manager nudge goes to the manager.
        to_you = bool(to_manager) and not (kind == "power_user_session" and enrollment.buddy_id)
        when = send.sent_at or send.due_at
        result.append(
            Suggestion(
                sent_on=calendar.local_date(when, enrollment.timezone),
                to_you=to_you,
                text=(to_manager if to_you else to_others or to_manager).format(name=name),
            )
        )
    return result


def _remember_reports(manager, enrollments: list[Enrollment]) -> None:
    """Keep the reports just loaded as ``manager.managed_enrollments`` (a prefetch), so the
    layout's "My team" link (``user.managed_enrollments.exists``) asks the database no more."""
    if not hasattr(manager, "_prefetched_objects_cache"):
        manager._prefetched_objects_cache = {}
    related = manager.managed_enrollments.all()
    related._result_cache = enrollments
    related._prefetch_done = True
    manager._prefetched_objects_cache["managed_enrollments"] = related


def team_build(*, manager, now: datetime | None = None) -> list[ReportRow]:
    """The manager's reports with their progress, in a fixed number of queries, in the order
    of who needs support first (see ``ReportRow.sort_key``)."""
    now = now or timezone.now()
    enrollments = list(reports_for_manager(manager=manager))
    _remember_reports(manager, enrollments)
    if not enrollments:
        return []
    org = OrgSettings.load()
    holidays = holiday_dates()
    rows = []
    for checklist in checklists_build(enrollments, now=now):
        enrollment = checklist.enrollment
        working_day = None
        if checklist.phase != BEFORE:
            working_day = calendar.ttv(enrollment.start_date, checklist.today, holidays)
        rows.append(
            ReportRow(
                checklist=checklist,
                working_day=working_day,
                accountability=(
                    checklist.fvm is None
                    and working_day is not None
                    and working_day > org.accountability_after_day
                ),
                suggestions=_suggestions(enrollment),
            )
        )
    rows.sort(key=lambda row: (*row.sort_key, row.enrollment.name, row.enrollment.id))
    return rows
