"""The further metrics on hand-computed cohorts (docs/metrics.md), as-of boundaries included.

2026-03-02 and 2026-01-05 are Mondays; everyone is in UTC with the 09:00 nudge hour, so
working day 3 of a Monday start ends at Thursday 00:00 UTC.
"""

from datetime import date, timedelta

import pytest

from insights.filters import report_filters_build
from insights.funnel import funnel
from insights.rates import wilson
from insights.value import (
    activated_no_value_share,
    active_use_90,
    day3_engagement,
    ttv_bands,
    value_metrics,
)
from onboarding.models import Checkin, StepCompletion
from roles.models import PathStep
from tests.factories import make_pack

from .conftest import complete, enroll, usage_report, utc

pytestmark = pytest.mark.django_db


def rate(k, n):
    return {"k": k, "n": n, "rate": k / n if n else None, "ci": wilson(k, n), "too_few": n < 10}


def step_done(person, at):
    step = PathStep.objects.filter(version=person.version, track=person.track).first()
    StepCompletion.objects.create(enrollment=person, step=step, done_at=at)


def checkin(person, day, active, answered=None):
    Checkin.objects.create(
        enrollment=person, day=day, due_at=utc(2026, 1, 1), active=active, answered_at=answered
    )


@pytest.fixture
def version():
    return make_pack()


def test_day_3_engagement_and_the_day_7_rate_of_each_side(version):
    monday = date(2026, 3, 2)
    a, b, c, d, e, g = (enroll(version, f"{n}@example.com", monday) for n in "abcdeg")
    step_done(a, utc(2026, 3, 3, 10))  # a step on day 2: engaged
    complete(a, utc(2026, 3, 6, 9))  # TTV 5: reached
    usage_report(date(2026, 3, 6), [b.user], [date(2026, 3, 4)])  # used it on day 3: engaged
    step_done(c, utc(2026, 3, 5, 10))  # a step on day 4: too late
    complete(c, utc(2026, 3, 9, 9))  # TTV 6: reached, though not engaged
    complete(e, utc(2026, 3, 4, 12))  # FVM on day 3: engaged, reached
    usage_report(date(2026, 3, 20), [g.user], [date(2026, 3, 3)])  # reported after as-of
    f = enroll(version, "f@example.com", date(2026, 3, 16))  # day 3 = Wed 18th, in window
    step_done(f, utc(2026, 3, 18, 23))
    # d: nothing at all.

    result = day3_engagement(report_filters_build(as_of="2026-03-18"))
    assert result == {
        "engaged": rate(4, 7),  # a, b, e, f of a b c d e f g (f's day 3 ends exactly at as-of)
        "fvm_rate_engaged": rate(2, 3),  # a, e of the eligible a, b, e
        "fvm_rate_not_engaged": rate(1, 3),  # c of c, d, g
    }
    just_before = day3_engagement(report_filters_build(as_of="2026-03-18T23:59:59Z"))
    assert just_before["engaged"] == rate(3, 6)  # f's day 3 has not ended
    later = day3_engagement(report_filters_build(as_of="2026-03-31"))
    assert later["engaged"] == rate(5, 7)  # g's use reported on the 20th now counts


def test_ttv_bands_in_calendar_days_after_the_start(version):
    start = date(2026, 1, 5)
    for i, days in enumerate((13, 14, 30, 31, 55)):
        person = enroll(version, f"p{i}@example.com", start)
        complete(person, utc(2026, 1, 5, 12) + timedelta(days=days))
    enroll(version, "none@example.com", start)  # no FVM: not in the bands

    bands = ttv_bands(report_filters_build(as_of="2026-02-28"))  # the day-55 one is Mar 1st
    assert bands == {"under_14": rate(1, 4), "14_to_30": rate(2, 4), "over_30": rate(1, 4)}


