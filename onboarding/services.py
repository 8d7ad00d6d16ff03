"""Writes for enrollments: enrolling people and generating their dated path.

Every way in goes through here: ``enrollment_enroll`` (by email: the API's one person, the
demo, the tests), ``enrollment_create`` / ``enrollment_update`` (the admin's forms, by
account), and the bulk import (``enroll_csv``), which shares the building blocks below so
that it writes the same rows. Bad input raises ``ValidationError`` naming the field; nothing
is written then. See docs/enrollment.md.
"""

import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone as dj_timezone

from audit.services import audit_record
from audit.services import snapshot as audit_snapshot
from roles.models import RolePackVersion, Track

from . import pgcopy, workdays
from .accounts import User, enroll_lock, user_get_or_create
from .enroll_rows import self_problem
from .models import Enrollment, EnrollmentDay, OrgSettings, StepCompletion
from .selectors.enrollments import holiday_dates

PATH_DAYS = (1, 2, 3, 4, 5, 6, 7)
CHECKIN_DAYS = (30, 90)
TRACKED_DAYS = PATH_DAYS + CHECKIN_DAYS
# A day carries its enrollment's version (the sweep matches days to a version's interventions
# by it): every writer below takes it from the enrollment, saved by then.
DAY_FIELDS = ("enrollment", "version", "number", "date", "begins_at")

UNPUBLISHED = "people can only be enrolled in a published version"


@lru_cache(maxsize=4096)
def _dates_for(start: date, holidays: frozenset[date]) -> tuple[tuple[int, date], ...]:
    return tuple(workdays.working_days(start, TRACKED_DAYS, holidays).items())


@lru_cache(maxsize=65536)
def _instant(day: date, hour: int, zone: ZoneInfo) -> datetime:
    return workdays.local_instant(day, hour, zone)


def enrollment_dates_set(
    *, enrollment: Enrollment, holidays: frozenset[date], nudge_hour: int
) -> list[tuple[int, date, datetime]]:
    """Set the enrollment's derived dates; return its working days as (number, date, begins_at).

    Dates are a snapshot: later holiday changes do not move them (see docs/enrollment.md).
    """
    dates = _dates_for(enrollment.start_date, holidays)
    zone = workdays.valid_timezone(enrollment.timezone)
    by_number = dict(dates)
    enrollment.day1 = by_number[1]
    enrollment.day7 = by_number[7]
    enrollment.window_ends_at = _instant(by_number[7] + timedelta(days=1), 0, zone)
    return [(n, d, _instant(d, nudge_hour, zone)) for n, d in dates]


DayRow = tuple[Enrollment, int, date, datetime]


def enrollment_days_replace(*, days: list[DayRow], enrollment_ids: Iterable[int]) -> None:
    """Replace the working days of the given enrollments by ``days`` (idempotent).

    ``days`` are (enrollment, number, date, begins_at); the enrollments are saved by now,
    with their current version (a role switch has set the new one), which the days take.
    """
    ids = list(enrollment_ids)
    if ids:
        EnrollmentDay.objects.filter(enrollment_id__in=ids).delete()
    if not days:
        return
    if connection.vendor == "postgresql":
        pgcopy.copy_rows(
            EnrollmentDay, DAY_FIELDS, ((e.pk, e.version_id, n, d, b) for e, n, d, b in days)
        )
    else:
        EnrollmentDay.objects.bulk_create(
            [_day(e, n, d, b) for e, n, d, b in days],
            batch_size=2000,
        )


def _day(enrollment: Enrollment, number: int, day: date, begins_at: datetime) -> EnrollmentDay:
    return EnrollmentDay(
        enrollment=enrollment,
        version_id=enrollment.version_id,
        number=number,
        date=day,
        begins_at=begins_at,
    )


def holdout_draw(version: RolePackVersion) -> bool:
    return random.random() * 100 < version.holdout_percent


