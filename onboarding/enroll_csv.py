"""Bulk enrollment from CSV (or a list of rows), streamed in two passes.

Pass 1 validates every row and keeps only the emails seen (for duplicates); if any row is
bad, nothing is written and every error is reported as ``source:line: column: message``.
Pass 2 reads the source again and writes batches inside one transaction: one lookup of
existing accounts and enrollments per batch, bulk inserts and updates, COPY for the working
days on PostgreSQL. The rows are the same ones ``services.enrollment_enroll`` would write
for each row in file order.
"""

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models.functions import Lower
from django.utils import timezone as dj_timezone

from audit.services import audit_record
from roles.models import RolePackVersion, Track
from roles.selectors import versions_latest_published_by_slug

from . import calendar, services
from .models import Enrollment, EnrollmentDay, OrgSettings

COLUMNS = (
    "email",
    "name",
    "role",
    "track",
    "manager_email",
    "buddy_email",
    "start_date",
    "timezone",
)
REQUIRED = ("email", "role", "start_date")
BATCH_SIZE = 2000
# Track.values rebuilds its list on every call: once per row adds seconds to a 100k import.
_TRACKS = tuple(str(value) for value in Track.values)
_DEFAULT_TRACK = str(Track.PRESCRIPTIVE.value)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_UPDATE_FIELDS = [
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
]


@dataclass(frozen=True)
class RowError:
    source: str
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.column}: {self.message}"

    def as_dict(self) -> dict:
        return {
            "line": self.line,
            "column": self.column,
            "message": self.message,
            "text": str(self),
        }


