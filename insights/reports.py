"""The activation report: the metric definitions of PRODUCT.md, computed in SQL.

Every count is an aggregate (``COUNT(...) FILTER (WHERE ...)``/``SUM``) grouped by role or
cohort; the only rows fetched are one per group, plus a (group, ttv) histogram for medians.
See docs/metrics.md for the definitions and each decision taken here.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet, Sum, Window
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from onboarding.models import (
    Checkin,
    Enrollment,
    EnrollmentDay,
    InterventionSend,
    StepCompletion,
)
from roles.models import RolePack

BENCHMARKS = {"minimum": 0.40, "top_quartile": 0.65}
WINDOW_DAYS = 7
TTV_BUCKETS = ("1", "2", "3", "4", "5", "6", "7", "8+")
INTERVENTION_FOLLOW_UP_DAYS = 3
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
    day = parse_date(text) if len(text) == 10 else None
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


def cohort_of(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


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


def _conditions(as_of: datetime) -> dict[str, Q]:
    done = Q(fvm_completion__completed_at__lte=as_of)
    eligible = Q(window_ends_at__lte=as_of)
    return {
        "done": done,
        "eligible": eligible,
        "reached": eligible & done & Q(fvm_completion__ttv__lte=WINDOW_DAYS),
    }


def _aggregates(as_of: datetime) -> dict:
    c = _conditions(as_of)
    return {
        "enrolled": Count("id"),
        "eligible": Count("id", filter=c["eligible"]),
        "reached_within_7": Count("id", filter=c["reached"]),
        "fvm_total": Count("fvm_completion", filter=c["done"]),
        "minutes_saved_total": Sum("fvm_completion__minutes_saved", filter=c["done"]),
    }


def _median(histogram: dict[int, int]) -> float | None:
    """Median of a {value: count} histogram (mean of the two middle values when even)."""
    total = sum(histogram.values())
    if total == 0:
        return None
    wanted = [(total - 1) // 2, total // 2]
    found: list[int] = []
    seen = 0
    for value in sorted(histogram):
        count = histogram[value]
        while wanted and wanted[0] < seen + count:
            found.append(value)
            wanted.pop(0)
        seen += count
    return (found[0] + found[1]) / 2


def _row(key, label: str, agg: dict, histogram: dict[int, int]) -> dict:
    eligible = agg.get("eligible") or 0
    reached = agg.get("reached_within_7") or 0
    median = _median(histogram)
    return {
        key: label,
        "enrolled": agg.get("enrolled") or 0,
        "eligible": eligible,
        "in_window": (agg.get("enrolled") or 0) - eligible,
        "reached_within_7": reached,
        "rate_within_7": reached / eligible if eligible else None,
        "median_ttv": median,
        "fvm_total": agg.get("fvm_total") or 0,
        "minutes_saved_total": agg.get("minutes_saved_total") or 0,
    }


def _ttv_histogram(qs: QuerySet[Enrollment], as_of: datetime, group: str) -> dict:
    """{group value: {ttv: count}} over completions recorded by as_of (one small query)."""
    rows = (
        qs.filter(fvm_completion__completed_at__lte=as_of)
        .values(group_key=F(group), ttv=F("fvm_completion__ttv"))
        .annotate(n=Count("id"))
        .order_by()
    )
    result: dict = {}
    for row in rows:
        result.setdefault(row["group_key"], {})[row["ttv"]] = row["n"]
    return result


def _merge(histograms) -> dict[int, int]:
    merged: dict[int, int] = {}
    for histogram in histograms:
        for ttv, n in histogram.items():
            merged[ttv] = merged.get(ttv, 0) + n
    return merged


def activation_report(filters: ReportFilters) -> dict:
    """The public report: ``{"as_of", "benchmarks", "overall", "roles"}`` (PRODUCT.md)."""
    return activation_report_and_histogram(filters)[0]


def activation_report_and_histogram(filters: ReportFilters) -> tuple[dict, dict[int, int]]:
    """The report and the overall {ttv: completions} histogram behind its median (the
    dashboard's time-to-value chart reuses it instead of querying it again)."""
    qs = enrollments_enrolled(filters)
    per_role = {
        row["role"]: row
        for row in qs.values(role=F("version__pack__slug"))
        .annotate(**_aggregates(filters.as_of))
        .order_by("role")
    }
    if filters.role and filters.role not in per_role:
        per_role[filters.role] = {}
    histograms = _ttv_histogram(qs, filters.as_of, "version__pack__slug")
    roles = [
        _row("role", slug, per_role[slug], histograms.get(slug, {})) for slug in sorted(per_role)
    ]
    overall_agg = {
        key: sum(r[key] for r in roles)
        for key in ("enrolled", "eligible", "reached_within_7", "fvm_total", "minutes_saved_total")
    }
    merged = _merge(histograms.values())
    overall = _row("role", None, overall_agg, merged)
    report = {
        "as_of": filters.as_of_date.isoformat(),
        "as_of_instant": filters.as_of.isoformat(),
        "filters": {"role": filters.role, "cohort": filters.cohort, "manager": filters.manager},
        "benchmarks": dict(BENCHMARKS),
        "overall": overall,
        "roles": roles,
    }
    return report, merged


def cohort_rows(filters: ReportFilters) -> list[dict]:
    """The same row per weekly cohort (ISO week of the start date), oldest first."""
    qs = enrollments_enrolled(filters)
    rows = (
        qs.values(iso_year=F("start_date__iso_year"), iso_week=F("start_date__week"))
        .annotate(**_aggregates(filters.as_of))
        .order_by("iso_year", "iso_week")
    )
    histogram_rows = (
        qs.filter(fvm_completion__completed_at__lte=filters.as_of)
        .values(
            iso_year=F("start_date__iso_year"),
            iso_week=F("start_date__week"),
            ttv=F("fvm_completion__ttv"),
        )
        .annotate(n=Count("id"))
        .order_by()
    )
    histograms: dict = {}
    for row in histogram_rows:
        key = (row["iso_year"], row["iso_week"])
        histograms.setdefault(key, {})[row["ttv"]] = row["n"]
    return [
        _row(
            "cohort",
            f"{row['iso_year']}-W{row['iso_week']:02d}",
            row,
            histograms.get((row["iso_year"], row["iso_week"]), {}),
        )
        for row in rows
    ]


def ttv_distribution(histogram: dict[int, int]) -> list[dict]:
    """Completions per TTV bucket (working days 1..7, 8+)."""
    counts = dict.fromkeys(TTV_BUCKETS, 0)
    for ttv, n in histogram.items():
        counts[str(ttv) if ttv <= WINDOW_DAYS else "8+"] += n
    return [{"ttv": bucket, "completions": n} for bucket, n in counts.items()]


def ttv_histogram(filters: ReportFilters) -> dict[int, int]:
    return _merge(
        _ttv_histogram(enrollments_enrolled(filters), filters.as_of, "version__pack__slug").values()
    )


def funnel(filters: ReportFilters) -> list[dict]:
    """Enrolled → first visit → first step → FVM within 7 → active day 30 → active day 90.

    Each stage counts people who reached it by as_of; the FVM stage counts only eligible
    people (the same numerator as the rate) so that people still in window are not failures.
    """
    as_of = filters.as_of
    c = _conditions(as_of)
    # Uncorrelated IN subqueries: PostgreSQL hashes each once (a correlated EXISTS per row is
    # estimated so dear that JIT compilation alone took longer than the query at 100k).
    stepped = Q(pk__in=StepCompletion.objects.filter(done_at__lte=as_of).values("enrollment_id"))

    def active(day: int) -> Q:
        answered = Checkin.objects.filter(day=day, active=True).filter(
            Q(answered_at__isnull=True) | Q(answered_at__lte=as_of)
        )
        return Q(pk__in=answered.values("enrollment_id"))

    agg = enrollments_enrolled(filters).aggregate(
        enrolled=Count("id"),
        first_visit=Count("id", filter=Q(first_visit_at__lte=as_of)),
        first_step=Count("id", filter=stepped),
        fvm_within_7=Count("id", filter=c["reached"]),
        active_day_30=Count("id", filter=active(30)),
        active_day_90=Count("id", filter=active(90)),
    )
    labels = {
        "enrolled": "Enrolled",
        "first_visit": "First visit",
        "first_step": "First step done",
        "fvm_within_7": "FVM within 7 working days",
        "active_day_30": "Active at day 30",
        "active_day_90": "Active at day 90",
    }
    return [{"stage": key, "label": labels[key], "people": agg[key] or 0} for key in labels]


def non_activated(filters: ReportFilters, *, limit: int = 200) -> tuple[list[Enrollment], int]:
    """People eligible or past the start of working day 5 with no FVM by as_of, and their
    intervention sends (prefetched: a fixed number of queries whatever the list size)."""
    as_of = filters.as_of
    # EXISTS, not a join on days: no DISTINCT over 100k wide rows; COUNT and LIMIT stay in SQL.
    day_5_begun = EnrollmentDay.objects.filter(number=5, begins_at__lte=as_of)
    qs = (
        enrollments_enrolled(filters)
        .filter(Q(window_ends_at__lte=as_of) | Q(pk__in=day_5_begun.values("enrollment_id")))
        .exclude(fvm_completion__completed_at__lte=as_of)
    )
    # One scan gives the first `limit` ids and the total (COUNT(*) OVER ()); then only those
    # rows are joined and loaded.
    first = list(
        qs.annotate(total=Window(Count("id")))
        .order_by("window_ends_at", "id")
        .values_list("id", "total")[:limit]
    )
    total = first[0][1] if first else 0
    people = list(
        Enrollment.objects.filter(pk__in=[pk for pk, _ in first])
        .select_related("user", "manager", "version__pack")
        .prefetch_related("intervention_sends__intervention")
        .order_by("window_ends_at", "id")
    )
    for person in people:
        person.sends_by_kind = {
            send.intervention.kind: send.status for send in person.intervention_sends.all()
        }
    return people, total


def activated_no_value(filters: ReportFilters, *, limit: int = 200) -> tuple[list[Enrollment], int]:
    """The activation trap: used the AI tool since their start date (usage report), and no FVM."""
    qs = (
        enrollments_enrolled(filters)
        .filter(
            user__usage_record__last_activity_date__gte=F("start_date"),
            user__usage_record__last_activity_date__lte=filters.as_of_date,
        )
        .exclude(fvm_completion__completed_at__lte=filters.as_of)
    )
    total = qs.count()
    people = list(
        qs.select_related("user", "user__usage_record", "version__pack").order_by("start_date")[
            :limit
        ]
    )
    return people, total


def intervention_effectiveness(filters: ReportFilters) -> list[dict]:
    """Per role and intervention kind: FVM within 3 working days of the send, sent vs held out.

    A send for working day N counts as followed by value when the FVM was completed at or
    after the send (held-out rows: when it would have been sent, ``due_at``) and its TTV is at
    most N + 3. Only rows due by as_of count; uplift = sent rate − holdout rate.
    """
    as_of = filters.as_of
    enrolled = enrollments_enrolled(filters).values("pk")
    reference = Coalesce("sent_at", "due_at")
    followed = Q(
        enrollment__fvm_completion__completed_at__gte=reference,
        enrollment__fvm_completion__completed_at__lte=as_of,
        enrollment__fvm_completion__ttv__lte=F("intervention__day") + INTERVENTION_FOLLOW_UP_DAYS,
    )
    rows = (
        InterventionSend.objects.filter(
            enrollment__in=enrolled,
            due_at__lte=as_of,
            status__in=[InterventionSend.Status.SENT, InterventionSend.Status.HELD_OUT],
        )
        .values(
            role=F("enrollment__version__pack__slug"),
            kind=F("intervention__kind"),
            group=F("status"),
        )
        .annotate(n=Count("id"), followed=Count("id", filter=followed))
        .order_by("role", "kind", "group")
    )
    table: dict = {}
    for row in rows:
        entry = table.setdefault(
            (row["role"], row["kind"]),
            {
                "role": row["role"],
                "kind": row["kind"],
                "sent": 0,
                "sent_fvm_within_3": 0,
                "held_out": 0,
                "held_out_fvm_within_3": 0,
            },
        )
        prefix = "sent" if row["group"] == InterventionSend.Status.SENT else "held_out"
        entry[prefix] += row["n"]
        entry[f"{prefix}_fvm_within_3"] += row["followed"]
    result = []
    for entry in table.values():
        sent_rate = entry["sent_fvm_within_3"] / entry["sent"] if entry["sent"] else None
        held_rate = (
            entry["held_out_fvm_within_3"] / entry["held_out"] if entry["held_out"] else None
        )
        entry["sent_rate"] = round(sent_rate, 4) if sent_rate is not None else None
        entry["held_out_rate"] = round(held_rate, 4) if held_rate is not None else None
        entry["uplift"] = (
            round(sent_rate - held_rate, 4)
            if sent_rate is not None and held_rate is not None
            else None
        )
        result.append(entry)
    return result
