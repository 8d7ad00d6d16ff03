"""Writes for onboarding: enrolling people and generating their dated path.

The single-person ``enrollment_enroll`` and the bulk import (``enroll_csv``) share the
building blocks below, so both produce the same rows.
"""

import random
import secrets
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from functools import lru_cache
from operator import attrgetter
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import connection, transaction
from django.db.models import Exists, F, JSONField, OuterRef, Q, QuerySet
from django.utils import timezone as dj_timezone

from audit.services import audit_record
from audit.services import snapshot as audit_snapshot
from roles.models import PathStep, RolePackVersion, Track

from . import calendar
from .models import Enrollment, EnrollmentDay, Holiday, OrgSettings, StepCompletion

User = get_user_model()

PATH_DAYS = (1, 2, 3, 4, 5, 6, 7)
CHECKIN_DAYS = (30, 90)
TRACKED_DAYS = PATH_DAYS + CHECKIN_DAYS

# Any constant will do: it only has to be the same for every enrolling transaction.
_ENROLL_LOCK_KEY = 0x46560001


def holiday_dates() -> frozenset[date]:
    return frozenset(Holiday.objects.values_list("date", flat=True))


def enroll_lock() -> None:
    """Serialise enrolling transactions on PostgreSQL.

    ``auth_user.email`` is not unique, so two imports naming the same new person at
    once could each create an account; a transaction-scoped advisory lock prevents it.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ENROLL_LOCK_KEY])


def unusable_password() -> str:
    # Same shape as Django's make_password(None), without 40 secrets.choice calls per user.
    return UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30)


def user_build(*, email: str, name: str = "") -> "User":
    """An unsaved account for ``email`` (stored lower-case), without a usable password."""
    email = email.strip().lower()
    first, _, last = name.strip().partition(" ")
    return User(
        username=email[:150],
        email=email,
        first_name=first[:150],
        last_name=last.strip()[:150],
        password=unusable_password(),
    )


def user_get_or_create(*, email: str, name: str = "") -> "User":
    """The account for ``email`` (case-insensitive), created without a usable password."""
    email = email.strip()
    user = User.objects.filter(email__iexact=email).order_by("id").first()
    if user is None:
        user = user_build(email=email, name=name)
        user.save()
    return user


@lru_cache(maxsize=4096)
def _dates_for(start: date, holidays: frozenset[date]) -> tuple[tuple[int, date], ...]:
    return tuple(calendar.working_days(start, TRACKED_DAYS, holidays).items())


@lru_cache(maxsize=65536)
def _instant(day: date, hour: int, zone: ZoneInfo) -> datetime:
    return calendar.local_instant(day, hour, zone)


def enrollment_dates_set(
    *, enrollment: Enrollment, holidays: frozenset[date], nudge_hour: int
) -> list[tuple[int, date, datetime]]:
    """Set the enrollment's derived dates; return its working days as (number, date, begins_at).

    Dates are a snapshot: later holiday changes do not move them (see docs/enrollment.md).
    """
    dates = _dates_for(enrollment.start_date, holidays)
    zone = calendar.valid_timezone(enrollment.timezone)
    by_number = dict(dates)
    enrollment.day1 = by_number[1]
    enrollment.day7 = by_number[7]
    enrollment.window_ends_at = _instant(by_number[7] + timedelta(days=1), 0, zone)
    return [(n, d, _instant(d, nudge_hour, zone)) for n, d in dates]


def enrollment_days_build(
    *, enrollment: Enrollment, holidays: frozenset[date], nudge_hour: int
) -> list[EnrollmentDay]:
    """Set the enrollment's derived dates and return its (unsaved) working days."""
    return [
        EnrollmentDay(enrollment=enrollment, number=n, date=d, begins_at=begins_at)
        for n, d, begins_at in enrollment_dates_set(
            enrollment=enrollment, holidays=holidays, nudge_hour=nudge_hour
        )
    ]


DayRow = tuple[Enrollment, int, date, datetime]


def enrollment_days_replace(*, days: list[DayRow], enrollment_ids: Iterable[int]) -> None:
    """Replace the working days of the given enrollments by ``days`` (idempotent).

    ``days`` are (enrollment, number, date, begins_at); the enrollments are saved by now.
    """
    ids = list(enrollment_ids)
    if ids:
        EnrollmentDay.objects.filter(enrollment_id__in=ids).delete()
    if not days:
        return
    if connection.vendor == "postgresql":
        _copy_days(days)
    else:
        EnrollmentDay.objects.bulk_create(
            [EnrollmentDay(enrollment=e, number=n, date=d, begins_at=b) for e, n, d, b in days],
            batch_size=2000,
        )


def _copy_days(days: list[DayRow]) -> None:
    # COPY is several times faster than INSERT for the 9 rows per person of a large import.
    table = EnrollmentDay._meta.db_table
    with connection.cursor() as cursor:
        with cursor.cursor.copy(
            f"COPY {table} (enrollment_id, number, date, begins_at) FROM STDIN"
        ) as copy:
            for enrollment, number, day, begins_at in days:
                copy.write_row((enrollment.pk, number, day, begins_at))


