"""The further metrics of docs/metrics.md in SQL aggregates: day-3 engagement, TTV bands in
calendar days, 90-day active use, meaningful users, activated but no value.

Each block is one ``aggregate`` over the filtered enrollments (plus one for the organisation
settings), so the query count does not depend on the number of people.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import Count, F, OuterRef, Q

from onboarding.models import EnrollmentDay, OrgSettings, StepCompletion

from .activation import conditions
from .activity import active_between
from .filters import ReportFilters, enrollments_enrolled
from .models import UsageActivity
from .rates import rate
from .training import training_hours
from .usewindows import active_at, day_passed, usage_known

ENGAGEMENT_DAY = 3


def day3_engagement(filters: ReportFilters) -> dict:
    """Share of people whose working day 3 has ended who by then did a path step, recorded
    FVM or used the AI tool; and the day-7 FVM rate of the engaged and of the others."""
    as_of, day = filters.as_of, filters.as_of_date
    nudge_hour = OrgSettings.load().nudge_hour
    end = F("enrollment__days__begins_at") + timedelta(hours=24 - nudge_hour)
    ended = EnrollmentDay.objects.filter(
        number=ENGAGEMENT_DAY, begins_at__lte=as_of - timedelta(hours=24 - nudge_hour)
    )
    # Uncorrelated IN subqueries (PostgreSQL hashes each once), as in the funnel: correlated
    # EXISTS per row were estimated so dear that JIT compilation alone took seconds at 20k.
    stepped = Q(
        pk__in=StepCompletion.objects.filter(
            enrollment__days__number=ENGAGEMENT_DAY, done_at__lt=end
        ).values("enrollment_id")
    )
    # Usage dates are the tool's (UTC) dates, compared with the date of working day 3; one
    # enrollment per person, so the person's enrollment is the outer row.
    used = Q(
        user_id__in=UsageActivity.objects.filter(
            date__gte=F("user__enrollment__start_date"),
            reported_on__lte=day,
            user__enrollment__days__number=ENGAGEMENT_DAY,
            date__lte=F("user__enrollment__days__date"),
        ).values("user_id")
    )
    fvm = Q(fvm_completion__ttv__lte=ENGAGEMENT_DAY, fvm_completion__completed_at__lte=as_of)
    engaged = stepped | fvm | used
    c = conditions(as_of)
    agg = (
        enrollments_enrolled(filters)
        .filter(pk__in=ended.values("enrollment_id"))
        .aggregate(
            ended=Count("id"),
            engaged=Count("id", filter=engaged),
            engaged_eligible=Count("id", filter=engaged & c["eligible"]),
            engaged_reached=Count("id", filter=engaged & c["reached"]),
            other_eligible=Count("id", filter=~engaged & c["eligible"]),
            other_reached=Count("id", filter=~engaged & c["reached"]),
        )
    )
    return {
        "engaged": rate(agg["engaged"], agg["ended"]),
        "fvm_rate_engaged": rate(agg["engaged_reached"], agg["engaged_eligible"]),
        "fvm_rate_not_engaged": rate(agg["other_reached"], agg["other_eligible"]),
    }


def ttv_bands(filters: ReportFilters) -> dict:
    """FVM completions by calendar days from the start date to the completion's local date:
    under 14, 14 to 30, over 30 (each a share of the completions by as_of)."""
    local = "fvm_completion__local_date"
    agg = (
        enrollments_enrolled(filters)
        .filter(fvm_completion__completed_at__lte=filters.as_of)
        .aggregate(
            total=Count("id"),
            under_14=Count("id", filter=Q(**{f"{local}__lt": F("start_date") + timedelta(14)})),
            over_30=Count("id", filter=Q(**{f"{local}__gt": F("start_date") + timedelta(30)})),
        )
    )
    total = agg["total"]
    middle = total - agg["under_14"] - agg["over_30"]
    return {
        "under_14": rate(agg["under_14"], total),
        "14_to_30": rate(middle, total),
        "over_30": rate(agg["over_30"], total),
    }


def active_use_90(filters: ReportFilters) -> dict:
    """Active in the 28 days up to calendar day 90 ÷ people whose day 90 has passed, and how
    many figures came from usage data and how many from the day-90 check-in."""
    as_of, day = filters.as_of, filters.as_of_date
    known = Q(usage_known(day))
    active = active_at(90, as_of=as_of, as_of_date=day)
    agg = (
        enrollments_enrolled(filters)
        .filter(day_passed(90, day))
        .aggregate(
            passed=Count("id"),
            active=Count("id", filter=active),
            from_usage=Count("id", filter=known),
        )
    )
    metrics = settings.METRICS
    return {
        **rate(agg["active"], agg["passed"]),
        "source": {"usage": agg["from_usage"], "checkin": agg["passed"] - agg["from_usage"]},
        "benchmarks": {
            "median": list(metrics["active_90_median"]),
            "top_quartile": list(metrics["active_90_top_quartile"]),
        },
    }


def meaningful(filters: ReportFilters) -> Q:
    """Reached FVM by as_of and active in the 28 days up to calendar day 30."""
    done = Q(fvm_completion__completed_at__lte=filters.as_of)
    return done & active_at(30, as_of=filters.as_of, as_of_date=filters.as_of_date)


def activated_no_value_share(filters: ReportFilters) -> dict:
    """Active in the tool since their start with no FVM ÷ active in the tool since their start."""
    day = filters.as_of_date
    used = Q(active_between(start=OuterRef("start_date"), end=day, as_of=day))
    done = Q(fvm_completion__completed_at__lte=filters.as_of)
    agg = (
        enrollments_enrolled(filters)
        .filter(used)
        .aggregate(active=Count("id"), no_value=Count("id", filter=~done))
    )
    return rate(agg["no_value"], agg["active"])


def value_metrics(filters: ReportFilters) -> dict:
    """The further metrics, under the report's extra key ``value``."""
    meaningful_users = enrollments_enrolled(filters).filter(meaningful(filters)).count()
    return {
        "day3_engagement": day3_engagement(filters),
        "ttv_bands_calendar_days": ttv_bands(filters),
        "active_use_90": active_use_90(filters),
        "meaningful_users": meaningful_users,
        "activated_no_value": activated_no_value_share(filters),
        "training_hours": training_hours(filters),
    }
