"""Active use from the AI tool's own usage history: the reads the value metrics build on.

Each returns a query expression, so a metric over N people stays one SQL aggregate. Windows
are inclusive calendar dates; ``as_of`` is the report's as-of date: only days first reported
on or before it count (docs/metrics.md, "As of").
"""

from __future__ import annotations

from datetime import date

from django.db.models import Exists, Expression, OuterRef

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
