"""Writes for a person's progress: steps done and the First Value Moment."""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.services import audit_record, snapshot
from roles.models import PathStep

from . import workdays
from .models import Enrollment, FvmCompletion, StepCompletion
from .selectors.enrollments import holiday_dates, path_steps_for

FVM_TASK = PathStep.Kind.FVM_TASK


# Minutes far above the role's baseline are more often a typo (hours typed as minutes, an
# extra zero) than a first try: above CONFIRM_TIMES × baseline the person is first asked to
# confirm the figure; a confirmed figure above REFUSE_TIMES × baseline, or a working day and
# night (REFUSE_MINUTES), is refused, since one such figure turns the organisation's value
# into a large negative number.
CONFIRM_TIMES = 3
REFUSE_TIMES = 10
REFUSE_MINUTES = 24 * 60
# A recorded FVM may be corrected for this many calendar days after it was recorded.
CORRECTION_DAYS = 7

FVM_FIELDS = ("minutes_taken", "evidence", "rating", "completed_at")


class FvmAlreadyRecorded(Exception):
    """The enrollment already has its (single) FVM completion."""


class FvmCorrectionClosed(Exception):
    """The FVM was recorded more than CORRECTION_DAYS calendar days ago."""


def fvm_minutes_limits(baseline_minutes: int) -> tuple[int, int]:
    """(confirm above, refuse above) for a role whose FVM takes ``baseline_minutes`` without AI."""
    return CONFIRM_TIMES * baseline_minutes, min(REFUSE_TIMES * baseline_minutes, REFUSE_MINUTES)


def fvm_correctable_until(fvm: FvmCompletion) -> datetime:
    return fvm.created_at + timedelta(days=CORRECTION_DAYS)


def fvm_is_correctable(fvm: FvmCompletion, now: datetime | None = None) -> bool:
    return fvm.pk is not None and (now or timezone.now()) <= fvm_correctable_until(fvm)


def _as_hours(minutes: int) -> str:
    hours = minutes / 60
    return f"about {hours:,.0f} hours" if hours >= 10 else f"about {hours:.1f} hours"


def _minutes_error(minutes: int, baseline: int, confirmed: bool) -> ValidationError | None:
    confirm_above, refuse_above = fvm_minutes_limits(baseline)
    if minutes > confirm_above and not confirmed:
        return ValidationError(
            f"{minutes:,} minutes ({_as_hours(minutes)}) is more than {CONFIRM_TIMES} times the "
            f"{baseline} minutes this takes without AI. Check the figure (minutes, not seconds "
            "or hours); if it really took that long, confirm it.",
            code="confirm",
        )
    if minutes > refuse_above:
        return ValidationError(
            f"{minutes:,} minutes is more than this task could take: without AI it takes about "
            f"{baseline} minutes, and at most {refuse_above:,} minutes can be recorded. "
            "Check the figure (minutes, not seconds or hours).",
            code="too_many",
        )
    return None


def _fvm_errors(
    enrollment: Enrollment, values: dict, *, now: datetime, confirmed: bool
) -> dict[str, ValidationError]:
    minutes, rating = values["minutes_taken"], values["rating"]
    completed_at = values["completed_at"]
    errors: dict[str, ValidationError] = {}
    if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes < 1:
        errors["minutes_taken"] = ValidationError(
            "Minutes taken must be a whole number, 1 or more."
        )
    else:
        problem = _minutes_error(minutes, enrollment.version.fvm_baseline_minutes, confirmed)
        if problem is not None:
            errors["minutes_taken"] = problem
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        errors["rating"] = ValidationError("Rating must be a whole number from 1 to 5.")
    if not str(values["evidence"] or "").strip():
        errors["evidence"] = ValidationError(
            "Say where the result is (a link) or what it was (a note)."
        )
    if timezone.is_naive(completed_at):
        errors["completed_at"] = ValidationError("Give the time with its timezone offset.")
    elif completed_at > now:
        errors["completed_at"] = ValidationError("The completion cannot be in the future.")
    elif workdays.local_date(completed_at, enrollment.timezone) < enrollment.start_date:
        errors["completed_at"] = ValidationError("The completion cannot be before the start date.")
    return errors


def _derive(enrollment: Enrollment, values: dict) -> dict:
    """The stored fields that follow from what the person says: local date, TTV, saving."""
    local_day = workdays.local_date(values["completed_at"], enrollment.timezone)
    return {
        **values,
        "evidence": str(values["evidence"]).strip(),
        "local_date": local_day,
        "ttv": workdays.ttv(enrollment.start_date, local_day, holiday_dates()),
        "minutes_saved": enrollment.version.fvm_baseline_minutes - values["minutes_taken"],
    }


