"""Import the AI tool's usage report: who used it, and when last.

Shapes understood (headers matched case-insensitively):
- the Microsoft 365 admin center export of the Copilot usage report: "User Principal Name"
  (or "User name"), "Display name", "Last activity date (UTC)" and one
  "Last activity date of … Copilot (UTC)" column per app;
- the same report from Microsoft Graph (``getMicrosoft365CopilotUsageUserDetail``), whose
  columns are spelled "Last Activity Date", "Word Copilot Last Activity Date", …;
- a plain ``email,last_activity_date`` CSV.
"Report Refresh Date"/"Report Period" columns are ignored. When the tenant anonymises the
report, the user column holds 32-hex MD5 identifiers: they are matched against the MD5 of
our users' lowercased emails. The file is read row by row (never whole); nothing is written
when any line has an error.
"""

import csv
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from .models import UsageRecord

USER_COLUMNS = ("user principal name", "user name", "username", "email")
ANONYMISED = re.compile(r"^[0-9a-f]{32}$")
_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[T ][0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$")
BATCH = 500


class UsageImportError(Exception):
    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class UsageImportResult:
    source: str
    rows: int = 0
    matched: int = 0
    unmatched: int = 0
    unmatched_examples: list[str] = field(default_factory=list)
    no_activity: int = 0
    written: int = 0


def _normalise(header: str) -> str:
    return " ".join(header.replace("\ufeff", "").strip().lower().split())


def _is_activity_column(name: str) -> bool:
    return ("last activity date" in name or name == "last_activity_date") and "refresh" not in name


def _parse_date(value: str) -> date | None:
    value = value.strip()
    if not value:
        return None
    match = _DATE.match(value)
    if not match:
        raise ValueError
    return date.fromisoformat(match[1])


def _user_maps() -> tuple[dict[str, int], dict[str, int]]:
    by_email: dict[str, int] = {}
    by_md5: dict[str, int] = {}
    for user_id, email in get_user_model().objects.exclude(email="").values_list("id", "email"):
        email = email.strip().lower()
        by_email.setdefault(email, user_id)
        # Not for security: the anonymised usage report names people by this digest.
        by_md5.setdefault(hashlib.md5(email.encode(), usedforsecurity=False).hexdigest(), user_id)
    return by_email, by_md5


def _detect_source(headers: list[str], user_name: str) -> str:
    if user_name == "email":
        return "plain"
    if "last activity date" in headers:
        return "graph"
    return "admin_center"


def _columns(raw_headers: list[str]) -> tuple[list[str], int, list[tuple[int, str]]]:
    """(normalised headers, the user column's index, [(index, name)] of the activity columns)."""
    headers = [_normalise(h) for h in raw_headers]
    user_index = next(
        (i for name in USER_COLUMNS for i, h in enumerate(headers) if h == name), None
    )
    activity = [
        (i, raw_headers[i].strip()) for i, h in enumerate(headers) if _is_activity_column(h)
    ]
    errors: list[str] = []
    if user_index is None:
        errors.append(
            "line 1: no user column (expected 'User Principal Name', 'User name' or 'email')."
        )
    if not activity:
        errors.append(
            "line 1: no last-activity column (expected 'Last activity date (UTC)', "
            "'Last Activity Date' or 'last_activity_date')."
        )
    if errors:
        raise UsageImportError(errors)
    return headers, user_index, activity


def _last_activity(cells, activity, line: int, errors: list[str]) -> date | None:
    """The latest date over a row's activity columns; a bad date is an error for that line."""
    last = None
    for index, name in activity:
        try:
            day = _parse_date(cells[index])
        except ValueError:
            errors.append(
                f"line {line}: {name}: bad date {cells[index].strip()!r} (expected YYYY-MM-DD)."
            )
            continue
        if day is not None and (last is None or day > last):
            last = day
    return last


def usage_import(
    *, lines: Iterable[str], dry_run: bool = False, now: datetime | None = None
) -> UsageImportResult:
    """Read a usage CSV (an iterable of text lines) and upsert one UsageRecord per person.

    The stored date is the latest over every activity column and every row of that person,
    and never moves backwards when an older report is imported after a newer one.
    """
    reader = csv.reader(lines)
    try:
        raw_headers = next(reader)
    except StopIteration:
        raise UsageImportError(["line 1: the file is empty."]) from None
    headers, user_index, activity = _columns(raw_headers)

    result = UsageImportResult(source=_detect_source(headers, headers[user_index]))
    by_email, by_md5 = _user_maps()
    latest: dict[int, date | None] = {}
    anonymised = None
    errors: list[str] = []
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        result.rows += 1
        cells = row + [""] * (len(headers) - len(row))
        identifier = cells[user_index].strip().lower()
        if not identifier:
            errors.append(f"line {line}: {raw_headers[user_index].strip()}: missing user.")
            continue
        last = _last_activity(cells, activity, line, errors)
        is_hash = bool(ANONYMISED.match(identifier))
        anonymised = is_hash if anonymised is None else anonymised
        user_id = (by_md5 if is_hash else by_email).get(identifier)
        if user_id is None:
            result.unmatched += 1
            if len(result.unmatched_examples) < 10:
                result.unmatched_examples.append(identifier)
            continue
        previous = latest.get(user_id)
        latest[user_id] = max(d for d in (previous, last) if d) if (previous or last) else None
    if errors:
        raise UsageImportError(errors)
    if anonymised:
        result.source += ":anonymised"
    result.matched = len(latest)
    result.no_activity = sum(1 for d in latest.values() if d is None)
    if not dry_run:
        result.written = _upsert(latest, source=result.source, now=now or timezone.now())
    return result


@transaction.atomic
def _upsert(latest: dict[int, date | None], *, source: str, now: datetime) -> int:
    user_ids = list(latest)
    written = 0
    for start in range(0, len(user_ids), BATCH):
        batch = user_ids[start : start + BATCH]
        existing = dict(
            UsageRecord.objects.filter(user_id__in=batch).values_list(
                "user_id", "last_activity_date"
            )
        )
        records = []
        for user_id in batch:
            days = [d for d in (existing.get(user_id), latest[user_id]) if d]
            records.append(
                UsageRecord(
                    user_id=user_id,
                    last_activity_date=max(days) if days else None,
                    source=source,
                    imported_at=now,
                )
            )
        UsageRecord.objects.bulk_create(
            records,
            update_conflicts=True,
            unique_fields=["user"],
            update_fields=["last_activity_date", "source", "imported_at"],
        )
        written += len(records)
    return written
