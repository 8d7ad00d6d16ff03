"""Training hours per person and the adoption time they cost (docs/metrics.md, "Training
hours").

Training minutes of a person by as-of = the minutes of every path and reinforcement step they
did (``roles.training.step_minutes_expression``: the step's own, its demo's after-minutes, the
FVM target, or its kind's default) + ``power_user_session_minutes`` (15) per power-user
session held for them. Reported as the median hours of the people whose working day 7 has
ended, per role and overall, against ``settings.METRICS["training_hours"]`` (8–12).

In SQL, whatever the number of people: one query gives a (role, minutes) histogram (each
step's minutes computed once, the completions and the sessions summed per person in derived
tables, then joined); medians are read from the histogram. The adoption-time figure is
completions counted per step and sends counted per kind (three small queries).
"""

from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.db.models import Count, F, Q, QuerySet

from onboarding.models import Enrollment, InterventionSend, StepCompletion
from roles.models import Intervention, PathStep
from roles.training import step_minutes_expression

from .activation import conditions, median_of
from .filters import ReportFilters, enrollments_enrolled

SESSION = Intervention.Kind.POWER_USER_SESSION
NUDGE = Intervention.Kind.MANAGER_NUDGE


def _sent(kind: str, as_of: datetime):
    """Sends of ``kind`` that went out by as_of (a session is held once its request is sent)."""
    return InterventionSend.objects.filter(
        intervention__kind=kind, status=InterventionSend.Status.SENT, sent_at__lte=as_of
    )


def _step_minutes(step_ids=None) -> QuerySet:
    """(id, m): each step's minutes, computed once per step (steps are few, people many)."""
    steps = PathStep.objects.all() if step_ids is None else PathStep.objects.filter(pk__in=step_ids)
    return steps.order_by().annotate(m=step_minutes_expression()).values("id", "m")


def _sql(queryset: QuerySet) -> tuple[str, tuple]:
    sql, params = queryset.query.sql_with_params()
    return sql, tuple(params)


def _hours(minutes: float | None) -> float | None:
    return None if minutes is None else round(minutes / 60, 2)


def _histogram(filters: ReportFilters) -> list[tuple[str, int, int]]:
    """(role, minutes, people) over the eligible people: the steps' minutes (one small
    query), then one query of derived tables (the per-person sums grouped once each, then
    joined), not a subquery per person."""
    as_of = filters.as_of
    people = (
        enrollments_enrolled(filters)
        .filter(conditions(as_of)["eligible"])
        .order_by()
        .values("id", role=F("version__pack__slug"))
    )
    done = (
        StepCompletion.objects.filter(done_at__lte=as_of)
        .order_by()
        .values("enrollment_id", "step_id")
    )
    sessions = _sent(SESSION, as_of).order_by().values("enrollment_id")
    # Each step's minutes, read once and joined as a VALUES list: a derived table would be
    # flattened into the join and its demo lookup run once per person.
    versions = enrollments_enrolled(filters).order_by().values("version_id")
    steps = [(row["id"], row["m"]) for row in _step_minutes().filter(version_id__in=versions)]
    steps = steps or [(0, 0)]  # no step has id 0
    values_sql = ", ".join(["(%s, %s)"] * len(steps))
    values_params = tuple(value for pair in steps for value in pair)
    (people_sql, people_params), (done_sql, done_params), (sessions_sql, sessions_params) = (
        _sql(people),
        _sql(done),
        _sql(sessions),
    )
    session = int(settings.METRICS["power_user_session_minutes"])
    sql = f"""
        SELECT p.role, COALESCE(t.m, 0) + COALESCE(s.n, 0) * %s AS minutes, COUNT(*)
        FROM ({people_sql}) p
        LEFT JOIN (
            SELECT d.enrollment_id, SUM(sm.column2) AS m
            FROM ({done_sql}) d JOIN (VALUES {values_sql}) sm ON sm.column1 = d.step_id
            GROUP BY d.enrollment_id
        ) t ON t.enrollment_id = p.id
        LEFT JOIN (
            SELECT x.enrollment_id, COUNT(*) AS n FROM ({sessions_sql}) x GROUP BY x.enrollment_id
        ) s ON s.enrollment_id = p.id
        GROUP BY p.role, COALESCE(t.m, 0) + COALESCE(s.n, 0) * %s
    """
    params = (session, *people_params, *done_params, *values_params, *sessions_params, session)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(role, int(minutes), n) for role, minutes, n in cursor.fetchall()]


def training_hours(filters: ReportFilters) -> dict:
    """``{"overall": {"n", "median_hours"}, "roles": {slug: {...}}, "benchmark"}``."""
    by_role: dict[str, dict[int, int]] = {}
    merged: dict[int, int] = {}
    for role, minutes, n in _histogram(filters):
        by_role.setdefault(role, {})[minutes] = n
        merged[minutes] = merged.get(minutes, 0) + n

    def block(histogram: dict[int, int]) -> dict:
        return {"n": sum(histogram.values()), "median_hours": _hours(median_of(histogram))}

    return {
        "overall": block(merged),
        "roles": {slug: block(h) for slug, h in sorted(by_role.items())},
        "benchmark": list(settings.METRICS["training_hours"]),
    }


def adoption_minutes(*, as_of: datetime, as_of_date) -> dict:
    """Organisation-wide minutes spent on onboarding by as_of: employees' steps, both sides
    of each power-user session (the employee's and the power user's), and the manager's
    time per manager nudge sent."""
    enrolled = Enrollment.objects.filter(start_date__lte=as_of_date).values("pk")
    done = (
        StepCompletion.objects.filter(done_at__lte=as_of, enrollment__in=enrolled)
        .order_by()
        .values("step_id")
        .annotate(n=Count("id"))
    )
    counts = {row["step_id"]: row["n"] for row in done}
    minutes = {row["id"]: row["m"] for row in _step_minutes(counts)} if counts else {}
    steps = sum(n * minutes[step] for step, n in counts.items())
    sends = InterventionSend.objects.filter(
        enrollment__in=enrolled, status=InterventionSend.Status.SENT, sent_at__lte=as_of
    ).aggregate(
        sessions=Count("id", filter=Q(intervention__kind=SESSION)),
        nudges=Count("id", filter=Q(intervention__kind=NUDGE)),
    )
    metrics = settings.METRICS
    session = int(metrics["power_user_session_minutes"])
    nudge = int(metrics["manager_nudge_minutes"])
    return {
        "steps": steps,
        "power_user_sessions": sends["sessions"],
        "manager_nudges": sends["nudges"],
        "total": steps + sends["sessions"] * 2 * session + sends["nudges"] * nudge,
    }


def adoption_time_cost(minutes: int, hourly_rate: Decimal) -> Decimal:
    return (Decimal(minutes) / Decimal(60) * hourly_rate).quantize(Decimal("0.01"))
