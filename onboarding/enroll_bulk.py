"""The bulk writer behind the enrollment import: one batch of checked rows at a time.

One lookup of existing accounts and enrollments per batch; new accounts, enrollments and their
working days rendered straight to COPY text on PostgreSQL (``pgcopy``), bulk_create elsewhere;
one ``UPDATE … FROM (VALUES …)`` for the people already enrolled. The rows are those
``services.enrollment_enroll`` would write. See docs/enrollment.md, "Performance".
"""

from collections.abc import Iterator, Mapping
from datetime import date, datetime
from functools import lru_cache
from typing import NamedTuple

from django.db import connection
from django.db.models.functions import Lower
from django.utils import timezone as dj_timezone

from roles.models import RolePackVersion

from . import pgcopy, services
from .accounts import User, unusable_passwords, user_build, user_names
from .enroll_rows import Row
from .models import Enrollment, EnrollmentDay

_UPDATE_FIELDS = (
    "version",
    "name",
    "track",
    "start_date",
    "timezone",
    "manager",
    "buddy",
    "day1",
    "day7",
    "window_ends_at",
    "updated_at",
)
# Every column, in the model's order: the order the COPY text below is rendered in.
_ENROLLMENT_COPY_FIELDS = tuple(f.name for f in Enrollment._meta.concrete_fields)
_USER_COPY_FIELDS = tuple(f.name for f in User._meta.concrete_fields)


class _Account(NamedTuple):
    """What the import needs of an account: its id, its full name, and whether this import
    created it (then it has no enrollment yet: a file names each person once)."""

    pk: int
    full_name: str
    created: bool = False

    def get_full_name(self) -> str:
        return self.full_name


class _Fresh(NamedTuple):
    """A person enrolled for the first time, before their row is written."""

    row: Row
    person: _Account
    version: RolePackVersion
    holdout: bool
    name: str


def batch_write(
    batch: list[Row],
    versions: Mapping[str, RolePackVersion],
    holidays: frozenset[date],
    nudge_hour: int,
    colleagues: dict[str, "_Account"] | None = None,
) -> tuple[int, int]:
    """Write one batch; return (created, updated). New enrollments are plain tuples (no model
    instances): on PostgreSQL they and their working days go to COPY as pre-rendered text.

    ``colleagues``: the accounts of managers and buddies met in earlier batches of the same
    import (filled in here), so each is looked up once per import, not once per batch."""
    users = _users_for(batch, {} if colleagues is None else colleagues)
    now = dj_timezone.now()
    fresh, changed, switched = _sort_out(batch, users, versions, now)
    days = [
        (enrollment, n, d, begins_at)
        for enrollment in changed
        for n, d, begins_at in services.enrollment_dates_set(
            enrollment=enrollment, holidays=holidays, nudge_hour=nudge_hour
        )
    ]
    if connection.vendor == "postgresql":
        _copy_new_enrollments(fresh, users, holidays, nudge_hour, now)
    else:
        _create_new_enrollments(fresh, users, holidays, nudge_hour)
    if changed:
        _update_enrollments(changed)
    services.enrollment_days_replace(days=days, enrollment_ids=[e.pk for e in changed])
    services.step_completions_prune(enrollment_ids=switched)
    return len(fresh), len(changed)


def _sort_out(
    batch: list[Row], users: dict[str, _Account], versions, now: datetime
) -> tuple[list[_Fresh], list[Enrollment], list[int]]:
    """(people new to enrollment, enrollments changed in place, ids of those whose role moved)."""
    people = [users[row.email] for row in batch]
    existing = _existing_enrollments([person.pk for person in people if not person.created])
    fresh: list[_Fresh] = []
    changed: list[Enrollment] = []
    switched: list[int] = []
    for row, person in zip(batch, people, strict=True):
        version = versions[row.role]
        current = existing.get(person.pk)
        if current is None:
            # The same draw, in the same order, as enrollment_apply makes for a new enrollment.
            holdout = services.holdout_draw(version)
            fresh.append(_Fresh(row, person, version, holdout, row.name or person.full_name))
            continue
        enrollment, moved = services.enrollment_apply(
            enrollment=current,
            user=person,
            version=version,
            current_pack_id=current.version.pack_id,
            start_date=row.start_date,
            name=row.name,
            track=row.track,
            timezone=row.timezone,
            manager=None,
            buddy=None,
        )
        enrollment.manager_id = users[row.manager_email].pk if row.manager_email else None
        enrollment.buddy_id = users[row.buddy_email].pk if row.buddy_email else None
        enrollment.updated_at = now
        changed.append(enrollment)
        if moved:
            switched.append(enrollment.pk)
    return fresh, changed, switched