def enrollment_apply(
    *,
    enrollment: Enrollment | None,
    user: "User",
    version: RolePackVersion,
    current_pack_id: int | None,
    start_date: date,
    name: str,
    track: str,
    timezone: str,
    manager: "User | None",
    buddy: "User | None",
) -> tuple[Enrollment, bool]:
    """Set an enrollment's fields as one enroll row says; return it and whether the role changed.

    A re-enrolled person keeps their current version while the role is unchanged; a new role
    moves them to its latest published version. Holdout is drawn once, for new enrollments.
    """
    switched = False
    if enrollment is None:
        # user_id, not user=: the one-to-one would cache each side on the other, and those
        # reference cycles outlive a batch until a full garbage collection.
        enrollment = Enrollment(user_id=user.pk, version=version, holdout=holdout_draw(version))
    elif current_pack_id != version.pack_id:
        enrollment.version = version
        switched = True
    enrollment.name = name or enrollment.name or user.get_full_name()
    enrollment.track = track
    enrollment.start_date = start_date
    enrollment.timezone = timezone
    enrollment.manager = manager
    enrollment.buddy = buddy
    return enrollment, switched


def step_completions_prune(*, enrollment_ids: Iterable[int]) -> None:
    """Drop step completions that are not on the enrollment's (new) version's path."""
    ids = list(enrollment_ids)
    if ids:
        StepCompletion.objects.filter(enrollment_id__in=ids).exclude(
            step__version=F("enrollment__version")
        ).delete()


def enrollment_validate(
    *,
    user: "User",
    version: RolePackVersion,
    timezone: str,
    manager: "User | None" = None,
    buddy: "User | None" = None,
) -> None:
    """Refuse what no enrollment may be: ValidationError with a message per field."""
    errors: dict[str, str] = {}
    if not version.is_published:
        errors["version"] = UNPUBLISHED
    try:
        workdays.valid_timezone(timezone)
    except ValueError:
        errors["timezone"] = workdays.timezone_problem(timezone)
    for field, other in (("manager", manager), ("buddy", buddy)):
        if other is not None and user is not None and other.pk == user.pk:
            errors[field] = self_problem(user.email, field)
    if errors:
        raise ValidationError(errors)


@dataclass(frozen=True)
class _Details:
    """What an enroll row, an admin form or a call says about an enrollment."""

    start_date: date
    name: str
    track: str
    timezone: str | None
    manager: "User | None"
    buddy: "User | None"
    values: dict | None


def _enrollment_write(
    *, existing: Enrollment | None, user: "User", version: RolePackVersion, details: _Details
) -> Enrollment:
    """Validate, set the fields, (re)generate the dated path and record it in the audit trail."""
    timezone = details.timezone or settings.TIME_ZONE
    enrollment_validate(
        user=user, version=version, timezone=timezone, manager=details.manager, buddy=details.buddy
    )
    before = audit_snapshot(existing) if existing else None
    enrollment, switched = enrollment_apply(
        enrollment=existing,
        user=user,
        version=version,
        current_pack_id=existing.version.pack_id if existing else None,
        start_date=details.start_date,
        name=details.name,
        track=details.track,
        timezone=timezone,
        manager=details.manager,
        buddy=details.buddy,
    )
    enrollment.user = user
    if details.values is not None:
        enrollment.values = details.values
    dates = enrollment_dates_set(
        enrollment=enrollment, holidays=holiday_dates(), nudge_hour=OrgSettings.load().nudge_hour
    )
    enrollment.save()
    EnrollmentDay.objects.filter(enrollment=enrollment).delete()
    EnrollmentDay.objects.bulk_create([_day(enrollment, n, d, b) for n, d, b in dates])
    if switched:
        step_completions_prune(enrollment_ids=[enrollment.pk])
    audit_record(
        actor=None,
        action="enrollment.change" if existing else "enrollment.create",
        obj=enrollment,
        before=before,
        after=enrollment,
    )
    return enrollment


