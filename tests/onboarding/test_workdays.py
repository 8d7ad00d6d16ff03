"""Working-day arithmetic (onboarding.workdays), as docs/metrics.md defines it."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from onboarding import workdays

MON = date(2026, 11, 30)  # a Monday
FRI = date(2026, 12, 4)
SAT = date(2026, 12, 5)
SUN = date(2026, 12, 6)


# --- working day 1 ----------------------------------------------------------------------


def test_it_makes_a_weekday_start_day_1():
    assert workdays.working_day_1(MON) == MON
    assert workdays.working_day_1(FRI) == FRI


def test_it_makes_monday_day_1_for_a_saturday_start():
    assert workdays.working_day_1(date(2026, 11, 28)) == MON


def test_it_makes_monday_day_1_for_a_sunday_start():
    assert workdays.working_day_1(date(2026, 11, 29)) == MON


def test_it_skips_a_holiday_start_to_the_next_working_day():
    assert workdays.working_day_1(MON, {MON}) == date(2026, 12, 1)


def test_it_skips_a_weekend_then_a_holiday_monday():
    assert workdays.working_day_1(SAT, {date(2026, 12, 7)}) == date(2026, 12, 8)


def test_it_skips_a_run_of_holidays_over_christmas():
    holidays = {date(2026, 12, 24), date(2026, 12, 25), date(2026, 12, 28)}
    assert workdays.working_day_1(date(2026, 12, 24), holidays) == date(2026, 12, 29)


def test_it_ignores_holidays_on_weekends():
    assert workdays.working_day(MON, 6, {SAT, SUN}) == date(2026, 12, 7)


def test_it_gives_up_on_a_calendar_with_no_working_day():
    every_day = {date(2026, 1, 1) + timedelta(days=i) for i in range(4000)}
    with pytest.raises(ValueError, match="no working day"):
        workdays.working_day_1(date(2026, 1, 1), every_day)


# --- working day N ----------------------------------------------------------------------


def test_it_counts_a_friday_start_into_the_next_week():
    assert workdays.working_day(FRI, 1) == FRI
    assert workdays.working_day(FRI, 2) == date(2026, 12, 7)
    assert workdays.working_day(FRI, 7) == date(2026, 12, 14)


def test_it_puts_day_7_of_a_monday_start_on_the_next_tuesday():
    assert workdays.working_day(MON, 5) == FRI
    assert workdays.working_day(MON, 7) == date(2026, 12, 8)


def test_it_pushes_days_past_holidays_in_the_window():
    holidays = {date(2026, 12, 2), date(2026, 12, 8)}
    assert workdays.working_day(MON, 3) == date(2026, 12, 2)
    assert workdays.working_day(MON, 3, holidays) == date(2026, 12, 3)
    assert workdays.working_day(MON, 7, holidays) == date(2026, 12, 10)


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (1, MON),
        (10, date(2026, 12, 11)),
        (11, date(2026, 12, 14)),
        (30, date(2027, 1, 8)),
        (90, date(2027, 4, 2)),
    ],
)
def test_it_finds_working_day_n_up_to_90(n, expected):
    assert workdays.working_day(MON, n) == expected


def test_it_agrees_with_working_days_for_every_n_up_to_90():
    holidays = {date(2026, 12, 25), date(2027, 1, 1), date(2027, 3, 29)}
    many = workdays.working_days(SAT, range(1, 91), holidays)
    assert many == {n: workdays.working_day(SAT, n, holidays) for n in range(1, 91)}
    assert all(workdays.is_working_day(d, holidays) for d in many.values())
    assert sorted(many.values()) == list(many.values())


def test_it_refuses_working_day_0():
    with pytest.raises(ValueError):
        workdays.working_day(MON, 0)
    with pytest.raises(ValueError):
        workdays.working_days(MON, [0, 1])
    assert workdays.working_days(MON, []) == {}


# --- TTV --------------------------------------------------------------------------------


def test_it_gives_ttv_1_on_day_1():
    assert workdays.ttv(MON, MON) == 1


def test_it_gives_ttv_5_to_a_saturday_completion_after_day_5():
    assert workdays.ttv(MON, SAT) == 5
    assert workdays.ttv(MON, SUN) == 5


def test_it_counts_a_completion_before_day_1_as_day_1():
    # Started on Saturday; completed on Sunday, before Monday's day 1.
    assert workdays.ttv(date(2026, 11, 28), date(2026, 11, 29)) == 1
    assert workdays.ttv(MON, date(2026, 11, 1)) == 1


def test_it_skips_holidays_in_the_ttv():
    assert workdays.ttv(MON, FRI, {date(2026, 12, 2)}) == 4
    assert workdays.ttv(MON, FRI, {date(2026, 12, 2), SAT, date(2027, 1, 1)}) == 4


def test_it_counts_a_holiday_completion_as_the_working_days_before_it():
    assert workdays.ttv(MON, date(2026, 12, 2), {date(2026, 12, 2)}) == 2


def test_it_gives_ttv_7_at_day_7_and_8_after():
    assert workdays.ttv(MON, workdays.working_day(MON, 7)) == 7
    assert workdays.ttv(MON, workdays.working_day(MON, 8)) == 8


# --- local time and DST -----------------------------------------------------------------


def test_it_rejects_unknown_timezones():
    for name in ("Mars/Olympus", "", "../etc/passwd", "Europe/"):
        with pytest.raises(ValueError, match="unknown timezone"):
            workdays.valid_timezone(name)
    assert workdays.valid_timezone("Asia/Kolkata") == ZoneInfo("Asia/Kolkata")


@pytest.mark.parametrize(
    ("zone", "day", "utc"),
    [
        # Europe/Paris: CET +1 in winter, CEST +2 from the last Sunday of March.
        ("Europe/Paris", date(2026, 3, 27), datetime(2026, 3, 27, 8, tzinfo=UTC)),
        ("Europe/Paris", date(2026, 3, 30), datetime(2026, 3, 30, 7, tzinfo=UTC)),
        ("Europe/Paris", date(2026, 10, 23), datetime(2026, 10, 23, 7, tzinfo=UTC)),
        ("Europe/Paris", date(2026, 10, 26), datetime(2026, 10, 26, 8, tzinfo=UTC)),
        # America/New_York: DST from the second Sunday of March to the first of November.
        ("America/New_York", date(2026, 3, 6), datetime(2026, 3, 6, 14, tzinfo=UTC)),
        ("America/New_York", date(2026, 3, 9), datetime(2026, 3, 9, 13, tzinfo=UTC)),
        ("America/New_York", date(2026, 11, 2), datetime(2026, 11, 2, 14, tzinfo=UTC)),
        # America/Los_Angeles, the same dates, three hours later.
        ("America/Los_Angeles", date(2026, 3, 9), datetime(2026, 3, 9, 16, tzinfo=UTC)),
        ("America/Los_Angeles", date(2026, 11, 2), datetime(2026, 11, 2, 17, tzinfo=UTC)),
        # Australia/Sydney: southern hemisphere, DST ends first Sunday of April.
        ("Australia/Sydney", date(2026, 4, 3), datetime(2026, 4, 2, 22, tzinfo=UTC)),
        ("Australia/Sydney", date(2026, 4, 6), datetime(2026, 4, 5, 23, tzinfo=UTC)),
        ("Australia/Sydney", date(2026, 10, 5), datetime(2026, 10, 4, 22, tzinfo=UTC)),
        # Asia/Kolkata: +5:30, no DST.
        ("Asia/Kolkata", date(2026, 6, 1), datetime(2026, 6, 1, 3, 30, tzinfo=UTC)),
        # Pacific/Auckland: +13 in its summer, +12 in winter.
        ("Pacific/Auckland", date(2026, 1, 5), datetime(2026, 1, 4, 20, tzinfo=UTC)),
        ("Pacific/Auckland", date(2026, 6, 1), datetime(2026, 5, 31, 21, tzinfo=UTC)),
    ],
)
def test_it_puts_the_nudge_hour_at_the_right_instant_across_dst(zone, day, utc):
    assert workdays.local_instant(day, 9, zone) == utc


def test_it_moves_a_nudge_hour_in_a_dst_gap_just_past_the_gap():
    # Paris springs forward 02:00 → 03:00 on 2026-03-29: 02:00 does not exist.
    instant = workdays.local_instant(date(2026, 3, 29), 2, "Europe/Paris")
    assert instant == datetime(2026, 3, 29, 1, tzinfo=UTC)
    assert instant.astimezone(ZoneInfo("Europe/Paris")).hour == 3


def test_it_takes_the_first_of_a_repeated_hour_on_the_autumn_change():
    # New York falls back 02:00 → 01:00 on 2026-11-01: 01:00 happens twice; take the first.
    instant = workdays.local_instant(date(2026, 11, 1), 1, "America/New_York")
    assert instant.astimezone(UTC) == datetime(2026, 11, 1, 5, tzinfo=UTC)


def test_it_returns_instants_in_utc():
    assert workdays.local_instant(MON, 9, "Europe/Paris").tzinfo is UTC


def test_it_ends_a_day_at_the_next_local_midnight():
    assert workdays.day_end(date(2026, 12, 8), "Europe/Paris") == datetime(
        2026, 12, 8, 23, tzinfo=UTC
    )
    assert workdays.day_end(date(2026, 12, 8), "Pacific/Auckland") == datetime(
        2026, 12, 8, 11, tzinfo=UTC
    )
    assert workdays.day_end(date(2026, 12, 8), "Asia/Kolkata") == datetime(
        2026, 12, 8, 18, 30, tzinfo=UTC
    )


def test_it_makes_dst_days_23_and_25_hours_long():
    paris = "Europe/Paris"
    spring = workdays.day_end(date(2026, 3, 29), paris) - workdays.day_end(date(2026, 3, 28), paris)
    autumn = workdays.day_end(date(2026, 10, 25), paris) - workdays.day_end(
        date(2026, 10, 24), paris
    )
    assert (spring, autumn) == (timedelta(hours=23), timedelta(hours=25))


def test_it_reads_the_local_date_of_an_instant():
    instant = datetime(2026, 12, 4, 23, 30, tzinfo=UTC)  # Friday night in UTC
    assert workdays.local_date(instant, "UTC") == FRI
    assert workdays.local_date(instant, "Europe/Paris") == SAT
    assert workdays.local_date(instant, "Pacific/Auckland") == SAT
    assert workdays.local_date(instant, "America/Los_Angeles") == FRI
    # A Saturday-morning completion in Paris is still TTV 5 for a Monday start.
    assert workdays.ttv(MON, workdays.local_date(instant, "Europe/Paris")) == 5


# --- property: the fast functions agree with counting day by day -------------------------


def naive_working_day(start: date, n: int, holidays: set[date]) -> date:
    day, count = start, 0
    while True:
        if day.weekday() < 5 and day not in holidays:
            count += 1
            if count == n:
                return day
        day += timedelta(days=1)


def naive_ttv(start: date, done: date, holidays: set[date]) -> int:
    first = naive_working_day(start, 1, holidays)
    if done <= first:
        return 1
    return sum(
        1
        for i in range((done - first).days + 1)
        if (first + timedelta(days=i)).weekday() < 5 and first + timedelta(days=i) not in holidays
    )


dates = st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31))
holiday_sets = st.sets(dates, max_size=40)


@settings(max_examples=300, deadline=None)
@given(start=dates, n=st.integers(min_value=1, max_value=90), holidays=holiday_sets)
def test_it_matches_a_day_by_day_count_for_working_day_n(start, n, holidays):
    assert workdays.working_day(start, n, holidays) == naive_working_day(start, n, holidays)


@settings(max_examples=300, deadline=None)
@given(start=dates, offset=st.integers(min_value=-10, max_value=200), holidays=holiday_sets)
def test_it_matches_a_day_by_day_count_for_ttv(start, offset, holidays):
    done = start + timedelta(days=offset)
    assert workdays.ttv(start, done, holidays) == naive_ttv(start, done, holidays)


@settings(max_examples=200, deadline=None)
@given(start=dates, n=st.integers(min_value=1, max_value=90), holidays=holiday_sets)
def test_it_gives_ttv_n_on_working_day_n(start, n, holidays):
    assert workdays.ttv(start, workdays.working_day(start, n, holidays), holidays) == n
