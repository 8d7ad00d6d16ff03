from datetime import date

import pytest
from rest_framework.test import APIClient

from insights.models import KpiMeasurement
from tests.factories import make_pack

from .conftest import NO_SENTIMENT, complete, enroll, utc

pytestmark = pytest.mark.django_db
URL = "/api/reports/activation/"


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def cohort():
    version = make_pack()
    a = enroll(version, "a@example.com", date(2026, 3, 2))
    complete(a, utc(2026, 3, 4, 9), minutes=30)
    enroll(version, "b@example.com", date(2026, 3, 2))
    enroll(version, "c@example.com", date(2026, 3, 16))
    return version


def test_anonymous_callers_are_refused(api):
    assert api.get(URL).status_code in (401, 403)
    assert api.get("/api/kpi-measurements/").status_code in (401, 403)
    assert api.get("/api/reports/readiness/").status_code in (401, 403)


def test_employees_are_refused(api, employee):
    api.force_authenticate(employee)
    assert api.get(URL).status_code == 403
    assert api.get("/api/reports/readiness/").status_code == 403
    response = api.post(
        "/api/kpi-measurements/",
        {"role": "finance-analyst", "kpi_name": "x", "measured_on": "2026-03-01", "value": 1},
        format="json",
    )
    assert response.status_code == 403


@pytest.mark.parametrize("who", ["author", "admin_user"])
def test_it_returns_the_same_numbers_as_the_command(api, cohort, who, request):
    api.force_authenticate(request.getfixturevalue(who))
    response = api.get(URL, {"as_of": "2026-03-20", "role": "finance-analyst"})
    assert response.status_code == 200
    data = response.json()
    assert data["as_of"] == "2026-03-20"
    assert data["benchmarks"] == {"minimum": 0.4, "top_quartile": 0.65}
    assert data["overall"] == {
        "role": None,
        "enrolled": 3,
        "eligible": 2,
        "in_window": 1,
        "reached_within_7": 1,
        "rate_within_7": 0.5,
        "rate_within_7_ci": [0.0945, 0.9055],
        "too_few": True,
        "median_ttv": 3,
        "fvm_total": 1,
        "minutes_saved_total": 60,
        "fvm_rating_mean": 4.0,
        "sentiment": NO_SENTIMENT,
    }
    assert [r["role"] for r in data["roles"]] == ["finance-analyst"]
    assert "interventions" in data and "costs" in data
    assert data["costs"]["cost_per_meaningful_user"] is None


def test_bad_filters_answer_400_naming_the_field(api, author):
    api.force_authenticate(author)
    response = api.get(URL, {"as_of": "soon"})
    assert response.status_code == 400
    assert "as_of" in response.json()
    assert "cohort" in api.get(URL, {"cohort": "2026-W99"}).json()
    assert "role" in api.get(URL, {"role": "ghost"}).json()


def test_enablement_adds_and_lists_kpi_measurements(api, author, cohort):
    api.force_authenticate(author)
    response = api.post(
        "/api/kpi-measurements/",
        {
            "role": "finance-analyst",
            "kpi_name": "Commentary time",
            "measured_on": "2026-02-01",
            "value": "88.5",
            "is_baseline": True,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["kpi_name"] == "Commentary time"
    assert KpiMeasurement.objects.get().created_by == author
    listed = api.get("/api/kpi-measurements/", {"role": "finance-analyst"}).json()
    assert [(m["kpi_name"], m["value"], m["is_baseline"]) for m in listed] == [
        ("Commentary time", "88.5000", True)
    ]


def test_an_unknown_kpi_is_refused_and_nothing_is_saved(api, author, cohort):
    api.force_authenticate(author)
    response = api.post(
        "/api/kpi-measurements/",
        {"role": "finance-analyst", "kpi_name": "Mood", "measured_on": "2026-02-01", "value": 1},
        format="json",
    )
    assert response.status_code == 400
    assert "kpi_name" in response.json()
    assert not KpiMeasurement.objects.exists()


def test_the_readiness_api_answers_five_checks(api, admin_user):
    api.force_authenticate(admin_user)
    data = api.get("/api/reports/readiness/").json()
    assert [q["number"] for q in data["questions"]] == [1, 2, 3, 4, 5]
    assert data["verdict"] == "not_ready"


def test_the_openapi_schema_still_generates(api, admin_user):
    response = api.get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/reports/activation/" in response.content


def test_nul_characters_are_refused_not_a_server_error(api, author, cohort):
    api.force_authenticate(author)
    assert api.get(URL, {"role": "a\x00b"}).status_code == 400
    assert api.get(URL, {"manager": "\x00"}).status_code == 400
    assert api.get("/api/kpi-measurements/", {"role": "\x00"}).status_code == 400
    response = api.post(
        "/api/kpi-measurements/",
        {"role": "fin\x00", "kpi_name": "x", "measured_on": "2026-03-01", "value": 1},
        format="json",
    )
    assert response.status_code == 400