@transaction.atomic
def enrollment_enroll(
    *,
    email: str,
    version: RolePackVersion,
    start_date: date,
    name: str = "",
    track: str = Track.PRESCRIPTIVE,
    timezone: str | None = None,
    manager_email: str = "",
    buddy_email: str = "",
    values: dict | None = None,
) -> Enrollment:
    """Enroll one person by email (or update their enrollment) and (re)generate their path.

    ``version`` names the role: a person already enrolled in that role keeps their version.
    The bulk import (``enroll_csv``) goes through the same building blocks in batches.
    """
    enroll_lock()
    user = user_get_or_create(email=email, name=name)
    existing = Enrollment.objects.filter(user=user).select_related("version").first()
    manager = user_get_or_create(email=manager_email) if manager_email else None
    buddy = user_get_or_create(email=buddy_email) if buddy_email else None
    details = _Details(start_date, name, track, timezone, manager, buddy, values)
    return _enrollment_write(existing=existing, user=user, version=version, details=details)


@transaction.atomic
def enrollment_create(
    *,
    user: "User",
    version: RolePackVersion,
    start_date: date,
    name: str = "",
    track: str = Track.PRESCRIPTIVE,
    timezone: str | None = None,
    manager: "User | None" = None,
    buddy: "User | None" = None,
    values: dict | None = None,
) -> Enrollment:
    """Enroll an existing account (the admin's add form); refused if it is enrolled already."""
    if Enrollment.objects.filter(user=user).exists():
        raise ValidationError({"user": f"{user.email or user} is already enrolled."})
    details = _Details(start_date, name, track, timezone, manager, buddy, values)
    return _enrollment_write(existing=None, user=user, version=version, details=details)


@transaction.atomic
def enrollment_update(
    *,
    enrollment: Enrollment,
    start_date: date,
    name: str,
    track: str,
    timezone: str,
    manager: "User | None",
    buddy: "User | None",
    values: dict | None = None,
) -> Enrollment:
    """Change an enrollment (the admin's change form) and re-date its path.

    It keeps its person and its version, as re-enrolling in the same role does.
    """
    existing = (
        Enrollment.objects.select_for_update()
        .select_related("user", "version")
        .get(pk=enrollment.pk)
    )
    details = _Details(start_date, name, track, timezone, manager, buddy, values)
    return _enrollment_write(
        existing=existing, user=existing.user, version=existing.version, details=details
    )


@transaction.atomic
def enrollments_delete(*, enrollments: Iterable[Enrollment]) -> int:
    """Delete enrollments with their path and progress, each recorded in the audit trail."""
    count = 0
    for enrollment in enrollments:
        audit_record(actor=None, action="enrollment.delete", obj=enrollment, before=enrollment)
        enrollment.delete()
        count += 1
    return count


@transaction.atomic
def enrollment_paths_regenerate(
    *, enrollments: Iterable[Enrollment], today: date | None = None
) -> tuple[int, int]:
    """Re-date the paths of enrollments whose working day 1 has not passed yet.

    Used after the organisation's holidays change; enrollments already under way keep
    their snapshot. Returns (regenerated, skipped).
    """
    holidays = holiday_dates()
    nudge_hour = OrgSettings.load().nudge_hour
    now = dj_timezone.now()
    changed: list[Enrollment] = []
    days: list[DayRow] = []
    skipped = 0
    for enrollment in enrollments:
        local_today = today or workdays.local_date(now, enrollment.timezone)
        if enrollment.day1 is not None and enrollment.day1 < local_today:
            skipped += 1
            continue
        for n, d, begins_at in enrollment_dates_set(
            enrollment=enrollment, holidays=holidays, nudge_hour=nudge_hour
        ):
            days.append((enrollment, n, d, begins_at))
        enrollment.updated_at = now
        changed.append(enrollment)
    Enrollment.objects.bulk_update(
        changed, ["day1", "day7", "window_ends_at", "updated_at"], batch_size=500
    )
    enrollment_days_replace(days=days, enrollment_ids=[e.pk for e in changed])
    return len(changed), skipped
