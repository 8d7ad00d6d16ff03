"""Training hours per person (path and reinforcement steps done + 15 per power-user session
held) and the computed adoption time in the change-management ratio, on a hand-made cohort
(2026-03-02 is a Monday; docs/metrics.md, "Training hours")."""

import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from insights.costs import cost_summary
from insights.filters import report_filters_build
from insights.models import CostEntry
from insights.training import adoption_minutes, training_hours
from onboarding.models import InterventionSend, StepCompletion
from roles.models import Intervention, PathStep
from tests.factories import make_pack

from .conftest import complete, enroll, utc

pytestmark = pytest.mark.django_db
AS_OF = "2026-03-31"
START = date(2026, 3, 2)


def step(version, **where):
    return PathStep.objects.get(version=version, **where)


def done(person, path_step, at):
    StepCompletion.objects.create(enrollment=person, step=path_step, done_at=at)


def send(person, kind, status="sent", at=None):
    InterventionSend.objects.create(
        enrollment=person,
        intervention=Intervention.objects.get(version=person.version, kind=kind),
        status=status,
        due_at=at or utc(2026, 3, 10, 9),
        sent_at=(at or utc(2026, 3, 10, 9)) if status == "sent" else None,
    )


@pytest.fixture
def cohort():
    finance = make_pack()
    sales = make_pack("sales-rep", name="Sales rep", baseline=60, target=5)
    track = {"track": "prescriptive"}
    prompt = step(finance, kind="try_prompt", **track)
    prompt.minutes = 30  # its own minutes
    prompt.save()
    reflect2 = step(finance, day=2, **track)
    reflect2.minutes = 45
    reflect2.save()
    demo = step(finance, kind="watch_demo", **track)  # no minutes: the demo's after-minutes, 10
    reflect4 = step(finance, day=4, **track)  # no minutes: the reflect default, 5
    reinforcement = PathStep.objects.create(
        version=finance, track="", day=30, kind="reflect", title="Look back", minutes=20
    )
    sales_prompt = step(sales, kind="try_prompt", **track)
    sales_prompt.minutes = 60
    sales_prompt.save()

    a, b, c, e = (enroll(finance, f"{n}@example.com", START) for n in "abce")
    d = enroll(finance, "d@example.com", date(2026, 3, 27))  # in window on the 31st
    f = enroll(sales, "f@example.com", START)
    at = utc(2026, 3, 4, 10)
    done(a, prompt, at)
    done(a, reflect2, at)
    done(a, reinforcement, at)
    send(a, Intervention.Kind.POWER_USER_SESSION)  # a: 30 + 45 + 20 + 15 = 110
    done(b, demo, at)
    done(b, reflect4, utc(2026, 4, 2, 10))  # after as-of
    send(b, Intervention.Kind.POWER_USER_SESSION, at=utc(2026, 4, 2, 9))  # after as-of
    send(c, Intervention.Kind.MANAGER_NUDGE)  # c: 0 (the nudge is the manager's time)
    done(d, prompt, utc(2026, 3, 30, 10))  # d: 30, but still in window
    complete(e, utc(2026, 3, 4, 12))  # the FVM task is done with it: the target, 10
    send(e, Intervention.Kind.POWER_USER_SESSION, status="held_out")  # not held: e 10
    done(f, sales_prompt, at)  # f: 60
    return finance


def test_the_median_per_role_and_overall_of_the_people_past_day_7(cohort):
    hours = training_hours(report_filters_build(as_of=AS_OF))
    # finance: 0 (c), 10 (b), 10 (e), 110 (a) minutes; sales: 60; all: 0, 10, 10, 60, 110
    assert hours == {
        "overall": {"n": 5, "median_hours": round(10 / 60, 2)},
        "roles": {
            "finance-analyst": {"n": 4, "median_hours": round(10 / 60, 2)},
            "sales-rep": {"n": 1, "median_hours": 1.0},
        },
        "benchmark": [8, 12],
    }


def test_adoption_time_is_everyones_minutes_and_feeds_the_ratio_when_none_is_entered(cohort):
    minutes = adoption_minutes(
        as_of=report_filters_build(as_of=AS_OF).as_of, as_of_date=date(2026, 3, 31)
    )
    # steps 95 (a) + 10 (b) + 30 (d) + 10 (e) + 60 (f); a's session 2 × 15; c's nudge 15
    assert minutes == {"steps": 205, "power_user_sessions": 1, "manager_nudges": 1, "total": 250}
    for kind, amount in (("license", 1000), ("training", 100), ("support", 50)):
        CostEntry.objects.create(
            kind=kind, amount=amount, period_start=date(2026, 3, 1), period_end=date(2026, 3, 31)
        )
    costs = cost_summary(report_filters_build(as_of=AS_OF))
    assert costs["adoption_time_source"] == "computed"
    assert costs["adoption_time_computed"]["cost"] == "250.00"  # 250 min at 60/h
    assert costs["change_management_adoption_time"] == "250.00"
    assert costs["change_management_ratio"] == "0.4000"  # (100 + 50 + 250) / 1000
    assert costs["costs"]["adoption_time"] == "0.00"  # totals keep entered costs only
    assert costs["costs"]["total"] == "1150.00"

    CostEntry.objects.create(
        kind="adoption_time",
        amount=300,
        period_start=date(2026, 3, 1),
        period_end=date(2026, 3, 31),
    )
    costs = cost_summary(report_filters_build(as_of=AS_OF))
    assert costs["adoption_time_source"] == "entered"
    assert costs["change_management_ratio"] == "0.4500"  # (100 + 50 + 300) / 1000
    assert costs["adoption_time_computed"]["cost"] == "250.00"  # still shown beside it


def test_the_report_the_api_and_the_dashboard_show_it(cohort, client, author):
    out = StringIO()
    call_command("activation_report", "--as-of", AS_OF, "--format", "json", stdout=out)
    report = json.loads(out.getvalue())
    assert report["value"]["training_hours"]["overall"] == {"n": 5, "median_hours": 0.17}
    table = StringIO()
    call_command("activation_report", "--as-of", AS_OF, stdout=table)
    assert "Training hours (median, people past day 7): 0.17 h, n=5 — benchmark 8–12 h" in (
        table.getvalue()
    )
    client.force_login(author)
    api = client.get("/api/reports/activation/", {"as_of": AS_OF}).json()
    assert api["value"]["training_hours"] == report["value"]["training_hours"]
    page = client.get("/dashboard/", {"as_of": AS_OF}).content.decode()
    assert "Training hours per person (median" in page
    assert "0.17 h" in page and "n=5" in page
    assert "adoption time computed" in page


@pytest.mark.parametrize("size", [3, 12])
def test_the_query_count_does_not_depend_on_the_number_of_people(
    size, django_assert_max_num_queries
):
    version = make_pack()
    path = list(PathStep.objects.path().filter(version=version, track="prescriptive"))
    for i in range(size):
        person = enroll(version, f"p{i}@example.com", START)
        for s in path[: 1 + i % 4]:
            if s.kind != "fvm_task":
                done(person, s, utc(2026, 3, 4, 10))
        send(person, Intervention.Kind.POWER_USER_SESSION)
    filters = report_filters_build(as_of=AS_OF)
    with django_assert_max_num_queries(2):  # the steps' minutes, the histogram
        training_hours(filters)
    with django_assert_max_num_queries(3):  # completions per step, their minutes, sends
        adoption_minutes(as_of=filters.as_of, as_of_date=date(2026, 3, 31))
