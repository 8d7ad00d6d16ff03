import re
from datetime import UTC

import pytest
import time_machine
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from onboarding.models import OrgSettings, StepCompletion
from onboarding.progress import fvm_completion_record
from roles.models import PathStep, Track
from tests.factories import make_pack

OVERDUE_WORDS = re.compile(r"overdue|behind|late\b|failed|not recorded yet|\bred\b|score", re.I)


@pytest.fixture
def team(enroll, version):
    ada = enroll("ada@example.com", version, name="Ada", manager_email="max@example.com")
    bob = enroll("bob@example.com", version, name="Bob", manager_email="max@example.com")
    carl = enroll("carl@example.com", version, name="Carl", manager_email="other@example.com")
    steps = list(PathStep.objects.filter(version=version, track=Track.PRESCRIPTIVE))
    for step in steps[:3]:
        StepCompletion.objects.create(enrollment=ada, step=step, done_at=ada.enrolled_at)
    with time_machine.travel("2026-12-02 15:00Z", tick=False):
        fvm_completion_record(enrollment=bob, minutes_taken=25, evidence="x", rating=4)
    return ada, bob, carl


@pytest.fixture
def manager(team, login):
    return login(team[0].manager)


def _main(client, url="/team/"):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode().split("<main", 1)[1]


@time_machine.travel("2026-12-03 10:00Z", tick=False)
def test_it_shows_each_report_in_support_language(client, manager):
    page = _main(client)
    assert "needs help with" not in page  # one status per person instead
    assert "<strong>1 of 2 reached first value, 0 need support now.</strong>" in page
    assert '<span class="status status-on-track">On track</span>' in page
    assert "· Day 4 of 7 · 3 of 8 steps done" in page
    assert "The one task to offer: <strong>Write this month" in page
    assert "with the prompt “Prompt 1”" in page
    assert (
        "✓ Reached first value on Wednesday 2 December (working day 3) · saved 65 minutes" in page
    )


@time_machine.travel("2026-12-03 10:00Z", tick=False)
def test_a_manager_sees_only_their_own_reports(client, manager):
    page = _main(client)
    assert "Ada" in page and "Bob" in page
    assert "Carl" not in page and "carl@example.com" not in page


@time_machine.travel("2026-12-09 10:00Z", tick=False)
def test_there_is_no_overdue_wording_before_the_accountability_day(client, manager):
    page = _main(client)
    assert "Past the first week" in page and "first week finished" in page
    assert not OVERDUE_WORDS.search(re.sub(r"<[^>]+>", " ", page))


@time_machine.travel("2026-12-21 10:00Z", tick=False)
def test_after_the_accountability_day_it_says_first_value_is_not_recorded(client, manager):
    page = _main(client)
    assert "Working day 16 · first value not recorded yet." in page
    org = OrgSettings.load()
    org.accountability_after_day = 20
    org.save()
    assert "not recorded yet" not in _main(client)


