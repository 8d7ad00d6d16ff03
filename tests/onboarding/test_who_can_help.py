"""/my/: the employee sees who can help and asks their power user for the 15-minute session."""

import re
from datetime import date
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
import time_machine

from onboarding.progress import fvm_completion_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def ada(enroll, version, django_user_model):
    person = enroll(
        "ada@example.com",
        version,
        name="Ada Lovelace",
        start_date=date(2026, 11, 30),
        manager_email="max@example.com",
        buddy_email="bea@example.com",
    )
    person.buddy.first_name, person.buddy.last_name = "Bea", "Buddy"
    person.buddy.save()
    return person


def _helpers(client):
    page = client.get("/my/").content.decode()
    match = re.search(r'<section class="card helpers".*?</section>', page, re.S)
    return match.group(0) if match else ""


@time_machine.travel("2026-12-04 10:00Z", tick=False)
def test_the_employee_sees_their_power_user_and_manager(client, login, ada):
    login(ada.user)
    block = _helpers(client)
    assert "Who can help" in block
    assert "<strong>Bea Buddy</strong>, your power user" in block
    assert "<strong>max@example.com</strong>, your manager" in block  # known by address alone
    assert 'href="mailto:max@example.com"' in block


@time_machine.travel("2026-12-04 10:00Z", tick=False)
def test_asking_the_power_user_opens_a_prefilled_request_for_the_session(client, login, ada):
    login(ada.user)
    block = _helpers(client)
    href = re.search(r'id="ask-buddy" href="([^"]+)">Ask Bea for a 15-minute session<', block)
    assert href, block
    url = urlsplit(href.group(1).replace("&amp;", "&"))
    assert url.scheme == "mailto" and unquote(url.path) == "bea@example.com"
    query = parse_qs(url.query)
    task = "Write this month's variance commentary with the AI"
    assert query["subject"] == [f"Could you give me 15 minutes on {task}?"]
    body = query["body"][0]
    assert body.startswith("Hi Bea,\n\nI am in my first week as Finance analyst")
    assert f"15 minutes with you on {task} with the prompt “Prompt 1”" in body
    assert body.endswith("Thanks,\nAda Lovelace")


@time_machine.travel("2026-12-04 10:00Z", tick=False)
def test_without_manager_or_buddy_it_says_whom_to_ask(client, login, enroll, version):
    alone = enroll("solo@example.com", version, start_date=date(2026, 11, 30))
    login(alone.user)
    block = _helpers(client)
    assert "No manager or power user is named for you yet" in block
    assert "mailto:" not in block


@time_machine.travel("2026-12-04 10:00Z", tick=False)
def test_once_first_value_is_reached_the_block_steps_aside(client, login, ada):
    fvm_completion_record(enrollment=ada, minutes_taken=20, evidence="x", rating=4)
    login(ada.user)
    assert _helpers(client) == ""
