"""The activation report: day-7 FVM completion per role and per weekly cohort, in SQL.

Every count is an aggregate (``COUNT(...) FILTER (WHERE ...)``/``SUM``) grouped by role or
cohort; the only rows fetched are one per group, plus a (group, ttv) histogram for medians.
See docs/metrics.md for the definitions and each decision taken here.
"""

from datetime import datetime

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet, Sum

from onboarding.models import Enrollment

from .filters import ReportFilters, enrollments_enrolled
from .rates import too_few, wilson
from .sentiment import sentiment_by_role, sentiment_overall, sentiment_summary

BENCHMARKS = {
    "minimum": settings.METRICS["fvm_rate_minimum"],
    "top_quartile": settings.METRICS["fvm_rate_top_quartile"],
}
WINDOW_DAYS = 7
TTV_BUCKETS = ("1", "2", "3", "4", "5", "6", "7", "8+")
_SUMMED = (
    "enrolled",
    "eligible",
    "reached_within_7",
    "fvm_total",
    "minutes_saved_total",
    "rating_total",
)
_BY_ROLE = {"role": F("version__pack__slug")}
_BY_COHORT = {"iso_year": F("start_date__iso_year"), "iso_week": F("start_date__week")}


def conditions(as_of: datetime) -> dict[str, Q]:
    """Per enrollment at as_of: FVM done, eligible (window over), reached within 7 days."""
    done = Q(fvm_completion__completed_at__lte=as_of)
    eligible = Q(window_ends_at__lte=as_of)
    return {
        "done": done,
        "eligible": eligible,
        "reached": eligible & done & Q(fvm_completion__ttv__lte=WINDOW_DAYS),
    }


def _aggregates(as_of: datetime) -> dict:
    c = conditions(as_of)
    return {
        "enrolled": Count("id"),
        "eligible": Count("id", filter=c["eligible"]),
        "reached_within_7": Count("id", filter=c["reached"]),
        "fvm_total": Count("fvm_completion", filter=c["done"]),
        "minutes_saved_total": Sum("fvm_completion__minutes_saved", filter=c["done"]),
        "rating_total": Sum("fvm_completion__rating", filter=c["done"]),
    }


def median_of(histogram: dict[int, int]) -> float | None:
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
    fvm_total = agg.get("fvm_total") or 0
    return {
        key: label,
        "enrolled": agg.get("enrolled") or 0,
        "eligible": eligible,
        "in_window": (agg.get("enrolled") or 0) - eligible,
        "reached_within_7": reached,
        "rate_within_7": reached / eligible if eligible else None,
        "rate_within_7_ci": wilson(reached, eligible),
        "too_few": too_few(eligible),
        "median_ttv": median_of(histogram),
        "fvm_total": fvm_total,
        "minutes_saved_total": agg.get("minutes_saved_total") or 0,
        "fvm_rating_mean": round(agg["rating_total"] / fvm_total, 2) if fvm_total else None,
    }


def _grouped(qs: QuerySet[Enrollment], as_of: datetime, group: dict) -> tuple[list, dict]:
    """The aggregates per group and {group key: {ttv: count}} (two small queries); a key is
    the tuple of the group's values, in order."""
    rows = list(qs.values(**group).annotate(**_aggregates(as_of)).order_by(*group))
    completions = (
        qs.filter(fvm_completion__completed_at__lte=as_of)
        .values(**group, ttv=F("fvm_completion__ttv"))
        .annotate(n=Count("id"))
        .order_by()
    )
    histograms: dict = {}
    for row in completions:
        histograms.setdefault(tuple(row[name] for name in group), {})[row["ttv"]] = row["n"]
    return rows, histograms


def _merge(histograms) -> dict[int, int]:
    merged: dict[int, int] = {}
    for histogram in histograms:
        for ttv, n in histogram.items():
            merged[ttv] = merged.get(ttv, 0) + n
    return merged


def activation_report(filters: ReportFilters) -> dict:
    """The public report: ``{"as_of", "benchmarks", "overall", "roles"}`` (docs/metrics.md)."""
    return activation_report_and_histogram(filters)[0]


def activation_report_and_histogram(filters: ReportFilters) -> tuple[dict, dict[int, int]]:
    """The report and the overall {ttv: completions} histogram behind its median (the
    dashboard's time-to-value chart reuses it instead of querying it again)."""
    rows, histograms = _grouped(enrollments_enrolled(filters), filters.as_of, _BY_ROLE)
    per_role = {row["role"]: row for row in rows}
    if filters.role and filters.role not in per_role:
        per_role[filters.role] = {}
    sentiment = sentiment_by_role(filters)
    roles = [
        {
            **_row("role", slug, per_role[slug], histograms.get((slug,), {})),
            "sentiment": sentiment_summary(sentiment.get(slug)),
        }
        for slug in sorted(per_role)
    ]
    overall_agg = {key: sum(agg.get(key) or 0 for agg in per_role.values()) for key in _SUMMED}
    merged = _merge(histograms.values())
    report = {
        "as_of": filters.as_of_date.isoformat(),
        "as_of_instant": filters.as_of.isoformat(),
        "filters": {"role": filters.role, "cohort": filters.cohort, "manager": filters.manager},
        "benchmarks": dict(BENCHMARKS),
        "overall": {
            **_row("role", None, overall_agg, merged),
            "sentiment": sentiment_summary(sentiment_overall(sentiment)),
        },
        "roles": roles,
    }
    return report, merged


def cohort_rows(filters: ReportFilters) -> list[dict]:
    """The same row per weekly cohort (ISO week of the start date), oldest first."""
    rows, histograms = _grouped(enrollments_enrolled(filters), filters.as_of, _BY_COHORT)
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
