"""Reads about enrollments: the person's enrollment, holidays, path steps, first value and
when accountability may be shown. See docs/enrollment.md."""

from collections.abc import Iterable
from datetime import date, datetime

from django.db.models import (
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)

from roles.models import Intervention, PathStep, Prompt, RolePackVersion, Track
from roles.version_content import version_content_by_id

from .. import workdays
from ..models import Enrollment, EnrollmentDay, FvmCompletion, Holiday, OrgSettings
from .own import own_days_and_done, own_enrollment


def holiday_dates() -> frozenset[date]:
    """The organisation's holidays (one list for everyone)."""
    return frozenset(Holiday.objects.values_list("date", flat=True))


def enrollment_queryset() -> QuerySet[Enrollment]:
    return Enrollment.objects.select_related(
        "user", "manager", "buddy", "version", "version__pack", "fvm_completion"
    ).prefetch_related(
        Prefetch("days", queryset=EnrollmentDay.objects.filter(number__lte=7)),
        "step_completions",
    )


def enrollment_for_user(*, user, people: bool = True) -> Enrollment | None:
    """The signed-in person's enrollment, for their own pages and API, in one query with
    their first value (and, with ``people``, their manager and buddy; else read when first
    used). ``user`` is the one loaded with the request; the
    version and its pack come from roles/version_content.py (no query once this process
    keeps them); the checklist reads days and done steps (:func:`days_and_done`)."""
    if not getattr(user, "is_authenticated", False):
        return None
    enrollment = own_enrollment(user, people=people)  # one statement, written once
    if enrollment is None:
        return None
    enrollment.user = user
    enrollment.version = version_content_by_id(enrollment.version_id).version
    return enrollment


def days_and_done(enrollment: Enrollment) -> tuple[dict[int, date], dict[int, datetime]]:
    """The dates of working days 1–7 and when each done step was done: from what
    :func:`enrollment_queryset` prefetched, else in one statement (the days and the
    completions as one UNION ALL, told apart by their first column; ``own.py``)."""
    prefetched = getattr(enrollment, "_prefetched_objects_cache", {})
    if "days" in prefetched and "step_completions" in prefetched:
        return (
            {d.number: d.date for d in prefetched["days"] if d.number <= 7},
            {c.step_id: c.done_at for c in prefetched["step_completions"]},
        )
    return own_days_and_done(enrollment.pk)


def fvm_for_enrollment(*, enrollment: Enrollment) -> FvmCompletion | None:
    try:
        return enrollment.fvm_completion
    except FvmCompletion.DoesNotExist:
        return None


def path_steps_for(version: RolePackVersion, track: str) -> QuerySet[PathStep]:
    """The version's steps for ``track``, in path order, as one lazy query.

    An exploratory person in a pack without exploratory steps follows the prescriptive track.
    """
    steps = PathStep.objects.path().filter(version=version)
    if track == Track.PRESCRIPTIVE:
        chosen = Q(track=Track.PRESCRIPTIVE)
    else:
        has_own = Exists(PathStep.objects.filter(version=OuterRef("version"), track=track))
        chosen = Q(track=track) | (Q(track=Track.PRESCRIPTIVE) & ~has_own)
    return steps.filter(chosen).order_by("day", "order", "id")


def path_track(steps: Iterable[PathStep], track: str) -> str:
    """The track whose steps make the path: the enrollment's own, or prescriptive when the
    pack has no steps on the requested track.

    The same rule as :func:`path_steps_for`, applied in Python to steps already loaded for
    several versions at once (the manager's view spans versions in one query).
    """
    if track != Track.PRESCRIPTIVE and not any(s.track == track for s in steps):
        return Track.PRESCRIPTIVE
    return track


def path_steps(steps: Iterable[PathStep], track: str) -> list[PathStep]:
    steps = list(steps)
    chosen = path_track(steps, track)
    return sorted((s for s in steps if s.track == chosen), key=lambda s: (s.day, s.order, s.id))


def path_step_for_enrollment(*, enrollment: Enrollment, step_id: int) -> PathStep | None:
    """A step of the person's own path, or None (someone else's step, another track …)."""
    return path_steps_for(enrollment.version, enrollment.track).filter(pk=step_id).first()


def fvm_task_step(enrollment: Enrollment, *fields: str) -> PathStep | None:
    """The FVM task on the enrollment's own track (only ``fields`` loaded), or None."""
    steps = PathStep.objects.filter(
        version_id=enrollment.version_id, track=enrollment.track, kind=PathStep.Kind.FVM_TASK
    )
    return steps.only(*fields).first() if fields else steps.first()


def prompt_with_variables(*, version_id: int, slug: str) -> Prompt | None:
    return (
        Prompt.objects.filter(version_id=version_id, slug=slug)
        .prefetch_related("variables")
        .first()
    )


def intervention_message_of_kind(*, version_id: int, kind: str) -> str | None:
    """The pack's message for another intervention kind of the same version, if it has one."""
    return (
        Intervention.objects.filter(version_id=version_id, kind=kind)
        .values_list("message", flat=True)
        .first()
    )


def accountability_visible(
    enrollment: Enrollment,
    today: date,
    *,
    org: OrgSettings | None = None,
    holidays: frozenset[date] | None = None,
) -> bool:
    """Whether accountability views of ``enrollment`` may be shown on ``today``.

    Only once the person is past working day ``OrgSettings.accountability_after_day``;
    before that, managers see support only. Pass ``org``/``holidays`` when looping.
    """
    org = org or OrgSettings.load()
    holidays = holiday_dates() if holidays is None else holidays
    if today < workdays.working_day_1(enrollment.start_date, holidays):
        return False
    return workdays.ttv(enrollment.start_date, today, holidays) > org.accountability_after_day
