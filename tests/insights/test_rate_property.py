"""The SQL rate equals a plain-Python reading of the definitions (docs/metrics.md) on random
cohorts."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from insights.activation import activation_report
from insights.filters import parse_as_of, report_filters_build
from onboarding import workdays
from tests.factories import make_pack

from .conftest import complete, enroll

pytestmark = pytest.mark.django_db

ZONES = ["UTC", "Pacific/Auckland", "America/Los_Angeles", "Asia/Kolkata"]
FIRST = date(2026, 3, 2)

person = st.tuples(
    st.integers(min_value=0, max_value=28),  # start: days after FIRST
    st.sampled_from(ZONES),
    st.one_of(st.none(), st.integers(min_value=0, max_value=16 * 24)),  # completion: hours
)


def reference(people, as_of: datetime):
    """Straight from the definitions, one person at a time."""
    as_of_day = (as_of - timedelta(microseconds=1)).astimezone(ZoneInfo("UTC")).date()
    enrolled = eligible = reached = 0
    for start, tz, completed_at in people:
        if start > as_of_day:
            continue
        enrolled += 1
        day7 = workdays.working_day(start, 7)
        if workdays.day_end(day7, tz) <= as_of:
            eligible += 1
            if completed_at is not None and completed_at <= as_of:
                if workdays.ttv(start, workdays.local_date(completed_at, tz)) <= 7:
                    reached += 1
    return enrolled, eligible, reached, (reached / eligible if eligible else None)


@settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    people=st.lists(person, min_size=0, max_size=8),
    as_of_days=st.integers(min_value=0, max_value=45),
    as_of_hour=st.integers(min_value=0, max_value=23),
)
def test_it_matches_a_plain_python_reference(people, as_of_days, as_of_hour):
    as_of = datetime.combine(FIRST + timedelta(days=as_of_days), time(as_of_hour), ZoneInfo("UTC"))
    with transaction.atomic():
        version = make_pack()
        plain = []
        for i, (offset, tz, hours) in enumerate(people):
            start = FIRST + timedelta(days=offset)
            enrollment = enroll(version, f"p{i}@example.com", start, tz=tz)
            completed_at = None
            if hours is not None:
                completed_at = datetime.combine(start, time(0), ZoneInfo(tz)) + timedelta(
                    hours=hours
                )
                complete(enrollment, completed_at)
            plain.append((start, tz, completed_at))
        row = activation_report(report_filters_build(as_of=as_of.isoformat()))["overall"]
        transaction.set_rollback(True)

    enrolled, eligible, reached, rate = reference(plain, parse_as_of(as_of.isoformat()))
    assert (row["enrolled"], row["eligible"], row["reached_within_7"]) == (
        enrolled,
        eligible,
        reached,
    )
    assert row["in_window"] == enrolled - eligible
    if rate is None:
        assert row["rate_within_7"] is None
    else:
        assert row["rate_within_7"] == rate
        assert 0 <= row["rate_within_7"] <= 1
