"""Active use from the usage history: days of use in a window, per week, and Microsoft's usage
segments (habitual ≥ 9 of the last 12 weeks; novice; low; none), per person and per role."""

from datetime import UTC, date, datetime, timedelta

import pytest

from insights.activity import (
    active_days_between,
    active_days_per_week,
    usage_segments,
    usage_segments_by_role,
)
from insights.models import UsageActivity, UsageReport, UsageSnapshot
from onboarding.models import Enrollment
from tests.factories import make_pack

from .conftest import enroll

pytestmark = pytest.mark.django_db
AS_OF = date(2026, 6, 30)


def used(enrollment, days: list[date], reported_on: date = AS_OF) -> None:
    """The person is listed in a report of ``reported_on`` and used the tool on ``days``."""
    report, _ = UsageReport.objects.get_or_create(
        content_hash=f"r-{reported_on}",
        defaults={
            "source": "graph",
            "report_date": reported_on,
            "imported_at": datetime(2026, 7, 1, tzinfo=UTC),
        },
    )
    UsageSnapshot.objects.get_or_create(
        user=enrollment.user, report_date=reported_on, defaults={"report": report}
    )
    UsageActivity.objects.bulk_create(
        [UsageActivity(user=enrollment.user, date=d, reported_on=reported_on) for d in days]
    )


def weekly(weeks: int, per_week: int = 1) -> list[date]:
    """``per_week`` days of use in each of the ``weeks`` latest 7-day weeks ending on AS_OF."""
    return [AS_OF - timedelta(days=7 * w + d) for w in range(weeks) for d in range(per_week)]


@pytest.fixture
def people():
    finance, sales = make_pack("finance"), make_pack("sales", name="Sales rep")
    start = date(2026, 3, 2)
    return {
        "habitual": enroll(finance, "h@example.com", start),
        "almost": enroll(finance, "a@example.com", start),
        "novice": enroll(sales, "n@example.com", start),
        "low": enroll(sales, "l@example.com", start),
        "none": enroll(sales, "z@example.com", start),
        "no_data": enroll(sales, "x@example.com", start),
    }


def test_each_person_gets_microsofts_segment(people, django_assert_max_num_queries):
    used(people["habitual"], weekly(9))  # weeks 1–9 of the last 12
    used(people["almost"], weekly(8) + [AS_OF - timedelta(days=7 * 12)])  # 8, the 9th too old
    used(people["novice"], [AS_OF - timedelta(days=d) for d in (0, 3, 10, 27)])
    used(people["low"], [AS_OF - timedelta(days=27)])
    used(people["none"], [AS_OF - timedelta(days=28)])  # just outside the 28 days
    with django_assert_max_num_queries(1):
        rows = {r["enrollment"]: r for r in usage_segments(as_of=AS_OF)}
    segment = {name: rows.get(e.pk, {}).get("segment") for name, e in people.items()}
    assert segment == {
        "habitual": "habitual",
        "almost": "novice",  # 4 days in the last 28 (weeks 1–4)
        "novice": "novice",
        "low": "low",
        "none": "none",
        "no_data": None,  # no usage data: left out, the check-in answer stands in
    }
    assert rows[people["habitual"].pk]["active_weeks"] == 9
    assert rows[people["almost"].pk]["active_weeks"] == 8
    assert rows[people["novice"].pk]["recent_days"] == 4


def test_segments_count_only_what_was_reported_by_as_of(people):
    used(people["habitual"], weekly(9, per_week=1), reported_on=date(2026, 7, 10))
    assert list(usage_segments(as_of=AS_OF)) == []  # not yet reported on the 30th
    rows = list(usage_segments(as_of=date(2026, 7, 10)))
    assert [r["segment"] for r in rows] == ["habitual"]


def test_segments_per_role(people, django_assert_max_num_queries):
    used(people["habitual"], weekly(10))
    used(people["almost"], [])
    used(people["novice"], weekly(4))
    used(people["low"], [AS_OF])
    with django_assert_max_num_queries(1):
        by_role = usage_segments_by_role(as_of=AS_OF)
    assert by_role == {
        "finance": {"habitual": 1, "novice": 0, "low": 0, "none": 1},
        "sales": {"habitual": 0, "novice": 1, "low": 1, "none": 0},
    }
    only = Enrollment.objects.filter(version__pack__slug="sales")
    assert list(usage_segments_by_role(as_of=AS_OF, enrollments=only)) == ["sales"]


def test_days_of_use_in_a_window_and_per_week(people):
    used(people["habitual"], weekly(4, per_week=3))  # 12 days over 28
    used(people["low"], [AS_OF], reported_on=date(2026, 7, 2))  # reported after as-of
    start, end = AS_OF - timedelta(days=27), AS_OF
    rows = {
        email: (days, per_week)
        for email, days, per_week in Enrollment.objects.annotate(
            use_days=active_days_between(start=start, end=end, as_of=AS_OF),
            per_week=active_days_per_week(start=start, end=end, as_of=AS_OF),
        ).values_list("user__email", "use_days", "per_week")
    }
    assert rows["h@example.com"] == (12, pytest.approx(3.0))
    assert rows["l@example.com"] == rows["x@example.com"] == (0, 0)
