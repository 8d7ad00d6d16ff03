"""Working-day arithmetic, as docs/metrics.md defines it. Pure: no database.

- Working days are Monday–Friday minus the organisation's holidays, in the
  employee's timezone.
- Working day 1 is the start date if it is a working day, else the next one;
  working day N is the Nth working day counting from day 1.
- TTV of a completion is the number of working days from day 1 up to and
  including the completion's local date (a Saturday after day 5 gives 5).
"""

from collections.abc import Collection
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

__all__ = [
    "is_working_day",
    "working_day_1",
    "working_day",
    "working_days",
    "ttv",
    "local_date",
    "local_instant",
    "day_end",
    "valid_timezone",
    "timezone_problem",
]

_MAX_SCAN = 3660  # ten years of calendar days: a holiday list can't make this loop forever


def is_working_day(day: date, holidays: Collection[date] = ()) -> bool:
    return day.weekday() < 5 and day not in holidays


def _next_working_day(day: date, holidays: Collection[date]) -> date:
    for _ in range(_MAX_SCAN):
        if is_working_day(day, holidays):
            return day
        day += timedelta(days=1)
    raise ValueError("no working day within ten years; check the holiday list")


def working_day_1(start: date, holidays: Collection[date] = ()) -> date:
    return _next_working_day(start, holidays)


def working_day(start: date, n: int, holidays: Collection[date] = ()) -> date:
    """The local date of working day ``n`` (1-based) for a person who started on ``start``."""
    if n < 1:
        raise ValueError("working days count from 1")
    day = working_day_1(start, holidays)
    for _ in range(n - 1):
        day = _next_working_day(day + timedelta(days=1), holidays)
    return day


def working_days(
    start: date, numbers: Collection[int], holidays: Collection[date] = ()
) -> dict[int, date]:
    """Dates of several working days in one walk: ``{n: date}``."""
    wanted = sorted(set(numbers))
    if not wanted:
        return {}
    if wanted[0] < 1:
        raise ValueError("working days count from 1")
    result: dict[int, date] = {}
    day = working_day_1(start, holidays)
    n = 1
    for target in wanted:
        while n < target:
            day = _next_working_day(day + timedelta(days=1), holidays)
            n += 1
        result[target] = day
    return result


def ttv(start: date, completed_on: date, holidays: Collection[date] = ()) -> int:
    """Working days from day 1 up to and including ``completed_on``.

    A completion before day 1 (on a weekend start, say) counts as day 1: the person
    reached value on their very first working day at the latest.
    """
    day = working_day_1(start, holidays)
    if completed_on <= day:
        return 1
    count = 0
    span = (completed_on - day).days + 1
    full_weeks, rest = divmod(span, 7)
    count = full_weeks * 5
    cursor = day + timedelta(days=full_weeks * 7)
    for offset in range(rest):
        if (cursor + timedelta(days=offset)).weekday() < 5:
            count += 1
    count -= sum(1 for h in holidays if day <= h <= completed_on and h.weekday() < 5)
    return count


def timezone_problem(name: str) -> str:
    """What is wrong with a timezone name, said the same way wherever people are enrolled."""
    shown = name if len(name) <= 80 else f"{name[:80]}…"
    return f'"{shown}" is not a timezone (an IANA name such as Europe/Paris)'


@cache
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def valid_timezone(name: str) -> ZoneInfo:
    """The ZoneInfo for an IANA name; ValueError naming it if unknown.

    Only the names of the installed time zone database: a folder (``Europe``), a path or a
    300-character name is refused before anything opens a file.
    """
    if not isinstance(name, str) or name not in _zone_names():
        raise ValueError(f"unknown timezone {str(name)[:80]!r}")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
        raise ValueError(f"unknown timezone {name!r}") from exc


def local_date(instant: datetime, tz: str | ZoneInfo) -> date:
    zone = tz if isinstance(tz, ZoneInfo) else valid_timezone(tz)
    return instant.astimezone(zone).date()


def local_instant(day: date, hour: int, tz: str | ZoneInfo) -> datetime:
    """The instant (in UTC) of ``hour``:00 local time on ``day``.

    In a DST gap the wall-clock time does not exist; zoneinfo's fold=0 then
    yields the instant just after the gap, which is what a person experiences.
    In the repeated hour of an autumn change, the first occurrence is taken.
    Returned in UTC because Python subtracts two datetimes that share a tzinfo by
    their wall clocks, which would make DST days 24 hours long.
    """
    zone = tz if isinstance(tz, ZoneInfo) else valid_timezone(tz)
    return datetime.combine(day, time(hour), tzinfo=zone).astimezone(UTC)


def day_end(day: date, tz: str | ZoneInfo) -> datetime:
    """The instant a local day ends: the next local midnight."""
    return local_instant(day + timedelta(days=1), 0, tz)
