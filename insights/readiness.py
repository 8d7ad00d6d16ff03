"""Expansion readiness: the five questions of docs/metrics.md, answered from the data.

"If you cannot answer at least three of these confidently, you are measuring activation,
not value." Ready ⇔ at least three pass **and** question 5 (ROI) passes. Each question carries
its evidence and, when it fails, what to do next.
"""

from dataclasses import asdict, dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Case, Count, F, IntegerField, Max, Q, Value, When

from onboarding.models import Enrollment, OrgSettings, StepCompletion
from roles.models import PATH_LAST_DAY, PathStep

from .costs import cost_summary
from .filters import ReportFilters
from .kpis import kpis_judged

QUESTIONS = {
    1: "Can you name three specific workflows where AI has reduced cycle time or error rate "
    "by a measurable percentage?",
    2: "What percentage of licensed users have completed workflow-specific training?",
    3: "Do you have baseline metrics from before deployment for the KPIs you're claiming to "
    "improve?",
    4: "What is your actual cost per meaningful user?",
    5: "Could you defend the ROI to a skeptical board member using only data you have today?",
}
VERDICTS = {
    "ready": "Ready to expand: the value is measured.",
    "not_ready": "Not ready: you are measuring activation, not value.",
}
COST_KINDS = ("license", "training", "support", "adoption_time")


@dataclass
class Question:
    number: int
    passed: bool
    evidence: str
    next_step: str
    question: str = ""

    def __post_init__(self):
        self.question = QUESTIONS[self.number]
        if self.passed:
            self.next_step = ""


def _q1(judged: list[dict]) -> Question:
    needed = settings.METRICS["readiness_workflows_needed"]
    improved = [r for r in judged if r["improved"]]
    named = "; ".join(
        f"{r['role']}: {r['kpi']} {r['baseline']:g} → {r['latest']:g} {r['unit']} "
        f"({r['change_pct']:.0%} better)"
        for r in improved
    )
    threshold = settings.METRICS["readiness_kpi_improvement"]
    return Question(
        1,
        len(improved) >= needed,
        f"{len(improved)} KPI(s) improved by at least {threshold:.0%} against a baseline "
        f"measured before the role's first start (need {needed})"
        + (f": {named}." if named else ".")
        + " Self-reported first-value minutes do not count.",
        "Measure the KPIs of your roles' workflows before the next cohort starts, then again "
        "after it, and enter both (`manage.py import_kpis` or `POST /api/kpi-measurements/`).",
    )


def workflow_trained(filters: ReportFilters) -> int:
    """People who did every watch_demo step of their path by as-of, or reached FVM.

    Set-based, two queries whatever the number of people: the required demos are counted
    once per (version, track), and the people who did as many are found by one grouped
    scan of the demo completions (a per-person subquery costs a second at 100k people)."""
    required = (
        PathStep.objects.filter(kind=PathStep.Kind.WATCH_DEMO)
        .order_by()
        .values_list("version_id", "track")
        .annotate(c=Count("id"))
    )
    trained = Q(fvm_completion__completed_at__lte=filters.as_of)
    needed = [
        When(enrollment__version_id=version, enrollment__track=track, then=Value(count))
        for version, track, count in required
    ]
    if needed:
        demos_done = (
            StepCompletion.objects.filter(
                step__kind=PathStep.Kind.WATCH_DEMO,
                step__day__lte=PATH_LAST_DAY,  # the path's demos, not reinforcement's
                done_at__lte=filters.as_of,
            )
            .order_by()
            .values("enrollment_id")
            .annotate(
                done=Count("id"),
                needed=Max(Case(*needed, default=Value(0), output_field=IntegerField())),
            )
            .filter(needed__gt=0, done__gte=F("needed"))
            .values("enrollment_id")
        )
        trained |= Q(id__in=demos_done)
    return Enrollment.objects.filter(start_date__lte=filters.as_of_date).filter(trained).count()


