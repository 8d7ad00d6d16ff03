"""The metric definitions of docs/metrics.md on hand-made cohorts (2026-03-02 is a Monday)."""

from datetime import date

import pytest

from insights.activation import activation_report, cohort_rows
from insights.filters import report_filters_build
from onboarding.models import Holiday
from tests.factories import make_pack

from .conftest import NO_SENTIMENT, complete, enroll, utc

pytestmark = pytest.mark.django_db


def report(as_of, **filters):
    return activation_report(report_filters_build(as_of=as_of, **filters))


def role_row(data, slug):
    return next(row for row in data["roles"] if row["role"] == slug)


@pytest.fixture
def finance():
    return make_pack("finance-analyst", baseline=90, target=10)


def test_it_counts_eligible_reached_in_window_and_value_exactly(finance):
    a = enroll(finance, "a@example.com", date(2026, 3, 2))  # Monday
    complete(a, utc(2026, 3, 7, 12), minutes=30)  # Saturday after day 5: TTV 5, saved 60
    b = enroll(finance, "b@example.com", date(2026, 3, 2))
    complete(b, utc(2026, 3, 11, 10), minutes=50)  # day 8: TTV 8, not within 7, saved 40
    enroll(finance, "c@example.com", date(2026, 3, 6))  # Friday start, no FVM: a failure
    d = enroll(finance, "d@example.com", date(2026, 3, 7))  # Saturday start: day 1 = Mon 9th
    complete(d, utc(2026, 3, 9, 9), minutes=100)  # TTV 1, saved −10
    e = enroll(finance, "e@example.com", date(2026, 3, 16))  # day 7 = Tue 24th: in window
    complete(e, utc(2026, 3, 18, 9), minutes=20)  # TTV 3, saved 70, but not eligible yet
    enroll(finance, "f@example.com", date(2026, 3, 23))  # starts after as-of: not enrolled
    g = enroll(finance, "g@example.com", date(2026, 3, 2))
    complete(g, utc(2026, 3, 25, 9), minutes=10)  # after as-of: not counted at all

    data = report("2026-03-20")

    row = role_row(data, "finance-analyst")
    assert row == {
        "role": "finance-analyst",
        "enrolled": 6,
        "eligible": 5,
        "in_window": 1,
        "reached_within_7": 2,
        "rate_within_7": 0.4,
        "rate_within_7_ci": [0.1176, 0.7693],  # Wilson 95% of 2 in 5
        "too_few": True,  # 5 eligible < 10
        "median_ttv": 4.0,  # TTVs 1, 3, 5, 8
        "fvm_total": 4,
        "minutes_saved_total": 160,
        "fvm_rating_mean": 4.0,  # every completion here is rated 4
        "sentiment": NO_SENTIMENT,
    }
    assert data["overall"] == {**row, "role": None}
    assert data["as_of"] == "2026-03-20"
    assert data["benchmarks"] == {"minimum": 0.40, "top_quartile": 0.65}


def test_it_does_not_count_people_in_window_as_failures(finance):
    enroll(finance, "new@example.com", date(2026, 3, 2))
    row = report("2026-03-09")["overall"]
    assert (row["enrolled"], row["eligible"], row["in_window"]) == (1, 0, 1)
    assert row["rate_within_7"] is None
    assert row["median_ttv"] is None


def test_a_saturday_completion_after_day_5_has_ttv_5_and_counts(finance):
    person = enroll(finance, "sat@example.com", date(2026, 3, 2))
    completion = complete(person, utc(2026, 3, 7, 15))
    assert completion.ttv == 5
    row = report("2026-03-10")["overall"]
    assert (row["eligible"], row["reached_within_7"], row["rate_within_7"]) == (1, 1, 1.0)


def test_a_completion_on_day_8_is_not_within_7(finance):
    person = enroll(finance, "late@example.com", date(2026, 3, 2))
    assert complete(person, utc(2026, 3, 11, 9)).ttv == 8
    row = report("2026-03-11")["overall"]
    assert (row["eligible"], row["reached_within_7"], row["fvm_total"]) == (1, 0, 1)
    assert row["rate_within_7"] == 0.0
    assert row["median_ttv"] == 8


def test_a_weekend_start_begins_on_monday(finance):
    person = enroll(finance, "weekend@example.com", date(2026, 3, 8))  # Sunday
    assert (person.day1, person.day7) == (date(2026, 3, 9), date(2026, 3, 17))
    assert report("2026-03-16")["overall"]["eligible"] == 0
    assert report("2026-03-17")["overall"]["eligible"] == 1


def test_a_friday_start_counts_friday_as_day_1(finance):
    person = enroll(finance, "friday@example.com", date(2026, 3, 6))
    assert (person.day1, person.day7) == (date(2026, 3, 6), date(2026, 3, 16))
    complete(person, utc(2026, 3, 16, 17))  # Monday = day 7
    assert report("2026-03-13")["overall"]["in_window"] == 1
    row = report("2026-03-16")["overall"]
    assert (row["eligible"], row["reached_within_7"]) == (1, 1)