def test_90_day_active_use_with_usage_first_and_the_check_in_as_fallback(version):
    start = date(2026, 1, 5)  # calendar day 90 = Apr 5th; its 28 days: Mar 9th to Apr 5th
    p1, p2, p3, p4, p5, p7 = (enroll(version, f"p{n}@example.com", start) for n in "123457")
    enroll(version, "p6@example.com", date(2026, 1, 20))  # day 90 = Apr 20th: not yet
    usage_report(date(2026, 4, 6), [p1.user, p2.user], [date(2026, 3, 20), date(2026, 3, 1)])
    checkin(p2, 90, True)  # p2 has usage data: the check-in does not stand in
    checkin(p3, 90, True, answered=utc(2026, 4, 6, 9))  # no usage data: the answer stands in
    checkin(p4, 90, False)
    checkin(p5, 90, True, answered=utc(2026, 4, 20, 9))  # answered after as-of
    usage_report(date(2026, 4, 12), [p7.user], [date(2026, 4, 1)])  # reported after as-of

    result = active_use_90(report_filters_build(as_of="2026-04-10"))
    assert {k: result[k] for k in ("k", "n", "rate", "ci", "too_few")} == rate(2, 6)  # p1, p3
    assert result["source"] == {"usage": 2, "checkin": 4}
    assert result["benchmarks"] == {"median": [0.20, 0.35], "top_quartile": [0.65, 0.75]}

    later = active_use_90(report_filters_build(as_of="2026-04-30"))
    assert (later["k"], later["n"], later["source"]) == (4, 7, {"usage": 3, "checkin": 4})


def test_the_funnel_is_nested_and_meaningful_users_use_usage_or_the_check_in(version):
    start = date(2026, 1, 5)
    a, b, c, d, e = (enroll(version, f"{n}@example.com", start) for n in "abcde")
    for person in (a, c, d, e):
        person.first_visit_at = utc(2026, 1, 5, 9)
        person.save()
    for person in (a, b, c, d):
        step_done(person, utc(2026, 1, 5, 10))
    for person in (a, b, c):
        complete(person, utc(2026, 1, 7, 9))  # TTV 3
    # a: used the tool on day 20 and day 70 (inside both windows); e used it, no FVM.
    usage_report(date(2026, 2, 1), [a.user, e.user], [start + timedelta(20), date(2026, 1, 9)])
    usage_report(date(2026, 3, 20), [a.user], [start + timedelta(70)])
    checkin(b, 30, True)  # b never visited: out of the funnel at "first visit"
    checkin(c, 30, True)  # no usage data: the day-30 answer stands in
    checkin(d, 30, True)  # active, but no FVM: not counted at day 30

    filters = report_filters_build(as_of="2026-04-30")
    stages = {s["stage"]: s["people"] for s in funnel(filters)}
    assert stages == {
        "enrolled": 5,
        "first_visit": 4,  # a c d e
        "first_step": 3,  # a c d (b stepped, but never visited)
        "fvm_within_7": 2,  # a c
        "active_day_30": 2,  # a (usage), c (check-in)
        "active_day_90": 1,  # a
    }
    values = list(stages.values())
    assert values == sorted(values, reverse=True)
    metrics = value_metrics(filters)
    assert metrics["meaningful_users"] == 3  # a, b, c: FVM and active at day 30
    assert activated_no_value_share(filters) == rate(1, 2)  # e of a, e
    early = value_metrics(report_filters_build(as_of="2026-01-31"))
    assert early["meaningful_users"] == 2  # a's usage was not reported yet: b, c


def test_the_command_the_api_and_the_dashboard_show_the_same_figures(version, client, author):
    import json
    from io import StringIO

    from django.core.management import call_command
    from rest_framework.test import APIClient

    test_the_funnel_is_nested_and_meaningful_users_use_usage_or_the_check_in(version)
    out = StringIO()
    call_command("activation_report", "--as-of", "2026-04-30", "--format", "json", stdout=out)
    from_command = json.loads(out.getvalue())["value"]
    api = APIClient()
    api.force_authenticate(author)
    from_api = api.get("/api/reports/activation/", {"as_of": "2026-04-30"}).json()["value"]
    assert from_command == from_api
    assert from_api["meaningful_users"] == 3
    assert from_api["activated_no_value"] == rate(1, 2)
    client.force_login(author)
    body = client.get("/dashboard/", {"as_of": "2026-04-30"}).content.decode()
    assert "<dt>Meaningful users (FVM and active at day 30)</dt><dd>3</dd>" in body
    assert '50% <span class="muted">(1 of 2; 95% CI 9–91%)</span>' in body
    assert "too few to judge" in body


def test_the_funnel_is_nested_on_the_demo_data(settings):
    from io import StringIO

    from django.core.management import call_command

    settings.DEBUG = True  # the demo command refuses known passwords otherwise
    call_command("demo", stdout=StringIO())
    people = [s["people"] for s in funnel(report_filters_build())]
    assert people == sorted(people, reverse=True)
    assert people[1] > 0 and people[3] > 0  # visits and first values, not an empty funnel
