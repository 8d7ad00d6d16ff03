"""Bulk enrollment from CSV (or a list of rows), streamed in one pass: the import service.

Every row is checked in order, keeping only the emails seen (for duplicates); while no row has
failed, the good rows are written in batches (``enroll_bulk.batch_write``) inside the one
transaction of the import. If any row is bad, the transaction is rolled back, so nothing is
written, and every error is reported as ``source:line: column: message``. A dry run only checks,
then counts who is enrolled already. The rows are the same ones ``services.enrollment_enroll``
would write for each row in file order. See docs/enrollment.md.
"""

import csv
import queue
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models.functions import Lower
from django.utils.timezone import localdate

from audit.services import audit_record
from config.error_list import MAX_ERRORS_LISTED, ErrorList
from roles.models import RolePackVersion
from roles.selectors import versions_latest_published_by_slug

from .accounts import enroll_lock
from .enroll_bulk import batch_write
from .enroll_rows import (
    EMAIL_MAX,
    EnrollmentImportError,
    HeaderProblem,
    Row,
    RowError,
    RowsOpener,
    parse_row,
    shown,
)
from .models import Enrollment, OrgSettings
from .selectors.enrollments import holiday_dates

BATCH_SIZE = 2000


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    dry_run: bool = False

    def as_dict(self) -> dict:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "dry_run": self.dry_run,
        }


def _duplicate(source: str, line: int, email: str, first: int) -> RowError:
    return RowError(
        source, line, "email", f'"{shown(email)}" is already enrolled on line {first} of this file'
    )


def _check_rows(
    opener: RowsOpener,
    source: str,
    versions: Mapping[str, RolePackVersion],
    write: Callable[[list[Row]], None] | None = None,
    batch_size: int = BATCH_SIZE,
) -> tuple[int, list[RowError], int]:
    """Every row checked, streamed: (rows, the errors listed, how many errors in all).

    While no row has failed, the good ones go to ``write`` in batches of ``batch_size``; once
    one fails, nothing more is written and the rest is only checked (the caller rolls back).
    The first MAX_ERRORS_LISTED errors are kept and the rest counted; the emails seen are kept
    (for duplicates) until the file is known to fail that many times, so a file of bad rows
    takes no memory per row.

    With ``write``, the rows are checked in a thread of their own while this one writes the
    batch before (``_Pipeline``): checking is pure Python and writing mostly waits for the
    database, so the two overlap."""
    today = localdate()  # here: the current timezone belongs to the caller's thread
    if write is None:
        return _check_rows_into(opener, source, versions, today, None, batch_size)
    return _Pipeline(write).run(
        lambda emit: _check_rows_into(opener, source, versions, today, emit, batch_size)
    )


def _check_rows_into(
    opener: RowsOpener,
    source: str,
    versions: Mapping[str, RolePackVersion],
    today: date,
    emit: Callable[[list[Row]], object] | None,
    batch_size: int,
) -> tuple[int, list[RowError], int]:
    """The checks of :func:`_check_rows`, good batches handed to ``emit``."""
    errors = ErrorList()
    seen: dict[str, int] = {}
    count = 0
    batch: list[Row] = []
    try:
        with opener() as rows:
            for line, raw in rows:
                count += 1
                row, problems = parse_row(line, raw, versions, today)
                for col, msg in problems:
                    errors.append(RowError(source, line, col, msg))
                email = (raw.get("email") or "").strip().lower() if raw else ""
                if email and len(email) <= EMAIL_MAX:
                    if errors.total >= MAX_ERRORS_LISTED:  # failing anyway: remember no more
                        first = seen.get(email, line)
                    else:
                        first = seen.setdefault(email, line)
                    if first != line:
                        errors.append(_duplicate(source, line, email, first))
                if emit is None or errors.total:
                    continue
                batch.append(row)
                if len(batch) >= batch_size:
                    emit(batch)
                    batch = []
    except HeaderProblem as exc:
        return 0, [RowError(source, ln, col, msg) for ln, col, msg in exc.problems], 0
    except UnicodeDecodeError as exc:
        errors.append(RowError(source, count + 2, "file", f"is not UTF-8 text ({exc.reason})"))
    except csv.Error as exc:
        errors.append(RowError(source, count + 2, "file", f"is not valid CSV ({shown(str(exc))})"))
    seen.clear()  # not kept while the last batches are written
    if emit is not None and batch and not errors.total:
        emit(batch)
    return count, errors.listed, errors.total


