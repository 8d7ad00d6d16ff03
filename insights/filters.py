"""What a report covers: the as-of instant, role, weekly cohort and manager (docs/metrics.md).

Command options and query parameters are validated here into ReportFilters; every report
then starts from ``enrollments_enrolled``.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from onboarding.accounts import User
from onboarding.models import Enrollment
from roles.models import RolePack
from roles.selectors import versions_latest_published

_COHORT = re.compile(r"^(\d{4})-W(\d{2})$")


class ReportInputError(ValueError):
    """A filter value that cannot be understood; the message names the field."""


@dataclass(frozen=True)
class ReportFilters:
    as_of: datetime
    role: str | None = None
    cohort: str | None = None
    manager: str | None = None
    extra: dict = field(default_factory=dict)

    @property
    def as_of_date(self) -> date:
        """The last calendar day (settings.TIME_ZONE) the report covers."""
        return _reference_date(self.as_of)


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _reference_date(instant: datetime) -> date:
    # The instant just before as_of: "--as-of 2026-03-10" is 2026-03-11T00:00, and covers the 10th.
    return (instant - timedelta(microseconds=1)).astimezone(_zone()).date()


def parse_as_of(value: str | None, *, now: datetime | None = None) -> datetime:
    """``None``/"" → now; ``YYYY-MM-DD`` → the end of that date in settings.TIME_ZONE (the
    start of the next day); an ISO 8601 date-time → that instant (naive = settings.TIME_ZONE)."""
    if value is None or str(value).strip() == "":
        return now or timezone.now()
    text = str(value).strip()
    try:
        day = parse_date(text) if len(text) == 10 else None
    except ValueError:  # well formed but not a day of the calendar: 2026-02-30
        raise ReportInputError(f"as_of: {text!r} is not a date that exists (YYYY-MM-DD).") from None
    if day is not None:
        return datetime.combine(day + timedelta(days=1), time(0), tzinfo=_zone())
    try:
        instant = parse_datetime(text.replace("Z", "+00:00") if text.endswith("Z") else text)
    except ValueError:
        instant = None
    if instant is None:
        raise ReportInputError(
            f"as_of: {text!r} is not a date (YYYY-MM-DD) or an ISO 8601 date-time."
        )
    if timezone.is_naive(instant):
        instant = instant.replace(tzinfo=_zone())
    return instant


def as_of_label(instant: datetime) -> str:
    """The as-of instant for people, in settings.TIME_ZONE: "As of 25 Nov 2026, 21:42 UTC";
    a local midnight (what ``--as-of DATE`` means) reads "As of the end of 10 Mar 2026 (UTC)"."""
    local = instant.astimezone(_zone())
    zone_name = local.tzname() or settings.TIME_ZONE
    if local.time() == time(0):
        day = local.date() - timedelta(days=1)
        return f"As of the end of {day.day} {day:%b %Y} ({zone_name})"
    return f"As of {local.day} {local:%b %Y, %H:%M} {zone_name}"


def cohort_range(cohort: str) -> tuple[date, date]:
    """Monday and Sunday of an ISO week ``YYYY-Www``."""
    match = _COHORT.match(cohort.strip())
    if not match:
        raise ReportInputError(f"cohort: {cohort!r} is not an ISO week like 2026-W07.")
    try:
        monday = date.fromisocalendar(int(match[1]), int(match[2]), 1)
    except ValueError as exc:
        raise ReportInputError(f"cohort: {cohort!r} is not a week of that year.") from exc
    return monday, monday + timedelta(days=6)


def report_filters_build(
    *,
    as_of: str | None = None,
    role: str | None = None,
    cohort: str | None = None,
    manager: str | None = None,
    now: datetime | None = None,
) -> ReportFilters:
    """Validate raw filter values (command options, query parameters) into ReportFilters."""
    for name, value in (("as_of", as_of), ("role", role), ("cohort", cohort), ("manager", manager)):
        if value and "\x00" in str(value):
            raise ReportInputError(f"{name}: contains a NUL character.")
    role = (role or "").strip() or None
    cohort = (cohort or "").strip() or None
    manager = (manager or "").strip() or None
    if role and not RolePack.objects.filter(slug=role).exists():
        raise ReportInputError(f"role: no role pack with slug {role!r}.")
    if cohort:
        cohort_range(cohort)
    return ReportFilters(
        as_of=parse_as_of(as_of, now=now), role=role, cohort=cohort, manager=manager
    )


def enrollments_enrolled(filters: ReportFilters) -> QuerySet[Enrollment]:
    """Enrollments counted as enrolled at as_of: started on or before the as-of date."""
    qs = Enrollment.objects.filter(start_date__lte=filters.as_of_date)
    if filters.role:
        qs = qs.filter(version__pack__slug=filters.role)
    if filters.cohort:
        monday, sunday = cohort_range(filters.cohort)
        qs = qs.filter(start_date__range=(monday, sunday))
    if filters.manager:
        qs = qs.filter(manager__email__iexact=filters.manager)
    return qs


MANAGER_CHOICES_SHOWN = 300


def filter_choices() -> dict:
    """The dashboard's filters as choices: role packs (name and slug), the ISO weeks people
    started in, and managers (the first 300 by email). Three queries."""
    names = {v.pack.slug: v.name for v in versions_latest_published().select_related("pack")}
    roles = [
        (slug, names.get(slug, slug)) for slug in RolePack.objects.values_list("slug", flat=True)
    ]
    # Distinct start dates (few) are read and turned into ISO weeks here, and the managers
    # are found from the accounts' side: both are scans of 100k people otherwise.
    starts = Enrollment.objects.order_by().values_list("start_date", flat=True).distinct()
    weeks = sorted({start.isocalendar()[:2] for start in starts}, reverse=True)
    managed = Enrollment.objects.filter(manager__isnull=False).values("manager_id")
    managers = (
        User.objects.filter(id__in=managed)
        .order_by("email")
        .values_list("email", flat=True)
        .distinct()[:MANAGER_CHOICES_SHOWN]
    )
    return {
        "roles": sorted(roles, key=lambda r: r[1].lower()),
        "cohorts": [f"{year}-W{week:02d}" for year, week in weeks],
        "managers": list(managers),
        "role_names": dict(roles),
    }
