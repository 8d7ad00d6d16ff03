import json
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from tests.factories import make_pack

from .conftest import NO_SENTIMENT, complete, enroll, utc

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort():
    finance = make_pack()
    sales = make_pack("sales-rep", name="Sales rep", baseline=60, target=5)
    a = enroll(finance, "a@example.com", date(2026, 3, 2))
    complete(a, utc(2026, 3, 6, 9), minutes=30)  # TTV 5, 60 saved
    enroll(finance, "b@example.com", date(2026, 3, 2))
    s = enroll(sales, "s@example.com", date(2026, 3, 2))
    complete(s, utc(2026, 3, 12, 9), minutes=20)  # TTV 9, 40 saved


def run(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("activation_report", *args, stdout=out)
    return out.getvalue()


def test_json_output_follows_the_public_contract(cohort):
    data = json.loads(run("--as-of", "2026-03-31", "--format", "json"))
    assert data["as_of"] == "2026-03-31"
    assert data["benchmarks"] == {"minimum": 0.40, "top_quartile": 0.65}
    assert data["overall"] == {
        "role": None,
        "enrolled": 3,
        "eligible": 3,
        "in_window": 0,
        "reached_within_7": 1,
        "rate_within_7": 1 / 3,
        "rate_within_7_ci": [0.0615, 0.7923],
        "too_few": True,
        "median_ttv": 7.0,
        "fvm_total": 2,
        "minutes_saved_total": 100,
        "fvm_rating_mean": 4.0,  # both rated 4
        "sentiment": NO_SENTIMENT,
    }
    finance, sales = data["roles"]
    assert (finance["role"], finance["rate_within_7"], finance["median_ttv"]) == (
        "finance-analyst",
        0.5,
        5,
    )
    assert (sales["role"], sales["rate_within_7"], sales["median_ttv"]) == ("sales-rep", 0.0, 9)


def test_role_filter_and_csv(cohort):
    lines = run("--as-of", "2026-03-31", "--format", "csv", "--role", "sales-rep").splitlines()
    assert lines == [
        "role,enrolled,eligible,in_window,reached_within_7,rate_within_7,n,ci_low,ci_high,"
        "too_few,median_ttv,fvm_total,minutes_saved_total,fvm_rating_mean,sentiment_n,"
        "sentiment_mean,sentiment_positive_share,sentiment_ci_low,sentiment_ci_high",
        # 0 of 1: Wilson 95% 0–0.7935
        "sales-rep,1,1,0,0,0.0,1,0.0,0.7935,True,9.0,1,40,4.0,0,,,,",
        "(all),1,1,0,0,0.0,1,0.0,0.7935,True,9.0,1,40,4.0,0,,,,",
    ]


def test_the_table_shows_rates_beside_the_benchmarks(cohort):
    out = run("--as-of", "2026-03-31")
    assert "benchmarks: 40% minimum, 65% top quartile" in out
    assert "finance-analyst" in out and "50%" in out and "ALL" in out


def test_bad_options_fail_with_a_clear_message(cohort):
    with pytest.raises(CommandError, match="as_of: '31/03/2026'"):
        run("--as-of", "31/03/2026")
    with pytest.raises(CommandError, match="role: no role pack with slug 'ghost'"):
        run("--role", "ghost")
    with pytest.raises(CommandError, match="cohort"):
        run("--cohort", "2026-13")


def test_cohort_and_manager_options(cohort):
    data = json.loads(run("--as-of", "2026-03-31", "--format", "json", "--cohort", "2026-W10"))
    assert data["overall"]["enrolled"] == 3
    data = json.loads(run("--format", "json", "--manager", "nobody@example.com"))
    assert data["overall"]["enrolled"] == 0 and data["overall"]["rate_within_7"] is None
