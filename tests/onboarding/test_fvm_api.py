"""POST /api/me/fvm/ as the public API contract (docs/, the OpenAPI schema) says."""

import pytest
import time_machine
from rest_framework.test import APIClient

from onboarding.models import FvmCompletion

FVM = "/api/me/fvm/"
VALID = {"minutes_taken": 25, "evidence": "https://wiki.example.com/x", "rating": 4}


@pytest.fixture
def api(settings):
    settings.SESSION_COOKIE_AGE = 10 * 365 * 24 * 3600
    return APIClient()


@pytest.fixture
def ada(api, enroll, version):
    enrollment = enroll("ada@example.com", version, timezone="Europe/Berlin")
    api.force_login(enrollment.user)
    return enrollment


@time_machine.travel("2026-12-02 15:00Z", tick=False)
def test_it_records_the_fvm_and_answers_201_with_ttv_and_minutes_saved(api, ada):
    response = api.post(FVM, VALID, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["ttv"] == 3
    assert body["minutes_saved"] == 65
    assert body["minutes_taken"] == 25 and body["rating"] == 4
    assert body["local_date"] == "2026-12-02"
    assert body["completed_at"].startswith("2026-12-02T")
    assert FvmCompletion.objects.get().enrollment == ada


@time_machine.travel("2026-12-02 15:00Z", tick=False)
def test_a_second_one_answers_409_and_changes_nothing(api, ada):
    api.post(FVM, VALID, format="json")
    again = api.post(FVM, {**VALID, "minutes_taken": 1, "evidence": "other"}, format="json")
    assert again.status_code == 409
    assert "detail" in again.json()
    fvm = FvmCompletion.objects.get()
    assert (fvm.minutes_taken, fvm.evidence) == (25, "https://wiki.example.com/x")


@time_machine.travel("2026-12-04 15:00Z", tick=False)
def test_it_accepts_a_time_stated_after_the_fact(api, ada):
    response = api.post(FVM, {**VALID, "completed_at": "2026-12-01T23:30:00Z"}, format="json")
    assert response.status_code == 201
    # 23:30 UTC is already Wednesday in Berlin: working day 3.
    assert response.json()["local_date"] == "2026-12-02"
    assert response.json()["ttv"] == 3


@time_machine.travel("2026-12-04 15:00Z", tick=False)
def test_a_time_without_offset_is_the_persons_local_time(api, ada):
    response = api.post(FVM, {**VALID, "completed_at": "2026-12-02T00:30:00"}, format="json")
    assert response.status_code == 201
    assert FvmCompletion.objects.get().completed_at.isoformat() == "2026-12-01T23:30:00+00:00"


@time_machine.travel("2026-12-02 15:00Z", tick=False)
def test_a_negative_saving_is_recorded_as_is(api, ada):
    response = api.post(FVM, {**VALID, "minutes_taken": 120}, format="json")
    assert response.status_code == 201 and response.json()["minutes_saved"] == -30


@time_machine.travel("2026-12-02 15:00Z", tick=False)
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"minutes_taken": -1}, "minutes_taken"),
        ({"minutes_taken": 0}, "minutes_taken"),
        ({"minutes_taken": "25"}, "minutes_taken"),
        ({"minutes_taken": True}, "minutes_taken"),
        ({"minutes_taken": 2.5}, "minutes_taken"),
        ({"minutes_taken": None}, "minutes_taken"),
        ({"rating": 0}, "rating"),
        ({"rating": 6}, "rating"),
        ({"rating": "5"}, "rating"),
        ({"rating": False}, "rating"),
        ({"evidence": ""}, "evidence"),
        ({"evidence": "   "}, "evidence"),
        ({"evidence": 12}, "evidence"),
        ({"completed_at": "2026-12-03T10:00:00Z"}, "completed_at"),  # the future
        ({"completed_at": "2026-11-29T10:00:00Z"}, "completed_at"),  # before the start
        ({"completed_at": "yesterday"}, "completed_at"),
        ({"completed_at": 1764680000}, "completed_at"),
    ],
)
def test_bad_input_answers_400_keyed_by_field_and_writes_nothing(api, ada, change, field):
    response = api.post(FVM, {**VALID, **change}, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not FvmCompletion.objects.exists()


@time_machine.travel("2026-12-02 15:00Z", tick=False)
@pytest.mark.parametrize("missing", ["minutes_taken", "evidence", "rating"])
def test_a_missing_field_answers_400_naming_it(api, ada, missing):
    body = {k: v for k, v in VALID.items() if k != missing}
    response = api.post(FVM, body, format="json")
    assert response.status_code == 400
    assert missing in response.json()


@time_machine.travel("2026-12-02 15:00Z", tick=False)
@pytest.mark.parametrize("body", ["[1, 2]", "not json", '"a string"'])
def test_a_body_that_is_not_an_object_answers_400(api, ada, body):
    response = api.post(FVM, body, content_type="application/json")
    assert response.status_code == 400
    assert not FvmCompletion.objects.exists()


@time_machine.travel("2026-12-02 15:00Z", tick=False)
def test_it_records_only_the_callers_own_fvm(api, ada, enroll, version):
    bob = enroll("bob@example.com", version)
    api.post(FVM, {**VALID, "enrollment": bob.id, "user": bob.user_id}, format="json")
    assert list(FvmCompletion.objects.values_list("enrollment_id", flat=True)) == [ada.id]


@time_machine.travel("2026-12-02 15:00Z", tick=False)
@pytest.mark.parametrize("minutes", [0, -5])
def test_the_service_refuses_less_than_one_minute_naming_the_field(ada, minutes):
    from django.core.exceptions import ValidationError

    from onboarding.progress import fvm_completion_record

    with pytest.raises(ValidationError) as caught:
        fvm_completion_record(enrollment=ada, minutes_taken=minutes, evidence="x", rating=3)
    assert "minutes_taken" in caught.value.message_dict
    assert "1 or more" in caught.value.message_dict["minutes_taken"][0]
    assert not FvmCompletion.objects.exists()