def _q2(filters: ReportFilters) -> Question:
    seats = OrgSettings.load().licensed_seats
    trained = workflow_trained(filters)
    needed = settings.METRICS["readiness_training_share"]
    if not seats:
        return Question(
            2,
            False,
            f"{trained} people did every workflow demo of their path (or reached first "
            "value), but the number of licensed seats is not set.",
            "Enter the licensed seats in the organisation settings.",
        )
    share = trained / seats
    return Question(
        2,
        share >= needed,
        f"{trained} of {seats} licensed seats ({share:.0%}) completed workflow training "
        f"(every demo of their path, or first value); threshold {needed:.0%}.",
        "Enroll the licensed users who have not started, and follow up those who have not "
        "watched their path's workflow demos.",
    )


def _q3(judged: list[dict]) -> Question:
    missing = [f"{r['role']}: {r['kpi']}" for r in judged if not r["pre_rollout"]]
    if not judged:
        evidence = "No KPI has been measured yet, so nothing can be claimed."
    elif missing:
        evidence = (
            "No baseline measured before the role's first start for: " + "; ".join(missing) + "."
        )
    else:
        evidence = f"All {len(judged)} measured KPI(s) have a baseline from before the rollout."
    return Question(
        3,
        bool(judged) and not missing,
        evidence,
        "Measure a baseline before the next role's first start date; a baseline taken after "
        "the rollout began cannot show what changed.",
    )


def _q4(costs: dict) -> Question:
    missing = [kind for kind in COST_KINDS if not costs["entries_by_kind"].get(kind)]
    per_user = costs["cost_per_meaningful_user"]
    passed = not missing and per_user is not None
    if passed:
        evidence = (
            f"{costs['currency']} {per_user} per meaningful user "
            f"({costs['costs']['total']} over {costs['meaningful_users']} people)."
        )
    elif missing:
        evidence = "No cost entered for: " + ", ".join(k.replace("_", " ") for k in missing) + "."
    else:
        evidence = costs["cost_per_meaningful_user_message"]
    return Question(
        4,
        passed,
        evidence,
        "Enter the period's license, training, support and adoption-time costs "
        "(`manage.py import_costs`), and follow people past their day-30 check-in.",
    )


def _q5(costs: dict, q1: Question, q3: Question) -> Question:
    value, total = Decimal(costs["value_of_time_saved"]), Decimal(costs["costs"]["total"])
    exceeds = total > 0 and value > total
    roi = f"; ROI {Decimal(costs['roi']):.0%}" if costs["roi"] is not None else ""
    blockers = [f"question {q.number} fails" for q in (q1, q3) if not q.passed]
    return Question(
        5,
        exceeds and not blockers,
        f"Measured value {costs['currency']} {value} (KPI minutes and first-value minutes "
        f"saved × hourly rate) against cost {costs['currency']} {total}{roi}"
        + (" (" + ", ".join(blockers) + ")." if blockers else "."),
        "Make the value measurable first (questions 1 and 3); until the measured time saved "
        "exceeds the cost, do not expand the licences.",
    )


def readiness_report(
    filters: ReportFilters, *, costs: dict | None = None, judged: list[dict] | None = None
) -> dict:
    """``{"as_of", "verdict", "questions": [{"number", "passed", "evidence", "next_step"}]}``.

    ``costs`` and ``judged``: the :func:`cost_summary` and :func:`kpis_judged` already
    computed for the same as-of, if any."""
    if judged is None:
        judged = kpis_judged(as_of=filters.as_of_date)
    costs = costs or cost_summary(filters, judged=judged)
    q1, q3 = _q1(judged), _q3(judged)
    questions = [q1, _q2(filters), q3, _q4(costs), _q5(costs, q1, q3)]
    passed = sum(1 for q in questions if q.passed)
    needed = settings.METRICS["readiness_questions_needed"]
    verdict = "ready" if passed >= needed and questions[4].passed else "not_ready"
    return {
        "as_of": filters.as_of_date.isoformat(),
        "verdict": verdict,
        "verdict_text": VERDICTS[verdict],
        "passed": passed,
        "failed": [q.number for q in questions if not q.passed],
        "questions": [asdict(q) for q in questions],
    }
