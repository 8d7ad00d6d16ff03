"""Check-in sentiment per role beside the mean FVM rating, on a hand-made cohort
(docs/metrics.md, "Sentiment"): each person once, with their latest answer by as-of."""

import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from onboarding.models import Checkin
from onboarding.progress import fvm_completion_record
from tests.factories import make_pack

from .conftest import enroll, utc

pytestmark = pytest.mark.django_db
AS_OF = "2026-07-15"


def answer(person, day: int, sentiment, at):
    Checkin.objects.create(
        enrollment=person, day=day, due_at=at, answered_at=at, active=True, sentiment=sentiment
    )


def rated(person, rating: int):
    at = utc(2026, 3, 5, 12)
    fvm_completion_record(
        enrollment=person,
        minutes_taken=20,
        evidence="https://example.com/result",
        rating=rating,
        completed_at=at,
        now=at,
    )


@pytest.fixture
def cohort():
    finance = make_pack()
    sales = make_pack("sales-rep", name="Sales rep", baseline=60, target=5)
    start = date(2026, 3, 2)
    a, b, c, d, e = (enroll(finance, f"{n}@example.com", start) for n in "abcde")
    f = enroll(sales, "f@example.com", start)
    answer(a, 30, 5, utc(2026, 4, 14, 9))
    answer(a, 90, 2, utc(2026, 7, 7, 9))  # a's latest answer: 2
    answer(b, 30, 4, utc(2026, 4, 14, 9))  # 4
    answer(c, 30, 3, utc(2026, 4, 14, 9))  # 3: the day-90 answer comes after as-of
    answer(c, 90, 5, utc(2026, 7, 16, 9))
    answer(d, 30, None, utc(2026, 4, 14, 9))  # yes/no only: no sentiment
    answer(e, 30, 4, utc(2026, 7, 16, 9))  # after as-of
    answer(f, 90, 1, utc(2026, 7, 7, 9))  # 1
    rated(a, 5)
    rated(b, 2)
    rated(e, 4)  # e's FVM counts: the rating is the completion's, not the check-in's


def report() -> dict:
    out = StringIO()
    call_command("activation_report", "--as-of", AS_OF, "--format", "json", stdout=out)
    return json.loads(out.getvalue())


def test_each_person_counts_once_with_their_latest_answer_by_as_of(cohort):
    data = report()
    finance, sales = data["roles"]
    assert finance["fvm_rating_mean"] == round((5 + 2 + 4) / 3, 2)
    assert finance["sentiment"] == {
        "n": 3,  # a (2), b (4), c (3)
        "mean": 3.0,
        "positive": {"k": 1, "n": 3, "rate": 1 / 3, "ci": [0.0615, 0.7923], "too_few": True},
    }
    assert sales["fvm_rating_mean"] is None
    assert sales["sentiment"] == {
        "n": 1,
        "mean": 1.0,
        "positive": {"k": 0, "n": 1, "rate": 0.0, "ci": [0.0, 0.7935], "too_few": True},
    }
    overall = data["overall"]
    assert overall["fvm_rating_mean"] == 3.67
    assert overall["sentiment"] == {
        "n": 4,
        "mean": 2.5,  # (2 + 4 + 3 + 1) / 4
        "positive": {"k": 1, "n": 4, "rate": 0.25, "ci": [0.0456, 0.6994], "too_few": True},
    }


def test_a_later_as_of_takes_the_later_answers(cohort):
    out = StringIO()
    call_command("activation_report", "--as-of", "2026-07-16", "--format", "json", stdout=out)
    finance = json.loads(out.getvalue())["roles"][0]
    # a 2, b 4, c now 5 (day 90), e 4
    assert finance["sentiment"]["n"] == 4
    assert finance["sentiment"]["mean"] == 3.75
    assert finance["sentiment"]["positive"]["k"] == 3


def test_the_csv_the_table_the_api_and_the_dashboard_show_the_same(cohort, client, author):
    out = StringIO()
    call_command("activation_report", "--as-of", AS_OF, "--format", "csv", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[1].endswith(",3.67,3,3.0,0.3333333333333333,0.0615,0.7923")
    assert lines[1].startswith("finance-analyst,")
    assert lines[3].startswith("(all),")
    assert lines[3].endswith(",4,2.5,0.25,0.0456,0.6994")

    table = StringIO()
    call_command("activation_report", "--as-of", AS_OF, stdout=table)
    assert "3; ≥4 33% [6%–79%] n=3 too few to judge" in table.getvalue()

    client.force_login(author)
    api = client.get("/api/reports/activation/", {"as_of": AS_OF}).json()
    assert api["roles"][0]["sentiment"] == report()["roles"][0]["sentiment"]

    page = client.get("/dashboard/", {"as_of": AS_OF}).content.decode()
    assert "Sentiment at check-ins" in page
    assert "mean 2.5 · ≥ 4: 25%" in page
    csv = client.get("/dashboard/by-role.csv", {"as_of": AS_OF}).content.decode()
    assert csv.splitlines()[1].startswith("(all),6,6,0,")
    assert csv.splitlines()[1].endswith(",4,2.5,0.25,0.0456,0.6994")


def test_the_role_filter_keeps_only_that_roles_answers(cohort):
    out = StringIO()
    call_command(
        "activation_report",
        "--as-of",
        AS_OF,
        "--format",
        "json",
        "--role",
        "sales-rep",
        stdout=out,
    )
    data = json.loads(out.getvalue())
    assert data["overall"]["sentiment"]["n"] == 1
    assert data["overall"]["sentiment"]["mean"] == 1.0
