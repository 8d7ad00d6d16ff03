"""Active at calendar day N after the start: usage history first, the check-in answer where a
person has no usage data (docs/metrics.md, "Active use"). Conditions on Enrollment rows."""

from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import DateField, ExpressionWrapper, OuterRef, Q

from onboarding.models import Checkin

from .activity import active_between, has_usage_data


def start_plus(days: int) -> ExpressionWrapper:
    """The outer enrollment's start date + ``days`` calendar days, inside a subquery."""
    return ExpressionWrapper(
        OuterRef("start_date") + timedelta(days=days), output_field=DateField()
    )


def usage_known(as_of_date: date):
    """The person appears in a usage report dated by the as-of date."""
    return has_usage_data(as_of=as_of_date)


def checkin_active(day: int, as_of: datetime) -> Q:
    """Answered "still active" at the working-day ``day`` check-in, by as_of."""
    answered = Checkin.objects.filter(day=day, active=True).filter(
        Q(answered_at__isnull=True) | Q(answered_at__lte=as_of)
    )
    return Q(pk__in=answered.values("enrollment_id"))


def used_in_window(day: int, as_of_date: date):
    """Used the tool on a day of the 28 (settings) days up to calendar day ``day``."""
    window = settings.METRICS["active_window_days"]
    return active_between(start=start_plus(day - window + 1), end=start_plus(day), as_of=as_of_date)


def active_at(day: int, *, as_of: datetime, as_of_date: date) -> Q:
    """Usage data where there are any for the person, else their day-``day`` check-in."""
    known = usage_known(as_of_date)
    return (Q(known) & Q(used_in_window(day, as_of_date))) | (
        ~Q(known) & checkin_active(day, as_of)
    )


def day_passed(day: int, as_of_date: date) -> Q:
    """Calendar day ``day`` after the start has passed by the as-of date."""
    return Q(start_date__lte=as_of_date - timedelta(days=day))
