"""Expansion readiness: the five questions of docs/metrics.md on two built scenarios."""

import json
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from insights.filters import report_filters_build
from insights.kpis import first_starts, kpi_measurement_add
from insights.models import CostEntry
from insights.readiness import readiness_report, workflow_trained
from onboarding.models import Checkin, OrgSettings
from onboarding.progress import step_complete
from roles.models import PathStep
from tests.factories import make_pack

from .conftest import complete, enroll, usage_report, utc

pytestmark = pytest.mark.django_db
START = date(2026, 3, 2)  # the role's first start date: the rollout began then


def report(as_of="2026-04-30"):
    return readiness_report(report_filters_build(as_of=as_of))


def by_number(data):
    return {q["number"]: q for q in data["questions"]}


def measure(pack, name, on, value, baseline=False):
    kpi_measurement_add(pack=pack, kpi_name=name, measured_on=on, value=value, is_baseline=baseline)


def costs(**amounts):
    for kind, amount in amounts.items():
        CostEntry.objects.create(
            period_start=date(2026, 3, 1),
            period_end=date(2026, 3, 31),
            kind=kind,
            amount=Decimal(amount),
        )


def seats(n):
    org = OrgSettings.load()
    org.licensed_seats = n
    org.save()


def people(version, n, trained=0, valued=0):
    demo = PathStep.objects.get(version=version, track="prescriptive", kind="watch_demo")
    everyone = [enroll(version, f"p{i}@example.com", START) for i in range(n)]
    for person in everyone[:trained]:
        step_complete(enrollment=person, step=demo, now=utc(2026, 3, 2, 10))
    for person in everyone[:valued]:
        complete(person, utc(2026, 3, 4, 9), minutes=30)  # 60 minutes saved each
        Checkin.objects.create(enrollment=person, day=30, due_at=utc(2026, 4, 13, 9), active=True)
    return everyone


def test_the_board_scenario_is_not_ready_and_says_what_to_do():
    """Negative ROI, baselines taken weeks into the rollout, 3% of licensed seats trained."""
    version = make_pack(baseline=90)
    people(version, 3, trained=3, valued=1)
    seats(100)  # 3 of 100 trained
    for name, base, value in (("Commentary time", 90, 30), ("Reports on time", 50, 90)):
        measure(version.pack, name, date(2026, 3, 23), base, baseline=True)  # mid-rollout
        measure(version.pack, name, date(2026, 4, 20), value)
    costs(license="5000", training="800", support="400", adoption_time="300")

    data = report()
    assert data["verdict"] == "not_ready"
    assert data["verdict_text"] == "Not ready: you are measuring activation, not value."
    assert data["failed"] == [1, 2, 3, 5]
    q = by_number(data)
    assert "0 KPI(s) improved by at least 10%" in q[1]["evidence"]
    assert "Self-reported first-value minutes do not count." in q[1]["evidence"]
    assert q[2]["evidence"].startswith("3 of 100 licensed seats (3%)")
    assert "finance-analyst: Commentary time; finance-analyst: Reports on time" in q[3]["evidence"]
    assert q[4]["passed"] is True and "EUR 6500.00 per meaningful user" in q[4]["evidence"]
    assert "ROI -99%" in q[5]["evidence"] and "question 1 fails" in q[5]["evidence"]
    for number in (1, 2, 3, 5):
        assert q[number]["next_step"]
    assert q[4]["next_step"] == ""
    assert [x["number"] for x in data["questions"]] == [1, 2, 3, 4, 5]


def test_a_scenario_built_to_pass_is_ready():
    version = make_pack(baseline=90)
    people(version, 20, trained=6, valued=12)  # trained: 6 by demos + 6 more by FVM = 12
    seats(20)  # 12 of 20 = 60% ≥ 50%
    pack = version.pack
    for name, base, value in (("Commentary time", 90, 30), ("Reports on time", 50, 90)):
        measure(pack, name, date(2026, 2, 20), base, baseline=True)  # before the first start
        measure(pack, name, date(2026, 4, 20), value)
    other = make_pack("sales-rep", name="Sales rep", baseline=60, target=5)
    enroll(other, "s@example.com", START)
    measure(other.pack, "Commentary time", date(2026, 2, 1), 100, baseline=True)
    measure(other.pack, "Commentary time", date(2026, 4, 1), 89)  # 11% better
    costs(license="400", training="100", support="50", adoption_time="50")

    data = report()
    assert data["verdict"] == "ready", data
    assert data["failed"] == []
    q = by_number(data)
    assert q[1]["evidence"].startswith("3 KPI(s) improved by at least 10%")
    # 12 × 60 FVM minutes + (60 + 11) KPI minutes = 791 min at 60/h = 791.00 > 600
    assert "EUR 791.00" in q[5]["evidence"] and "cost EUR 600.00" in q[5]["evidence"]


