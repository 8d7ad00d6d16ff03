from datetime import date

import pytest
import time_machine
from django.urls import reverse

from onboarding.models import Enrollment, FvmCompletion, StepCompletion
from roles.models import PathStep, Track
from tests.factories import make_pack, make_pack_with_steps

MY = "/my/"


@pytest.fixture
def ada(login, enroll, version):
    enrollment = enroll(
        "ada@example.com", version, name="Ada Lovelace", values={"period": "2026-11"}
    )
    login(enrollment.user)
    return enrollment


def _page(client, url=MY):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@time_machine.travel("2026-12-01 10:00Z", tick=False)
def test_before_the_fvm_tasks_day_it_leads_with_todays_steps(client, ada):
    page = _page(client)
    assert "Day 2 of 7" in page
    today = page.index("Today · Day 2 · Tuesday 1 December")
    assert today < page.index("What to do now: <strong>Day 2: reflect</strong>")
    week = page.index(">The whole week</h2>")
    assert today < week
    # Days to come are folded; the FVM task waits on its own day with its form.
    for later in (4, 5, 6, 7):
        assert f'<details class="day" id="day-{later}">' in page
    assert page.index('<details class="day" id="day-3">') < page.index('id="fvm"')
    assert "This is the task that counts" in page.split(">The whole week</h2>", 1)[1]


@time_machine.travel("2026-12-02 10:00Z", tick=False)
def test_from_the_fvm_tasks_day_it_leads_with_the_task_and_its_form(client, ada):
    page = _page(client)
    assert "Day 3 of 7" in page
    main = page.split('<main id="main">', 1)[1]
    task = main.index("This is the task that counts: Write this month&#x27;s variance commentary")
    assert task < main.index('id="fvm"') < main.index(">The whole week</h2>")
    assert main.index(ada.version.fvm_sentence.replace("'", "&#x27;")) > task
    assert 'action="/my/fvm/#fvm"' in main and main.count('action="/my/fvm/#fvm"') == 1
    assert '<a href="#now">Day 3 · Wednesday 2 December</a>' in main


@time_machine.travel("2026-12-04 10:00Z", tick=False)
def test_on_day_5_without_first_value_the_task_still_leads(client, ada):
    main = _page(client).split('<main id="main">', 1)[1]
    assert "Day 5 of 7" in main
    assert main.index("This is the task that counts") < main.index("Also today · Day 5")
    # Listed on its own day as a link up to the task, not a second form.
    assert main.count('action="/my/fvm/#fvm"') == 1
    assert 'it is <a href="#fvm">at the top of the page</a>' in main


@time_machine.travel("2026-12-02 10:00Z", tick=False)
def test_earlier_days_are_folded_and_their_open_steps_listed_first(client, ada):
    page = _page(client)
    assert '<details class="day" id="day-1">' in page
    assert "Still open from earlier days (3)" in page
    step = PathStep.objects.get(version=ada.version, track=Track.PRESCRIPTIVE, day=1, order=0)
    assert f'<a href="#step-{step.id}">Day 1: Watch the demo</a>' in page
    earlier_steps = PathStep.objects.filter(
        version=ada.version, track=Track.PRESCRIPTIVE, day__lt=3
    )
    for step in earlier_steps:
        StepCompletion.objects.create(enrollment=ada, step=step, done_at=ada.enrolled_at)
    page = _page(client)
    assert '<details class="day" id="day-1">' in page and "(2 of 2 done)" in page
    assert "Still open from earlier days" not in page
    # Finished steps are folded: their content one click away.
    assert "Show this step again" in page


@time_machine.travel("2026-12-02 10:00Z", tick=False)
def test_an_earlier_step_can_still_be_ticked_off_without_javascript(client, ada):
    step = PathStep.objects.filter(version=ada.version, track=Track.PRESCRIPTIVE, day=1).first()
    page = _page(client)
    earlier = page.split(">The whole week</h2>", 1)[1]
    assert f'action="/my/steps/{step.id}/done/"' in earlier
    response = client.post(f"/my/steps/{step.id}/done/")
    assert response.status_code == 302 and response["Location"] == f"/my/#step-{step.id}"
    assert StepCompletion.objects.filter(enrollment=ada, step=step).exists()


@time_machine.travel("2026-12-08 10:00Z", tick=False)
def test_on_day_7_nothing_is_coming_up_and_the_week_is_earlier(client, ada):
    page = _page(client)
    assert "Also today · Day 7 · Tuesday 8 December" in page
    assert page.index("Day 6 · Monday 7 December") > page.index(">The whole week</h2>")


@pytest.mark.parametrize(
    ("zone", "instant", "label"),
    [
        ("Pacific/Auckland", "2026-12-01 12:00Z", "Day 3 of 7"),  # already Wednesday there
        ("America/Los_Angeles", "2026-12-01 06:00Z", "Day 1 of 7"),  # still Monday evening
    ],
)
def test_it_counts_the_day_in_the_persons_timezone(
    client, login, enroll, version, zone, instant, label
):
    enrollment = enroll("ada@example.com", version, timezone=zone)
    login(enrollment.user)
    with time_machine.travel(instant, tick=False):
        assert label in _page(client)


