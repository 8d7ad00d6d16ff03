"""Active use from the AI tool's own usage history: the reads the value metrics build on.

Each returns a query expression, so a metric over N people stays one SQL aggregate. Windows
are inclusive calendar dates; ``as_of`` is the report's as-of date: only days first reported
on or before it count (docs/metrics.md, "As of").
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    Expression,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce

from onboarding.models import Enrollment

from .models import UsageActivity, UsageSnapshot

DateLike = date | Expression


def active_between(*, start: DateLike, end: DateLike, as_of: date, user: str = "user") -> Exists:
    """True where the person (``OuterRef(user)``) used the tool on a day in [start, end].

    ``start`` and ``end`` are dates or expressions evaluated inside the subquery: refer to the
    outer row with ``OuterRef``, e.g. ``OuterRef("start_date") + timedelta(days=62)``."""
    return Exists(
        UsageActivity.objects.filter(
            user=OuterRef(user), date__gte=start, date__lte=end, reported_on__lte=as_of
        )
    )


def has_usage_data(*, as_of: date, user: str = "user") -> Exists:
    """True where any usage report up to ``as_of`` lists the person (active or not).

    Where this is false the metrics fall back on the person's own check-in answer."""
    return Exists(UsageSnapshot.objects.filter(user=OuterRef(user), report_date__lte=as_of))


# --- how often: days of use, and Microsoft's usage segments ---------------------------------

# Microsoft's Copilot usage segments (Viva Insights, "Copilot usage segments"): habitual = any
# use in at least 9 of the past 12 weeks; novice = averaging at least one action a week over
# the past 4 weeks; low = any use in the past 4 weeks; none = no use in the past 4 weeks. The
# usage report gives days of use, not actions: a day of use is at least one action, so novice
# here is at least 4 days of use in the past 28 (docs/metrics.md, "Usage segments").
SEGMENTS = ("habitual", "novice", "low", "none")
HABITUAL_WEEKS = 9
SEGMENT_WEEKS = 12
NOVICE_DAYS = 4
RECENT_DAYS = 28


def active_days_between(
    *, start: DateLike, end: DateLike, as_of: date, user: str = "user"
) -> Subquery:
    """The number of days of use in [start, end] known by ``as_of`` (0 when none)."""
    days = (
        UsageActivity.objects.filter(
            user=OuterRef(user), date__gte=start, date__lte=end, reported_on__lte=as_of
        )
        .order_by()
        .values("user")
        .annotate(n=Count("date"))
        .values("n")
    )
    return Coalesce(Subquery(days, output_field=IntegerField()), 0)


def active_days_per_week(*, start: date, end: date, as_of: date, user: str = "user"):
    """Days of use per week over [start, end] (both dates): days ÷ (the window's days ÷ 7)."""
    weeks = ((end - start).days + 1) / 7
    return ExpressionWrapper(
        Cast(active_days_between(start=start, end=end, as_of=as_of, user=user), FloatField())
        / Value(weeks),
        output_field=FloatField(),
    )


def _segment_annotations(*, as_of: date, days: str) -> dict:
    """Aggregates over the joined days of use (``days`` is the path to UsageActivity): the
    weeks with use among the last 12 (7-day weeks ending on ``as_of``), days in the last 28,
    and the segment."""
    known = Q(**{f"{days}__reported_on__lte": as_of})
    weeks = []
    for week in range(SEGMENT_WEEKS):
        end = as_of - timedelta(days=7 * week)
        inside = Q(**{f"{days}__date__gte": end - timedelta(days=6), f"{days}__date__lte": end})
        weeks.append(Max(Case(When(known & inside, then=1), default=0)))
    recent = Q(**{f"{days}__date__gt": as_of - timedelta(days=RECENT_DAYS)}) & Q(
        **{f"{days}__date__lte": as_of}
    )
    active_weeks = sum(weeks[1:], weeks[0])
    recent_days = Count(f"{days}__date", filter=known & recent, distinct=True)
    return {
        "active_weeks": active_weeks,
        "recent_days": recent_days,
        "segment": Case(
            When(Q(active_weeks__gte=HABITUAL_WEEKS), then=Value("habitual")),
            When(Q(recent_days__gte=NOVICE_DAYS), then=Value("novice")),
            When(Q(recent_days__gte=1), then=Value("low")),
            default=Value("none"),
            output_field=CharField(),
        ),
    }


def usage_segments(*, as_of: date, enrollments=None):
    """One row per enrollment of a person with usage data by ``as_of``: ``{"enrollment",
    "person" (the user id), "role", "active_weeks", "recent_days", "segment"}``, in one SQL query. People
    without usage data are left out (the reports fall back on their check-in answers)."""
    rows = enrollments if enrollments is not None else Enrollment.objects.all()
    annotations = _segment_annotations(as_of=as_of, days="user__usage_days")
    return (
        rows.filter(has_usage_data(as_of=as_of))
        .values(enrollment=F("pk"), role=F("version__pack__slug"), person=F("user_id"))
        .annotate(**annotations)
        .order_by("enrollment")
    )


def usage_segments_by_role(*, as_of: date, enrollments=None) -> dict[str, dict[str, int]]:
    """Per role slug, how many people are in each segment (every segment named, 0 included);
    one SQL query (``usage_segments``) counted per role."""
    counts: dict[str, dict[str, int]] = {}
    for row in usage_segments(as_of=as_of, enrollments=enrollments):
        role = counts.setdefault(row["role"], dict.fromkeys(SEGMENTS, 0))
        role[row["segment"]] += 1
    return counts
