"""Reinforcement at working day 30 and 90: "Still using it for <deliverable>?".

The sweep records one Checkin per (enrollment, day) once that working day has begun
(see ``triggers.triggers_sweep``); :func:`checkin_send_deliver` emails the person two
signed one-click links. Opening a link shows a confirm button (mail scanners prefetch
GETs) and the optional sentiment question; the POST records the answer. A day-30 "yes" after FVM makes a meaningful user.

A send claims its row by setting ``sent_at`` with a compare-and-set UPDATE, so two
workers never both send; a worker that dies mid-send loses that check-in (at most once
— a question asked twice is worse than one not asked). A channel that is down delays a
check-in as it delays a nudge: retried with the same backoff until the check-in is too late
(``triggers.checkin_send_within``), then ``failed`` with the last try's reason.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from roles.models import PathStep

from . import channels, notifications
from .models import Checkin
from .progress import step_complete
from .selectors.reinforcement import reinforcement_items
from .sending import Delivery, error_text, max_attempts, retry_later
from .triggers import TOO_LATE, checkin_send_within

SALT = "onboarding.checkin"
TOKEN_MAX_AGE = timedelta(days=30)


class CheckinTokenInvalid(Exception):
    """The link is malformed, tampered with or expired."""


def checkin_token(checkin: Checkin) -> str:
    return signing.dumps({"c": checkin.pk, "d": checkin.day}, salt=SALT, compress=True)


def checkin_from_token(token: str) -> Checkin:
    try:
        data = signing.loads(token, salt=SALT, max_age=TOKEN_MAX_AGE)
        return Checkin.objects.select_related("enrollment__version").get(
            pk=int(data["c"]), day=int(data["d"])
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError, Checkin.DoesNotExist) as exc:
        raise CheckinTokenInvalid("This check-in link is not valid or has expired.") from exc


def checkin_urls(checkin: Checkin) -> tuple[str, str]:
    token = checkin_token(checkin)
    return tuple(
        settings.SITE_URL
        + reverse("onboarding:checkin-answer", kwargs={"token": token, "answer": answer})
        for answer in ("yes", "no")
    )


@transaction.atomic
def checkin_answer(
    *,
    token: str,
    active: bool,
    sentiment: int | None = None,
    steps_done: Iterable[int] = (),
    now: datetime | None = None,
) -> Checkin:
    """Record the person's answer (the latest click wins, with its time). A sentiment
    (1–5) is optional: an answer without one keeps the one given before. ``steps_done``:
    ids of the check-in's reinforcement steps the person marks done (as path steps are);
    any other id is refused and nothing is recorded."""
    if sentiment is not None and sentiment not in range(1, 6):
        raise ValidationError({"sentiment": "Choose 1 (adds friction) to 5 (helps a lot)."})
    checkin = checkin_from_token(token)
    now = now or timezone.now()
    wanted = set(steps_done)
    steps = list(
        PathStep.objects.reinforcement().filter(
            version_id=checkin.enrollment.version_id, day=checkin.day, pk__in=wanted
        )
    )
    if len(steps) != len(wanted):
        raise ValidationError({"steps": "That step is not one of this check-in's steps."})
    checkin.active = active
    checkin.answered_at = now
    fields = ["active", "answered_at"]
    if sentiment is not None:
        checkin.sentiment = sentiment
        fields.append("sentiment")
    checkin.save(update_fields=fields)
    for step in steps:
        step_complete(enrollment=checkin.enrollment, step=step, now=now)
    return checkin


def _too_late(checkin_id: int, now: datetime) -> Delivery | None:
    """A check-in still unsent once it is too late is given up, with its last try's reason."""
    row = Checkin.objects.filter(
        pk=checkin_id, sent_at__isnull=True, failed=False, due_at__lt=now - checkin_send_within()
    ).first()
    if row is None:
        return None
    last_error = f"{TOO_LATE}; the last try: {row.last_error}" if row.last_error else TOO_LATE
    Checkin.objects.filter(pk=checkin_id, sent_at__isnull=True, failed=False).update(
        failed=True, last_error=last_error[:2000]
    )
    return Delivery("too_late")


def checkin_send_deliver(*, checkin_id: int, now: datetime | None = None) -> Delivery:
    """Claim (sent_at NULL → now), email the question, and undo the claim on a transient
    failure so a retry can claim again. Not atomic on purpose: no transaction across SMTP."""
    now = now or timezone.now()
    claimed = Checkin.objects.filter(
        pk=checkin_id,
        sent_at__isnull=True,
        failed=False,
        due_at__gte=now - checkin_send_within(),
    ).update(sent_at=now, attempts=F("attempts") + 1)
    if not claimed:
        return _too_late(checkin_id, now) or Delivery("skipped")
    checkin = Checkin.objects.select_related("enrollment__user", "enrollment__version").get(
        pk=checkin_id
    )
    enrollment = checkin.enrollment
    yes_url, no_url = checkin_urls(checkin)
    subject, text, html = notifications.checkin_email_parts(
        enrollment=enrollment,
        yes_url=yes_url,
        no_url=no_url,
        day=checkin.day,
        steps=reinforcement_items(enrollment=enrollment, day=checkin.day),
    )
    mine = Checkin.objects.filter(pk=checkin_id, sent_at=now)
    try:
        channels.deliver_email(
            channels.Email(to=enrollment.user.email, subject=subject, text=text, html=html)
        )
    except channels.PermanentError as exc:
        mine.update(sent_at=None, failed=True, last_error=error_text(exc)[:2000])
        return Delivery("failed", error=error_text(exc))
    except channels.UncertainError as exc:
        # It may have arrived: the claim (sent_at) stays, so it is never sent again.
        mine.update(last_error=error_text(exc)[:2000])
        return Delivery("uncertain", error=error_text(exc))
    except Exception as exc:
        error = error_text(exc)
        # The channel down (SMTP refused …) is retried until too late; anything else (a bug,
        # bad data) SEND_MAX_ATTEMPTS tries, as a nudge.
        failed = not isinstance(exc, channels.TransientError) and (
            checkin.attempts >= max_attempts()
        )
        mine.update(sent_at=None, failed=failed, last_error=error[:2000])
        if failed:
            return Delivery("failed", error=error)
        return retry_later(checkin.attempts, exc, error)[1]
    mine.update(last_error="")
    return Delivery("sent")
