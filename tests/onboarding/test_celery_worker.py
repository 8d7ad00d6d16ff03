"""The send path through a REAL Celery worker and Redis (not eager).

Broker: CELERY_BROKER_URL when set (CI: redis://127.0.0.1:6379/15); otherwise Redis db 5 on
127.0.0.1, and the tests skip only when that is unreachable outside CI.
"""

import os
import socket
import time
from datetime import timedelta

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.conf import settings
from django.core import mail
from django.db import connections
from django.utils import timezone

from onboarding.models import Enrollment, InterventionSend
from onboarding.tasks import send_intervention
from onboarding.triggers import triggers_sweep
from roles.models import Intervention
from tests.factories import make_pack

from .triggers_support import WebhookReceiver, broker, day_date, enroll, local

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]
S = InterventionSend.Status
LOCAL_BROKER = "redis://127.0.0.1:6379/5"


def broker_url() -> str:
    url = os.environ.get("CELERY_BROKER_URL") or settings.CELERY_BROKER_URL
    if url:
        return url
    try:
        redis.Redis.from_url(LOCAL_BROKER, socket_connect_timeout=1).ping()
    except redis.RedisError:
        if os.environ.get("CI"):
            pytest.fail("CI must have a reachable Redis for the worker tests")
        pytest.skip("no CELERY_BROKER_URL and no Redis on 127.0.0.1:6379")
    return LOCAL_BROKER


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _close_worker_db(**kwargs):
    # The worker thread's own connections: closed after each task, so the test database
    # can be flushed and dropped.
    connections.close_all()


@pytest.fixture
def worker():
    with broker(broker_url()) as app:
        app.control.purge()  # messages left by other runs on this database number
        task_postrun.connect(_close_worker_db, weak=False)
        try:
            with start_worker(
                app,
                pool="solo",
                perform_ping_check=False,
                loglevel="WARNING",
                shutdown_timeout=30,
            ) as running:
                yield running
        finally:
            task_postrun.disconnect(_close_worker_db)


def wait_for(predicate, seconds: float = 30):
    """Poll the database until ``predicate()`` holds (a deadline, not a timed assertion)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("the worker did not get there in time")


@pytest.fixture
def fast_retries(settings):
    settings.SEND_RETRY_BASE_SECONDS = 0.2
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.WEBHOOK_ALLOW_HTTP_FOR_ALLOWED_HOSTS = True
    return settings


def test_a_webhook_that_fails_three_times_gets_one_delivery_after_four_attempts(
    worker, fast_retries
):
    version = make_pack()
    person = enroll(version, "ana@example.com")
    at = local(day_date(person, 5), 9, 0, "UTC")
    # The worker retries at the real time: keep the person's first week open until then, or
    # the retries would stop at the "too late" rule.
    Enrollment.objects.filter(pk=person.pk).update(
        window_ends_at=timezone.now() + timedelta(days=7)
    )
    with WebhookReceiver([500, 500, 500]) as receiver:
        Intervention.objects.filter(version=version, day=5).update(
            channel="slack", webhook_url=receiver.url
        )
        result = triggers_sweep(now=at)  # commits, then enqueues on the real broker
        (send_id,) = result.pending

        wait_for(lambda: InterventionSend.objects.get(pk=send_id).status in (S.SENT, S.FAILED))
        assert triggers_sweep(now=at + timedelta(minutes=1)).pending == []
        time.sleep(0.5)  # a duplicate delivery, if any, would land now
    row = InterventionSend.objects.get(pk=send_id)
    assert (row.status, row.attempts, row.last_error) == (S.SENT, 4, "")
    assert len(receiver.requests) == 4
    assert len(receiver.delivered) == 1
    assert "Day 5: help Ana with" in receiver.delivered[0]["text"]


def test_a_dripping_webhook_gets_one_request_from_the_worker_and_the_send_is_uncertain(
    worker, fast_retries
):
    from .test_http_deadline import Dripper

    fast_retries.WEBHOOK_DEADLINE_SECONDS = 1.0
    version = make_pack()
    person = enroll(version, "ana@example.com")
    at = local(day_date(person, 5), 9, 0, "UTC")
    with Dripper(interval=0.25, for_seconds=60) as dripper:
        Intervention.objects.filter(version=version, day=5).update(
            channel="slack", webhook_url=dripper.url
        )
        (send_id,) = triggers_sweep(now=at).pending  # commits, then the real worker sends
        wait_for(lambda: InterventionSend.objects.get(pk=send_id).status == S.UNCERTAIN)
        send_intervention.delay(send_id)  # a redelivery, as after a lost ack
        assert triggers_sweep(now=at + timedelta(hours=1)).requeued == []
        time.sleep(1.5)  # a second request, if any, would land now
    assert len(dripper.requests) == 1
    assert InterventionSend.objects.get(pk=send_id).attempts == 1


def test_the_same_send_enqueued_twice_goes_out_once(worker):
    version = make_pack()
    person = enroll(version, "ana@example.com")
    result = triggers_sweep(now=local(day_date(person, 5), 9, 0, "UTC"))
    (send_id,) = result.pending
    send_intervention.delay(send_id)  # a duplicate, as a redelivery or a requeue would be

    wait_for(lambda: InterventionSend.objects.get(pk=send_id).status == S.SENT)
    time.sleep(0.5)
    assert [m.to for m in mail.outbox] == [["manager@example.com"]]


def test_with_the_broker_down_fvm_is_recorded_and_the_sweep_catches_up_later(client):
    version = make_pack()
    fast = enroll(version, "fast@example.com")
    slow = enroll(version, "slow@example.com")
    at = local(day_date(slow, 5), 9, 0, "UTC")

    with broker(f"redis://127.0.0.1:{closed_port()}/5"):
        client.force_login(fast.user)
        response = client.post(
            "/api/me/fvm/",
            {"minutes_taken": 12, "evidence": "https://x.example/doc", "rating": 5},
            content_type="application/json",
        )
        assert response.status_code == 201
        result = triggers_sweep(now=at)  # the enqueue fails after commit; nothing raises
    (send_id,) = result.pending
    assert InterventionSend.objects.get(pk=send_id).status == S.PENDING
    assert mail.outbox == []

    url = broker_url()
    with broker(url) as app:
        app.control.purge()
        task_postrun.connect(_close_worker_db, weak=False)
        try:
            with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
                later = triggers_sweep(now=at + timedelta(minutes=15))
                assert later.requeued == [send_id]
                wait_for(lambda: InterventionSend.objects.get(pk=send_id).status == S.SENT)
        finally:
            task_postrun.disconnect(_close_worker_db)
    assert [m.to for m in mail.outbox] == [["manager@example.com"]]
    assert not InterventionSend.objects.filter(enrollment=fast).exists()