class EnrollmentImportError(Exception):
    """The import was rejected; ``errors`` lists every bad row. Nothing was written."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    dry_run: bool = False
    errors: list[RowError] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "dry_run": self.dry_run,
        }


@dataclass(frozen=True, slots=True)
class Row:
    line: int
    email: str
    name: str
    role: str
    track: str
    manager_email: str
    buddy_email: str
    start_date: date
    timezone: str


# A source of rows is a callable that opens it from the start: the import reads it twice.
RowsOpener = Callable[[], AbstractContextManager[Iterator[tuple[int, Mapping]]]]


def csv_opener(open_text: Callable[[], AbstractContextManager[Iterable[str]]]) -> RowsOpener:
    """Rows of a CSV text stream, numbered by the physical line each record starts on.

    The header is checked before any row is produced.
    """

    @contextmanager
    def opener():
        with open_text() as text:
            reader = csv.reader(text)
            header = next(reader, None)
            yield _csv_rows(reader, header)

    return opener


def _csv_rows(reader, header: list[str] | None) -> Iterator[tuple[int, Mapping]]:
    if header is None:
        raise _HeaderProblem([(1, "header", "the file is empty; expected a header row")])
    names = [h.strip().lower() for h in header]
    problems = [
        (1, name or "(blank)", f"unknown column (expected {', '.join(COLUMNS)})")
        for name in names
        if name not in COLUMNS
    ]
    problems += [(1, name, "required column is missing") for name in REQUIRED if name not in names]
    problems += [
        (1, name, "column appears twice") for i, name in enumerate(names) if name in names[:i]
    ]
    if problems:
        raise _HeaderProblem(problems)
    width = len(names)
    last = reader.line_num
    for record in reader:
        line = last + 1
        last = reader.line_num
        if not record or (len(record) == 1 and not record[0].strip()):
            continue
        row = dict(zip(names, record, strict=False))
        if len(record) > width:
            row[None] = record[width:]
        yield line, row


class _HeaderProblem(Exception):
    def __init__(self, problems: list[tuple[int, str, str]]):
        self.problems = problems


def path_opener(path: str) -> RowsOpener:
    return csv_opener(lambda: open(path, newline="", encoding="utf-8-sig"))


def binary_opener(file: IO[bytes]) -> RowsOpener:
    """A seekable binary file (an upload, a spooled request body) read as UTF-8 CSV."""

    @contextmanager
    def open_text():
        file.seek(0)
        text = io.TextIOWrapper(file, encoding="utf-8-sig", newline="")
        try:
            yield text
        finally:
            text.detach()  # keep the underlying file open for the second pass

    return csv_opener(open_text)


def rows_opener(rows: list[Mapping]) -> RowsOpener:
    """A list of row objects (the JSON API), numbered from 1."""

    @contextmanager
    def opener():
        yield _dict_rows(rows)

    return opener


def _dict_rows(rows: list) -> Iterator[tuple[int, Mapping]]:
    for i, row in enumerate(rows, start=1):
        if not isinstance(row, Mapping):
            yield i, {None: ["not an object"]}
            continue
        clean: dict = {}
        for key, value in row.items():
            name = str(key).strip().lower()
            clean[name] = "" if value is None else str(value)
        yield i, clean


@lru_cache(maxsize=1024)
def _zone_ok(name: str) -> bool:
    try:
        calendar.valid_timezone(name)
    except ValueError:
        return False
    return True


@lru_cache(maxsize=4096)
def _parse_date(text: str) -> date | None:
    if not _ISO_DATE.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


# The common shape, checked quickly; anything else goes through Django's full validator.
_PLAIN_EMAIL = re.compile(
    r"[a-z0-9_%+-]+(\.[a-z0-9_%+-]+)*@([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,63}"
)


def _email_ok(value: str) -> bool:
    if _PLAIN_EMAIL.fullmatch(value):
        return True
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


# Managers and buddies repeat from row to row; people's own emails never do.
_colleague_email_ok = lru_cache(maxsize=1024)(_email_ok)


def parse_row(
    line: int, raw: Mapping, versions: Mapping[str, RolePackVersion]
) -> tuple[Row | None, list[tuple[str, str]]]:
    """One row checked: (Row, []) or (None, [(column, message), …])."""
    errors: list[tuple[str, str]] = []
    default_zone = settings.TIME_ZONE
    if None in raw:
        errors.append(("row", "has more fields than the header"))
    for key in raw:
        if key is not None and key not in COLUMNS:
            errors.append((key or "(blank)", "unknown column"))
    cell = {name: (raw.get(name) or "").strip() for name in COLUMNS}
    for name in REQUIRED:
        if not cell[name]:
            errors.append((name, "is required"))

    email = cell["email"].lower()
    if email and not _email_ok(email):
        errors.append(("email", f'"{cell["email"]}" is not a valid email address'))
    for name in ("manager_email", "buddy_email"):
        value = cell[name]
        if value and not _colleague_email_ok(value.lower()):
            errors.append((name, f'"{value}" is not a valid email address'))
        elif value and email and value.lower() == email:
            who = "manager" if name == "manager_email" else "buddy"
            errors.append((name, f'"{value}" is the person themselves; no one is their own {who}'))
    role = cell["role"]
    if role and role not in versions:
        errors.append(("role", f'"{role}" is not a role with a published version'))
    track = cell["track"].lower() or _DEFAULT_TRACK
    if track not in _TRACKS:
        errors.append(("track", f'"{cell["track"]}" is not a track ({", ".join(_TRACKS)})'))
    start = _parse_date(cell["start_date"]) if cell["start_date"] else None
    if cell["start_date"] and start is None:
        errors.append(("start_date", f'"{cell["start_date"]}" is not a date (YYYY-MM-DD)'))
    zone = cell["timezone"] or default_zone
    if not _zone_ok(zone):
        errors.append(
            ("timezone", f'"{zone}" is not a timezone (an IANA name such as Europe/Paris)')
        )
    if errors:
        return None, errors
    return (
        Row(
            line=line,
            email=email,
            name=cell["name"],
            role=role,
            track=track,
            manager_email=cell["manager_email"].lower(),
            buddy_email=cell["buddy_email"].lower(),
            start_date=start,
            timezone=zone,
        ),
        [],
    )


def _validate(
    opener: RowsOpener, source: str, versions: Mapping[str, RolePackVersion]
) -> tuple[int, list[RowError]]:
    """Pass 1: every error of every row; only the emails seen are kept (for duplicates)."""
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    count = 0
    try:
        with opener() as rows:
            for line, raw in rows:
                count += 1
                row, problems = parse_row(line, raw, versions)
                errors.extend(RowError(source, line, col, msg) for col, msg in problems)
                email = (raw.get("email") or "").strip().lower() if raw else ""
                if email:
                    first = seen.setdefault(email, line)
                    if first != line:
                        errors.append(
                            RowError(
                                source,
                                line,
                                "email",
                                f'"{email}" is already enrolled on line {first} of this file',
                            )
                        )
    except _HeaderProblem as exc:
        return 0, [RowError(source, ln, col, msg) for ln, col, msg in exc.problems]
    except UnicodeDecodeError as exc:
        return count, [RowError(source, count + 2, "file", f"is not UTF-8 text ({exc.reason})")]
    except csv.Error as exc:
        return count, [RowError(source, count + 2, "file", f"is not valid CSV ({exc})")]
    return count, errors


def enrollments_import(
    *, opener: RowsOpener, source: str, dry_run: bool = False, batch_size: int = BATCH_SIZE
) -> ImportResult:
    """Enroll every row of ``opener`` or none; raise EnrollmentImportError listing bad rows."""
    versions = versions_latest_published_by_slug()
    count, errors = _validate(opener, source, versions)
    if errors:
        raise EnrollmentImportError(errors)
    result = ImportResult(rows=count, dry_run=dry_run)
    if dry_run:
        # Say what would happen without writing: count the people already enrolled.
        with opener() as rows:
            for batch in _batches(rows, versions, source, batch_size):
                emails = [row.email for row in batch]
                result.updated += (
                    Enrollment.objects.annotate(e=Lower("user__email")).filter(e__in=emails).count()
                )
        result.created = result.rows - result.updated
        return result
    with transaction.atomic():
        services.enroll_lock()
        org = OrgSettings.load()
        holidays = services.holiday_dates()
        with opener() as rows:
            for batch in _batches(rows, versions, source, batch_size):
                created, updated = _write_batch(batch, versions, holidays, org.nudge_hour)
                result.created += created
                result.updated += updated
        audit_record(  # audit (h7)
            actor=None,
            action="enrollment.import",
            after={
                "source": source,
                "rows": result.rows,
                "created": result.created,
                "updated": result.updated,
            },
        )
    return result


def _batches(rows, versions, source: str, size: int) -> Iterator[list[Row]]:
    batch: list[Row] = []
    for line, raw in rows:
        row, problems = parse_row(line, raw, versions)
        if row is None:  # the source changed between the two passes
            raise EnrollmentImportError([RowError(source, line, col, msg) for col, msg in problems])
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _write_batch(
    batch: list[Row],
    versions: Mapping[str, RolePackVersion],
    holidays: frozenset[date],
    nudge_hour: int,
) -> tuple[int, int]:
    """Write one batch. New enrollments are plain tuples (no model instances): on PostgreSQL
    they and their working days go to COPY as pre-rendered text."""
    users = _users_for(batch)
    people = [users[row.email] for row in batch]
    existing = _existing_enrollments([person.pk for person in people])
    now = dj_timezone.now()
    fresh: list[tuple] = []  # (row, person, version, holdout, name)
    changed: list[Enrollment] = []
    switched: list[int] = []
    for row, person in zip(batch, people, strict=True):
        version = versions[row.role]
        current = existing.get(person.pk)
        if current is None:
            # The same draw, in the same order, as enrollment_apply makes for a new enrollment.
            holdout = services.holdout_draw(version)
            fresh.append((row, person, version, holdout, row.name or person.full_name))
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
    days = []
    for enrollment in changed:
        for n, d, begins_at in services.enrollment_dates_set(
            enrollment=enrollment, holidays=holidays, nudge_hour=nudge_hour
        ):
            days.append((enrollment, n, d, begins_at))
    if connection.vendor == "postgresql":
        _copy_new_enrollments(fresh, users, holidays, nudge_hour, now)
    else:
        _create_new_enrollments(fresh, users, holidays, nudge_hour)
    if changed:
        _update_enrollments(changed)
    services.enrollment_days_replace(days=days, enrollment_ids=[e.pk for e in changed])
    services.step_completions_prune(enrollment_ids=switched)
    return len(fresh), len(changed)


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
    # "@" stands for the enrollment id: it appears in no date or timestamp.
    text = "".join(f"@\t{n}\t{d.isoformat()}\t{b.isoformat()}\n" for n, d, b in days)
    return probe.day1, probe.day7, probe.window_ends_at, days, text


def _copy_text(value: str) -> str:
    """A text value escaped for COPY's text format."""
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        value = (
            value.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return value


def _reserve_ids(table: str, column: str, count: int) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [connection.ops.quote_name(table), column, count],
        )
        return [pk for (pk,) in cursor.fetchall()]