@lru_cache(maxsize=4096)
def _path_dates(
    start: date, zone_name: str, nudge_hour: int, holidays: frozenset[date]
) -> tuple[date, date, datetime, tuple[tuple[int, date, datetime], ...], str]:
    """(day1, day7, window_ends_at, days, days as COPY text after the id) for a start/zone.

    Few distinct (start date, timezone) pairs occur, so each is worked out once.
    """
    probe = Enrollment(start_date=start, timezone=zone_name)
    days = tuple(
        services.enrollment_dates_set(enrollment=probe, holidays=holidays, nudge_hour=nudge_hour)
    )
    # "@" stands for the enrollment and version ids (services.DAY_FIELDS' first two columns):
    # it appears in no date or timestamp.
    text = "".join(f"@\t{n}\t{d.isoformat()}\t{b.isoformat()}\n" for n, d, b in days)
    return probe.day1, probe.day7, probe.window_ends_at, days, text


def _colleague_id(users: dict[str, _Account], email: str) -> int | None:
    return users[email].pk if email else None


def _copy_id(pk: int | None) -> str:
    return pgcopy.NULL if pk is None else str(pk)


def _copy_new_enrollments(fresh: list[_Fresh], users, holidays, nudge_hour: int, now) -> None:
    if not fresh:
        return
    ids = pgcopy.reserve_ids(Enrollment, len(fresh))
    stamp = now.isoformat()
    days: list[str] = []

    def rendered() -> Iterator[str]:  # streamed to COPY: rendering overlaps the writing
        for pk, new in zip(ids, fresh, strict=True):
            row = new.row
            day1, day7, ends, _, day_text = _path_dates(
                row.start_date, row.timezone, nudge_hour, holidays
            )
            manager = _colleague_id(users, row.manager_email)
            buddy = _colleague_id(users, row.buddy_email)
            days.append(day_text.replace("@", f"{pk}\t{new.version.pk}"))
            yield (
                f"{pk}\t{new.person.pk}\t{new.version.pk}\t{pgcopy.text(new.name)}\t{row.track}\t"
                f"{_copy_id(manager)}\t{_copy_id(buddy)}\t"
                f"{row.start_date.isoformat()}\t{pgcopy.text(row.timezone)}\t"
                f"{{}}\t{'t' if new.holdout else 'f'}\t{day1.isoformat()}\t{day7.isoformat()}\t"
                f"{ends.isoformat()}\t{pgcopy.NULL}\t{stamp}\t{stamp}\n"
            )

    pgcopy.copy_text(Enrollment, _ENROLLMENT_COPY_FIELDS, rendered())
    pgcopy.copy_text(EnrollmentDay, services.DAY_FIELDS, days)


def _create_new_enrollments(fresh: list[_Fresh], users, holidays, nudge_hour: int) -> None:
    """The same rows as ``_copy_new_enrollments``, through the ORM (SQLite)."""
    built = []
    for new in fresh:
        row = new.row
        day1, day7, ends, days, _ = _path_dates(row.start_date, row.timezone, nudge_hour, holidays)
        enrollment = Enrollment(
            user_id=new.person.pk,
            version=new.version,
            holdout=new.holdout,
            name=new.name,
            track=row.track,
            start_date=row.start_date,
            timezone=row.timezone,
            manager_id=_colleague_id(users, row.manager_email),
            buddy_id=_colleague_id(users, row.buddy_email),
            day1=day1,
            day7=day7,
            window_ends_at=ends,
        )
        built.append((enrollment, days))
    # bulk_create sets the ids (SQLite returns them), so the days can point at them.
    Enrollment.objects.bulk_create([enrollment for enrollment, _ in built], batch_size=1000)
    EnrollmentDay.objects.bulk_create(
        [
            EnrollmentDay(
                enrollment_id=enrollment.pk,
                version_id=enrollment.version_id,
                number=n,
                date=d,
                begins_at=b,
            )
            for enrollment, days in built
            for n, d, b in days
        ],
        batch_size=2000,
    )


def _existing_enrollments(user_ids: list[int]) -> dict[int, Enrollment]:
    """The enrollments of these accounts, by account id (one cheap query when there are none,
    none when no account is given)."""
    if not user_ids:
        return {}
    if connection.vendor == "postgresql":
        user_column = pgcopy.column(Enrollment, "user")
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {user_column} FROM {pgcopy.table(Enrollment)}"
                f" WHERE {user_column} = ANY(%s)",
                [user_ids],
            )
            user_ids = [uid for (uid,) in cursor.fetchall()]
        if not user_ids:
            return {}
    return {
        e.user_id: e
        for e in Enrollment.objects.filter(user_id__in=user_ids).select_related("version")
    }


