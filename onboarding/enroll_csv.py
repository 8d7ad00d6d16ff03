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
from datetime import date
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

from . import calendar, services
from .models import Enrollment, OrgSettings

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
    track = cell["track"].lower() or Track.PRESCRIPTIVE
    if track not in Track.values:
        errors.append(("track", f'"{cell["track"]}" is not a track ({", ".join(Track.values)})'))
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
    versions = services.latest_published_versions()
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
    users = _users_for(batch)
    people = [users[row.email] for row in batch]
    existing = {
        e.user_id: e for e in Enrollment.objects.filter(user__in=people).select_related("version")
    }
    now = dj_timezone.now()
    new: list[Enrollment] = []
    changed: list[Enrollment] = []
    switched: list[int] = []
    built: list[Enrollment] = []
    for row, user in zip(batch, people, strict=True):
        current = existing.get(user.pk)
        enrollment, moved = services.enrollment_apply(
            enrollment=current,
            user=user,
            version=versions[row.role],
            current_pack_id=current.version.pack_id if current else None,
            start_date=row.start_date,
            name=row.name,
            track=row.track,
            timezone=row.timezone,
            manager=users[row.manager_email] if row.manager_email else None,
            buddy=users[row.buddy_email] if row.buddy_email else None,
        )
        if current is None:
            new.append(enrollment)
        else:
            enrollment.updated_at = now
            changed.append(enrollment)
            if moved:
                switched.append(enrollment.pk)
        built.append(enrollment)
    days = []
    for enrollment in built:
        for n, d, begins_at in services.enrollment_dates_set(
            enrollment=enrollment, holidays=holidays, nudge_hour=nudge_hour
        ):
            days.append((enrollment, n, d, begins_at))
    services.bulk_insert(Enrollment, new)
    if changed:
        _update_enrollments(changed)
    services.enrollment_days_replace(days=days, enrollment_ids=[e.pk for e in changed])
    services.step_completions_prune(enrollment_ids=switched)
    return len(new), len(changed)


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


def _users_for(batch: list[Row]) -> dict:
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
    found: dict = {}
    matches = (
        services.User.objects.annotate(email_lower=Lower("email"))
        .filter(email_lower__in=emails)
        .order_by("-id")
    )
    for user in matches:
        found[user.email_lower] = user  # ordered by -id: the oldest account wins
    missing = [services.user_build(email=e, name=names[e]) for e in emails if e not in found]
    if missing:
        services.bulk_insert(services.User, missing)
        found.update((user.email, user) for user in missing)
    return found
