"""A channel outage delays nudges and check-ins, it does not fail them: SMTP down for 30
minutes (an hour for check-ins), then up, and every due one is delivered exactly once;
retries stop only at the "too late" rule."""

import socketserver
import threading
from datetime import timedelta

import pytest
import time_machine
from django.core import mail

from onboarding.checkins import checkin_send_deliver
from onboarding.interventions import intervention_send_deliver
from onboarding.models import Checkin, InterventionSend
from onboarding.triggers import triggers_sweep
from tests.factories import make_pack

from .test_sending import closed_port, record_due
from .triggers_support import day_date, enroll, local

S = InterventionSend.Status


class SmtpServer:
    """Just enough SMTP on 127.0.0.1:``port`` to take messages; ``messages`` holds each one."""

    def __init__(self, port: int):
        self.messages: list[bytes] = []
        owner = self

        class Handler(socketserver.StreamRequestHandler):
            def reply(self, line: str):
                self.wfile.write(line.encode() + b"\r\n")

            def handle(self):
                self.reply("220 test ESMTP")
                while line := self.rfile.readline():
                    verb = line.strip().split(b" ", 1)[0].upper()
                    if verb in (b"EHLO", b"HELO"):
                        self.reply("250 test")
                    elif verb == b"DATA":
                        self.reply("354 go on")
                        data = b""
                        while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                            data += chunk
                        owner.messages.append(data)
                        self.reply("250 queued")
                    elif verb == b"QUIT":
                        self.reply("221 bye")
                        return
                    else:
                        self.reply("250 ok")

        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def smtp(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed_port()
    settings.EMAIL_USE_TLS, settings.EMAIL_TIMEOUT = False, 2
    return settings


def _worker(now):
    """What the worker and beat do at ``now``: the sweep, then every pending row that is due."""
    triggers_sweep(now=now)
    due = InterventionSend.objects.filter(status=S.PENDING, next_attempt_at__lte=now)
    return [
        intervention_send_deliver(send_id=pk, now=now) for pk in due.values_list("id", flat=True)
    ]


@pytest.mark.django_db
def test_smtp_down_for_30_minutes_delays_every_due_nudge_and_sends_each_once(smtp):
    version = make_pack()
    people = [enroll(version, f"p{i}@example.com", manager=f"m{i}@example.com") for i in range(3)]
    start = local(day_date(people[0], 5), 9, 0, "UTC")
    outcomes = []
    with time_machine.travel(start, tick=False) as clock:
        now = start
        while now < start + timedelta(minutes=30):  # down: every try refused
            outcomes += [o.outcome for o in _worker(now)]
            now += timedelta(minutes=1)
            clock.move_to(now)
        assert set(outcomes) <= {"retry", "waiting"} and outcomes
        assert not InterventionSend.objects.filter(status=S.FAILED).exists()
        with SmtpServer(smtp.EMAIL_PORT) as server:  # up again
            while now < start + timedelta(hours=3):
                _worker(now)
                now += timedelta(minutes=5)
                clock.move_to(now)
    rows = InterventionSend.objects.filter(intervention__day=5)
    assert sorted(rows.values_list("status", flat=True)) == [S.SENT] * 3
    assert len(server.messages) == 3
    recipients = sorted(b.split(b"To: ")[1].split(b"\r\n")[0].decode() for b in server.messages)
    assert recipients == ["m0@example.com", "m1@example.com", "m2@example.com"]
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_nudge_retried_past_the_too_late_rule_stops_as_too_late(smtp):
    person = enroll(make_pack(), "ana@example.com")
    row, at = record_due(person, 5)
    assert intervention_send_deliver(send_id=row.pk, now=at).outcome == "retry"
    later = person.window_ends_at + timedelta(days=5)
    assert intervention_send_deliver(send_id=row.pk, now=later).outcome == "too_late"
    row.refresh_from_db()
    assert row.status == S.TOO_LATE
    assert row.last_error.startswith("too late; the last try: SMTP: ConnectionRefusedError")


def _checkin_worker(now, retries: dict[int, object]):
    """The worker at ``now`` for check-ins: every 15 minutes the sweep and what it enqueues,
    and the tasks' own retries once their countdown is over."""
    ids = [pk for pk, at in retries.items() if at <= now]
    if now.minute % 15 == 0:
        result = triggers_sweep(now=now)
        ids += result.checkins + result.checkins_requeued
    outcomes = []
    for pk in dict.fromkeys(ids):
        retries.pop(pk, None)
        delivery = checkin_send_deliver(checkin_id=pk, now=now)
        if delivery.retry_in is not None:
            retries[pk] = now + timedelta(seconds=delivery.retry_in)
        outcomes.append(delivery.outcome)
    return outcomes


@pytest.mark.django_db
def test_smtp_down_for_an_hour_delays_every_due_checkin_and_sends_each_once(smtp):
    version = make_pack()
    people = [enroll(version, f"p{i}@example.com") for i in range(3)]
    start = local(day_date(people[0], 30), 9, 0, "UTC")
    outcomes, retries = [], {}
    with time_machine.travel(start, tick=False) as clock:
        now = start
        while now < start + timedelta(hours=1):  # down: every try refused
            outcomes += _checkin_worker(now, retries)
            now += timedelta(minutes=1)
            clock.move_to(now)
        assert set(outcomes) == {"retry", "waiting"}
        assert min(Checkin.objects.values_list("attempts", flat=True)) > 5  # the old limit
        assert not Checkin.objects.filter(failed=True).exists()
        with SmtpServer(smtp.EMAIL_PORT) as server:  # up again
            while now < start + timedelta(hours=3):
                _checkin_worker(now, retries)
                now += timedelta(minutes=1)
                clock.move_to(now)
    assert Checkin.objects.filter(sent_at__isnull=False, failed=False).count() == 3
    assert len(server.messages) == 3
    recipients = sorted(b.split(b"To: ")[1].split(b"\r\n")[0].decode() for b in server.messages)
    assert recipients == ["p0@example.com", "p1@example.com", "p2@example.com"]


@pytest.mark.django_db
def test_a_checkin_retried_past_the_too_late_rule_is_given_up(smtp):
    person = enroll(make_pack(), "ana@example.com")
    at = local(day_date(person, 30), 9, 0, "UTC")
    checkin_id = triggers_sweep(now=at).checkins[0]
    assert checkin_send_deliver(checkin_id=checkin_id, now=at).outcome == "retry"
    later = at + timedelta(days=11)
    assert checkin_send_deliver(checkin_id=checkin_id, now=later).outcome == "too_late"
    checkin = Checkin.objects.get()
    assert (checkin.failed, checkin.sent_at, checkin.attempts) == (True, None, 1)
    assert checkin.last_error.startswith("too late; the last try: SMTP: ConnectionRefusedError")
    assert checkin_send_deliver(checkin_id=checkin_id, now=later).outcome == "skipped"
    assert triggers_sweep(now=later).checkins_requeued == []
