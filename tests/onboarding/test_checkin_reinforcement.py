"""The day-30/90 check-ins bring the pack's reinforcement steps for that day: listed in the
email and on the page with their prompt or demo, ticked off there as path steps are."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError

from onboarding.checkins import checkin_answer, checkin_token
from onboarding.models import Checkin, StepCompletion
from roles.models import PathStep
from tests.factories import make_pack

from .test_checkins import links, sweep  # noqa: F401 (the sweep fixture)
from .triggers_support import day_date, enroll, local

pytestmark = pytest.mark.django_db


def reinforce(version):
    """Day 30: a prompt to try and a demo to watch; day 90: a reflection."""
    make = PathStep.objects.create
    return {
        "prompt": make(
            version=version,
            track="",
            day=30,
            order=0,
            kind="try_prompt",
            prompt_slug="prompt-2",
            title="Run the variance prompt on this month",
        ),
        "demo": make(
            version=version, track="", day=30, order=1, kind="watch_demo", demo_slug="variance-demo"
        ),
        "reflect": make(
            version=version,
            track="",
            day=90,
            order=0,
            kind="reflect",
            title="What would you automate next?",
        ),
    }


@pytest.fixture
def day30(sweep):  # noqa: F811
    version = make_pack()
    steps = reinforce(version)
    person = enroll(version, "ana@example.com")
    at = local(day_date(person, 30), 9, 0, "UTC")
    mail.outbox.clear()
    sweep(at)
    return person, steps, at


def test_the_email_lists_that_days_steps_with_their_prompt_and_demo(day30):
    (message,) = [m for m in mail.outbox if m.subject.startswith("Still using it")]
    body = message.body
    assert "2 steps for day 30" in body
    assert "1. Run the variance prompt on this month (Try a prompt)" in body
    assert "Explain the" in body and "variances number 2." in body  # the prompt's text
    assert "2. Variance commentary in 10 minutes (Watch a demo)" in body
    assert "90 minutes before, 10 with AI" in body
    assert "What would you automate next?" not in body  # day 90's
    html = message.alternatives[0][0]
    assert "<strong>Run the variance prompt on this month</strong>" in html


def test_the_page_lists_them_and_the_post_marks_the_ticked_ones_done(client, day30):
    person, steps, at = day30
    yes = links(mail.outbox[-1])["yes"]
    page = client.get(yes).content.decode()
    assert "Keep it going: 2 steps for day 30" in page
    assert f'name="steps" value="{steps["prompt"].id}"' in page
    assert f'name="steps" value="{steps["demo"].id}"' in page
    assert "What would you automate next?" not in page
    assert 'class="prompt-text"' in page and "Watch a demo" in page
    assert not StepCompletion.objects.exists()  # GET never writes

    later = at + timedelta(days=1)
    with time_machine.travel(later, tick=False):
        done = client.post(yes, {"steps": [str(steps["prompt"].id)], "sentiment": "5"})
    assert done.status_code == 200
    (completion,) = StepCompletion.objects.all()
    assert (completion.step_id, completion.done_at) == (steps["prompt"].id, later)
    checkin = Checkin.objects.get()
    assert (checkin.active, checkin.sentiment, checkin.answered_at) == (True, 5, later)
    assert "✔ Done" in done.content.decode()

    again = client.get(yes).content.decode()
    assert f'name="steps" value="{steps["prompt"].id}"' not in again  # done: shown as done
    assert f'name="steps" value="{steps["demo"].id}"' in again


@pytest.mark.parametrize("which", ["reflect", "path"])
def test_a_step_of_another_day_or_the_path_is_refused_and_nothing_recorded(client, day30, which):
    person, steps, _ = day30
    other = steps["reflect"] if which == "reflect" else PathStep.objects.path().first()
    yes = links(mail.outbox[-1])["yes"]
    response = client.post(yes, {"steps": [str(steps["demo"].id), str(other.id)]})
    assert response.status_code == 400
    assert "Steps done" in response.content.decode()
    assert not StepCompletion.objects.exists()
    assert Checkin.objects.get().answered_at is None

    token = checkin_token(Checkin.objects.get())
    with pytest.raises(ValidationError, match="not one of this check-in's steps"):
        checkin_answer(token=token, active=True, steps_done=[steps["demo"].id, other.id])
    assert not StepCompletion.objects.exists()
    assert Checkin.objects.get().answered_at is None


def test_a_pack_without_reinforcement_shows_no_steps(client, sweep):  # noqa: F811
    person = enroll(make_pack(), "ana@example.com")
    sweep(local(day_date(person, 30), 9, 0, "UTC"))
    assert "steps for day" not in mail.outbox[-1].body
    page = client.get(links(mail.outbox[-1])["yes"]).content.decode()
    assert "Keep it going" not in page
    assert re.search(r'name="steps"', page) is None
