"""Check-in sentiment per role: "Does the AI tool help with your work or add friction?"
(1 = adds friction … 5 = helps a lot), asked at the day-30 and day-90 check-ins.

Each person counts once, with their latest answer by as-of (day 90 over day 30), so the
interval is over people, not answers (docs/metrics.md, "Sentiment"). One grouped query.
"""

from django.db.models import Count, F, Q, Sum

from onboarding.models import Checkin

from .filters import ReportFilters, enrollments_enrolled
from .rates import rate

POSITIVE_FROM = 4  # "share ≥ 4"
_SUMMED = ("n", "total", "positive")


def _answered(filters: ReportFilters):
    return Checkin.objects.filter(sentiment__isnull=False).filter(
        Q(answered_at__isnull=True) | Q(answered_at__lte=filters.as_of)
    )


def sentiment_by_role(filters: ReportFilters) -> dict[str, dict]:
    """{role slug: {"n", "total", "positive"}} over the filtered people's latest answers."""
    answered = _answered(filters)
    superseded = answered.filter(day=90).values("enrollment_id")
    latest = answered.filter(enrollment__in=enrollments_enrolled(filters)).exclude(
        Q(day=30) & Q(enrollment_id__in=superseded)
    )
    rows = (
        latest.values(role=F("enrollment__version__pack__slug"))
        .annotate(
            n=Count("id"),
            total=Sum("sentiment"),
            positive=Count("id", filter=Q(sentiment__gte=POSITIVE_FROM)),
        )
        .order_by()
    )
    return {row.pop("role"): row for row in rows}


def sentiment_summary(agg: dict | None) -> dict:
    """``{"n", "mean", "positive"}``: the mean (2 decimals, None without answers) and the
    share ≥ 4 as a rate (count, Wilson interval, too few)."""
    agg = agg or {}
    n = agg.get("n") or 0
    return {
        "n": n,
        "mean": round(agg["total"] / n, 2) if n else None,
        "positive": rate(agg.get("positive") or 0, n),
    }


def sentiment_overall(per_role: dict[str, dict]) -> dict:
    """The sum of the role groups (each person is in one role)."""
    return {key: sum(agg.get(key) or 0 for agg in per_role.values()) for key in _SUMMED}