class _Stopped(Exception):
    """The writer has stopped: the checks end too."""


class _Pipeline:
    """Check rows in a worker thread, write their batches in this one (which holds the
    transaction and the database connection; the checks touch neither).

    At most ``DEPTH`` checked batch waits (one is enough: checking a batch takes a fifth of
    the time writing it does), so memory stays bounded by the batch size. If
    ``write`` raises, the checks stop and the error is raised here; an error of the checks
    themselves is raised here too."""

    DEPTH = 1
    _DONE = object()

    def __init__(self, write: Callable[[list[Row]], None]) -> None:
        self.write = write
        self.batches: queue.Queue = queue.Queue(maxsize=self.DEPTH)
        self.stopped = threading.Event()
        self.outcome: tuple[int, list[RowError], int] = (0, [], 0)
        self.failure: BaseException | None = None

    def _emit(self, batch) -> None:
        """Hand ``batch`` over, waiting for room; raise _Stopped once the writer has stopped."""
        while not self.stopped.is_set():
            try:
                self.batches.put(batch, timeout=0.05)
                return
            except queue.Full:
                pass
        raise _Stopped

    def _check(self, check: Callable) -> None:
        try:
            self.outcome = check(self._emit)
        except _Stopped:
            return
        except BaseException as exc:  # raised in the caller's thread, by run()
            self.failure = exc
        try:
            self._emit(self._DONE)
        except _Stopped:
            pass

    def run(self, check: Callable) -> tuple[int, list[RowError], int]:
        worker = threading.Thread(target=self._check, args=(check,), name="enroll-check")
        worker.start()
        try:
            while (batch := self.batches.get()) is not self._DONE:
                self.write(batch)
        finally:
            self.stopped.set()
            worker.join()
        if self.failure is not None:
            raise self.failure
        return self.outcome


def _batches(rows, versions, size: int) -> Iterator[list[Row]]:
    """The rows of a file already checked, in batches (a dry run's count)."""
    batch: list[Row] = []
    today = localdate()
    for line, raw in rows:
        row, _ = parse_row(line, raw, versions, today)
        if row is not None:
            batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _count_enrolled(opener: RowsOpener, versions, source: str, batch_size: int) -> int:
    """A dry run: how many of the file's people are enrolled already (nothing written)."""
    enrolled = 0
    with opener() as rows:
        for batch in _batches(rows, versions, batch_size):
            emails = [row.email for row in batch]
            enrolled += (
                Enrollment.objects.annotate(e=Lower("user__email")).filter(e__in=emails).count()
            )
    return enrolled


def enrollments_import(
    *, opener: RowsOpener, source: str, dry_run: bool = False, batch_size: int = BATCH_SIZE
) -> ImportResult:
    """Enroll every row of ``opener`` or none; raise EnrollmentImportError listing bad rows."""
    versions = versions_latest_published_by_slug()
    if dry_run:
        count, errors, total = _check_rows(opener, source, versions)
        if errors:
            raise EnrollmentImportError(errors, total)
        result = ImportResult(rows=count, dry_run=True)
        result.updated = _count_enrolled(opener, versions, source, batch_size)
        result.created = result.rows - result.updated
        return result
    result = ImportResult()
    with transaction.atomic():  # a bad row anywhere rolls back the batches written before it
        enroll_lock()
        nudge_hour = OrgSettings.load().nudge_hour
        holidays = holiday_dates()
        # Managers and buddies recur across batches: their accounts, looked up once. Like the
        # emails seen (for duplicates), this grows with the distinct colleagues of the file.
        colleagues: dict = {}

        def write(batch: list[Row]) -> None:
            created, updated = batch_write(batch, versions, holidays, nudge_hour, colleagues)
            result.created += created
            result.updated += updated

        result.rows, errors, total = _check_rows(opener, source, versions, write, batch_size)
        if errors:
            raise EnrollmentImportError(errors, total)
        audit_record(
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