def bulk_insert(model, objs: list) -> None:
    """Insert unsaved instances and set their ids: COPY on PostgreSQL, else bulk_create.

    On PostgreSQL the ids are reserved from the table's sequence first, so COPY (which
    returns nothing) can be used; for a 100k-person import it is several times faster than
    INSERT. No signals are sent, as with bulk_create.
    """
    if not objs:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objs, batch_size=1000)
        return
    from psycopg.types.json import Jsonb

    meta = model._meta
    quote = connection.ops.quote_name
    fields = meta.concrete_fields
    now = dj_timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [quote(meta.db_table), meta.pk.column, len(objs)],
        )
        for obj, (pk,) in zip(objs, cursor.fetchall(), strict=True):
            obj.pk = pk
            obj._state.adding = False
            obj._state.db = connection.alias
        getters = []
        for f in fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                getters.append(lambda obj, f=f: _set_now(obj, f.attname, now))
            elif isinstance(f, JSONField):
                getters.append(lambda obj, f=f: Jsonb(getattr(obj, f.attname)))
            else:
                getters.append(attrgetter(f.attname))
        columns = ", ".join(quote(f.column) for f in fields)
        with cursor.cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                copy.write_row([get(obj) for get in getters])


def _set_now(obj, attname: str, now: datetime) -> datetime:
    setattr(obj, attname, now)
    return now


def path_steps_for(version: RolePackVersion, track: str) -> QuerySet[PathStep]:
    """The version's steps for ``track``, in path order, as one lazy query.

    An exploratory person in a pack without exploratory steps follows the prescriptive track.
    """
    steps = PathStep.objects.filter(version=version)
    if track == Track.PRESCRIPTIVE:
        chosen = Q(track=Track.PRESCRIPTIVE)
    else:
        has_own = Exists(PathStep.objects.filter(version=OuterRef("version"), track=track))
        chosen = Q(track=track) | (Q(track=Track.PRESCRIPTIVE) & ~has_own)
    return steps.filter(chosen).order_by("day", "order", "id")


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
    """Enroll one person (or update their enrollment) and (re)generate their dated path.

    ``version`` names the role: a person already enrolled in that role keeps their version.
    The bulk import (``enroll_csv``) goes through the same building blocks in batches.
    """
    if not version.is_published:
        raise ValueError("people can only be enrolled in a published version")
    timezone = timezone or settings.TIME_ZONE
    calendar.valid_timezone(timezone)
    enroll_lock()
    user = user_get_or_create(email=email, name=name)
    manager = user_get_or_create(email=manager_email) if manager_email else None
    buddy = user_get_or_create(email=buddy_email) if buddy_email else None
    existing = Enrollment.objects.filter(user=user).select_related("version").first()
    before = audit_snapshot(existing) if existing else None  # audit (h7)
    enrollment, switched = enrollment_apply(
        enrollment=existing,
        user=user,
        version=version,
        current_pack_id=existing.version.pack_id if existing else None,
        start_date=start_date,
        name=name,
        track=track,
        timezone=timezone,
        manager=manager,
        buddy=buddy,
    )
    enrollment.user = user
    if values is not None:
        enrollment.values = values
    org = OrgSettings.load()
    days = enrollment_days_build(
        enrollment=enrollment, holidays=holiday_dates(), nudge_hour=org.nudge_hour
    )
    enrollment.save()
    EnrollmentDay.objects.filter(enrollment=enrollment).delete()
    EnrollmentDay.objects.bulk_create(days)
    if switched:
        step_completions_prune(enrollment_ids=[enrollment.pk])
    audit_record(  # audit (h7)
        actor=None,
        action="enrollment.change" if existing else "enrollment.create",
        obj=enrollment,
        before=before,
        after=enrollment,
    )
    return enrollment


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
        local_today = today or calendar.local_date(now, enrollment.timezone)
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


@transaction.atomic
def holidays_load(*, country: str, year: int, subdiv: str | None = None) -> tuple[int, int]:
    """Load a country's public holidays for a year into Holiday (idempotent).

    Returns (created, updated). Existing enrollments keep their dates (a snapshot).
    """
    import holidays as holidays_lib

    try:
        found = holidays_lib.country_holidays(country.upper(), subdiv=subdiv, years=year)
    except NotImplementedError as exc:
        raise ValueError(f"{country}: {exc}") from exc
    created = updated = 0
    for day, name in sorted(found.items()):
        obj, was_created = Holiday.objects.get_or_create(date=day, defaults={"name": name[:120]})
        if was_created:
            created += 1
        elif obj.name != name[:120]:
            obj.name = name[:120]
            obj.save(update_fields=["name"])
            updated += 1
    return created, updated
