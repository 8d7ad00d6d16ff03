"""Thin Celery tasks: take ids, call the services in triggers/checkins, retry with backoff.

The sweep is the scheduler: nothing here waits days in a countdown. A retry's countdown is
seconds to minutes (exponential with jitter, ``triggers.retry_countdown``) and the row's
``attempts`` bounds the tries, so a task re-enqueued by the sweep continues the count.
"""

from celery import shared_task
from django.utils import timezone

from . import checkins, triggers


@shared_task(name="onboarding.tasks.triggers_sweep_task", ignore_result=True)
def triggers_sweep_task() -> str:
    return str(triggers.triggers_sweep(now=timezone.now()))


@shared_task(
    bind=True,
    name="onboarding.tasks.send_intervention",
    acks_late=True,
    ignore_result=True,
    max_retries=None,  # bounded by InterventionSend.attempts (SEND_MAX_ATTEMPTS)
)
def send_intervention(self, send_id: int) -> str:
    delivery = triggers.intervention_send_deliver(send_id=send_id)
    if delivery.retry_in is not None:
        raise self.retry(countdown=delivery.retry_in)
    return delivery.outcome


@shared_task(
    bind=True,
    name="onboarding.tasks.send_checkin",
    acks_late=True,
    ignore_result=True,
    max_retries=None,  # bounded by Checkin.attempts
)
def send_checkin(self, checkin_id: int) -> str:
    delivery = checkins.checkin_send_deliver(checkin_id=checkin_id)
    if delivery.retry_in is not None:
        raise self.retry(countdown=delivery.retry_in)
    return delivery.outcome