def test_three_passes_without_roi_are_not_ready():
    version = make_pack(baseline=90)
    people(version, 2, trained=2, valued=2)
    seats(2)
    measure(version.pack, "Commentary time", date(2026, 2, 1), 90, baseline=True)
    measure(version.pack, "Commentary time", date(2026, 4, 1), 30)
    costs(license="9000", training="1", support="1", adoption_time="1")
    data = report()
    assert data["failed"] == [1, 5]  # one KPI only; value 120 + 60 min ≪ cost
    assert data["passed"] == 3 and data["verdict"] == "not_ready"


def test_usage_decides_the_meaningful_users_where_there_is_any():
    version = make_pack(baseline=90)
    (person,) = people(version, 1, valued=1)
    costs(license="1", training="1", support="1", adoption_time="1")
    assert by_number(report())[4]["passed"] is True  # the day-30 answer stands in
    usage_report(date(2026, 4, 5), [person.user], [date(2026, 3, 1)])  # listed, not active
    assert by_number(report())[4]["passed"] is False


def test_with_no_data_nothing_passes_and_it_says_why(db):
    data = report()
    assert data["verdict"] == "not_ready" and data["failed"] == [1, 2, 3, 4, 5]
    q = by_number(data)
    assert "licensed seats is not set" in q[2]["evidence"]
    assert "No KPI has been measured yet" in q[3]["evidence"]
    assert q[4]["evidence"] == "No cost entered for: license, training, support, adoption time."


def test_the_command_and_the_api_print_the_contract(db, author, capsys):
    out = StringIO()
    call_command("readiness_report", "--as-of", "2026-04-30", "--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    assert {"as_of", "verdict", "questions"} <= set(data)
    assert set(data["questions"][0]) >= {"number", "passed", "evidence", "next_step"}
    api = APIClient()
    api.force_authenticate(author)
    assert api.get("/api/reports/readiness/", {"as_of": "2026-04-30"}).json() == data
    call_command("readiness_report", "--as-of", "2026-04-30")
    text = capsys.readouterr().out
    assert text.count("[FAIL]") == 5 and "0 of 5 pass." in text and "Next: " in text


def test_workflow_training_counts_every_demo_of_the_path_in_two_queries(
    django_assert_num_queries,
):
    """Trained = every watch_demo step of one's own (version, track) done by as-of, or FVM;
    the count is set-based, so its queries do not grow with the number of people."""
    version = make_pack()
    second = PathStep.objects.create(
        version=version,
        track="prescriptive",
        day=2,
        order=5,
        kind=PathStep.Kind.WATCH_DEMO,
        title="Watch the second demo",
        demo_slug="variance-demo",
    )
    first = PathStep.objects.get(version=version, track="prescriptive", day=1, kind="watch_demo")
    filters = report_filters_build(as_of="2026-04-30")

    def cohort(prefix, n):
        everyone = [enroll(version, f"{prefix}{i}@example.com", START) for i in range(n)]
        both, one, late, valued = everyone[0], everyone[1], everyone[2], everyone[3]
        for step in (first, second):
            step_complete(enrollment=both, step=step, now=utc(2026, 3, 3, 10))
        step_complete(enrollment=one, step=first, now=utc(2026, 3, 3, 10))  # one of two
        step_complete(enrollment=late, step=first, now=utc(2026, 3, 3, 10))
        step_complete(enrollment=late, step=second, now=utc(2026, 5, 4, 10))  # after as-of
        complete(valued, utc(2026, 3, 4, 9), minutes=30)  # FVM counts without demos

    cohort("a", 4)
    with django_assert_num_queries(2):
        assert workflow_trained(filters) == 2
    cohort("b", 20)
    with django_assert_num_queries(2):
        assert workflow_trained(filters) == 4


def test_each_roles_first_start_is_read_per_version_in_one_query(django_assert_num_queries):
    """The rollout's start per role: the earliest start over all its versions, one query
    whatever the number of people (each version's earliest start from its index)."""
    first = make_pack()
    second = make_pack(number=2, pack=first.pack)
    other = make_pack("sales-rep")
    enroll(first, "a@example.com", date(2026, 3, 9))
    enroll(second, "b@example.com", date(2026, 3, 2))
    with django_assert_num_queries(1):
        assert first_starts() == {"finance-analyst": date(2026, 3, 2)}
    for i in range(12):
        enroll(other, f"s{i}@example.com", date(2026, 4, 1 + i))
    with django_assert_num_queries(1):
        assert first_starts() == {
            "finance-analyst": date(2026, 3, 2),
            "sales-rep": date(2026, 4, 1),
        }
