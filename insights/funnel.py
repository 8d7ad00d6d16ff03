"""Where people stop: the funnel, and who to follow up (not activated; activated, no value)."""

from django.db.models import Count, OuterRef, Q, Subquery, Window

from onboarding.models import Enrollment, EnrollmentDay, StepCompletion
from roles.models import PATH_LAST_DAY

from .activation import conditions
from .activity import active_between
from .filters import ReportFilters, enrollments_enrolled
from .models import UsageActivity
from .usewindows import active_at

STAGES = {
    "enrolled": "Enrolled",
    "first_visit": "First visit",
    "first_step": "First step done",
    "fvm_within_7": "FVM within 7 working days",
    "active_day_30": "Active at day 30",
    "active_day_90": "Active at day 90",
}


def funnel(filters: ReportFilters) -> list[dict]:
    """Enrolled ⊇ first visit ⊇ first step ⊇ FVM within 7 ⊇ active day 30 ⊇ active day 90.

    Nested: each stage counts only people who passed every earlier stage, by as_of. The FVM
    stage counts only eligible people (the rate's numerator), so people still in window are
    not failures; "active at day N" is usage in the 28 days up to calendar day N, or the
    day-N check-in answer for people without usage data (insights/usewindows.py).
    """
    as_of, day = filters.as_of, filters.as_of_date
    # Uncorrelated IN subqueries: PostgreSQL hashes each once (a correlated EXISTS per row is
    # estimated so dear that JIT compilation alone took longer than the query at 100k).
    # A step of the 7-day path: a reinforcement step (day 30/90) is not a first step.
    stepped = Q(
        pk__in=StepCompletion.objects.filter(
            done_at__lte=as_of, step__day__lte=PATH_LAST_DAY
        ).values("enrollment_id")
    )
    stages = {"enrolled": Q()}
    stages["first_visit"] = Q(first_visit_at__lte=as_of)
    stages["first_step"] = stages["first_visit"] & stepped
    stages["fvm_within_7"] = stages["first_step"] & conditions(as_of)["reached"]
    stages["active_day_30"] = stages["fvm_within_7"] & active_at(30, as_of=as_of, as_of_date=day)
    stages["active_day_90"] = stages["active_day_30"] & active_at(90, as_of=as_of, as_of_date=day)
    agg = enrollments_enrolled(filters).aggregate(
        **{key: Count("id", filter=q) if q else Count("id") for key, q in stages.items()}
    )
    return [
        {"stage": key, "label": label, "people": agg[key] or 0} for key, label in STAGES.items()
    ]


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
            send.intervention.kind: send_status_as_of(send, as_of)
            for send in person.intervention_sends.all()
            if send.due_at <= as_of
        }
    return people, total


def send_status_as_of(send, as_of) -> str:
    """A send's status as it stood at as_of: one sent later was still pending then."""
    if send.status == "sent" and (send.sent_at is None or send.sent_at > as_of):
        return "pending"
    return send.status


def activated_no_value(filters: ReportFilters, *, limit: int = 200) -> tuple[list[Enrollment], int]:
    """The activation trap: used the AI tool since their start date (usage history, as
    reported by the as-of date), and no FVM by as_of."""
    day = filters.as_of_date
    used = UsageActivity.objects.filter(
        user=OuterRef("user"), date__gte=OuterRef("start_date"), date__lte=day, reported_on__lte=day
    )
    qs = (
        enrollments_enrolled(filters)
        .filter(active_between(start=OuterRef("start_date"), end=day, as_of=day))
        .exclude(fvm_completion__completed_at__lte=filters.as_of)
    )
    total = qs.count()
    people = list(
        qs.annotate(last_used=Subquery(used.order_by("-date").values("date")[:1]))
        .select_related("user", "version__pack")
        .order_by("start_date", "id")[:limit]
    )
    return people, total