def _fvm_step_done(enrollment: Enrollment, done_at: datetime) -> None:
    """The FVM task on the person's path is done when, and only when, first value is recorded."""
    step = path_steps_for(enrollment.version, enrollment.track).filter(kind=FVM_TASK).first()
    if step is not None:
        StepCompletion.objects.update_or_create(
            enrollment=enrollment, step=step, defaults={"done_at": done_at}
        )


def fvm_completion_record(
    *,
    enrollment: Enrollment,
    minutes_taken: int,
    evidence: str,
    rating: int,
    completed_at: datetime | None = None,
    confirmed: bool = False,
    now: datetime | None = None,
) -> FvmCompletion:
    """Record the FVM once, and mark the FVM task done. A concurrent or repeated call raises
    FvmAlreadyRecorded; bad input raises ValidationError keyed by field (code ``confirm`` on
    minutes_taken: far above the baseline, pass ``confirmed=True`` once the person confirms).

    Exactly-once rests on the unique constraint on ``enrollment``, not on a prior check.
    """
    now = now or timezone.now()
    values = {
        "minutes_taken": minutes_taken,
        "evidence": evidence,
        "rating": rating,
        "completed_at": completed_at or now,
    }
    errors = _fvm_errors(enrollment, values, now=now, confirmed=confirmed)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            fvm = FvmCompletion.objects.create(enrollment=enrollment, **_derive(enrollment, values))
            _fvm_step_done(enrollment, fvm.completed_at)
            audit_record(actor=enrollment.user, action="fvm.record", obj=fvm, after=fvm)
    except IntegrityError as exc:
        raise FvmAlreadyRecorded(f"{enrollment} has already recorded first value") from exc
    return fvm


def fvm_completion_correct(
    *,
    enrollment: Enrollment,
    changes: dict,
    confirmed: bool = False,
    now: datetime | None = None,
) -> FvmCompletion:
    """Correct the person's FVM (any of FVM_FIELDS in ``changes``) within CORRECTION_DAYS
    calendar days of recording it; the same rules as recording, on the corrected whole.

    Raises FvmCompletion.DoesNotExist (nothing recorded), FvmCorrectionClosed (too late) or
    ValidationError. Reports read the row, so they use the corrected values; the audit log
    keeps what it was before.
    """
    now = now or timezone.now()
    unknown = set(changes) - set(FVM_FIELDS)
    if unknown:
        raise ValidationError({name: "This field cannot be changed." for name in sorted(unknown)})
    with transaction.atomic():
        fvm = FvmCompletion.objects.select_for_update().get(enrollment=enrollment)
        if not fvm_is_correctable(fvm, now):
            raise FvmCorrectionClosed(
                f"First value can be corrected for {CORRECTION_DAYS} days after it is recorded."
            )
        values = {name: getattr(fvm, name) for name in FVM_FIELDS}
        values.update({k: v for k, v in changes.items() if v is not None})
        # The same figure as before needs no second confirmation.
        same_minutes = values["minutes_taken"] == fvm.minutes_taken
        errors = _fvm_errors(enrollment, values, now=now, confirmed=confirmed or same_minutes)
        if errors:
            raise ValidationError(errors)
        before = snapshot(fvm)
        for name, value in _derive(enrollment, values).items():
            setattr(fvm, name, value)
        fvm.save()
        _fvm_step_done(enrollment, fvm.completed_at)
        audit_record(actor=enrollment.user, action="fvm.correct", obj=fvm, before=before, after=fvm)
    return fvm


def _check_step(enrollment: Enrollment, step: PathStep) -> None:
    if step.version_id != enrollment.version_id:
        raise ValidationError({"step": "This step is not on your path."})


def step_complete(
    *, enrollment: Enrollment, step: PathStep, now: datetime | None = None
) -> StepCompletion:
    """Mark a path step done (idempotent). The FVM task is done by recording first value."""
    _check_step(enrollment, step)
    if step.kind == FVM_TASK:
        raise ValidationError({"step": "The FVM task is done by recording your first value."})
    completion, _ = StepCompletion.objects.get_or_create(
        enrollment=enrollment, step=step, defaults={"done_at": now or timezone.now()}
    )
    return completion


def step_undo(*, enrollment: Enrollment, step: PathStep) -> None:
    _check_step(enrollment, step)
    recorded = FvmCompletion.objects.filter(enrollment=enrollment).exists()
    if step.kind == FVM_TASK and recorded:
        raise ValidationError({"step": "The FVM task stays done once first value is recorded."})
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