def _update_enrollments(enrollments: list[Enrollment]) -> None:
    """Write the changed fields of a batch in one statement.

    Django's bulk_update builds one CASE per field with a branch per row, which PostgreSQL
    evaluates per row (quadratic: minutes for 100k rows); UPDATE … FROM (VALUES …) is linear.
    """
    if connection.vendor != "postgresql":
        Enrollment.objects.bulk_update(enrollments, _UPDATE_FIELDS, batch_size=200)
        return
    meta = Enrollment._meta
    fields = [meta.get_field(name) for name in _UPDATE_FIELDS]
    casts = [meta.pk, *fields]
    row_sql = "(" + ", ".join(f"%s::{f.cast_db_type(connection)}" for f in casts) + ")"
    params: list = []
    for enrollment in enrollments:
        params.append(enrollment.pk)
        params.extend(
            f.get_db_prep_save(getattr(enrollment, f.attname), connection) for f in fields
        )
    pk = pgcopy.column(Enrollment, meta.pk.name)
    columns = [pgcopy.column(Enrollment, f.name) for f in fields]
    sets = ", ".join(f"{c} = v.{c}" for c in columns)
    sql = (
        f"UPDATE {pgcopy.table(Enrollment)} AS e SET {sets} FROM (VALUES "
        + ", ".join([row_sql] * len(enrollments))
        + f") AS v({pk}, {', '.join(columns)}) WHERE e.{pk} = v.{pk}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _emails_in_order(batch: list[Row]) -> dict[str, str]:
    """Every email of the batch in first-mention order, with the name it first came with."""
    names: dict[str, str] = {}
    for row in batch:
        for email, name in ((row.email, row.name), (row.manager_email, ""), (row.buddy_email, "")):
            if email and email not in names:
                names[email] = name
    return names


def _accounts_found(emails: list[str]) -> dict[str, _Account]:
    """The existing accounts of these (lower-case) emails; the oldest wins, as in
    ``accounts.user_get_or_create``."""
    if connection.vendor == "postgresql":
        pk_col, email_col = pgcopy.column(User, "id"), pgcopy.column(User, "email")
        first, last = pgcopy.column(User, "first_name"), pgcopy.column(User, "last_name")
        # One index probe per email, written so that the plan cannot be a scan of every
        # account: during a large import the table's statistics still describe it as it was
        # before (empty, say), and the plain ``lower(email) = ANY(…)`` became a sequential
        # scan whose cost grew with every batch written.
        with connection.cursor() as cursor:
            # The emails go as one newline-separated string (none contains a newline: they
            # passed validation): adapting a list of thousands costs more than the lookup.
            cursor.execute(
                f"SELECT u.{pk_col}, e.email, u.{first}, u.{last}"
                f" FROM unnest(string_to_array(%s, E'\\n')) AS e(email) CROSS JOIN LATERAL ("
                f"SELECT {pk_col}, {first}, {last} FROM {pgcopy.table(User)}"
                f" WHERE lower({email_col}) = e.email ORDER BY {pk_col} LIMIT 1) AS u",
                ["\n".join(emails)],
            )
            matches = cursor.fetchall()
    else:
        matches = (
            User.objects.annotate(email_lower=Lower("email"))
            .filter(email_lower__in=emails)
            .order_by("-id")
            .values_list("id", "email_lower", "first_name", "last_name")
        )
    # The oldest account is the one kept: the only one on PostgreSQL, and the last of the rows
    # ordered by -id elsewhere (get_full_name's shape).
    return {email: _Account(pk, f"{first} {last}".strip()) for pk, email, first, last in matches}


def _users_for(batch: list[Row], colleagues: dict[str, _Account]) -> dict[str, _Account]:
    """Accounts for every email in the batch (people, managers, buddies), one lookup of those
    not in ``colleagues``; the managers and buddies among them are added to it.

    Accounts are created in the order single enrollments would create them: a manager
    first named before their own row gets no name, exactly as ``enrollment_enroll`` does.
    """
    names = _emails_in_order(batch)
    known = {e: colleagues[e] for e in names if e in colleagues}
    found = _accounts_found([e for e in names if e not in known])
    missing = [e for e in names if e not in found and e not in known]
    if missing and connection.vendor == "postgresql":
        found.update(_copy_new_users(missing, names))
    elif missing:
        built = [user_build(email=e, name=names[e]) for e in missing]
        User.objects.bulk_create(built, batch_size=1000)
        found.update((u.email, _Account(u.pk, u.get_full_name(), created=True)) for u in built)
    for row in batch:
        for email in (row.manager_email, row.buddy_email):
            if email and email not in known:
                colleagues[email] = found[email]
    found.update(known)
    return found


def _copy_new_users(emails: list[str], names: dict[str, str]) -> list[tuple[str, _Account]]:
    """Create the accounts ``accounts.user_build`` would, by COPY; return them by email."""
    ids = pgcopy.reserve_ids(User, len(emails))
    stamp = dj_timezone.now().isoformat()
    accounts: list[tuple[str, _Account]] = []

    def rendered() -> Iterator[str]:  # streamed to COPY: rendering overlaps the writing
        passwords = unusable_passwords(len(emails))
        for pk, email, password in zip(ids, emails, passwords, strict=True):
            # The same fields as accounts.user_build (emails are stripped and lower-case here).
            first, last = user_names(names[email])
            accounts.append((email, _Account(pk, f"{first} {last}".strip(), created=True)))
            yield (
                f"{pk}\t{pgcopy.text(password)}\t{pgcopy.NULL}\tf\t"
                f"{pgcopy.text(email[:150])}\t{pgcopy.text(first)}\t{pgcopy.text(last)}\t"
                f"{pgcopy.text(email)}\tf\tt\t{stamp}\n"
            )

    pgcopy.copy_text(User, _USER_COPY_FIELDS, rendered())
    return accounts
