"""Shared helpers for the activation-engine tests: people, instants, an eager switch,
a loopback webhook receiver and a Celery app pointed at a chosen broker."""

import contextlib
import http.server
import json
import os
import threading
import uuid
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from config.celery import app as celery_app
from onboarding.models import EnrollmentDay
from onboarding.services import enrollment_enroll

MONDAY = date(2026, 11, 2)  # US and EU are both on standard time from here


def enroll(
    version,
    email: str,
    *,
    tz: str = "UTC",
    start: date = MONDAY,
    manager: str = "manager@example.com",
    buddy: str = "buddy@example.com",
    name: str = "",
):
    return enrollment_enroll(
        email=email,
        version=version,
        start_date=start,
        name=name or email.split("@")[0].title(),
        timezone=tz,
        manager_email=manager,
        buddy_email=buddy,
    )


def local(day: date, hour: int, minute: int, tz: str) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(tz))


def day_date(enrollment, number: int) -> date:
    return EnrollmentDay.objects.get(enrollment=enrollment, number=number).date


def begins_at(enrollment, number: int) -> datetime:
    return EnrollmentDay.objects.get(enrollment=enrollment, number=number).begins_at


@contextlib.contextmanager
def eager_celery():
    """Tasks run in-process for one test (never globally)."""
    conf = celery_app.conf
    before = conf.task_always_eager, conf.task_eager_propagates
    conf.task_always_eager, conf.task_eager_propagates = True, True
    try:
        yield
    finally:
        conf.task_always_eager, conf.task_eager_propagates = before


@contextlib.contextmanager
def broker(url: str):
    """Point the Celery app at ``url`` (not eager), on a queue of its own, and restore it.

    The queue name is unique to this test and names the pytest-xdist worker, so the worker
    processes of one run, and runs sharing a Redis database (parallel engineers, CI jobs),
    never take each other's messages."""
    conf = celery_app.conf
    before = conf.broker_url, conf.task_always_eager, conf.task_default_queue
    # Celery reads CELERY_BROKER_URL from the environment before its own setting (CI sets it),
    # so a test pointing the app at a closed port must change both.
    env_before = os.environ.get("CELERY_BROKER_URL")
    os.environ["CELERY_BROKER_URL"] = url
    _reset_pools()
    conf.broker_url, conf.task_always_eager = url, False
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    conf.task_default_queue = f"firstvalue-test-{worker}-{uuid.uuid4().hex}"
    try:
        yield celery_app
    finally:
        _forget_queue(url, conf.task_default_queue)
        _reset_pools()
        conf.broker_url, conf.task_always_eager, conf.task_default_queue = before
        if env_before is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = env_before
        celery_app.__dict__.pop("amqp", None)


def _forget_queue(url: str, name: str) -> None:
    """Leave no keys behind in Redis for the run's queue (a down broker: nothing to do)."""
    import redis

    with contextlib.suppress(redis.RedisError, ValueError):
        client = redis.Redis.from_url(url, socket_connect_timeout=1)
        client.delete(name, f"_kombu.binding.{name}", f"_kombu.binding_permanent.{name}")
        client.close()


def _reset_pools() -> None:
    # Connection pools are keyed to the broker URL they were made for: start afresh.
    from kombu import pools

    with contextlib.suppress(Exception):
        pools.reset()
    celery_app._pool = None
    # Queues, router and producer pool are built from the configuration on first use.
    celery_app.__dict__.pop("amqp", None)


class WebhookReceiver:
    """An HTTP server on 127.0.0.1 (random port) that answers ``statuses`` in turn, then 200."""

    def __init__(self, statuses: list[int] | None = None, headers: dict | None = None):
        self.statuses = list(statuses or [])
        extra = dict(headers or {})
        self.requests: list[dict] = []
        self.delivered: list[dict] = []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                with receiver.lock:
                    receiver.requests.append(body)
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                    if status == 200:
                        receiver.delivered.append(body)
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                for name, value in extra.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(b"ok" if status == 200 else b"error")

            def log_message(self, *args):
                pass

        self.lock = threading.Lock()
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)
