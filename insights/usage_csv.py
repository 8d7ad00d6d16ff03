"""Reading the AI tool's usage report (a CSV) into rows: who, which days, how much.

Shapes understood (headers matched case-insensitively, spaces collapsed):
- the Microsoft 365 admin center export of the Copilot usage report: "User Principal Name"
  (or "User name"), "Display name", "Last activity date (UTC)" and one
  "Last activity date of … Copilot (UTC)" column per app;
- the same report from Microsoft Graph (``getMicrosoft365CopilotUsageUserDetail``), whose
  columns are spelled "Last Activity Date", "Word Copilot Last Activity Date", …; its newer
  (v2) columns "Prompts Submitted" (or "Total prompts submitted") and "Active Usage Days"
  (or "Active days") are read when present;
- a plain ``email,last_activity_date`` CSV.
"Report Refresh Date" gives the report's date and "Report Period" its length in days; a file
without a refresh date is dated the day it is imported. When the tenant anonymises the report,
the user column holds 32-hex MD5 identifiers (matched in insights/usage.py). The file is read
row by row; every bad line is reported, by line number.
"""

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from config.error_list import ErrorList, ListedErrors

USER_COLUMNS = ("user principal name", "user name", "username", "email")
PROMPT_COLUMNS = ("prompts submitted", "total prompts submitted", "prompt count")
ACTIVE_DAYS_COLUMNS = ("active usage days", "active days", "days active")
_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[T ][0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$")


class UsageImportError(ListedErrors):
    """The problems of a usage CSV, ``line N: column: message``: the first MAX_ERRORS_LISTED,
    then how many more (``config.error_list``)."""


@dataclass(frozen=True)
class UsageRow:
    """One person in one report: their identifier (email, UPN or MD5) as the report has it."""

    identifier: str
    last_activity: date | None
    apps: dict[str, str] = field(default_factory=dict)  # app column → ISO date
    prompts_submitted: int | None = None
    active_days: int | None = None


@dataclass
class ParsedReport:
    source: str
    rows: list[UsageRow]
    report_date: date | None = None  # None: the file does not say (dated on import)
    period_days: int | None = None


def normalise_header(header: str) -> str:
    return " ".join(header.replace("\ufeff", "").strip().lower().split())


def parse_date(value: str) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    match = _DATE.match(value)
    if not match:
        raise ValueError
    return date.fromisoformat(match[1])


def _is_activity_column(name: str) -> bool:
    return ("last activity date" in name or name == "last_activity_date") and "refresh" not in name


def _app_name(raw: str) -> str:
    """ "Word Copilot Last Activity Date" / "Last activity date of Word Copilot (UTC)" → "Word"."""
    name = normalise_header(raw).replace("_", " ")
    name = re.sub(r"\(utc\)|last activity date( of)?|copilot", " ", name)
    return " ".join(name.split()).title() or "Any"


def _detect_source(headers: list[str], user_name: str) -> str:
    if user_name == "email":
        return "plain"
    if "last activity date" in headers:
        return "graph"
    return "admin_center"


@dataclass
class _Columns:
    raw: list[str]
    user: int
    activity: list[tuple[int, str]]  # (index, raw name); the overall column is "Any"
    prompts: int | None
    active_days: int | None
    refresh: int | None
    period: int | None


def _find(headers: list[str], names) -> int | None:
    return next((i for name in names for i, h in enumerate(headers) if h == name), None)


def _columns(raw_headers: list[str]) -> tuple[list[str], _Columns]:
    headers = [normalise_header(h) for h in raw_headers]
    user = _find(headers, USER_COLUMNS)
    activity = [
        (i, raw_headers[i].strip()) for i, h in enumerate(headers) if _is_activity_column(h)
    ]
    errors: list[str] = []
    if user is None:
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
    refresh = next((i for i, h in enumerate(headers) if h.startswith("report refresh date")), None)
    return headers, _Columns(
        raw=raw_headers,
        user=user,
        activity=activity,
        prompts=_find(headers, PROMPT_COLUMNS),
        active_days=_find(headers, ACTIVE_DAYS_COLUMNS),
        refresh=refresh,
        period=_find(headers, ("report period",)),
    )


def _whole(cells, index, columns: _Columns, line: int, errors: ErrorList) -> int | None:
    if index is None or not cells[index].strip():
        return None
    value = cells[index].strip()
    if value.isdigit():
        return int(value)
    errors.append(f"line {line}: {columns.raw[index].strip()}: not a whole number {value!r}.")
    return None


def _row(cells, columns: _Columns, line: int, errors: ErrorList) -> UsageRow | None:
    identifier = cells[columns.user].strip().lower()
    if not identifier:
        errors.append(f"line {line}: {columns.raw[columns.user].strip()}: missing user.")
        return None
    last, apps = None, {}
    for index, name in columns.activity:
        try:
            day = parse_date(cells[index])
        except ValueError:
            errors.append(
                f"line {line}: {name}: bad date {cells[index].strip()!r} (expected YYYY-MM-DD)."
            )
            continue
        if day is None:
            continue
        app = _app_name(name)
        if app != "Any":
            apps[app] = day.isoformat()
        last = day if last is None or day > last else last
    return UsageRow(
        identifier=identifier,
        last_activity=last,
        apps=apps,
        prompts_submitted=_whole(cells, columns.prompts, columns, line, errors),
        active_days=_whole(cells, columns.active_days, columns, line, errors),
    )


def _report_fields(cells, columns: _Columns, line: int, errors: ErrorList):
    refresh = period = None
    if columns.refresh is not None:
        try:
            refresh = parse_date(cells[columns.refresh])
        except ValueError:
            errors.append(
                f"line {line}: {columns.raw[columns.refresh].strip()}: bad date "
                f"{cells[columns.refresh].strip()!r} (expected YYYY-MM-DD)."
            )
    if columns.period is not None:
        period = _whole(cells, columns.period, columns, line, errors)
    return refresh, period


def usage_parse_csv(lines: Iterable[str]) -> ParsedReport:
    """Every row of a usage CSV; raises UsageImportError listing each bad line."""
    reader = csv.reader(lines)
    try:
        raw_headers = next(reader)
    except StopIteration:
        raise UsageImportError(["line 1: the file is empty."]) from None
    headers, columns = _columns(raw_headers)
    report = ParsedReport(source=_detect_source(headers, headers[columns.user]), rows=[])
    errors = ErrorList()
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        cells = row + [""] * (len(headers) - len(row))
        refresh, period = _report_fields(cells, columns, line, errors)
        if refresh and (report.report_date is None or refresh > report.report_date):
            report.report_date = refresh
        report.period_days = report.period_days or period
        parsed = _row(cells, columns, line, errors)
        if parsed is not None:
            report.rows.append(parsed)
    if errors:
        raise UsageImportError(errors)
    return report