@time_machine.travel("2026-11-25 10:00Z", tick=False)
def test_it_shows_the_week_ahead_before_day_1(client, ada):
    page = _page(client)
    assert "Your first week has not started yet" in page
    assert "Coming up · Day 1 · Monday 30 November" in page


@time_machine.travel("2026-12-05 10:00Z", tick=False)
def test_it_points_to_the_next_working_day_on_a_weekend(client, ada):
    page = _page(client)
    assert "Day 5 of 7" in page
    assert "today is not a working day" in page
    assert "Also on the next working day · Day 6 · Monday 7 December" in page


@time_machine.travel("2026-12-20 10:00Z", tick=False)
def test_it_still_lists_the_whole_week_after_day_7(client, ada):
    page = _page(client)
    assert "Your first week is over" in page
    assert "Your week" in page
    assert "Day 7 · Tuesday 8 December" in page


def test_the_first_visit_is_recorded_once(client, ada):
    with time_machine.travel("2026-11-30 08:00Z", tick=False):
        _page(client)
    with time_machine.travel("2026-12-01 08:00Z", tick=False):
        _page(client)
    ada.refresh_from_db()
    assert ada.first_visit_at.isoformat() == "2026-11-30T08:00:00+00:00"


def test_it_asks_anonymous_visitors_to_sign_in(client, db):
    response = client.get(MY)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_someone_without_an_enrollment_gets_a_friendly_page(client, login, django_user_model):
    user = django_user_model.objects.create_user("zed@example.com", "zed@example.com")
    login(user)
    page = _page(client)
    assert "not enrolled" in page
    assert "/team/" not in page.split("<main", 1)[1]


def test_a_manager_without_an_enrollment_gets_a_link_to_the_team(client, login, enroll, version):
    enrollment = enroll("ada@example.com", version, manager_email="max@example.com")
    login(enrollment.manager)
    assert 'href="/team/"' in _page(client).split("<main", 1)[1]


def test_it_fills_the_prompt_with_the_persons_values_and_offers_a_copy(client, ada):
    page = _page(client)
    assert "Explain the 2026-11 variances number 1." in page
    assert 'class="prompt-text"' in page and "readonly" in page
    assert "Copy prompt" in page


def test_a_persons_value_cannot_inject_markup(client, login, enroll, version):
    enrollment = enroll("eve@example.com", version, values={"period": "<script>x()</script>"})
    login(enrollment.user)
    page = _page(client)
    assert "<script>x()" not in page
    assert "&lt;script&gt;x()" in page


def test_it_shows_the_demo_and_the_fvm_task(client, ada):
    page = _page(client)
    assert "Variance commentary in 10 minutes" in page
    assert "90 minutes before, 10 minutes with AI" in page
    assert "<li>Export the table." in page
    assert "Three paragraphs the CFO can paste." in page
    assert "Asked for: link to the submitted explanation" in page


def test_it_marks_a_step_done_and_undoes_it_without_javascript(client, ada):
    step = PathStep.objects.get(version=ada.version, track=Track.PRESCRIPTIVE, day=1, order=0)
    response = client.post(reverse("onboarding:step-done", args=[step.id]))
    assert response.status_code == 302
    assert response["Location"] == f"/my/#step-{step.id}"
    assert StepCompletion.objects.filter(enrollment=ada, step=step).exists()
    page = _page(client)
    assert "✓ Done" in page and "1 of 8 steps done" in page

    client.post(reverse("onboarding:step-undo", args=[step.id]))
    assert not StepCompletion.objects.filter(enrollment=ada, step=step).exists()


def test_marking_done_needs_a_post(client, ada):
    step = PathStep.objects.filter(version=ada.version).first()
    assert client.get(reverse("onboarding:step-done", args=[step.id])).status_code == 405


def test_it_refuses_someone_elses_step(client, ada):
    other = make_pack("other-role")
    foreign = PathStep.objects.filter(version=other).first()
    other_track = PathStep.objects.filter(version=ada.version, track=Track.EXPLORATORY).first()
    assert client.post(reverse("onboarding:step-done", args=[foreign.id])).status_code == 404
    assert client.post(reverse("onboarding:step-done", args=[other_track.id])).status_code == 404
    assert not StepCompletion.objects.exists()


def test_it_falls_back_to_the_prescriptive_track(client, login, enroll):
    version = make_pack("no-exploratory")
    PathStep.objects.filter(version=version, track=Track.EXPLORATORY).delete()
    enrollment = enroll("ada@example.com", version, track=Track.EXPLORATORY)
    login(enrollment.user)
    page = _page(client)
    assert "0 of 8 steps done" in page
    step = PathStep.objects.filter(version=version, track=Track.PRESCRIPTIVE).first()
    assert client.post(reverse("onboarding:step-done", args=[step.id])).status_code == 302


