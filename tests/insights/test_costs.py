from datetime import date
from decimal import Decimal

import pytest

from insights.costs import cost_summary
from insights.filters import report_filters_build
from insights.models import CostEntry
from onboarding.models import Checkin, OrgSettings
from tests.factories import make_pack

from .conftest import complete, enroll, utc

pytestmark = pytest.mark.django_db


def checkin(enrollment, active, day=30):
    Checkin.objects.create(
        enrollment=enrollment,
        day=day,
        due_at=utc(2026, 4, 13, 9),
        answered_at=utc(2026, 4, 13, 10),
        active=active,
    )


@pytest.fixture
def people():
    version = make_pack(baseline=90)
    a, b, c, d = (
        enroll(version, f"{n}@example.com", date(2026, 3, 2)) for n in ("a", "b", "c", "d")
    )
    for person in (a, b, c):
        complete(person, utc(2026, 3, 4, 9), minutes=30)  # 60 minutes saved each
    checkin(a, True)
    checkin(b, True)
    checkin(c, False)  # reached FVM, not active: not meaningful
    checkin(d, True)  # active, never reached FVM: not meaningful
    return a, b, c, d


def add_costs():
    for kind, amount in (("license", "1000"), ("training", "200"), ("support", "100")):
        CostEntry.objects.create(
            period_start=date(2026, 3, 1),
            period_end=date(2026, 3, 31),
            kind=kind,
            amount=Decimal(amount),
        )
    CostEntry.objects.create(  # a later period: not yet counted as of April
        period_start=date(2026, 6, 1),
        period_end=date(2026, 6, 30),
        kind="license",
        amount=Decimal("5000"),
    )


def test_cost_per_meaningful_user_divides_all_costs_by_meaningful_users(people):
    add_costs()
    summary = cost_summary(report_filters_build(as_of="2026-04-30"))
    assert summary["costs"] == {
        "license": "1000.00",
        "training": "200.00",
        "support": "100.00",
        "adoption_time": "0.00",
        "total": "1300.00",
    }
    # No adoption time entered: the computed one, the three FVM tasks done (the target, 10
    # minutes each) at 60/h = 30.00, so (200 + 100 + 30) / 1000.
    assert summary["adoption_time_source"] == "computed"
    assert summary["change_management_adoption_time"] == "30.00"
    assert summary["change_management_ratio"] == "0.3300"
    assert summary["change_management_benchmark"] == [0.40, 0.60]
    assert summary["meaningful_users"] == 2
    assert summary["cost_per_meaningful_user"] == "650.00"


def test_roi_values_minutes_saved_at_the_hourly_rate(people):
    add_costs()
    org = OrgSettings.load()
    org.hourly_rate = Decimal("60")
    org.save()
    summary = cost_summary(report_filters_build(as_of="2026-04-30"))
    assert summary["minutes_saved_total"] == 180
    assert summary["value_of_minutes_saved"] == "180.00"
    assert summary["roi"] == str(((Decimal(180) - 1300) / 1300).quantize(Decimal("0.0001")))


def test_no_meaningful_users_gives_null_with_a_clear_message(db):
    add_costs()
    summary = cost_summary(report_filters_build(as_of="2026-04-30"))
    assert summary["cost_per_meaningful_user"] is None
    assert "No meaningful users yet" in summary["cost_per_meaningful_user_message"]


def test_no_costs_gives_null_cost_and_roi(people):
    summary = cost_summary(report_filters_build(as_of="2026-04-30"))
    assert summary["cost_per_meaningful_user"] is None
    assert "No costs recorded" in summary["cost_per_meaningful_user_message"]
    assert summary["roi"] is None
