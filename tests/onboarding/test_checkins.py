"""Day-30/90 check-ins: recorded once when the day begins, one-click signed answers."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail

from onboarding.checkins import checkin_send_deliver, checkin_token
from onboarding.models import Checkin
from onboarding.triggers import triggers_sweep
from tests.factories import make_pack

from .test_sending import closed_port
from .triggers_support import day_date, eager_celery, enroll, local


@pytest.fixture
def sweep(django_capture_on_commit_callbacks):
    def run(instant):
        with time_machine.travel(instant, tick=False), eager_celery():
            with django_capture_on_commit_callbacks(execute=True):
                return triggers_sweep(now=instant)

    return run


def links(message) -> dict[str, str]:
    found = re.findall(r"(http://\S+/checkin/\S+/(yes|no)/)", message.body)
    return {answer: url.split("127.0.0.1:8000", 1)[-1] for url, answer in found}


@pytest.mark.django_db
def test_it_asks_once_when_working_day_30_begins(sweep):
    person = enroll(make_pack(), "ana@example.com", tz="America/Los_Angeles")
    day30 = day_date(person, 30)

    sweep(local(day30, 8, 59, "America/Los_Angeles"))
    assert not Checkin.objects.exists()
    mail.outbox.clear()  # the first week's interventions

    sweep(local(day30, 9, 0, "America/Los_Angeles"))
    sweep(local(day30, 9, 30, "America/Los_Angeles"))
    checkin = Checkin.objects.get()
    assert (checkin.day, checkin.sent_at is not None) == (30, True)
    (message,) = mail.outbox
    assert message.to == ["ana@example.com"]
    assert message.subject == "Still using it for a variance explanation for the CFO report?"
    assert set(links(message)) == {"yes", "no"}


@pytest.mark.django_db
def test_the_link_shows_a_button_and_only_the_post_records(client, sweep):
    person = enroll(make_pack(), "ana@example.com")
    at = local(day_date(person, 30), 9, 0, "UTC")
    sweep(at)
    yes = links(mail.outbox[-1])["yes"]

    with time_machine.travel(at + timedelta(days=2), tick=False):
        page = client.get(yes)  # what a mail scanner does
        assert page.status_code == 200
        assert b'<form method="post"' in page.content
        assert Checkin.objects.get().answered_at is None

        assert client.post(yes).status_code == 200
    checkin = Checkin.objects.get()
    assert checkin.active is True
    assert checkin.answered_at == at + timedelta(days=2)

    assert client.post(links(mail.outbox[-1])["no"]).status_code == 200
    assert Checkin.objects.get().active is False


@pytest.mark.django_db
def test_a_tampered_or_expired_link_records_nothing(client, sweep):
    person = enroll(make_pack(), "ana@example.com")
    at = local(day_date(person, 30), 9, 0, "UTC")
    sweep(at)
    yes = links(mail.outbox[-1])["yes"]
    token = yes.split("/")[2]
    other = checkin_token(Checkin(pk=Checkin.objects.get().pk + 1, day=30))

    assert client.post(yes.replace(token, token[:-2] + "xx")).status_code == 400
    assert client.post(yes.replace(token, other)).status_code == 400
    with time_machine.travel(at + timedelta(days=31), tick=False):
        response = client.post(yes)
    assert response.status_code == 400
    assert b"not valid or has expired" in response.content
    assert Checkin.objects.get().answered_at is None


@pytest.mark.django_db
def test_a_checkin_found_long_after_its_day_is_recorded_but_not_sent(sweep):
    person = enroll(make_pack(), "ana@example.com")
    # Day 30 began 12 days ago: past CHECKINS_SEND_WITHIN_DAYS (10), within the 14-day horizon.
    result = sweep(local(day_date(person, 30), 9, 0, "UTC") + timedelta(days=12))
    assert result.checkins_late == 1
    assert result.checkins == []
    assert [(c.day, c.sent_at) for c in Checkin.objects.all()] == [(30, None)]


@pytest.mark.django_db
def test_a_checkin_older_than_the_catch_up_horizon_is_not_recorded(sweep):
    person = enroll(make_pack(), "ana@example.com")
    result = sweep(local(day_date(person, 90), 9, 0, "UTC") + timedelta(days=1))
    assert result.checkins_late == 0  # day 30, two months ago: beyond the horizon
    assert len(result.checkins) == 1  # day 90, yesterday
    sent = {c.day: c.sent_at is not None for c in Checkin.objects.all()}
    assert sent == {90: True}


@pytest.mark.django_db
def test_a_checkin_send_is_claimed_once_and_retried_on_smtp_trouble(settings):
    person = enroll(make_pack(), "ana@example.com")
    at = local(day_date(person, 30), 9, 0, "UTC")
    triggers_sweep(now=at)  # records; its after-commit enqueue never fires in this test
    checkin = Checkin.objects.get()

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", closed_port(), 2
    settings.EMAIL_USE_TLS = False
    outcome = checkin_send_deliver(checkin_id=checkin.pk, now=at)
    assert outcome.outcome == "retry" and outcome.retry_in > 0
    checkin.refresh_from_db()
    assert (checkin.sent_at, checkin.attempts) == (None, 1)
    assert "ConnectionRefusedError" in checkin.last_error

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert checkin_send_deliver(checkin_id=checkin.pk, now=at).outcome == "sent"
    assert checkin_send_deliver(checkin_id=checkin.pk, now=at).outcome == "skipped"
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_the_page_asks_the_optional_sentiment_and_the_post_records_it(client, sweep):
    person = enroll(make_pack(), "ana@example.com")
    at = local(day_date(person, 30), 9, 0, "UTC")
    sweep(at)
    assert "helps with your work or adds friction" in mail.outbox[-1].body
    yes = links(mail.outbox[-1])["yes"]

    page = client.get(yes).content.decode()
    assert "Does the AI tool help with your work or add friction?" in page
    assert 'name="sentiment" value="5"' in page and "5 – helps a lot" in page
    assert Checkin.objects.get().sentiment is None  # GET never writes

    done = client.post(yes, {"sentiment": "4"})
    assert done.status_code == 200
    assert b"helps with your work (4 of 5)" in done.content
    checkin = Checkin.objects.get()
    assert (checkin.active, checkin.sentiment) == (True, 4)

    # The other button without a sentiment: the answer changes, the sentiment stays.
    assert client.post(links(mail.outbox[-1])["no"]).status_code == 200
    checkin = Checkin.objects.get()
    assert (checkin.active, checkin.sentiment) == (False, 4)


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["0", "6", "lots"])
def test_a_sentiment_outside_1_to_5_is_refused_naming_the_field(client, sweep, value):
    person = enroll(make_pack(), "ana@example.com")
    sweep(local(day_date(person, 30), 9, 0, "UTC"))
    response = client.post(links(mail.outbox[-1])["yes"], {"sentiment": value})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Not recorded yet" in body and "Does the AI tool help" in body
    checkin = Checkin.objects.get()
    assert (checkin.answered_at, checkin.active, checkin.sentiment) == (None, None, None)


@pytest.mark.django_db
def test_the_database_refuses_a_sentiment_outside_1_to_5():
    from django.db import IntegrityError, transaction

    person = enroll(make_pack(), "ana@example.com")
    with pytest.raises(IntegrityError), transaction.atomic():
        at = local(day_date(person, 30), 9, 0, "UTC")
        Checkin.objects.create(enrollment=person, day=30, due_at=at, sentiment=6)
