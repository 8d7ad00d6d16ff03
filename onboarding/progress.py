"""Writes for a person's progress: steps done and the First Value Moment."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from roles.models import PathStep

from . import workdays
from .models import Enrollment, FvmCompletion, StepCompletion
from .selectors.enrollments import holiday_dates


class FvmAlreadyRecorded(Exception):
    """The enrollment already has its (single) FVM completion."""


def fvm_completion_record(
    *,
    enrollment: Enrollment,
    minutes_taken: int,
    evidence: str,
    rating: int,
    completed_at: datetime | None = None,
    now: datetime | None = None,
) -> FvmCompletion:
    """Record the FVM once. A concurrent or repeated call raises FvmAlreadyRecorded.

    Exactly-once rests on the unique constraint on ``enrollment``, not on a prior check.
    """
    now = now or timezone.now()
    completed_at = completed_at or now
    errors: dict[str, str] = {}
    if isinstance(minutes_taken, bool) or not isinstance(minutes_taken, int) or minutes_taken < 1:
        errors["minutes_taken"] = "Minutes taken must be a whole number, 1 or more."
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        errors["rating"] = "Rating must be a whole number from 1 to 5."
    if not str(evidence or "").strip():
        errors["evidence"] = "Say where the result is (a link) or what it was (a note)."
    if timezone.is_naive(completed_at):
        errors["completed_at"] = "Give the time with its timezone offset."
    else:
        if completed_at > now:
            errors["completed_at"] = "The completion cannot be in the future."
        elif workdays.local_date(completed_at, enrollment.timezone) < enrollment.start_date:
            errors["completed_at"] = "The completion cannot be before the start date."
    if errors:
        raise ValidationError(errors)

    local_day = workdays.local_date(completed_at, enrollment.timezone)
    try:
        with transaction.atomic():
            return FvmCompletion.objects.create(
                enrollment=enrollment,
                completed_at=completed_at,
                local_date=local_day,
                ttv=workdays.ttv(enrollment.start_date, local_day, holiday_dates()),
                minutes_taken=minutes_taken,
                minutes_saved=enrollment.version.fvm_baseline_minutes - minutes_taken,
                evidence=str(evidence).strip(),
                rating=rating,
            )
    except IntegrityError as exc:
        raise FvmAlreadyRecorded(f"{enrollment} has already recorded first value") from exc


def _check_step(enrollment: Enrollment, step: PathStep) -> None:
    if step.version_id != enrollment.version_id:
        raise ValidationError({"step": "This step is not on your path."})


def step_complete(
    *, enrollment: Enrollment, step: PathStep, now: datetime | None = None
) -> StepCompletion:
    """Mark a path step done (idempotent)."""
    _check_step(enrollment, step)
    completion, _ = StepCompletion.objects.get_or_create(
        enrollment=enrollment, step=step, defaults={"done_at": now or timezone.now()}
    )
    return completion


def step_undo(*, enrollment: Enrollment, step: PathStep) -> None:
    _check_step(enrollment, step)
    StepCompletion.objects.filter(enrollment=enrollment, step=step).delete()


def enrollment_first_visit_mark(*, enrollment: Enrollment, now: datetime | None = None) -> bool:
    """Record the first visit to the checklist once; a conditional update, so only the
    first of concurrent visits writes. Returns whether this call recorded it."""
    if enrollment.first_visit_at is not None:
        return False
    now = now or timezone.now()
    updated = Enrollment.objects.filter(pk=enrollment.pk, first_visit_at__isnull=True).update(
        first_visit_at=now
    )
    if updated:
        enrollment.first_visit_at = now
    return bool(updated)
