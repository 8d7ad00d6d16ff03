from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command

from insights.filters import report_filters_build
from insights.kpis import kpi_measurement_add
from insights.models import CostEntry
from insights.readiness import readiness_report
from onboarding.models import Checkin
from onboarding.progress import step_complete
from roles.models import PathStep
from tests.factories import make_pack

from .conftest import complete, enroll, utc

pytestmark = pytest.mark.django_db


def checks(as_of="2026-04-30"):
    report = readiness_report(report_filters_build(as_of=as_of))
    return report, {c["key"]: c for c in report["checks"]}


def test_with_no_data_nothing_passes_and_it_says_why(db):
    report, by_key = checks()
    assert report["passed"] == 0 and report["ready"] is False
    assert "measuring activation, not value" in report["verdict"]
    assert by_key["workflow_training"]["evidence"] == "Nobody is enrolled yet."
    assert "No KPI has been measured yet" in by_key["baselines"]["evidence"]
    assert "No meaningful users yet" in by_key["cost_per_meaningful_user"]["evidence"]


def test_it_is_ready_when_the_value_is_measured():
    version = make_pack(baseline=90)
    pack = version.pack
    people = [enroll(version, f"p{i}@example.com", date(2026, 3, 2)) for i in range(5)]
    demo = PathStep.objects.get(version=version, track="prescriptive", kind="watch_demo")
    for person in people[:3]:  # 3 of 5 = 60%: exactly the threshold
        step_complete(enrollment=person, step=demo, now=utc(2026, 3, 2, 10))
    for person in people[:2]:
        complete(person, utc(2026, 3, 4, 9), minutes=30)
        Checkin.objects.create(
            enrollment=person,
            day=30,
            due_at=utc(2026, 4, 13, 9),
            active=True,
            answered_at=utc(2026, 4, 13, 10),
        )
    for name, baseline, value in (("Commentary time", 90, 40), ("Reports on time", 70, 90)):
        kpi_measurement_add(
            pack=pack,
            kpi_name=name,
            measured_on=date(2026, 2, 1),
            value=baseline,
            is_baseline=True,
        )
        kpi_measurement_add(pack=pack, kpi_name=name, measured_on=date(2026, 4, 1), value=value)
    CostEntry.objects.create(
        period_start=date(2026, 3, 1),
        period_end=date(2026, 3, 31),
        kind="license",
        amount=Decimal("100"),
    )

    report, by_key = checks()
    assert {k: c["passed"] for k, c in by_key.items()} == {
        "measured_workflows": True,
        "workflow_training": True,
        "baselines": True,
        "cost_per_meaningful_user": True,
        "roi": True,  # 120 minutes at 60/h = 120 ≥ 100
    }
    assert report["ready"] is True
    assert "3 workflow(s)" in by_key["measured_workflows"]["evidence"]
    assert "3 of 5 enrolled (60%)" in by_key["workflow_training"]["evidence"]
    assert "EUR 50.00 per meaningful user" in by_key["cost_per_meaningful_user"]["evidence"]


def test_a_baseline_measured_after_the_claim_does_not_count():
    pack = make_pack().pack
    kpi_measurement_add(
        pack=pack, kpi_name="Commentary time", measured_on=date(2026, 3, 1), value=50
    )
    kpi_measurement_add(
        pack=pack,
        kpi_name="Commentary time",
        measured_on=date(2026, 4, 1),
        value=90,
        is_baseline=True,
    )
    _, by_key = checks()
    assert by_key["baselines"]["passed"] is False
    assert "finance-analyst: Commentary time" in by_key["baselines"]["evidence"]


def test_three_passes_make_it_ready_and_two_do_not():
    version = make_pack(baseline=90)
    person = enroll(version, "p@example.com", date(2026, 3, 2))
    demo = PathStep.objects.get(version=version, track="prescriptive", kind="watch_demo")
    step_complete(enrollment=person, step=demo, now=utc(2026, 3, 2, 10))
    complete(person, utc(2026, 3, 4, 9), minutes=30)
    Checkin.objects.create(enrollment=person, day=30, due_at=utc(2026, 4, 13, 9), active=True)
    CostEntry.objects.create(
        period_start=date(2026, 3, 1),
        period_end=date(2026, 3, 31),
        kind="license",
        amount=Decimal("1000"),
    )
    report, by_key = checks()
    # training (1/1) and cost per meaningful user pass; ROI fails (60 < 1000)
    assert report["passed"] == 2 and report["ready"] is False
    kpi_measurement_add(
        pack=version.pack,
        kpi_name="Commentary time",
        measured_on=date(2026, 2, 1),
        value=90,
        is_baseline=True,
    )
    kpi_measurement_add(
        pack=version.pack, kpi_name="Commentary time", measured_on=date(2026, 4, 1), value=60
    )
    report, by_key = checks()
    assert by_key["baselines"]["passed"] is True
    assert report["passed"] == 3 and report["ready"] is True


def test_the_command_prints_each_check(db, capsys):
    call_command("readiness_report", "--as-of", "2026-04-30")
    out = capsys.readouterr().out
    assert out.count("[FAIL]") == 5
    assert "0 of 5 pass." in out
