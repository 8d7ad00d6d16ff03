"""The Celery app: JSON only, time limits, late acks, and the static beat schedule.

Run ONE beat process (``celery -A config beat``) next to the workers
(``celery -A config worker``). Two beats would only sweep twice (the sweep is
idempotent), but one is the design; see docs/triggers.md.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

SWEEP_EVERY_SECONDS = 15 * 60

app = Celery("firstvalue")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.update(
    # Never pickle: a task takes ids, and JSON keeps it that way.
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    # A send hangs at most this long (SMTP and webhooks have their own timeouts below it).
    task_time_limit=5 * 60,
    task_soft_time_limit=60,
    # A worker that dies mid-task leaves the message unacked, so it is delivered again;
    # the row's compare-and-set claim keeps that from sending twice.
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    broker_connection_retry_on_startup=True,
    timezone="UTC",
    enable_utc=True,
)
app.conf.beat_schedule = {
    "triggers-sweep": {
        "task": "onboarding.tasks.triggers_sweep_task",
        "schedule": SWEEP_EVERY_SECONDS,
        # A sweep that could not run within the period is superseded by the next one.
        "options": {"expires": SWEEP_EVERY_SECONDS - 60},
    },
}
app.autodiscover_tasks()
