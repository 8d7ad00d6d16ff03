"""Thin Celery tasks: take ids, call a service, retry with backoff.

The sweep is the scheduler: nothing here waits days in a countdown. A retry's countdown is
seconds to minutes (exponential with jitter, ``sending.retry_countdown``) and the row's
``attempts`` bounds the tries, so a task re-enqueued by the sweep continues the count.
Services enqueue these by name (``sending.enqueue``) and never import this module.
"""

from celery import shared_task
from django.utils import timezone

from . import auth, checkins, interventions, triggers
from .sending import SEND_CHECKIN_BATCH, SEND_INTERVENTION_BATCH, Delivery


@shared_task(name="onboarding.tasks.triggers_sweep_task", ignore_result=True)
def triggers_sweep_task() -> str:
    return str(triggers.triggers_sweep(now=timezone.now()))


def _outcome(task, delivery: Delivery) -> str:
    if delivery.retry_in is not None:
        raise task.retry(countdown=delivery.retry_in)
    return delivery.outcome


def _fan_out(task, ids: list[int]) -> int:
    """One ``task`` per id, enqueued from the worker: a sweep makes one broker call per chunk,
    not per row. Each send still claims its row (exactly once); an id whose enqueue is lost
    here stays pending and a later sweep retries."""
    for pk in ids:
        task.apply_async((pk,), retry=False)
    return len(ids)


# A send: acknowledged once done (a dead worker's message is delivered again, and the row's
# claim keeps it from going out twice); retried without a count of its own, as the row's
# ``attempts`` bounds the tries (SEND_MAX_ATTEMPTS).
_SEND_OPTIONS = {"bind": True, "acks_late": True, "ignore_result": True, "max_retries": None}


@shared_task(name="onboarding.tasks.send_intervention", **_SEND_OPTIONS)
def send_intervention(self, send_id: int) -> str:
    return _outcome(self, interventions.intervention_send_deliver(send_id=send_id))


@shared_task(name="onboarding.tasks.send_checkin", **_SEND_OPTIONS)
def send_checkin(self, checkin_id: int) -> str:
    return _outcome(self, checkins.checkin_send_deliver(checkin_id=checkin_id))


@shared_task(name=SEND_INTERVENTION_BATCH, acks_late=True, ignore_result=True)
def send_intervention_batch(send_ids: list[int]) -> int:
    return _fan_out(send_intervention, send_ids)


@shared_task(name=SEND_CHECKIN_BATCH, acks_late=True, ignore_result=True)
def send_checkin_batch(checkin_ids: list[int]) -> int:
    return _fan_out(send_checkin, checkin_ids)


@shared_task(name=auth.SEND_EMAIL_LINK, ignore_result=True)
def send_email_link(email: str) -> bool:
    return auth.magic_link_send(email=email)
