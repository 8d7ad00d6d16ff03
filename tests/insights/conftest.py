from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group

from onboarding.models import Enrollment, FvmCompletion
from onboarding.progress import fvm_completion_record
from onboarding.services import enrollment_enroll
from tests.factories import UserFactory

UTC = ZoneInfo("UTC")
# A report ROW's sentiment when nobody answered the check-in question.
NO_SENTIMENT = {
    "n": 0,
    "mean": None,
    "positive": {"k": 0, "n": 0, "rate": None, "ci": None, "too_few": True},
}


def enroll(version, email: str, start: date, tz: str = "UTC", manager: str = "") -> Enrollment:
    return enrollment_enroll(
        email=email, version=version, start_date=start, timezone=tz, manager_email=manager
    )


def complete(enrollment: Enrollment, at: datetime, minutes: int = 30) -> FvmCompletion:
    return fvm_completion_record(
        enrollment=enrollment,
        minutes_taken=minutes,
        evidence="https://example.com/result",
        rating=4,
        completed_at=at,
        now=at,
    )


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def author(db):
    user = UserFactory(username="author@example.com")
    group, _ = Group.objects.get_or_create(name="enablement")
    user.groups.add(group)
    return user


@pytest.fixture
def employee(db):
    return UserFactory(username="employee@example.com")


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin@example.com", is_staff=True, is_superuser=True)


def usage_report(day: date, users, last_dates, source: str = "plain") -> None:
    """One usage report of ``day`` listing ``users`` with their last day of use (or None),
    stored as the usage history the metrics read (insights/activity.py)."""
    from insights.models import UsageActivity, UsageReport, UsageSnapshot

    report = UsageReport.objects.create(
        source=source,
        report_date=day,
        content_hash=f"{day}-{'-'.join(str(u.pk) for u in users)}",
        imported_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    for user, last in zip(users, last_dates, strict=True):
        UsageSnapshot.objects.create(
            report=report, user=user, report_date=day, last_activity_date=last
        )
        if last is not None:
            UsageActivity.objects.get_or_create(user=user, date=last, defaults={"reported_on": day})
