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


@shared_task(name="onboarding.tasks.send_intervention_batch", acks_late=True, ignore_result=True)
def send_intervention_batch(send_ids: list[int]) -> int:
    """Fan a chunk of the sweep's ids out to one ``send_intervention`` each, in the worker.

    So a sweep makes one broker call per chunk, not per row. Each send still claims its row
    (exactly once); an id whose enqueue is lost here stays pending and a later sweep retries."""
    for send_id in send_ids:
        send_intervention.apply_async((send_id,), retry=False)
    return len(send_ids)


@shared_task(name="onboarding.tasks.send_checkin_batch", acks_late=True, ignore_result=True)
def send_checkin_batch(checkin_ids: list[int]) -> int:
    """The same fan-out for check-ins."""
    for checkin_id in checkin_ids:
        send_checkin.apply_async((checkin_id,), retry=False)
    return len(checkin_ids)


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