def test_someone_with_no_reports_sees_nobody(client, team, login, django_user_model):
    login(team[0].user)  # Ada manages nobody
    page = _main(client)
    assert "No one who reports to you" in page
    assert "Bob" not in page


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    response = client.get("/team/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@time_machine.travel("2026-12-03 10:00Z", tick=False)
def test_the_api_lists_only_the_managers_reports(team, settings):
    settings.SESSION_COOKIE_AGE = 10 * 365 * 24 * 3600
    api = APIClient()
    api.force_login(team[0].manager)
    response = api.get("/api/team/")
    assert response.status_code == 200
    rows = {row["email"]: row for row in response.json()}
    assert set(rows) == {"ada@example.com", "bob@example.com"}
    ada = rows["ada@example.com"]
    assert (ada["phase"], ada["current_day"], ada["steps_done"], ada["steps_total"]) == (
        "during",
        4,
        3,
        8,
    )
    assert ada["needs_help_with"]["title"].startswith("Write this month")
    assert ada["task_to_offer"]["prompt_title"] == "Prompt 1"
    assert ada["fvm"] is None
    assert rows["bob@example.com"]["fvm"]["minutes_saved"] == 65
    assert rows["bob@example.com"]["needs_help_with"] is None


def test_the_team_api_is_403_for_someone_with_no_reports(team, settings):
    api = APIClient()
    api.force_login(team[0].user)
    assert api.get("/api/team/").status_code == 403


@time_machine.travel("2026-12-03 10:00Z", tick=False)
@pytest.mark.parametrize("reports", [2, 12])
def test_the_team_page_makes_a_bounded_number_of_queries(
    client, login, enroll, django_assert_max_num_queries, reports
):
    versions = [make_pack("pack-a"), make_pack("pack-b")]
    for n in range(reports):
        enroll(f"p{n}@example.com", versions[n % 2], manager_email="max@example.com")
    login(get_user_model().objects.get(email="max@example.com"))
    with django_assert_max_num_queries(14):
        page = _main(client)
    assert page.count('class="card"') == reports
    api = APIClient()
    api.force_login(get_user_model().objects.get(email="max@example.com"))
    with django_assert_max_num_queries(14):
        assert len(api.get("/api/team/").json()) == reports


@time_machine.travel("2026-12-10 10:00Z", tick=False)
def test_it_lists_first_those_who_need_support_and_says_what_we_suggested(
    client, login, enroll, version, django_assert_max_num_queries
):
    from datetime import date, datetime

    from onboarding.models import InterventionSend
    from roles.models import Intervention

    boss = {"manager_email": "max@example.com"}
    bob = enroll("bob@example.com", version, name="Bob", **boss)
    with time_machine.travel("2026-12-02 15:00Z", tick=False):
        fvm_completion_record(enrollment=bob, minutes_taken=25, evidence="x", rating=4)
    fay = enroll("fay@example.com", version, name="Fay", start_date=date(2026, 12, 14), **boss)
    eve = enroll("eve@example.com", version, name="Eve", start_date=date(2026, 12, 9), **boss)
    ada = enroll("ada@example.com", version, name="Ada", **boss)  # working day 9, no FVM
    dee = enroll("dee@example.com", version, name="Dee", start_date=date(2026, 12, 7), **boss)
    nudge, _ = Intervention.objects.get_or_create(
        version=version, day=5, kind=Intervention.Kind.MANAGER_NUDGE, defaults={"message": "x"}
    )
    training, _ = Intervention.objects.get_or_create(
        version=version, day=3, kind=Intervention.Kind.MICROTRAINING, defaults={"message": "x"}
    )
    friday = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
    InterventionSend.objects.create(
        enrollment=ada,
        intervention=nudge,
        status=InterventionSend.Status.SENT,
        due_at=friday,
        sent_at=friday,
        recipient="max@example.com",
    )
    InterventionSend.objects.create(  # never delivered: not shown
        enrollment=dee,
        intervention=training,
        status=InterventionSend.Status.FAILED,
        due_at=friday,
        recipient="dee@example.com",
    )
    login(ada.manager)
    with django_assert_max_num_queries(14):
        page = _main(client)
    order = [ada, dee, eve, fay, bob]
    positions = [page.index(f'id="report-{e.id}"') for e in order]
    assert positions == sorted(positions), "support first, then by day, then value reached"
    ada_card = page[positions[0] : positions[1]]
    assert (
        "We suggested to you on Friday 4 December: "
        "sit with Ada for fifteen minutes on the one task." in ada_card
    )
    assert "how-to" not in page  # the failed send is not shown
    assert not OVERDUE_WORDS.search(re.sub(r"<[^>]+>", " ", ada_card))  # day 9 < day 10


@time_machine.travel("2026-12-03 10:00Z", tick=False)
def test_the_team_page_stays_bounded_with_sent_interventions(
    client, login, enroll, django_assert_max_num_queries
):
    from onboarding.models import InterventionSend
    from roles.models import Intervention

    versions = [make_pack("pack-a"), make_pack("pack-b")]
    for n in range(12):
        person = enroll(f"p{n}@example.com", versions[n % 2], manager_email="max@example.com")
        for day, kind in ((3, "microtraining"), (5, "manager_nudge")):
            intervention, _ = Intervention.objects.get_or_create(
                version=person.version, day=day, kind=kind, defaults={"message": "x"}
            )
            InterventionSend.objects.create(
                enrollment=person,
                intervention=intervention,
                status=InterventionSend.Status.SENT,
                due_at=person.enrolled_at,
                sent_at=person.enrolled_at,
            )
    login(get_user_model().objects.get(email="max@example.com"))
    with django_assert_max_num_queries(14):
        page = _main(client)
    assert page.count("We suggested to you on") == 12