def _copy(table: str, columns: list[str], text: str) -> None:
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {quote(table)} ({names}) FROM STDIN") as copy:
            copy.write(text)


def _copy_new_enrollments(fresh, users, holidays, nudge_hour: int, now) -> None:
    if not fresh:
        return
    meta = Enrollment._meta
    ids = _reserve_ids(meta.db_table, meta.pk.column, len(fresh))
    stamp = now.isoformat()
    enrollments: list[str] = []
    days: list[str] = []
    for pk, (row, person, version, holdout, name) in zip(ids, fresh, strict=True):
        day1, day7, ends, _, day_text = _path_dates(
            row.start_date, row.timezone, nudge_hour, holidays
        )
        manager = str(users[row.manager_email].pk) if row.manager_email else "\\N"
        buddy = str(users[row.buddy_email].pk) if row.buddy_email else "\\N"
        enrollments.append(
            f"{pk}\t{person.pk}\t{version.pk}\t{_copy_text(name)}\t{row.track}\t"
            f"{row.start_date.isoformat()}\t{_copy_text(row.timezone)}\t{manager}\t{buddy}\t"
            f"{{}}\t{'t' if holdout else 'f'}\t{day1.isoformat()}\t{day7.isoformat()}\t"
            f"{ends.isoformat()}\t\\N\t{stamp}\t{stamp}\n"
        )
        days.append(day_text.replace("@", str(pk)))
    _copy(
        meta.db_table,
        [
            "id",
            "user_id",
            "version_id",
            "name",
            "track",
            "start_date",
            "timezone",
            "manager_id",
            "buddy_id",
            "values",
            "holdout",
            "day1",
            "day7",
            "window_ends_at",
            "first_visit_at",
            "enrolled_at",
            "updated_at",
        ],
        "".join(enrollments),
    )
    _copy(
        EnrollmentDay._meta.db_table,
        ["enrollment_id", "number", "date", "begins_at"],
        "".join(days),
    )


