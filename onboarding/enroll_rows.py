"""The enrollment file: its columns, a row checked, and where rows come from.

A source of rows (CSV text, an upload, a JSON list) is an opener that reads it from the start,
because the import reads it twice (docs/enrollment.md, "All or nothing"). Every problem is
told as ``source:line: column: message``.
"""

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone as django_timezone

from config.error_list import ListedErrors
from roles.models import RolePackVersion, Track

from . import workdays

# The file's columns, in the order the documentation, the admin and the bench write them.
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
# Track.values rebuilds its list on every call: once per row adds seconds to a 100k import.
_TRACKS = tuple(str(value) for value in Track.values)
_DEFAULT_TRACK = str(Track.PRESCRIPTIVE.value)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

# Limits of one row (docs/security.md, "Input limits"), the database's own where a column
# holds the value. An email is also the account's username: the username column's length.
EMAIL_MAX = 150
NAME_MAX = 200  # Enrollment.name
CELL_MAX = 1000  # any other cell: every valid value is far shorter
# A start date further than this from today is a typo (9999-12-31), not a plan.
START_DATE_YEARS = 5
# Line breaks, NUL and other control characters: a name with CR/LF breaks every email header
# it is put in, and PostgreSQL cannot store NUL. A tab is refused too (it is never meant).
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def columns_help() -> str:
    """The columns as forms and commands describe them."""
    return (
        f"the columns {','.join(COLUMNS)} ({', '.join(REQUIRED[:-1])} and {REQUIRED[-1]} required)"
    )


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


class EnrollmentImportError(ListedErrors):
    """The import was rejected; nothing was written. ``errors`` lists the first
    MAX_ERRORS_LISTED problems, ``total`` counts them all."""


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
        raise HeaderProblem([(1, "header", "the file is empty; expected a header row")])
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
        raise HeaderProblem(problems)
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


class HeaderProblem(Exception):
    """The header row is wrong: ``problems`` are (line, column, message)."""

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
        workdays.valid_timezone(name)
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


def shown(value: str, limit: int = 60) -> str:
    """A cell as an error message quotes it: cut, control characters escaped."""
    cut = value if len(value) <= limit else f"{value[:limit]}…"
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", cut)


def _shape_problems(raw: Mapping) -> list[tuple[str, str]]:
    errors = []
    if None in raw:
        errors.append(("row", "has more fields than the header"))
    for key in raw:
        if key is not None and key not in COLUMNS:
            errors.append((shown(str(key)) or "(blank)", "unknown column"))
    return errors


def _cell_problems(cell: dict[str, str]) -> list[tuple[str, str]]:
    """Cells no column may hold: too long for the column, or with control characters."""
    errors = []
    for name, value in cell.items():
        limit = EMAIL_MAX if name.endswith("email") else NAME_MAX if name == "name" else CELL_MAX
        if len(value) > limit:
            errors.append((name, f"is {len(value)} characters long; at most {limit}"))
        elif _CONTROL.search(value):
            errors.append((name, "holds a line break, tab or other control character"))
    return errors


def _start_problem(start: date, today: date | None = None) -> str | None:
    today = today or django_timezone.localdate()
    reach = timedelta(days=round(365.25 * START_DATE_YEARS))
    if not today - reach <= start <= today + reach:
        return (
            f"{start.isoformat()} is more than {START_DATE_YEARS} years from today "
            f"(from {(today - reach).isoformat()} to {(today + reach).isoformat()})"
        )
    return None


def self_problem(email: str, who: str) -> str:
    """A person named as their own manager or buddy, said the same way everywhere."""
    return f'"{email}" is the person themselves; no one is their own {who}'


def _email_problems(cell: dict[str, str], email: str) -> list[tuple[str, str]]:
    errors = []
    if email and not _email_ok(email):
        errors.append(("email", f'"{shown(cell["email"])}" is not a valid email address'))
    for name, who in (("manager_email", "manager"), ("buddy_email", "buddy")):
        value = cell[name]
        if value and not _colleague_email_ok(value.lower()):
            errors.append((name, f'"{shown(value)}" is not a valid email address'))
        elif value and email and value.lower() == email:
            errors.append((name, self_problem(value, who)))
    return errors


def parse_row(
    line: int, raw: Mapping, versions: Mapping[str, RolePackVersion], today: date | None = None
) -> tuple[Row | None, list[tuple[str, str]]]:
    """One row checked: (Row, []) or (None, [(column, message), …]).

    ``today``: the local date start dates are checked against; an import of many rows passes
    it once (finding the current timezone costs more than the rest of the row's checks)."""
    errors = _shape_problems(raw)
    cell = {name: (raw.get(name) or "").strip() for name in COLUMNS}
    bad_cells = _cell_problems(cell)
    if bad_cells:  # the other checks would only quote these cells back
        return None, errors + bad_cells
    errors += [(name, "is required") for name in REQUIRED if not cell[name]]
    email = cell["email"].lower()
    errors += _email_problems(cell, email)
    role = cell["role"]
    if role and role not in versions:
        errors.append(("role", f'"{shown(role)}" is not a role with a published version'))
    track = cell["track"].lower() or _DEFAULT_TRACK
    if track not in _TRACKS:
        errors.append(("track", f'"{shown(cell["track"])}" is not a track ({", ".join(_TRACKS)})'))
    start = _parse_date(cell["start_date"]) if cell["start_date"] else None
    if cell["start_date"] and start is None:
        errors.append(("start_date", f'"{shown(cell["start_date"])}" is not a date (YYYY-MM-DD)'))
    elif start is not None and (problem := _start_problem(start, today)):
        errors.append(("start_date", problem))
    zone = cell["timezone"] or settings.TIME_ZONE
    if not _zone_ok(zone):
        errors.append(("timezone", workdays.timezone_problem(zone)))
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