@time_machine.travel("2026-12-02 15:00Z", tick=False)
def test_it_records_the_fvm_and_shows_the_time_saved(client, ada):
    response = client.post(
        reverse("onboarding:fvm-record"),
        {"minutes_taken": "25", "evidence": "https://wiki/x", "rating": "4"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("onboarding:first-value")
    fvm = FvmCompletion.objects.get(enrollment=ada)
    assert (fvm.minutes_saved, fvm.ttv, fvm.rating) == (65, 3, 4)
    page = _page(client, response["Location"])
    assert "You reached first value" in page
    assert "you saved <strong>65 minutes</strong>" in page
    assert ada.version.fvm_sentence in page
    assert "You reached first value" in _page(client)


@time_machine.travel("2026-12-02 15:00Z", tick=False)
def test_it_words_a_slower_first_try_kindly(client, ada):
    client.post(
        reverse("onboarding:fvm-record"),
        {"minutes_taken": "120", "evidence": "note", "rating": "2"},
    )
    page = _page(client, reverse("onboarding:first-value"))
    assert "30 more than the 90" in page
    assert "minutes saved: -30" in page
    assert "normal for a first try" in page


@time_machine.travel("2026-12-02 15:00Z", tick=False)
def test_the_when_field_is_the_persons_local_time(client, login, enroll, version):
    enrollment = enroll("ada@example.com", version, timezone="Pacific/Auckland")
    login(enrollment.user)
    client.post(
        reverse("onboarding:fvm-record"),
        {"minutes_taken": "20", "evidence": "x", "rating": "5", "completed_at": "2026-12-02T09:30"},
    )
    fvm = FvmCompletion.objects.get(enrollment=enrollment)
    assert fvm.completed_at.isoformat() == "2026-12-01T20:30:00+00:00"
    assert fvm.local_date == date(2026, 12, 2)


@time_machine.travel("2026-12-02 15:00Z", tick=False)
@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"minutes_taken": "-1", "evidence": "x", "rating": "3"}, "minutes_taken"),
        ({"minutes_taken": "0", "evidence": "x", "rating": "3"}, "minutes_taken"),
        ({"minutes_taken": "5", "evidence": "", "rating": "3"}, "evidence"),
        ({"minutes_taken": "5", "evidence": "x", "rating": "6"}, "rating"),
        (
            {
                "minutes_taken": "5",
                "evidence": "x",
                "rating": "3",
                "completed_at": "2027-01-01T10:00",
            },
            "completed_at",
        ),
        (
            {
                "minutes_taken": "5",
                "evidence": "x",
                "rating": "3",
                "completed_at": "2026-11-20T10:00",
            },
            "completed_at",
        ),
    ],
)
def test_it_shows_fvm_errors_next_to_the_field(client, ada, data, field):
    response = client.post(reverse("onboarding:fvm-record"), data)
    assert response.status_code == 400
    assert response.context["fvm_form"].errors[field]
    assert 'role="alert"' in response.content.decode()
    assert not FvmCompletion.objects.exists()


@time_machine.travel("2026-12-02 15:00Z", tick=False)
def test_a_second_fvm_changes_nothing(client, ada):
    data = {"minutes_taken": "25", "evidence": "first", "rating": "4"}
    client.post(reverse("onboarding:fvm-record"), data)
    again = client.post(reverse("onboarding:fvm-record"), {**data, "evidence": "second"})
    assert again.status_code == 302
    assert FvmCompletion.objects.get().evidence == "first"


def test_the_first_value_page_sends_you_back_until_recorded(client, ada):
    response = client.get(reverse("onboarding:first-value"))
    assert response.status_code == 302 and response["Location"] == MY


def test_the_page_has_a_banners_slot_that_is_empty_for_now(client, ada):
    response = client.get(MY)
    assert response.context["banners"] == []


@time_machine.travel("2026-12-02 10:00Z", tick=False)
@pytest.mark.parametrize(("slug", "total"), [("short", 3), ("long", 30)])
def test_the_page_makes_the_same_number_of_queries_whatever_the_path_length(
    client, login, enroll, django_assert_max_num_queries, slug, total
):
    version = make_pack_with_steps(slug, total)
    enrollment = enroll("ada@example.com", version)
    for step in PathStep.objects.filter(version=version)[: total // 2]:
        StepCompletion.objects.create(
            enrollment=enrollment, step=step, done_at=enrollment.enrolled_at
        )
    login(enrollment.user)
    client.get(MY)  # the first visit writes once; measure a normal visit
    with django_assert_max_num_queries(12):
        page = _page(client)
    assert f"{total // 2} of {total} steps done" in page
    assert Enrollment.objects.get().first_visit_at is not None
