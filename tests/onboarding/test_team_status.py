"""/team/ for a manager with two minutes, and the power user's part of it: one status per
person in words (and colour), the summary line, urgency order, an action on the one task."""

import re
from datetime import date
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import get_user_model

from onboarding.progress import fvm_completion_record
from roles.models import PathStep
from tests.factories import make_pack

TODAY = "2026-12-10 10:00Z"  # a Thursday
BOSS = {"manager_email": "max@example.com", "buddy_email": "bea@example.com"}


@pytest.fixture
def people(enroll, version):
    """Day 9 without first value, day 5 without, day 2, not started, and one who reached it."""
    ivy = enroll("ivy@example.com", version, name="Ivy", **BOSS)
    dan = enroll("dan@example.com", version, name="Dan", start_date=date(2026, 12, 4), **BOSS)
    eve = enroll("eve@example.com", version, name="Eve", start_date=date(2026, 12, 9), **BOSS)
    fay = enroll("fay@example.com", version, name="Fay", start_date=date(2026, 12, 14), **BOSS)
    bob = enroll("bob@example.com", version, name="Bob", **BOSS)
    with time_machine.travel("2026-12-02 15:00Z", tick=False):
        fvm_completion_record(enrollment=bob, minutes_taken=25, evidence="x", rating=4)
    return {"ivy": ivy, "dan": dan, "eve": eve, "fay": fay, "bob": bob}


def _main(client):
    response = client.get("/team/")
    assert response.status_code == 200
    return response.content.decode().split("<main", 1)[1]


def _cards(page, anchor="report"):
    return re.findall(rf'<li class="card" id="{anchor}-(\d+)" data-status="([a-z-]+)">', page)


@time_machine.travel(TODAY, tick=False)
def test_the_manager_reads_the_summary_then_each_status_most_urgent_first(client, login, people):
    login(people["ivy"].manager)
    page = _main(client)
    assert (
        "<strong>1 of 5 reached first value, 1 needs support now, "
        "1 past the first week without it yet.</strong>" in page
    )
    order = [
        (str(people[n].pk), s)
        for n, s in (
            ("dan", "needs-support"),
            ("ivy", "past-week"),
            ("eve", "on-track"),
            ("fay", "on-track"),
            ("bob", "reached"),
        )
    ]
    assert _cards(page) == order
    for words in ("Needs support now", "Past the first week", "On track", "Reached first value"):
        assert f">{words}</span>" in page  # in words, never colour alone


@time_machine.travel(TODAY, tick=False)
def test_each_person_without_first_value_has_a_prefilled_offer_of_the_one_task(
    client, login, people
):
    login(people["dan"].manager)
    page = _main(client)
    dan = people["dan"]
    card = page.split(f'id="report-{dan.pk}"', 1)[1].split('<li class="card"', 1)[0]
    href = re.search(
        r'<a class="button" href="(mailto:[^"]+)">Offer Dan 15 minutes on it</a>', card
    )
    assert href, card
    url = urlsplit(href.group(1).replace("&amp;", "&"))
    assert unquote(url.path) == "dan@example.com"
    query = parse_qs(url.query)
    task = "Write this month's variance commentary with the AI"
    assert query["subject"] == [f"15 minutes on {task}?"]
    step = PathStep.objects.get(version=dan.version, track="prescriptive", kind="fvm_task")
    body = query["body"][0]
    assert body.startswith("Hi Dan,\n\nShall we take 15 minutes together this week on " + task)
    assert f"{settings.SITE_URL}/my/#step-{step.pk}" in body
    assert "{{" not in body
    # the ones on track get the same offer, less prominent; the one who reached value none
    assert 'class="button secondary" href="mailto:eve%40example.com' in page or (
        'class="button secondary" href="mailto:eve@example.com' in page
    )
    bob_card = page.split(f'id="report-{people["bob"].pk}"', 1)[1].split('<li class="card"', 1)[0]
    assert "mailto:" not in bob_card


@time_machine.travel(TODAY, tick=False)
def test_the_power_user_sees_the_people_they_help_and_what_to_do_in_the_session(
    client, login, people
):
    buddy = login(people["dan"].buddy)
    page = client.get("/team/").content.decode()
    assert '<a href="/team/">My team</a>' in page  # the nav shows it to a power user too
    main = page.split("<main", 1)[1]
    assert "People you help as a power user" in main
    assert "People you manage" not in main  # Bea manages nobody
    assert [pk for pk, _ in _cards(main, "helps")][0] == str(people["dan"].pk)
    card = main.split(f'id="helps-{people["dan"].pk}"', 1)[1].split('<li class="card"', 1)[0]
    assert "What to do in the session" in card
    assert "Run the prompt “Prompt 1” together" in card
    assert '<div class="prompt-html"><p>Explain the' in card
    assert "filling in the month from their work" in card
    assert "Propose a 15-minute session to Dan" in card
    assert "I%20am%20your%20power%20user%20for%20Finance%20analyst" in card
    assert buddy.email not in card.split("mailto:", 1)[1].split("?", 1)[0]


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize("count", [2, 12])
def test_both_halves_of_team_stay_within_a_fixed_number_of_queries(
    client, login, enroll, django_assert_max_num_queries, count
):
    versions = [make_pack("pack-a"), make_pack("pack-b")]
    for n in range(count):
        enroll(f"m{n}@example.com", versions[n % 2], manager_email="max@example.com")
        enroll(f"h{n}@example.com", versions[n % 2], buddy_email="max@example.com")
    login(get_user_model().objects.get(email="max@example.com"))
    with django_assert_max_num_queries(14):
        page = _main(client)
    assert len(_cards(page)) == count and len(_cards(page, "helps")) == count


def test_someone_who_manages_and_helps_no_one_sees_a_plain_sentence(client, login, people):
    login(people["ivy"].user)
    assert "No one who reports to you, or whom you help as a power user" in _main(client)


@time_machine.travel(TODAY, tick=False)
def test_the_power_user_can_add_the_session_to_their_calendar(client, login, people):
    dan = people["dan"]
    login(dan.buddy)
    card = _main(client).split(f'id="helps-{dan.pk}"', 1)[1].split('<li class="card"', 1)[0]
    assert f'href="/team/{dan.pk}/session.ics" download' in card
    response = client.get(f"/team/{dan.pk}/session.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    ics = response.content.decode().replace("\r\n ", "")  # unfolded
    assert "METHOD:REQUEST" in ics and "DTSTART:20261211T100000Z" in ics  # next working day
    assert "mailto:dan@example.com" in ics and "mailto:bea@example.com" in ics
    login(people["ivy"].user)  # not Dan's manager nor his power user
    assert client.get(f"/team/{dan.pk}/session.ics").status_code == 404
