from datetime import date

from onboarding import calendar


def test_a_saturday_start_makes_monday_day_1():
    assert calendar.working_day_1(date(2026, 11, 28)) == date(2026, 11, 30)


def test_a_saturday_completion_after_day_5_has_ttv_5():
    # Monday 2026-11-30 is day 1; Friday day 5; Saturday still 5.
    assert calendar.ttv(date(2026, 11, 30), date(2026, 12, 5)) == 5
