"""Cost per meaningful user and the value of minutes saved against cost (ROI)."""

from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Sum

from onboarding.models import FvmCompletion, OrgSettings

from .filters import ReportFilters, enrollments_enrolled
from .kpis import kpi_minutes_saved, kpis_judged
from .models import CostEntry
from .training import adoption_minutes, adoption_time_cost
from .value import meaningful


def meaningful_users_count(*, as_of) -> int:
    """Organisation-wide: reached FVM by as_of and active in the 28 days up to calendar day 30
    (usage data; the day-30 check-in answer for people without any)."""
    filters = ReportFilters(as_of=as_of)
    return enrollments_enrolled(filters).filter(meaningful(filters)).count()


def cost_summary(
    filters: ReportFilters,
    *,
    judged: list[dict] | None = None,
    meaningful_users: int | None = None,
) -> dict:
    """Organisation-wide: costs are not split by role, so only as_of applies.

    ``judged`` and ``meaningful_users``: :func:`kpis_judged` and the organisation-wide count of
    meaningful users for the same as-of, when the caller has them already.

    Costs = every entry whose period started on or before the as-of date, counted in full.
    Value = minutes saved by FVM completions recorded by as_of, plus the minutes of KPIs that
    improved against a pre-rollout baseline (once each), × OrgSettings.hourly_rate ÷ 60.
    """
    as_of = filters.as_of
    entries = CostEntry.objects.filter(period_start__lte=filters.as_of_date)
    grouped = list(entries.values("kind").annotate(total=Sum("amount"), n=Count("id")).order_by())
    by_kind = {row["kind"]: row["total"] for row in grouped}
    entries_by_kind = {row["kind"]: row["n"] for row in grouped}
    cent = Decimal("0.01")
    costs = {kind: Decimal(by_kind.get(kind) or 0).quantize(cent) for kind in CostEntry.Kind.values}
    total_cost = sum(costs.values(), Decimal("0")).quantize(cent)
    meaningful = (
        meaningful_users_count(as_of=as_of) if meaningful_users is None else meaningful_users
    )
    minutes = (
        FvmCompletion.objects.filter(completed_at__lte=as_of).aggregate(m=Sum("minutes_saved"))["m"]
        or 0
    )
    org = OrgSettings.load()
    value = (Decimal(minutes) / Decimal(60) * org.hourly_rate).quantize(cent)
    if judged is None:
        judged = kpis_judged(as_of=filters.as_of_date)
    kpi_minutes = kpi_minutes_saved(judged)
    kpi_value = (kpi_minutes / Decimal(60) * org.hourly_rate).quantize(cent)
    total_value = value + kpi_value
    if meaningful == 0:
        per_user, message = None, "No meaningful users yet (FVM reached and active at day 30)."
    elif total_cost == 0:
        per_user, message = (
            None,
            "No costs recorded yet: enter them (manage.py import_costs or the admin).",
        )
    else:
        per_user, message = (total_cost / meaningful).quantize(Decimal("0.01")), ""
    roi = (
        ((total_value - total_cost) / total_cost).quantize(Decimal("0.0001"))
        if total_cost
        else None
    )
    # Without an adoption-time cost entered, the ratio uses the computed one (hours spent on
    # onboarding × the hourly rate), labelled as such; totals and ROI keep entered costs only.
    adoption = adoption_minutes(as_of=as_of, as_of_date=filters.as_of_date)
    computed = adoption_time_cost(adoption["total"], org.hourly_rate)
    entered = bool(entries_by_kind.get(CostEntry.Kind.ADOPTION_TIME))
    adoption_cost = costs["adoption_time"] if entered else computed
    change = costs["training"] + costs["support"] + adoption_cost
    ratio = (change / costs["license"]).quantize(Decimal("0.0001")) if costs["license"] else None
    return {
        "currency": org.currency,
        "costs": {**{k: str(v) for k, v in costs.items()}, "total": str(total_cost)},
        "cost_entries": sum(entries_by_kind.values()),
        "entries_by_kind": entries_by_kind,
        "meaningful_users": meaningful,
        "cost_per_meaningful_user": str(per_user) if per_user is not None else None,
        "cost_per_meaningful_user_message": message,
        "minutes_saved_total": minutes,
        "hourly_rate": str(org.hourly_rate),
        "value_of_minutes_saved": str(value),
        "kpi_minutes_saved": str(kpi_minutes),
        "value_of_kpi_minutes_saved": str(kpi_value),
        "value_of_time_saved": str(total_value),
        "roi": str(roi) if roi is not None else None,
        "change_management_ratio": str(ratio) if ratio is not None else None,
        "change_management_adoption_time": str(adoption_cost),
        "adoption_time_source": "entered" if entered else "computed",
        "adoption_time_computed": {**adoption, "cost": str(computed)},
        "change_management_benchmark": list(settings.METRICS["change_management_ratio"]),
    }
