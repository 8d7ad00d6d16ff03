"""QA fixes: in-app messages reach managers and buddies, too-late rows say so, {{link}} points
at the place the message talks about."""

from datetime import timedelta

import pytest
import time_machine

from onboarding.interventions import intervention_send_deliver
from onboarding.models import InterventionSend
from onboarding.progress import fvm_completion_record
from onboarding.selectors.banners import banners_for_user
from onboarding.triggers import triggers_sweep
from roles.models import Intervention, PathStep
from tests.factories import make_pack

from .triggers_support import day_date, enroll, local

S = InterventionSend.Status
SITE = "http://127.0.0.1:8000"


def in_app(version, day: int, message: str) -> None:
    Intervention.objects.filter(version=version, day=day).update(channel="in_app", message=message)


def deliver(person, day: int):
    at = local(day_date(person, day), 9, 0, "UTC")
    triggers_sweep(now=at)  # on_commit never fires inside the test transaction
    row = InterventionSend.objects.get(enrollment=person, intervention__day=day)
    assert intervention_send_deliver(send_id=row.pk, now=at).outcome == "sent"
    return at


def fvm_anchor(person) -> str:
    step = PathStep.objects.get(
        version=person.version, track=person.track, kind=PathStep.Kind.FVM_TASK
    )
    return f"step-{step.id}"


@pytest.mark.django_db
def test_an_in_app_session_request_shows_on_the_buddys_my_page(client):
    version = make_pack()
    in_app(version, 7, "Could you sit with **{{name}}**? {{link}}")
    person = enroll(version, "ana@example.com")
    at = deliver(person, 7)
    assert InterventionSend.objects.get(intervention__day=7).recipient == "buddy@example.com"

    client.force_login(person.buddy)  # a buddy with no enrollment of their own
    with time_machine.travel(at + timedelta(hours=1), tick=False):
        html = client.get("/my/").content.decode()
    assert '<div class="banner" role="status"><p>Could you sit with <strong>' in html

    client.force_login(person.user)  # not addressed to the employee
    with time_machine.travel(at + timedelta(hours=1), tick=False):
        assert "Could you sit with" not in client.get("/my/").content.decode()


@pytest.mark.django_db
def test_an_in_app_manager_nudge_shows_on_team_and_links_to_the_persons_card(
    client, django_assert_max_num_queries
):
    version = make_pack()
    in_app(version, 5, "Help **{{name}}** this week: {{link}}")
    person = enroll(version, "ana@example.com")
    at = deliver(person, 5)

    client.force_login(person.manager)
    with time_machine.travel(at + timedelta(hours=1), tick=False):
        with django_assert_max_num_queries(40):
            html = client.get("/team/").content.decode()
        assert "Help <strong>" in client.get("/my/").content.decode()
    assert '<div class="banner" role="status"><p>Help <strong>' in html
    assert f'href="{SITE}/team/#report-{person.pk}"' in html
    assert f'id="report-{person.pk}"' in html

    with time_machine.travel(at + timedelta(hours=2), tick=False):
        fvm_completion_record(enrollment=person, minutes_taken=15, evidence="note", rating=4)
    assert banners_for_user(person.manager) == []


@pytest.mark.django_db
def test_the_employees_link_points_at_their_fvm_task_on_the_checklist(client):
    version = make_pack()
    in_app(version, 6, "The recording shows it here: {{link}}")
    person = enroll(version, "ana@example.com")
    at = deliver(person, 6)

    client.force_login(person.user)
    with time_machine.travel(at + timedelta(hours=1), tick=False):
        html = client.get("/my/").content.decode()
    anchor = fvm_anchor(person)
    assert f'shows it here: <a href="{SITE}/my/#{anchor}"' in html
    assert f'id="{anchor}"' in html, html  # the step element the link lands on


@pytest.mark.django_db
def test_too_late_rows_have_their_own_status_not_cancelled():
    version = make_pack()
    person = enroll(version, "gone@example.com")
    at = local(day_date(person, 7), 9, 0, "UTC") + timedelta(days=5)
    result = triggers_sweep(now=at)
    assert result.too_late == 3
    assert set(InterventionSend.objects.values_list("status", flat=True)) == {S.TOO_LATE}
    row = InterventionSend.objects.first()
    assert row.get_status_display() == "Not sent: too late"
    assert not person.__class__.objects.filter(pk=person.pk, fvm_completion__isnull=False).exists()


@pytest.mark.django_db
def test_nothing_older_than_the_catch_up_horizon_is_recorded(settings):
    version = make_pack()
    person = enroll(version, "old@example.com")
    day7 = local(day_date(person, 7), 9, 0, "UTC")
    settings.TRIGGERS_CATCH_UP_DAYS = 14
    assert triggers_sweep(now=day7 + timedelta(days=20)).too_late == 0
    assert InterventionSend.objects.count() == 0
    settings.TRIGGERS_CATCH_UP_DAYS = 30
    assert triggers_sweep(now=day7 + timedelta(days=20)).too_late == 3