def _create_new_enrollments(fresh, users, holidays, nudge_hour: int) -> None:
    """The same rows as ``_copy_new_enrollments``, through the ORM (SQLite)."""
    built = []
    for row, person, version, holdout, name in fresh:
        day1, day7, ends, days, _ = _path_dates(row.start_date, row.timezone, nudge_hour, holidays)
        enrollment = Enrollment(
            user_id=person.pk,
            version=version,
            holdout=holdout,
            name=name,
            track=row.track,
            start_date=row.start_date,
            timezone=row.timezone,
            manager_id=users[row.manager_email].pk if row.manager_email else None,
            buddy_id=users[row.buddy_email].pk if row.buddy_email else None,
            day1=day1,
            day7=day7,
            window_ends_at=ends,
        )
        built.append((enrollment, days))
    services.bulk_insert(Enrollment, [enrollment for enrollment, _ in built])
    EnrollmentDay.objects.bulk_create(
        [
            EnrollmentDay(enrollment_id=enrollment.pk, number=n, date=d, begins_at=b)
            for enrollment, days in built
            for n, d, b in days
        ],
        batch_size=2000,
    )


def _existing_enrollments(user_ids: list[int]) -> dict[int, Enrollment]:
    """The enrollments of these accounts, by account id (one cheap query when there are none)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT user_id FROM onboarding_enrollment WHERE user_id = ANY(%s)", [user_ids]
            )
            user_ids = [uid for (uid,) in cursor.fetchall()]
        if not user_ids:
            return {}
    return {
        e.user_id: e
        for e in Enrollment.objects.filter(user_id__in=user_ids).select_related("version")
    }


_PG_TYPES = {
    "version": "integer",
    "name": "varchar",
    "track": "varchar",
    "start_date": "date",
    "timezone": "varchar",
    "manager": "integer",
    "buddy": "integer",
    "day1": "date",
    "day7": "date",
    "window_ends_at": "timestamptz",
    "updated_at": "timestamptz",
}


def _update_enrollments(enrollments: list[Enrollment]) -> None:
    """Write the changed fields of a batch in one statement.

    Django's bulk_update builds one CASE per field with a branch per row, which PostgreSQL
    evaluates per row (quadratic: minutes for 100k rows); UPDATE … FROM (VALUES …) is linear.
    """
    if connection.vendor != "postgresql":
        Enrollment.objects.bulk_update(enrollments, _UPDATE_FIELDS, batch_size=200)
        return
    fields = [Enrollment._meta.get_field(name) for name in _UPDATE_FIELDS]
    columns = [f.column for f in fields]
    row_sql = "(%s::integer, " + ", ".join(f"%s::{_PG_TYPES[f.name]}" for f in fields) + ")"
    params: list = []
    for enrollment in enrollments:
        params.append(enrollment.pk)
        params.extend(
            f.get_db_prep_save(getattr(enrollment, f.attname), connection) for f in fields
        )
    table = Enrollment._meta.db_table
    sets = ", ".join(f'"{c}" = v."{c}"' for c in columns)
    names = ", ".join(f'"{c}"' for c in columns)
    sql = (
        f'UPDATE "{table}" AS e SET {sets} FROM (VALUES '
        + ", ".join([row_sql] * len(enrollments))
        + f') AS v("id", {names}) WHERE e."id" = v."id"'
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@dataclass(frozen=True, slots=True)
class _Account:
    """What the import needs of an account: its id and its full name."""

    pk: int
    full_name: str

    def get_full_name(self) -> str:
        return self.full_name


def _users_for(batch: list[Row]) -> dict[str, _Account]:
    """Accounts for every email in the batch (people, managers, buddies), one lookup.

    Accounts are created in the order single enrollments would create them: a manager
    first named before their own row gets no name, exactly as ``enrollment_enroll`` does.
    """
    emails: list[str] = []
    names: dict[str, str] = {}
    for row in batch:
        for email, name in (
            (row.email, row.name),
            (row.manager_email, ""),
            (row.buddy_email, ""),
        ):
            if email and email not in names:
                names[email] = name
                emails.append(email)
    found: dict[str, _Account] = {}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, lower(email), first_name, last_name FROM auth_user"
                " WHERE lower(email) = ANY(%s) ORDER BY id DESC",
                [emails],
            )
            matches = cursor.fetchall()
    else:
        matches = (
            services.User.objects.annotate(email_lower=Lower("email"))
            .filter(email_lower__in=emails)
            .order_by("-id")
            .values_list("id", "email_lower", "first_name", "last_name")
        )
    for pk, email, first, last in matches:
        # ordered by -id: the oldest account wins (get_full_name's shape)
        found[email] = _Account(pk, f"{first} {last}".strip())
    missing = [e for e in emails if e not in found]
    if not missing:
        return found
    if connection.vendor == "postgresql":
        found.update(_copy_new_users(missing, names))
        return found
    built = [services.user_build(email=e, name=names[e]) for e in missing]
    services.bulk_insert(services.User, built)
    found.update((u.email, _Account(u.pk, u.get_full_name())) for u in built)
    return found


def _copy_new_users(emails: list[str], names: dict[str, str]) -> Iterator[tuple[str, _Account]]:
    """Create the accounts ``services.user_build`` would, by COPY; yield them by email."""
    meta = services.User._meta
    ids = _reserve_ids(meta.db_table, meta.pk.column, len(emails))
    stamp = dj_timezone.now().isoformat()
    lines: list[str] = []
    accounts: list[tuple[str, _Account]] = []
    for pk, email in zip(ids, emails, strict=True):
        # The same fields as services.user_build (emails are stripped and lower-case here).
        first, _, last = names[email].strip().partition(" ")
        first, last = first[:150], last.strip()[:150]
        lines.append(
            f"{pk}\t{_copy_text(services.unusable_password())}\t\\N\tf\t"
            f"{_copy_text(email[:150])}\t{_copy_text(first)}\t{_copy_text(last)}\t"
            f"{_copy_text(email)}\tf\tt\t{stamp}\n"
        )
        accounts.append((email, _Account(pk, f"{first} {last}".strip())))
    _copy(
        meta.db_table,
        [
            "id",
            "password",
            "last_login",
            "is_superuser",
            "username",
            "first_name",
            "last_name",
            "email",
            "is_staff",
            "is_active",
            "date_joined",
        ],
        "".join(lines),
    )
    return iter(accounts)