def test_a_holiday_start_moves_day_1_and_day_7(finance):
    Holiday.objects.create(date=date(2026, 3, 2), name="Founders' day")
    person = enroll(finance, "holiday@example.com", date(2026, 3, 2))
    assert (person.day1, person.day7) == (date(2026, 3, 3), date(2026, 3, 11))
    complete(person, utc(2026, 3, 11, 12))  # day 7 thanks to the holiday
    assert report("2026-03-10")["overall"]["eligible"] == 0
    row = report("2026-03-11")["overall"]
    assert (row["eligible"], row["reached_within_7"], row["median_ttv"]) == (1, 1, 7)


def test_the_as_of_boundary_decides_eligibility_on_both_sides_of_utc(finance):
    # Day 7 is Tuesday 2026-03-10 for all three; each window ends at local midnight.
    enroll(finance, "nz@example.com", date(2026, 3, 2), tz="Pacific/Auckland")  # ends 10th 11:00Z
    enroll(finance, "utc@example.com", date(2026, 3, 2))  # ends 11th 00:00Z
    enroll(finance, "la@example.com", date(2026, 3, 2), tz="America/Los_Angeles")  # 11th 07:00Z

    assert report("2026-03-10T10:59:59Z")["overall"]["eligible"] == 0
    assert report("2026-03-10T11:00:00Z")["overall"]["eligible"] == 1
    # --as-of DATE = end of that date in settings.TIME_ZONE (UTC): Auckland and UTC are in.
    row = report("2026-03-10")["overall"]
    assert (row["eligible"], row["in_window"]) == (2, 1)
    assert report("2026-03-11T06:59:59+00:00")["overall"]["eligible"] == 2
    assert report("2026-03-11")["overall"]["eligible"] == 3


def test_as_of_date_follows_settings_time_zone(finance, settings):
    settings.TIME_ZONE = "America/Los_Angeles"
    enroll(finance, "la@example.com", date(2026, 3, 2), tz="America/Los_Angeles")
    # End of 2026-03-10 in Los Angeles is exactly the end of the person's day 7.
    assert report("2026-03-10")["overall"]["eligible"] == 1
    assert report("2026-03-09")["overall"]["eligible"] == 0


def test_an_auckland_completion_uses_the_local_date(finance):
    person = enroll(finance, "nz@example.com", date(2026, 3, 2), tz="Pacific/Auckland")
    # 2026-03-06 20:00Z is Saturday 7th 09:00 in Auckland: after day 5, TTV 5.
    assert complete(person, utc(2026, 3, 6, 20)).ttv == 5


def test_it_filters_by_role_cohort_and_manager(finance):
    sales = make_pack("sales-rep", name="Sales rep")
    enroll(finance, "f1@example.com", date(2026, 3, 2), manager="boss@example.com")
    enroll(finance, "f2@example.com", date(2026, 3, 9))
    enroll(sales, "s1@example.com", date(2026, 3, 3), manager="Boss@Example.com")

    assert [r["role"] for r in report("2026-03-31")["roles"]] == ["finance-analyst", "sales-rep"]
    assert report("2026-03-31", role="sales-rep")["overall"]["enrolled"] == 1
    assert report("2026-03-31", cohort="2026-W10")["overall"]["enrolled"] == 2
    assert report("2026-03-31", cohort="2026-W11")["overall"]["enrolled"] == 1
    assert report("2026-03-31", manager="BOSS@example.com")["overall"]["enrolled"] == 2


def test_it_groups_by_weekly_cohort(finance):
    a = enroll(finance, "a@example.com", date(2026, 3, 2))
    complete(a, utc(2026, 3, 3, 9))
    enroll(finance, "b@example.com", date(2026, 3, 8))  # Sunday: still ISO week 10
    enroll(finance, "c@example.com", date(2026, 3, 9))
    rows = cohort_rows(report_filters_build(as_of="2026-03-31"))
    assert [(r["cohort"], r["eligible"], r["reached_within_7"]) for r in rows] == [
        ("2026-W10", 2, 1),
        ("2026-W11", 1, 0),
    ]
    assert rows[0]["rate_within_7"] == 0.5


def test_it_rejects_bad_filters_naming_the_field(finance):
    from insights.filters import ReportInputError

    with pytest.raises(ReportInputError, match="as_of"):
        report_filters_build(as_of="yesterday")
    with pytest.raises(ReportInputError, match="cohort"):
        report_filters_build(cohort="2026-10")
    with pytest.raises(ReportInputError, match="cohort"):
        report_filters_build(cohort="2026-W60")
    with pytest.raises(ReportInputError, match="role"):
        report_filters_build(role="nobody")
