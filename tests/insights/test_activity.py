"""The usage-history reads that the value metrics build on."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import DateField, ExpressionWrapper, OuterRef

from insights.activity import active_between, has_usage_data
from insights.models import UsageActivity, UsageReport, UsageSnapshot
from onboarding.models import Enrollment
from tests.factories import make_pack

from .conftest import enroll


def _report(day: date, users, last_dates) -> None:
    report = UsageReport.objects.create(
        source="plain",
        report_date=day,
        content_hash=f"{day}-{len(users)}",
        imported_at=datetime(2026, 1, 1, tzinfo=ZoneInfo("UTC")),
    )
    for user, last in zip(users, last_dates, strict=True):
        UsageSnapshot.objects.create(
            report=report, user=user, report_date=day, last_activity_date=last
        )
        if last is not None:
            UsageActivity.objects.get_or_create(user=user, date=last, defaults={"reported_on": day})


def test_it_counts_use_inside_a_window_relative_to_each_start_date(db):
    version = make_pack()
    early = enroll(version, "early@example.com", date(2026, 1, 5))
    late = enroll(version, "late@example.com", date(2026, 2, 2))
    silent = enroll(version, "silent@example.com", date(2026, 1, 5))
    # early used it on day 30 after start; late only on day 3; silent is listed, never active.
    _report(date(2026, 3, 10), [early.user, late.user, silent.user], [date(2026, 2, 4), None, None])
    _report(date(2026, 2, 6), [late.user], [date(2026, 2, 5)])

    start = ExpressionWrapper(OuterRef("start_date") + timedelta(days=2), output_field=DateField())
    end = ExpressionWrapper(OuterRef("start_date") + timedelta(days=30), output_field=DateField())
    rows = dict(
        Enrollment.objects.annotate(
            active=active_between(start=start, end=end, as_of=date(2026, 3, 31)),
            known=has_usage_data(as_of=date(2026, 3, 31)),
        ).values_list("user__email", "active")
    )
    assert rows == {
        "early@example.com": True,
        "late@example.com": True,
        "silent@example.com": False,
    }


def test_a_past_report_counts_only_what_was_reported_by_then(db):
    version = make_pack()
    person = enroll(version, "p@example.com", date(2026, 1, 5))
    _report(date(2026, 2, 20), [person.user], [date(2026, 1, 20)])

    def as_of(day):
        return Enrollment.objects.annotate(
            active=active_between(start=date(2026, 1, 1), end=date(2026, 1, 31), as_of=day),
            known=has_usage_data(as_of=day),
        ).values_list("active", "known")[0]

    assert as_of(date(2026, 1, 31)) == (False, False)
    assert as_of(date(2026, 2, 20)) == (True, True)
