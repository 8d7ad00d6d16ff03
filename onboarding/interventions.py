"""Sending one intervention exactly once, and the admin's "send again".

A send (:func:`intervention_send_deliver`) claims its row with a compare-and-set UPDATE
(pending → sending) whose row count decides who sends, re-checks FVM, delivers, and records
the outcome. A channel that is down or refusing for now sends the row back to pending with a
backoff, retried until the "too late" rule applies; a send that may have arrived is
"delivery uncertain" and never repeated.
See docs/triggers.md ("Exactly once", "Retries").
"""

import logging
from datetime import datetime, timedelta
from functools import partial

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from roles.models import Intervention

from . import channels, notifications
from .models import FvmCompletion, InterventionSend
from .sending import (
    SEND_INTERVENTION_BATCH,
    Delivery,
    enqueue,
    error_text,
    max_attempts,
    retry_later,
)
from .triggers import TOO_LATE, claim_timeout, is_too_late

logger = logging.getLogger(__name__)
Status = InterventionSend.Status

FVM_FIRST = "first value reached before sending"


@transaction.atomic
def intervention_sends_retry(*, ids: list[int]) -> int:
    """Give failed rows, and rows whose delivery is uncertain (once a person has checked it did
    not arrive), a fresh set of tries (the admin's "send again"); returns how many."""
    failed = list(
        InterventionSend.objects.filter(
            id__in=ids, status__in=[Status.FAILED, Status.UNCERTAIN]
        ).values_list("id", flat=True)
    )
    InterventionSend.objects.filter(id__in=failed).update(
        status=Status.PENDING, attempts=0, next_attempt_at=timezone.now(), claimed_at=None
    )
    if failed:
        transaction.on_commit(partial(enqueue, SEND_INTERVENTION_BATCH, failed), robust=True)
    return len(failed)


def _deliver(intervention: Intervention, message: notifications.Message) -> str:
    """Send ``message`` over the intervention's channel; returns who/where it went."""
    channel = intervention.channel
    if channel == Intervention.Channel.EMAIL:
        text, html = notifications.email_parts(message)
        channels.deliver_email(
            channels.Email(
                to=message.to_email,
                subject=message.subject,
                text=text,
                html=html,
                attachments=message.attachments,
            )
        )
        return message.to_email
    if channel in (Intervention.Channel.SLACK, Intervention.Channel.TEAMS):
        if not intervention.webhook_url:
            raise channels.PermanentError(f"the {channel} intervention has no webhook URL")
        if channel == Intervention.Channel.SLACK:
            channels.deliver_slack(
                url=intervention.webhook_url,
                markdown_text=f"**{message.subject}**\n\n{message.markdown}\n\n"
                f"[Open FirstValue]({message.link})",
            )
        else:
            channels.deliver_teams(
                url=intervention.webhook_url,
                title=message.subject,
                markdown_text=message.markdown,
                link=message.link,
            )
        return f"{channel} webhook for {message.to_email}"
    # In-app: "sent" is what makes the banner show (selectors.banners).
    return message.to_email


def _finish(pk: int, claimed_at: datetime, **fields) -> int:
    # Only the holder of this claim may record its outcome.
    return InterventionSend.objects.filter(
        pk=pk, status=Status.SENDING, claimed_at=claimed_at
    ).update(**fields)


def _failed(send: InterventionSend, now: datetime, exc: Exception) -> Delivery:
    """Record a failed try: for good (permanent, or out of tries) or pending a retry."""
    error = error_text(exc)
    if isinstance(exc, channels.UncertainError):
        # It may have arrived: sending it again could repeat it. A person decides (the admin
        # lists these under "Delivery uncertain"; "send again" is theirs to use).
        _finish(send.pk, now, status=Status.UNCERTAIN, last_error=error[:2000])
        logger.warning("intervention send %s: delivery uncertain: %s", send.pk, error)
        return Delivery("uncertain", error=error)
    if isinstance(exc, channels.PermanentError):
        _finish(send.pk, now, status=Status.FAILED, last_error=error[:2000])
        logger.warning("intervention send %s failed for good: %s", send.pk, error)
        return Delivery("failed", error=error)
    if not isinstance(exc, channels.TransientError) and send.attempts >= max_attempts():
        # Not the channel's trouble (a bug, bad data): SEND_MAX_ATTEMPTS tries, then failed.
        last_error = f"after {send.attempts} tries: {error}"[:2000]
        _finish(send.pk, now, status=Status.FAILED, last_error=last_error)
        logger.warning("intervention send %s failed after %s tries", send.pk, send.attempts)
        return Delivery("failed", error=error)
    # A channel down or refusing for now delays the nudge: retried with backoff until the
    # "too late" rule applies (checked before each retry, intervention_send_deliver).
    countdown, delivery = retry_later(send.attempts, exc, error)
    _finish(
        send.pk,
        now,
        status=Status.PENDING,
        next_attempt_at=now + timedelta(seconds=countdown),
        last_error=error[:2000],
    )
    return delivery


def intervention_send_deliver(*, send_id: int, now: datetime | None = None) -> Delivery:
    """Claim, re-check, deliver and record one InterventionSend.

    Not one transaction on purpose: the claim must be committed before the network call
    (so a second worker sees it), and no transaction stays open across SMTP or HTTP.
    """
    now = now or timezone.now()
    claimed = InterventionSend.objects.filter(
        Q(status=Status.PENDING) | Q(status=Status.SENDING, claimed_at__lt=now - claim_timeout()),
        pk=send_id,
    ).update(status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    if not claimed:
        return Delivery("skipped")
    send = InterventionSend.objects.select_related(
        "enrollment__user",
        "enrollment__manager",
        "enrollment__buddy",
        "enrollment__version",
        "intervention",
    ).get(pk=send_id)
    if FvmCompletion.objects.filter(enrollment_id=send.enrollment_id).exists():
        _finish(send_id, now, status=Status.CANCELLED, last_error=FVM_FIRST)
        return Delivery("cancelled")
    # A retry (the channel was down) stops once the nudge is too late; a first try is the
    # sweep's to judge, when it records the row.
    retry = send.attempts > 1
    if retry and is_too_late(
        window_ends_at=send.enrollment.window_ends_at, due_at=send.due_at, now=now
    ):
        last_error = f"{TOO_LATE}; the last try: {send.last_error}" if send.last_error else TOO_LATE
        _finish(send_id, now, status=Status.TOO_LATE, last_error=last_error[:2000])
        return Delivery("too_late")
    try:
        message = notifications.intervention_message(send=send, now=now)
        recipient = _deliver(send.intervention, message)
    except Exception as exc:  # transient, or unexpected: retried, then failed with the reason
        return _failed(send, now, exc)
    _finish(
        send_id,
        now,
        status=Status.SENT,
        sent_at=timezone.now(),
        recipient=recipient[:254],
        last_error="",
    )
    return Delivery("sent")
