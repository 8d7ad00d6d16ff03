"""What every send shares: how many tries, how long between them, how an outcome is told, and
how ids reach the workers. See docs/triggers.md ("Retries", "The sweep is set-based").

Tasks are enqueued by their registered name, so the services that enqueue them never import
``onboarding.tasks`` (which imports them): the arrows go one way.
"""

import logging
import random
from dataclasses import dataclass

from celery import current_app
from django.conf import settings

from . import channels

logger = logging.getLogger(__name__)

RETRY_CEILING_SECONDS = 3600.0
# Waits up to this long are a task's own retry (a countdown); longer ones are left to the
# sweep, which enqueues a pending row once it is due (every 15 minutes).
TASK_RETRY_MAX_SECONDS = 300.0
# The batch tasks' registered names (onboarding.tasks declares its tasks with these).
SEND_INTERVENTION_BATCH = "onboarding.tasks.send_intervention_batch"
SEND_CHECKIN_BATCH = "onboarding.tasks.send_checkin_batch"


@dataclass
class Delivery:
    """The outcome of one send: sent, cancelled, failed, uncertain, too_late, retry (in
    ``retry_in`` s), waiting (for the sweep) or skipped."""

    outcome: str
    retry_in: float | None = None
    error: str = ""


def max_attempts() -> int:
    return settings.SEND_MAX_ATTEMPTS


def retry_countdown(attempt: int, asked: float | None = None) -> float:
    """Seconds before try ``attempt + 1``: exponential backoff with full jitter, capped; at
    least what the receiver ``asked`` (a 429's Retry-After), within the same cap."""
    base = float(settings.SEND_RETRY_BASE_SECONDS)
    ceiling = min(RETRY_CEILING_SECONDS, base * 2 ** max(0, attempt - 1))
    countdown = random.uniform(ceiling / 2, ceiling)
    if asked is not None:
        countdown = max(countdown, min(float(asked), RETRY_CEILING_SECONDS))
    return countdown


def retry_later(attempt: int, exc: Exception, error: str) -> tuple[float, Delivery]:
    """After try ``attempt`` found the channel down or refusing for now: the wait before the
    next try, and the outcome. A short wait is the task's own retry; a longer one is left to
    the sweep, which enqueues waiting rows (no task waits long in a countdown)."""
    countdown = retry_countdown(attempt, asked=getattr(exc, "retry_after", None))
    retry_in = countdown if countdown <= TASK_RETRY_MAX_SECONDS else None
    outcome = "retry" if retry_in is not None else "waiting"
    return countdown, Delivery(outcome, retry_in=retry_in, error=error)


def error_text(exc: Exception) -> str:
    """A failure as ``last_error`` keeps it: a channel's own words, else the exception's type."""
    if isinstance(exc, channels.TransientError | channels.PermanentError | channels.UncertainError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def enqueue(task_name: str, ids: list[int]) -> None:
    """Runs after commit: one ``task_name`` message per chunk of ids, which the worker fans
    out to one task per id. A broker that is down loses nothing: the rows stay pending and a
    later sweep enqueues them again."""
    chunk = int(settings.TRIGGERS_ENQUEUE_CHUNK_IDS)
    for start in range(0, len(ids), chunk):
        try:
            current_app.signature(task_name, args=(ids[start : start + chunk],)).apply_async(
                retry=False
            )
        except Exception:
            logger.warning(
                "could not enqueue %s for %s ids (broker down?); a later sweep retries",
                task_name,
                len(ids) - start,
                exc_info=True,
            )
            return
