"""Recording first value on /my/ so that it cannot fail silently, and correcting it."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from audit.models import AuditEvent
from onboarding.models import FvmCompletion, StepCompletion
from roles.models import PathStep, Track

RECORD = "/my/fvm/"
CORRECT = "/my/first-value/correct/"
VALID = {"minutes_taken": "25", "evidence": "https://wiki.example.com/x", "rating": "4"}


@pytest.fixture
def ada(login, enroll, version):
    enrollment = enroll("ada@example.com", version, name="Ada Lovelace")
    login(enrollment.user)
    return enrollment


def _fvm_step(enrollment):
    return PathStep.objects.get(
        version=enrollment.version, track=Track.PRESCRIPTIVE, kind=PathStep.Kind.FVM_TASK
    )


@time_machine.travel("2026-12-04 10:00Z", tick=False)
def test_errors_are_summarised_first_focused_and_linked_to_their_fields(client, ada):
    response = client.post(RECORD, {"minutes_taken": "", "evidence": "", "rating": ""})
    assert response.status_code == 400
    page = response.content.decode()
    form = page.split('id="fvm-form"', 1)[1]
    summary = form.index('class="error-summary" id="fvm-errors" role="alert" tabindex="-1"')
    assert summary < form.index('<label for="id_minutes_taken">')
    assert "3 things to fix" in form
    for anchor in ("#id_minutes_taken", "#id_evidence", "#id_rating_0"):
        assert f'<a href="{anchor}">' in form
    # The form posts to its own anchor, so the answer opens at the form.
    assert 'action="/my/fvm/#fvm"' in page
    assert not FvmCompletion.objects.exists()


@time_machine.travel("2026-12-04 10:00Z", tick=False)
def test_a_form_sent_back_early_in_the_week_still_leads_the_page(client, login, enroll, version):
    early = enroll("bob@example.com", version, start_date=date(2026, 12, 4))  # day 1
    login(early.user)
    response = client.post(RECORD, {**VALID, "evidence": ""})
    main = response.content.decode().split('<main id="main">', 1)[1]
    assert main.index('id="fvm-errors"') < main.index(">The whole week</h2>")


@time_machine.travel("2026-12-04 10:00Z", tick=False)
def test_minutes_far_above_the_baseline_ask_for_confirmation(client, ada):
    response = client.post(RECORD, {**VALID, "minutes_taken": "400"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "more than 3 times the 90 minutes" in page
    assert "Yes, it really took 400 minutes" in page and 'name="confirm_minutes"' in page
    assert not FvmCompletion.objects.exists()
    response = client.post(RECORD, {**VALID, "minutes_taken": "400", "confirm_minutes": "on"})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert FvmCompletion.objects.get().minutes_saved == -310


@time_machine.travel("2026-12-04 10:00Z", tick=False)
@pytest.mark.parametrize("minutes", ["100000", "901"])
def test_minutes_beyond_any_first_try_ask_first_then_are_refused_even_confirmed(
    client, ada, minutes
):
    asked = client.post(RECORD, {**VALID, "minutes_taken": minutes}).content.decode()
    assert f"Yes, it really took {int(minutes):,} minutes" in asked
    assert "Check the figure (minutes, not seconds or hours)" in asked
    response = client.post(RECORD, {**VALID, "minutes_taken": minutes, "confirm_minutes": "on"})
    assert response.status_code == 400
    assert "more than this task could take" in response.content.decode()
    assert "Yes, it really took" not in response.content.decode()
    assert not FvmCompletion.objects.exists()


@time_machine.travel("2026-12-04 10:00Z", tick=False)
def test_the_fvm_task_is_done_by_recording_first_value_not_by_a_button(client, ada):
    step = _fvm_step(ada)
    page = client.get("/my/").content.decode()
    assert f'action="/my/steps/{step.id}/done/"' not in page
    response = client.post(reverse("onboarding:step-done", args=[step.id]))
    assert response.status_code == 302 and response["Location"] == "/my/#fvm"
    assert not StepCompletion.objects.filter(step=step).exists()
    api = client.post(f"/api/me/steps/{step.id}/complete/")
    assert api.status_code == 400 and "step" in api.json()
    assert client.post(RECORD, VALID).status_code == 302
    done = StepCompletion.objects.get(enrollment=ada, step=step)
    assert done.done_at == FvmCompletion.objects.get().completed_at
    assert client.delete(f"/api/me/steps/{step.id}/complete/").status_code == 400


@time_machine.travel("2026-12-04 10:00Z", tick=False)
def test_it_can_be_corrected_on_the_page_within_seven_days_and_is_audited(client, ada):
    client.post(RECORD, VALID)
    page = client.get(reverse("onboarding:first-value")).content.decode()
    assert f'href="{CORRECT}"' in page
    form = client.get(CORRECT)
    assert form.status_code == 200 and 'value="25"' in form.content.decode()
    response = client.post(CORRECT, {**VALID, "minutes_taken": "15", "rating": "5"})
    assert response.status_code == 302
    fvm = FvmCompletion.objects.get()
    assert (fvm.minutes_taken, fvm.minutes_saved, fvm.rating) == (15, 75, 5)
    event = AuditEvent.objects.get(action="fvm.correct")
    assert event.before["minutes_taken"] == 25 and event.after["minutes_taken"] == 15
    assert event.actor == ada.user
    assert AuditEvent.objects.filter(action="fvm.record").count() == 1


@time_machine.travel("2026-12-04 10:00Z", tick=False)
def test_a_bad_correction_changes_nothing(client, ada):
    client.post(RECORD, VALID)
    response = client.post(CORRECT, {**VALID, "minutes_taken": "100000"})
    assert response.status_code == 400 and 'id="fvm-errors"' in response.content.decode()
    assert FvmCompletion.objects.get().minutes_taken == 25
    assert not AuditEvent.objects.filter(action="fvm.correct").exists()


def test_after_seven_days_the_correction_is_closed(client, ada):
    with time_machine.travel("2026-12-04 10:00Z", tick=False):
        client.post(RECORD, VALID)
    with time_machine.travel("2026-12-11 10:01Z", tick=False):
        assert "Correct it" not in client.get(reverse("onboarding:first-value")).content.decode()
        assert client.get(CORRECT).status_code == 403
        assert client.post(CORRECT, {**VALID, "minutes_taken": "15"}).status_code == 403
    assert FvmCompletion.objects.get().minutes_taken == 25


def test_the_api_corrects_within_seven_days_and_the_report_uses_it(ada, django_user_model):
    import io
    import json

    from django.core.management import call_command
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_login(ada.user)
    with time_machine.travel("2026-12-04 10:00Z", tick=False):
        assert api.patch("/api/me/fvm/", {"minutes_taken": 20}, format="json").status_code == 404
        api.post("/api/me/fvm/", {**VALID, "minutes_taken": 25, "rating": 4}, format="json")
        bad = api.patch("/api/me/fvm/", {"minutes_taken": 400}, format="json")
        assert bad.status_code == 400 and "minutes_taken" in bad.json()
        ok = api.patch(
            "/api/me/fvm/", {"minutes_taken": 400, "confirm_minutes": True}, format="json"
        )
        assert ok.status_code == 200 and ok.json()["minutes_saved"] == -310
        out = io.StringIO()
        call_command("activation_report", "--format", "json", "--as-of", "2026-12-04", stdout=out)
        assert json.loads(out.getvalue())["overall"]["minutes_saved_total"] == -310
    with time_machine.travel("2026-12-11 10:01Z", tick=False):
        late = api.patch("/api/me/fvm/", {"rating": 5}, format="json")
        assert late.status_code == 403
    assert FvmCompletion.objects.get().rating == 4
    assert AuditEvent.objects.filter(action="fvm.correct").count() == 1
