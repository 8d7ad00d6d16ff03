"""The enrollment file checked row by row before anything is written, for the studio's
enroll page. The rows are read and checked by onboarding's own parser (enroll_rows) and
the import's dry run (enroll_csv.enrollments_import): the studio adds one rule of its own,
that a pack's page enrolls people in that pack."""

from __future__ import annotations

import io
from contextlib import nullcontext
from dataclasses import dataclass, field

from django.db.models.functions import Lower

from onboarding.enroll_csv import enrollments_import
from onboarding.enroll_rows import (
    EnrollmentImportError,
    HeaderProblem,
    Row,
    RowError,
    csv_opener,
    parse_row,
)
from onboarding.models import Enrollment
from roles.selectors import versions_latest_published_by_slug

MAX_BYTES = 1_000_000  # larger files: the enroll command or POST /api/enrollments/bulk/
SOURCE = "upload"


@dataclass
class PreviewRow:
    line: int
    raw: dict
    row: Row | None
    errors: list[str] = field(default_factory=list)
    enrolled: bool = False  # already enrolled: their enrollment is updated


@dataclass
class Preview:
    rows: list[PreviewRow]
    errors: list[RowError]  # every error, by line (header errors included)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)


def text_opener(text: str):
    return csv_opener(lambda: nullcontext(io.StringIO(text, newline="")))


def enrollment_preview(*, text: str, slug: str) -> Preview:
    versions = versions_latest_published_by_slug()
    rows: list[PreviewRow] = []
    errors: list[RowError] = []
    try:
        with text_opener(text)() as found:
            for line, raw in found:
                row, problems = parse_row(line, raw, versions)
                item = PreviewRow(line, dict(raw), row)
                role = (raw.get("role") or "").strip()
                if role and role != slug:
                    problems.append(
                        ("role", f'"{role}" is another pack; this page enrolls in {slug}')
                    )
                errors += [RowError(SOURCE, line, col, msg) for col, msg in problems]
                rows.append(item)
    except HeaderProblem as exc:
        return Preview([], [RowError(SOURCE, ln, col, msg) for ln, col, msg in exc.problems])
    try:
        enrollments_import(opener=text_opener(text), source=SOURCE, dry_run=True)
    except EnrollmentImportError as exc:
        known = {(e.line, e.column, e.message) for e in errors}
        errors += [e for e in exc.errors if (e.line, e.column, e.message) not in known]
    errors.sort(key=lambda e: e.line)
    by_line: dict[int, list[str]] = {}
    for error in errors:
        by_line.setdefault(error.line, []).append(f"{error.column}: {error.message}")
    emails = [item.row.email for item in rows if item.row]
    enrolled = set(
        Enrollment.objects.annotate(e=Lower("user__email"))
        .filter(e__in=emails)
        .values_list("e", flat=True)
    )
    for item in rows:
        item.errors = by_line.get(item.line, [])
        item.enrolled = bool(item.row and item.row.email in enrolled)
    return Preview(rows, errors)
