"""One send: claimed once, re-checked against FVM, retried on transient trouble, then failed."""

import socket
from datetime import timedelta

import pytest
import time_machine
from django.core import mail

from onboarding.interventions import FVM_FIRST, intervention_send_deliver
from onboarding.models import InterventionSend
from onboarding.progress import fvm_completion_record
from onboarding.selectors.banners import banners_for
from onboarding.triggers import triggers_sweep
from roles.models import Intervention
from tests.factories import make_pack

from .triggers_support import WebhookReceiver, day_date, enroll, local

S = InterventionSend.Status


def record_due(person, day: int, tz: str = "UTC"):
    """Sweep (without enqueueing) so day ``day``'s row exists; returns (row, instant)."""
    at = local(day_date(person, day), 9, 0, tz)
    triggers_sweep(now=at)  # on_commit never fires inside the test transaction
    row = InterventionSend.objects.get(enrollment=person, intervention__day=day)
    return row, at


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def webhooks(settings):
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.WEBHOOK_ALLOW_HTTP_FOR_ALLOWED_HOSTS = True
    return settings


@pytest.mark.django_db
def test_it_claims_a_row_once():
    person = enroll(make_pack(), "ana@example.com")
    row, at = record_due(person, 5)

    assert intervention_send_deliver(send_id=row.pk, now=at).outcome == "sent"
    assert intervention_send_deliver(send_id=row.pk, now=at).outcome == "skipped"
    row.refresh_from_db()
    assert (row.status, row.attempts, row.recipient) == (S.SENT, 1, "manager@example.com")
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_live_claim_is_not_taken_over():
    person = enroll(make_pack(), "ana@example.com")
    row, at = record_due(person, 5)
    InterventionSend.objects.filter(pk=row.pk).update(status=S.SENDING, claimed_at=at)

    later = at + timedelta(minutes=3)
    assert intervention_send_deliver(send_id=row.pk, now=later).outcome == "skipped"
    assert mail.outbox == []


@pytest.mark.django_db
def test_it_cancels_at_send_time_when_first_value_came_after_the_sweep():
    person = enroll(make_pack(), "ana@example.com")
    row, at = record_due(person, 5)
    with time_machine.travel(at + timedelta(minutes=1), tick=False):
        fvm_completion_record(enrollment=person, minutes_taken=15, evidence="note", rating=4)

    outcome = intervention_send_deliver(send_id=row.pk, now=at + timedelta(minutes=2))
    assert outcome.outcome == "cancelled"
    row.refresh_from_db()
    assert (row.status, row.last_error) == (S.CANCELLED, FVM_FIRST)
    assert mail.outbox == []


