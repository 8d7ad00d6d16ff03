"""The one HTTP sender: a total deadline, and "not sent" told from "may have arrived".

A real loopback server that answers one byte at a time for up to 60 s: the send is cut off at
the deadline (a setting, small here), the receiver sees exactly one request, and the send is
recorded as "delivery uncertain" and never repeated by a retry, a redelivery or a sweep."""

import socket
import threading
import time
from datetime import timedelta

import pytest

from onboarding import channels
from onboarding.http_post import retry_after_seconds
from onboarding.interventions import intervention_send_deliver, intervention_sends_retry
from onboarding.models import InterventionSend
from onboarding.triggers import triggers_sweep
from roles.models import Intervention
from tests.factories import make_pack

from .test_sending import closed_port, record_due
from .triggers_support import WebhookReceiver, enroll

S = InterventionSend.Status
DRIP = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok"


class Dripper:
    """Reads each request, then answers one byte every ``interval`` seconds for up to
    ``for_seconds``; stops when the client hangs up or the test ends."""

    def __init__(self, interval: float = 0.2, for_seconds: float = 60, before: bytes = b""):
        self.interval, self.for_seconds, self.before = interval, for_seconds, before
        self.requests: list[bytes] = []
        self.stop = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}/hook"
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self):
        self.listener.settimeout(0.1)
        while not self.stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn):
        with conn:
            conn.settimeout(5)
            data = b""
            while b"\r\n\r\n" not in data:
                data += conn.recv(4096)
            head, _, body = data.partition(b"\r\n\r\n")
            length = int(
                next(
                    (
                        line.split(b":")[1]
                        for line in head.split(b"\r\n")
                        if line.lower().startswith(b"content-length")
                    ),
                    b"0",
                )
            )
            while len(body) < length:
                body += conn.recv(4096)
            self.requests.append(body)
            if self.before:
                conn.sendall(self.before)
            ends = time.monotonic() + self.for_seconds
            for byte in DRIP:
                if self.stop.is_set() or time.monotonic() > ends:
                    return
                try:
                    conn.sendall(bytes([byte]))
                except OSError:
                    return  # the client hung up: the sender gave up at its deadline
                time.sleep(self.interval)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(2)
        self.listener.close()


@pytest.fixture
def webhooks(settings):
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.WEBHOOK_ALLOW_HTTP_FOR_ALLOWED_HOSTS = True
    settings.WEBHOOK_DEADLINE_SECONDS = 1.0
    return settings


@pytest.mark.parametrize("interval", [0.2, 4.0])  # seconds between bytes
def test_a_dripping_answer_is_cut_off_at_the_deadline_as_uncertain(webhooks, interval):
    with Dripper(interval=interval) as dripper:
        started = time.monotonic()
        with pytest.raises(channels.UncertainError, match="delivery uncertain.*deadline"):
            channels.deliver_slack(url=dripper.url, markdown_text="hello")
        took = time.monotonic() - started
    assert 0.9 <= took < 3, took
    assert len(dripper.requests) == 1


def test_a_refused_connection_is_not_sent_and_worth_retrying(webhooks):
    with pytest.raises(channels.TransientError, match="not sent: ConnectionRefusedError"):
        channels.deliver_slack(url=f"http://127.0.0.1:{closed_port()}/hook", markdown_text="x")


def test_a_server_that_hangs_up_after_reading_is_uncertain(webhooks):
    listener = socket.create_server(("127.0.0.1", 0))
    seen = []

    def serve():
        conn, _ = listener.accept()
        with conn:
            seen.append(conn.recv(65536))
            conn.setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
            )

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        with pytest.raises(channels.UncertainError, match="delivery uncertain"):
            channels.deliver_teams(
                url=f"http://127.0.0.1:{listener.getsockname()[1]}/hook",
                title="t",
                markdown_text="m",
            )
    finally:
        thread.join(2)
        listener.close()
    assert len(seen) == 1


@pytest.mark.django_db
def test_429_waits_at_least_its_retry_after(webhooks):
    version = make_pack()
    Intervention.objects.filter(version=version, day=5).update(channel="slack")
    person = enroll(version, "ana@example.com")
    row, at = record_due(person, 5)
    with WebhookReceiver([429], headers={"Retry-After": "120"}) as receiver:
        Intervention.objects.filter(version=version, day=5).update(webhook_url=receiver.url)
        outcome = intervention_send_deliver(send_id=row.pk, now=at)
    assert outcome.outcome == "retry" and outcome.retry_in >= 120
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past
    assert retry_after_seconds("soon") is None


@pytest.mark.django_db
def test_a_webhook_that_drips_for_60_s_gets_one_request_and_the_send_is_uncertain(webhooks):
    version = make_pack()
    Intervention.objects.filter(version=version, day=5).update(channel="slack")
    person = enroll(version, "ana@example.com")
    row, at = record_due(person, 5)
    with Dripper(interval=0.25, for_seconds=60) as dripper:
        Intervention.objects.filter(version=version, day=5).update(webhook_url=dripper.url)
        started = time.monotonic()
        outcome = intervention_send_deliver(send_id=row.pk, now=at)
        assert time.monotonic() - started < 3
        assert outcome.outcome == "uncertain"
        row.refresh_from_db()
        assert row.status == S.UNCERTAIN and "delivery uncertain" in row.last_error
        # Never again by itself: a redelivered task, a later sweep, a dead worker's claim.
        assert intervention_send_deliver(send_id=row.pk, now=at).outcome == "skipped"
        later = at + timedelta(hours=2)
        result = triggers_sweep(now=later)
        assert row.pk not in result.requeued
        assert intervention_send_deliver(send_id=row.pk, now=later).outcome == "skipped"
    assert len(dripper.requests) == 1
    # A person who checked the channel may send it again.
    assert intervention_sends_retry(ids=[row.pk]) == 1
    row.refresh_from_db()
    assert row.status == S.PENDING


@pytest.mark.django_db
def test_the_admin_lists_uncertain_sends_for_a_person_to_decide(admin_client):
    person = enroll(make_pack(), "ana@example.com")
    row, _ = record_due(person, 5)
    InterventionSend.objects.filter(pk=row.pk).update(
        status=S.UNCERTAIN, last_error="webhook x: delivery uncertain: no answer"
    )
    page = admin_client.get("/admin/onboarding/interventionsend/?status__exact=uncertain")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Delivery uncertain" in text and "delivery uncertain: no answer" in text
    response = admin_client.post(
        "/admin/onboarding/interventionsend/",
        {"action": "send_again", "_selected_action": [row.pk]},
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.status == S.PENDING
