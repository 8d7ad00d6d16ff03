"""The AI tool's usage kept as history: the one writer of UsageReport, UsageSnapshot and
UsageActivity, for ``import_usage`` (a CSV, read by insights/usage_csv.py) and ``sync_usage``
(Microsoft Graph, insights/graph_sync.py) alike (docs/metrics.md, "Usage history").

- One UsageReport per report as it came; its ``content_hash`` is that of the normalised rows,
  so the same report imported or synced again is recognised and writes nothing.
- One UsageSnapshot per person per report date: a second report of the same date (another
  period, say) does not add or overwrite that person's row.
- One UsageActivity per person and day of use (every last-activity date, overall and per app),
  with the earliest report date that showed it: a report as of a date counts only what was
  known then.
People are matched by email (UPN, case-insensitive) or, in anonymised reports, by the MD5 of
the lowercased email. Unknown people are counted and listed, never fatal.
"""

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from .models import UsageActivity, UsageReport, UsageSnapshot
from .usage_csv import ParsedReport, UsageImportError, UsageRow, usage_parse_csv

__all__ = ["UsageImportError", "UsageImportResult", "usage_import", "usage_store"]

ANONYMISED = re.compile(r"^[0-9a-f]{32}$")
BATCH = 500
UNMATCHED_EXAMPLES = 10


@dataclass
class UsageImportResult:
    source: str
    report_date: date | None = None
    rows: int = 0
    matched: int = 0
    unmatched: int = 0
    unmatched_examples: list[str] = field(default_factory=list)
    no_activity: int = 0
    written: int = 0  # snapshots stored
    days_added: int = 0
    duplicate: bool = False  # the same report was stored before: nothing written
    report_id: int | None = None  # the UsageReport stored (or found, for a duplicate)


def _user_maps() -> tuple[dict[str, int], dict[str, int]]:
    by_email: dict[str, int] = {}
    by_md5: dict[str, int] = {}
    for user_id, email in get_user_model().objects.exclude(email="").values_list("id", "email"):
        email = email.strip().lower()
        by_email.setdefault(email, user_id)
        # Not for security: the anonymised usage report names people by this digest.
        by_md5.setdefault(hashlib.md5(email.encode(), usedforsecurity=False).hexdigest(), user_id)
    return by_email, by_md5


def content_hash(report: ParsedReport) -> str:
    rows = sorted(
        (
            r.identifier,
            r.last_activity.isoformat() if r.last_activity else "",
            sorted(r.apps.items()),
            r.prompts_submitted,
            r.active_days,
        )
        for r in report.rows
    )
    head = [report.source.split(":")[0], str(report.report_date or ""), report.period_days]
    return hashlib.sha256(json.dumps([head, rows], default=str).encode()).hexdigest()


def _merge(rows: list[UsageRow]) -> UsageRow:
    """Several rows of one person in one report: the latest dates, the larger counts."""
    if len(rows) == 1:
        return rows[0]
    lasts = [r.last_activity for r in rows if r.last_activity]
    apps: dict[str, str] = {}
    for row in rows:
        for app, day in row.apps.items():
            apps[app] = max(apps.get(app, day), day)

    def most(values):
        values = [v for v in values if v is not None]
        return max(values) if values else None

    return UsageRow(
        identifier=rows[0].identifier,
        last_activity=max(lasts) if lasts else None,
        apps=apps,
        prompts_submitted=most(r.prompts_submitted for r in rows),
        active_days=most(r.active_days for r in rows),
    )


def _match(report: ParsedReport, result: UsageImportResult) -> dict[int, UsageRow]:
    by_email, by_md5 = _user_maps()
    grouped: dict[int, list[UsageRow]] = {}
    anonymised = None
    for row in report.rows:
        is_hash = bool(ANONYMISED.match(row.identifier))
        anonymised = is_hash if anonymised is None else anonymised
        user_id = (by_md5 if is_hash else by_email).get(row.identifier)
        if user_id is None:
            result.unmatched += 1
            if len(result.unmatched_examples) < UNMATCHED_EXAMPLES:
                result.unmatched_examples.append(row.identifier)
            continue
        grouped.setdefault(user_id, []).append(row)
    if anonymised and not result.source.endswith(":anonymised"):
        result.source += ":anonymised"
    return {user_id: _merge(rows) for user_id, rows in grouped.items()}


def usage_store(
    *, report: ParsedReport, dry_run: bool = False, now: datetime | None = None
) -> UsageImportResult:
    """Match the report's people and keep it as history (see the module docstring)."""
    now = now or timezone.now()
    report_date = report.report_date or timezone.localdate(now)
    result = UsageImportResult(source=report.source, report_date=report_date)
    result.rows = len(report.rows)
    people = _match(report, result)
    result.matched = len(people)
    result.no_activity = sum(1 for row in people.values() if row.last_activity is None)
    digest = content_hash(report)
    existing = UsageReport.objects.filter(content_hash=digest).values_list("pk", flat=True).first()
    if existing:
        result.duplicate, result.report_id = True, existing
        return result
    if not dry_run:
        _write(people, result, report=report, report_date=report_date, digest=digest, now=now)
    return result


@transaction.atomic
def _write(people, result, *, report, report_date, digest, now) -> None:
    stored = UsageReport.objects.create(
        source=result.source,
        report_date=report_date,
        period_days=report.period_days,
        content_hash=digest,
        rows=result.rows,
        imported_at=now,
    )
    result.report_id = stored.pk
    user_ids = list(people)
    for start in range(0, len(user_ids), BATCH):
        batch = user_ids[start : start + BATCH]
        result.written += _snapshots(stored, {u: people[u] for u in batch}, report_date)
        result.days_added += _days({u: people[u] for u in batch}, report_date)


def _snapshots(report: UsageReport, people: dict[int, UsageRow], report_date: date) -> int:
    taken = set(
        UsageSnapshot.objects.filter(user_id__in=people, report_date=report_date).values_list(
            "user_id", flat=True
        )
    )
    new = [
        UsageSnapshot(
            report=report,
            user_id=user_id,
            report_date=report_date,
            last_activity_date=row.last_activity,
            app_last_activity=row.apps,
            prompts_submitted=row.prompts_submitted,
            active_days=row.active_days,
        )
        for user_id, row in people.items()
        if user_id not in taken
    ]
    UsageSnapshot.objects.bulk_create(new)
    return len(new)


def _days(people: dict[int, UsageRow], report_date: date) -> int:
    """Each day of use once per person, with the earliest report date that showed it."""
    wanted = {
        (user_id, day)
        for user_id, row in people.items()
        for day in {row.last_activity, *map(date.fromisoformat, row.apps.values())}
        if day is not None
    }
    existing = {
        (a.user_id, a.date): a
        for a in UsageActivity.objects.filter(
            user_id__in=people, date__in={day for _, day in wanted}
        )
    }
    new = [
        UsageActivity(user_id=user_id, date=day, reported_on=report_date)
        for user_id, day in sorted(wanted)
        if (user_id, day) not in existing
    ]
    earlier = [a for key, a in existing.items() if key in wanted and a.reported_on > report_date]
    for activity in earlier:
        activity.reported_on = report_date
    UsageActivity.objects.bulk_create(new)
    UsageActivity.objects.bulk_update(earlier, ["reported_on"])
    return len(new)


def usage_import(
    *, lines: Iterable[str], dry_run: bool = False, now: datetime | None = None
) -> UsageImportResult:
    """Read a usage CSV (an iterable of text lines) and keep it as history; nothing is written
    when any line has an error."""
    return usage_store(report=usage_parse_csv(lines), dry_run=dry_run, now=now)