@pytest.mark.django_db
def test_it_retries_smtp_trouble_with_backoff_and_never_fails_it_before_too_late(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", closed_port(), 2
    settings.EMAIL_USE_TLS = False
    person = enroll(make_pack(), "ana@example.com")
    row, at = record_due(person, 5)

    countdowns = []
    for attempt in range(1, 9):  # more than SEND_MAX_ATTEMPTS: an outage only delays it
        outcome = intervention_send_deliver(send_id=row.pk, now=at + timedelta(hours=attempt))
        row.refresh_from_db()
        assert row.attempts == attempt
        assert outcome.outcome in ("retry", "waiting")
        assert row.status == S.PENDING
        assert row.last_error.startswith("SMTP: ConnectionRefusedError")
        wait = row.next_attempt_at - (at + timedelta(hours=attempt))
        countdowns.append(wait.total_seconds())
        # A short wait is the task's own retry; a long one is left to the sweep.
        assert (outcome.outcome == "retry") == (outcome.retry_in is not None)
    # Exponential with jitter: each ceiling doubles from 30 s (waits are within [c/2, c]),
    # capped at an hour.
    for attempt, countdown in enumerate(countdowns, start=1):
        ceiling = min(3600, 30 * 2 ** (attempt - 1))
        assert ceiling / 2 <= countdown <= ceiling


@pytest.mark.django_db
def test_a_webhook_4xx_fails_at_once_and_429_is_retried(webhooks):
    version = make_pack()
    Intervention.objects.filter(version=version, day=5).update(channel="slack")
    person = enroll(version, "ana@example.com")
    row, at = record_due(person, 5)
    with WebhookReceiver([429, 404]) as receiver:
        Intervention.objects.filter(version=version, day=5).update(webhook_url=receiver.url)
        assert intervention_send_deliver(send_id=row.pk, now=at).outcome == "retry"
        assert intervention_send_deliver(send_id=row.pk, now=at).outcome == "failed"
    row.refresh_from_db()
    assert row.status == S.FAILED
    assert row.last_error.endswith("answered HTTP 404")
    assert len(receiver.requests) == 2


@pytest.mark.django_db
def test_a_refused_webhook_url_fails_without_a_request(settings):
    version = make_pack()
    Intervention.objects.filter(version=version, day=5).update(
        channel="teams", webhook_url="https://169.254.169.254/latest/meta-data/"
    )
    person = enroll(version, "ana@example.com")
    row, at = record_due(person, 5)

    assert intervention_send_deliver(send_id=row.pk, now=at).outcome == "failed"
    row.refresh_from_db()
    assert "non-public address" in row.last_error


@pytest.mark.django_db
def test_the_manager_nudge_goes_to_the_employee_when_there_is_no_manager():
    version = make_pack()
    person = enroll(version, "solo@example.com", manager="", buddy="")
    row, at = record_due(person, 5)

    intervention_send_deliver(send_id=row.pk, now=at)
    (message,) = mail.outbox
    assert message.to == ["solo@example.com"]
    # The pack's microtraining comes on day 6: day 5 says something else, not it twice.
    assert message.subject == "The one task that counts this week"
    assert "this week has one task that counts: Write this month" in message.body
    assert "Day 6: help Solo with" not in message.body

    Intervention.objects.filter(version=version, kind="microtraining").delete()
    loner = enroll(version, "loner@example.com", manager="", buddy="")
    row, at = record_due(loner, 5)
    intervention_send_deliver(send_id=row.pk, now=at)
    assert mail.outbox[1].subject == "A 5-minute walkthrough for your first result with AI"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("buddy", "manager", "host"),
    [
        ("buddy@example.com", "manager@example.com", "buddy@example.com"),
        ("", "manager@example.com", "manager@example.com"),
    ],
)
def test_the_session_request_invites_the_host_and_the_employee(buddy, manager, host):
    version = make_pack()
    person = enroll(version, "kenji@example.com", tz="Asia/Tokyo", buddy=buddy, manager=manager)
    row, at = record_due(person, 7, tz="Asia/Tokyo")  # Tuesday 10 November, 09:00 in Tokyo

    intervention_send_deliver(send_id=row.pk, now=at)
    (message,) = mail.outbox
    assert message.to == [host]
    filename, content, mimetype = message.attachments[0]
    assert (filename, mimetype) == ("invite.ics", "text/calendar; method=REQUEST; charset=utf-8")
    from icalendar import Calendar

    cal = Calendar.from_ical(content)
    assert str(cal["method"]) == "REQUEST"
    (event,) = cal.walk("VEVENT")
    # The next working day, 10:00 in Tokyo = 01:00 UTC, for 15 minutes.
    assert event.decoded("dtstart").isoformat() == "2026-11-11T01:00:00+00:00"
    assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(minutes=15)
    attendees = sorted(str(a) for a in event.get("attendee"))
    assert attendees == sorted(["mailto:kenji@example.com", f"mailto:{host}"])
    assert "Wednesday 11 November, 10:00 (Asia/Tokyo time)" in message.body


@pytest.mark.django_db
def test_without_buddy_or_manager_the_employee_is_asked_to_book_a_session():
    person = enroll(make_pack(), "alone@example.com", manager="", buddy="")
    row, at = record_due(person, 7)

    intervention_send_deliver(send_id=row.pk, now=at)
    (message,) = mail.outbox
    assert message.to == ["alone@example.com"]
    assert message.subject == "Book a 15-minute session with a power user"
    assert message.attachments == []


