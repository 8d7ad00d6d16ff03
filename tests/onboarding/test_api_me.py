import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from onboarding.models import FvmCompletion, StepCompletion
from roles.models import PathStep, Track
from tests.factories import make_pack, make_pack_with_steps

ME = "/api/me/"


@pytest.fixture
def api(settings):
    settings.SESSION_COOKIE_AGE = 10 * 365 * 24 * 3600
    return APIClient()


@pytest.fixture
def ada(api, enroll, version):
    enrollment = enroll("ada@example.com", version, name="Ada", timezone="Europe/Berlin")
    api.force_login(enrollment.user)
    return enrollment


def _step_url(step_id):
    return reverse("onboarding:api-me-step", args=[step_id])


@time_machine.travel("2026-12-03 10:00Z", tick=False)
def test_it_returns_my_enrollment_path_and_progress(api, ada):
    step = PathStep.objects.filter(version=ada.version, track=Track.PRESCRIPTIVE).first()
    api.post(_step_url(step.id))
    response = api.get(ME)
    assert response.status_code == 200
    body = response.json()
    assert body["email"] == "ada@example.com"
    assert body["role"] == {"slug": "finance-analyst", "name": "Finance analyst"}
    assert (body["version"], body["track"], body["path_track"]) == (
        1,
        "prescriptive",
        "prescriptive",
    )
    assert (body["start_date"], body["timezone"]) == ("2026-11-30", "Europe/Berlin")
    assert body["day_dates"]["1"] == "2026-11-30" and body["day_dates"]["7"] == "2026-12-08"
    assert (body["phase"], body["current_day"]) == ("during", 4)
    assert [d["day"] for d in body["days"]] == [1, 2, 3, 4, 5, 6, 7]
    first = body["days"][0]["steps"][0]
    assert first["id"] == step.id and first["kind"] == "watch_demo" and first["done_at"]
    assert (body["steps_done"], body["steps_total"]) == (1, 8)
    assert body["fvm_sentence"] == ada.version.fvm_sentence
    assert body["fvm"] is None and body["minutes_saved"] is None


@time_machine.travel("2026-12-03 10:00Z", tick=False)
def test_it_includes_the_fvm_and_minutes_saved_once_recorded(api, ada):
    api.post("/api/me/fvm/", {"minutes_taken": 30, "evidence": "x", "rating": 4}, format="json")
    body = api.get(ME).json()
    assert body["fvm"]["ttv"] == 4
    assert body["minutes_saved"] == 60 == body["fvm"]["minutes_saved"]


def test_anonymous_callers_get_401(db):
    client = APIClient()
    assert client.get(ME).status_code == 401
    assert client.post("/api/me/fvm/", {}, format="json").status_code == 401
    assert client.post(_step_url(1)).status_code == 401
    assert client.get("/api/team/").status_code == 401


def test_someone_without_an_enrollment_gets_404(api, django_user_model):
    api.force_login(django_user_model.objects.create_user("zed@example.com", "zed@example.com"))
    assert api.get(ME).status_code == 404
    assert api.post("/api/me/fvm/", {}, format="json").status_code == 404


def test_it_marks_and_unmarks_my_step(api, ada):
    step = PathStep.objects.filter(version=ada.version, track=Track.PRESCRIPTIVE).first()
    done = api.post(_step_url(step.id))
    assert done.status_code == 200 and done.json()["id"] == step.id and done.json()["done_at"]
    assert api.post(_step_url(step.id)).status_code == 200  # idempotent
    assert StepCompletion.objects.filter(enrollment=ada).count() == 1
    assert api.delete(_step_url(step.id)).status_code == 204
    assert not StepCompletion.objects.exists()


def test_a_step_from_someone_elses_version_is_404(api, ada):
    other = make_pack("other-role")
    foreign = PathStep.objects.filter(version=other).first()
    assert api.post(_step_url(foreign.id)).status_code == 404
    assert api.delete(_step_url(foreign.id)).status_code == 404
    assert api.post(_step_url(999_999)).status_code == 404
    assert not StepCompletion.objects.exists()


@time_machine.travel("2026-12-03 10:00Z", tick=False)
def test_a_cannot_read_or_change_bs_progress(api, ada, enroll, version):
    bob = enroll("bob@example.com", version, name="Bob")
    step = PathStep.objects.filter(version=version, track=Track.PRESCRIPTIVE).first()
    StepCompletion.objects.create(enrollment=bob, step=step, done_at=bob.enrolled_at)
    # Ada's view is her own: Bob's done step is not done for her.
    assert api.get(ME).json()["steps_done"] == 0
    # Undoing "the same step" touches only Ada's progress, never Bob's.
    api.delete(_step_url(step.id))
    assert StepCompletion.objects.filter(enrollment=bob).exists()
    api.post("/api/me/fvm/", {"minutes_taken": 1, "evidence": "x", "rating": 3}, format="json")
    assert list(FvmCompletion.objects.values_list("enrollment_id", flat=True)) == [ada.id]


@time_machine.travel("2026-12-03 10:00Z", tick=False)
@pytest.mark.parametrize("total", [3, 30])
def test_get_me_makes_a_bounded_number_of_queries(
    api, enroll, django_assert_max_num_queries, total
):
    version = make_pack_with_steps(f"pack-{total}", total)
    enrollment = enroll("ada@example.com", version)
    api.force_login(enrollment.user)
    with django_assert_max_num_queries(9):
        body = api.get(ME).json()
    assert body["steps_total"] == total
