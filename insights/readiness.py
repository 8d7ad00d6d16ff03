"""Expansion readiness: five questions answered from the data (docs/metrics.md).

"If you cannot answer at least three of these confidently, you are measuring activation,
not value." Each check passes or fails with the evidence behind it; ready ⇔ ≥ 3 pass.
"""

from dataclasses import asdict, dataclass
from decimal import Decimal

from django.db.models import Count, F, IntegerField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from onboarding.models import Enrollment, StepCompletion
from roles.models import PathStep

from .costs import cost_summary
from .filters import ReportFilters
from .kpis import kpi_overview

TRAINING_THRESHOLD = 0.60
WORKFLOWS_NEEDED = 3
CHECKS_NEEDED = 3


@dataclass
class Check:
    key: str
    question: str
    passed: bool
    evidence: str


def measured_workflows(filters: ReportFilters) -> list[str]:
    """Workflows with a measured reduction: a KPI whose latest measurement beats its baseline
    in the KPI's direction, or a role whose recorded FVM completions saved minutes in total."""
    found = [
        f"{row['role']}: {row['kpi']} {row['baseline']} → {row['latest']} {row['unit']}"
        for row in kpi_overview(as_of=filters.as_of_date)
        if row["latest"] is not None and row["improvement"] is not None and row["improvement"] > 0
    ]
    fvm = (
        Enrollment.objects.filter(fvm_completion__completed_at__lte=filters.as_of)
        .values(role=F("version__pack__slug"))
        .annotate(saved=Sum("fvm_completion__minutes_saved"), n=Count("id"))
        .filter(saved__gt=0)
        .order_by("role")
    )
    found += [
        f"{row['role']}: first-value task, {row['saved']} minutes saved over {row['n']} "
        f"completion(s)"
        for row in fvm
    ]
    return found


def training_share(filters: ReportFilters) -> tuple[int, int]:
    """(people who did every watch_demo step of their track by as_of, people enrolled)."""
    enrolled = Enrollment.objects.filter(start_date__lte=filters.as_of_date)
    required = Subquery(
        PathStep.objects.filter(
            version=OuterRef("version"), track=OuterRef("track"), kind=PathStep.Kind.WATCH_DEMO
        )
        .order_by()
        .values("version")
        .annotate(c=Count("id"))
        .values("c"),
        output_field=IntegerField(),
    )
    done = Subquery(
        StepCompletion.objects.filter(
            enrollment=OuterRef("pk"),
            step__kind=PathStep.Kind.WATCH_DEMO,
            done_at__lte=filters.as_of,
        )
        .order_by()
        .values("enrollment")
        .annotate(c=Count("id"))
        .values("c"),
        output_field=IntegerField(),
    )
    trained = (
        enrolled.alias(required=Coalesce(required, Value(0)), done=Coalesce(done, Value(0)))
        .filter(required__gt=0, done__gte=F("required"))
        .count()
    )
    return trained, enrolled.count()


def _measured_workflows_check(filters: ReportFilters) -> Check:
    workflows = measured_workflows(filters)
    return Check(
        "measured_workflows",
        "Can you name three specific workflows where AI has reduced cycle time or error "
        "rate by a measurable percentage?",
        len(workflows) >= WORKFLOWS_NEEDED,
        f"{len(workflows)} workflow(s) with a measured reduction (need "
        f"{WORKFLOWS_NEEDED})" + (": " + "; ".join(workflows) + "." if workflows else "."),
    )


def _training_check(filters: ReportFilters) -> Check:
    trained, enrolled = training_share(filters)
    share = trained / enrolled if enrolled else None
    return Check(
        "workflow_training",
        "What percentage of licensed users have completed workflow-specific training?",
        share is not None and share >= TRAINING_THRESHOLD,
        (
            f"{trained} of {enrolled} enrolled ({share:.0%}) watched every workflow demo "
            f"on their path; threshold {TRAINING_THRESHOLD:.0%}."
            if share is not None
            else "Nobody is enrolled yet."
        ),
    )


def _baselines_check() -> Check:
    claimed = [row for row in kpi_overview() if row["measurements"]]
    missing = [
        f"{row['role']}: {row['kpi']}"
        for row in claimed
        if not row["baseline_measured"] or row["baseline_measured_on"] > row["first_measured_on"]
    ]
    if not claimed:
        evidence = "No KPI has been measured yet, so nothing can be claimed."
    elif not missing:
        evidence = f"All {len(claimed)} measured KPI(s) have a baseline measured before them."
    else:
        evidence = "No baseline measured before the first measurement for: " + (
            "; ".join(missing) + "."
        )
    return Check(
        "baselines",
        "Do you have baseline metrics from before deployment for the KPIs you're claiming "
        "to improve?",
        bool(claimed) and not missing,
        evidence,
    )


def _cost_per_user_check(costs: dict) -> Check:
    per_user = costs["cost_per_meaningful_user"]
    return Check(
        "cost_per_meaningful_user",
        "What is your actual cost per meaningful user?",
        per_user is not None,
        (
            f"{costs['currency']} {per_user} per meaningful user "
            f"({costs['costs']['total']} over {costs['meaningful_users']} people)."
            if per_user is not None
            else costs["cost_per_meaningful_user_message"]
        ),
    )


def _roi_check(costs: dict) -> Check:
    value, total = Decimal(costs["value_of_minutes_saved"]), Decimal(costs["costs"]["total"])
    has_data = costs["cost_entries"] > 0 and costs["minutes_saved_total"] != 0
    return Check(
        "roi",
        "Could you defend the ROI to a skeptical board member using only data you have today?",
        has_data and value >= total,
        (
            f"Measured value {costs['currency']} {value} (minutes saved × hourly rate) "
            f"against cost {costs['currency']} {total}"
            + (f"; ROI {Decimal(costs['roi']):.0%}." if costs["roi"] is not None else ".")
            if has_data
            else "Not enough data: need both recorded costs and measured minutes saved."
        ),
    )


def readiness_report(filters: ReportFilters) -> dict:
    costs = cost_summary(filters)
    checks = [
        _measured_workflows_check(filters),
        _training_check(filters),
        _baselines_check(),
        _cost_per_user_check(costs),
        _roi_check(costs),
    ]
    passed = sum(1 for c in checks if c.passed)
    return {
        "as_of": filters.as_of_date.isoformat(),
        "checks": [asdict(c) for c in checks],
        "passed": passed,
        "ready": passed >= CHECKS_NEEDED,
        "verdict": (
            "Ready to expand: the value is measured."
            if passed >= CHECKS_NEEDED
            else "Not ready: you are measuring activation, not value."
        ),
    }