@pytest.mark.django_db
def test_an_in_app_microtraining_shows_as_a_banner_until_first_value():
    version = make_pack()
    Intervention.objects.filter(version=version, day=6).update(
        channel="in_app", message="**{{name}}**, try this: {{one_task}}"
    )
    person = enroll(version, "ana@example.com", name="Ana <b>Lima</b>")
    row, at = record_due(person, 6)
    assert banners_for(person) == []

    intervention_send_deliver(send_id=row.pk, now=at)
    assert mail.outbox == []
    (banner,) = banners_for(person)
    assert banner.kind == "microtraining"
    assert "<strong>" in banner.html and "Ana &lt;b&gt;Lima&lt;/b&gt;" in banner.html

    with time_machine.travel(at + timedelta(hours=1), tick=False):
        fvm_completion_record(enrollment=person, minutes_taken=15, evidence="note", rating=4)
    assert banners_for(person) == []


@pytest.mark.django_db
def test_slack_gets_mrkdwn_text_and_teams_an_adaptive_card(webhooks):
    version = make_pack()
    person = enroll(version, "ana@example.com")
    with WebhookReceiver() as receiver:
        Intervention.objects.filter(version=version, day=5).update(
            channel="slack", webhook_url=receiver.url, message="Sit with **{{name}}**."
        )
        Intervention.objects.filter(version=version, day=6).update(
            channel="teams", webhook_url=receiver.url, message="Try **{{one_task}}**."
        )
        for day in (5, 6):
            row, at = record_due(person, day)
            assert intervention_send_deliver(send_id=row.pk, now=at).outcome == "sent"
    slack, teams = receiver.delivered
    assert set(slack) == {"text", "mrkdwn"}
    assert "Sit with *Ana*." in slack["text"]
    assert "|Open FirstValue>" in slack["text"]
    # A channel is not a person: no sign-in links there.
    assert "email-link" not in str(receiver.delivered)
    assert "http://127.0.0.1:8000/my/" in str(teams)
    assert teams["type"] == "message"
    (attachment,) = teams["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard"
    assert any("Write this month's variance" in block["text"] for block in card["body"])
    assert card["actions"][0]["type"] == "Action.OpenUrl"


@pytest.mark.django_db
def test_the_banner_shows_on_my_checklist(client):
    version = make_pack()
    Intervention.objects.filter(version=version, day=6).update(
        channel="in_app", message="**{{name}}**, a 5-minute walkthrough: {{link}}"
    )
    person = enroll(version, "ana@example.com")
    row, at = record_due(person, 6)
    intervention_send_deliver(send_id=row.pk, now=at)

    client.force_login(person.user)
    with time_machine.travel(at + timedelta(hours=1), tick=False):
        page = client.get("/my/")
    assert page.status_code == 200
    html = page.content.decode()
    assert '<div class="banner" role="status"><p><strong><span class="filled">Ana</span>' in html
    assert 'a 5-minute walkthrough: <a href="http://127.0.0.1:8000/my/#step-' in html


@pytest.fixture
def admin_client_(client):
    from tests.factories import UserFactory

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.django_db
def test_failed_sends_show_their_reason_in_the_admin_and_can_be_sent_again(
    admin_client_, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    version = make_pack()
    people = [enroll(version, f"p{i}@example.com", manager="") for i in range(5)]
    for person in people:
        row, _ = record_due(person, 5)
        InterventionSend.objects.filter(pk=row.pk).update(
            status=S.FAILED, attempts=5, last_error="after 5 tries: SMTP: ConnectionRefusedError"
        )

    with django_assert_max_num_queries(12):
        page = admin_client_.get("/admin/onboarding/interventionsend/?status__exact=failed")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count("after 5 tries: SMTP: ConnectionRefusedError") == 5

    ids = [str(pk) for pk in InterventionSend.objects.values_list("pk", flat=True)[:2]]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = admin_client_.post(
            "/admin/onboarding/interventionsend/",
            {"action": "send_again", "_selected_action": ids},
        )
    assert response.status_code == 302
    assert len(callbacks) == 1
    assert InterventionSend.objects.filter(status=S.PENDING, attempts=0).count() == 2

    assert admin_client_.get("/admin/onboarding/checkin/").status_code == 200
