"""The activation engine: the non-activation sweep and the exactly-once send path.

The sweep (:func:`triggers_sweep`) asks the database for every intervention that is due by
*state* (PRODUCT.md "Non-activation trigger") — working day N has begun at the nudge hour,
no FVM, no InterventionSend row yet — and records them all with one ``INSERT … SELECT …
ON CONFLICT DO NOTHING``. The unique (enrollment, intervention) constraint is what makes
each pair happen once, whatever the number of sweeps running; only the sweep whose INSERT
created a row enqueues its send, after commit. A missed sweep is caught up by the next one.

A send (:func:`intervention_send_deliver`) claims its row with a compare-and-set UPDATE
(pending → sending) whose row count decides who sends, re-checks FVM, delivers, and records
the outcome. Transient failures go back to pending with a backoff; the task retries.
See docs/triggers.md for the rules (lateness, lost enqueues, stale claims).
"""

import logging
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from roles.models import Intervention

from . import calendar, channels, messages
from .models import (
    Checkin,
    Enrollment,
    EnrollmentDay,
    FvmCompletion,
    InterventionSend,
    OrgSettings,
)
from .services import holiday_dates

logger = logging.getLogger(__name__)
Status = InterventionSend.Status

TOO_LATE = "too late"
FVM_FIRST = "first value reached before sending"


def _setting(name: str, default):
    return getattr(settings, name, default)


def too_late_after() -> timedelta:
    """Once the day-7 window has ended, a nudge due longer ago than this is not sent.

    Four calendar days: two working days plus a weekend.
    """
    return _setting("TRIGGERS_TOO_LATE_AFTER", timedelta(days=4))


def requeue_after() -> timedelta:
    """A pending row this far past its expected pick-up lost its task; enqueue it again."""
    return _setting("TRIGGERS_REQUEUE_AFTER", timedelta(minutes=5))


def claim_timeout() -> timedelta:
    """A 'sending' claim older than this belongs to a dead worker and may be taken over.

    Longer than the task's hard time limit, so a live send is never taken over."""
    return _setting("TRIGGERS_CLAIM_TIMEOUT", timedelta(minutes=10))


def max_attempts() -> int:
    return _setting("SEND_MAX_ATTEMPTS", 5)


def retry_countdown(attempt: int) -> float:
    """Seconds before try ``attempt + 1``: exponential backoff with full jitter, capped."""
    base = float(_setting("SEND_RETRY_BASE_SECONDS", 30))
    ceiling = min(3600.0, base * 2 ** max(0, attempt - 1))
    return random.uniform(ceiling / 2, ceiling)


# --- The sweep ------------------------------------------------------------------


@dataclass
class SweepResult:
    now: datetime
    pending: list[int] = field(default_factory=list)  # recorded and to be sent
    held_out: int = 0
    too_late: int = 0
    checkins: list[int] = field(default_factory=list)  # recorded and to be sent
    checkins_late: int = 0
    requeued: list[int] = field(default_factory=list)
    checkins_requeued: list[int] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"sweep at {self.now.isoformat()}: {len(self.pending)} to send, "
            f"{self.held_out} held out, {self.too_late} too late, "
            f"{len(self.requeued)} re-enqueued; check-ins: {len(self.checkins)} to send, "
            f"{self.checkins_late} too late, {len(self.checkins_requeued)} re-enqueued"
        )


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _dt(value: datetime):
    # Raw SQL parameters: the backend's own datetime format (SQLite stores naive UTC text).
    return connection.ops.adapt_datetimefield_value(value)


def catch_up_horizon() -> timedelta:
    """How far back a sweep looks: working days that began longer ago are not recorded.

    Bounds every scan to recent rows, whatever the size of the organisation. Anything due
    before the horizon would be too late anyway (``too_late_after``, ``checkin_send_within``)."""
    return timedelta(days=_setting("TRIGGER_CATCH_UP_DAYS", 14))


def _record_interventions(now: datetime) -> list[tuple[int, str]]:
    """One INSERT … SELECT of every due (enrollment, intervention); returns the new rows.

    Driven by the few interventions: for each, a range scan of the (number, begins_at) index
    over the days begun within the catch-up horizon, then the unique indexes for the
    "no FVM" and "no row yet" anti-joins."""
    late_cutoff = now - too_late_after()
    # On PostgreSQL sweeps are serialised by an advisory lock (``_sweep_lock``) and the
    # NOT EXISTS sees every committed row, so the INSERT needs no speculative insertion (ON
    # CONFLICT costs about as much as the insert itself); the unique constraint still stands
    # behind it. SQLite serialises writers anyway and keeps the clause.
    on_conflict = (
        ""
        if connection.vendor == "postgresql"
        else "ON CONFLICT (enrollment_id, intervention_id) DO NOTHING"
    )
    sql = f"""
        INSERT INTO {_table(InterventionSend)}
            (enrollment_id, intervention_id, status, due_at, created_at, next_attempt_at,
             attempts, last_error, recipient)
        SELECT e.id, i.id,
               CASE WHEN e.holdout THEN %s
                    WHEN e.window_ends_at <= %s AND d.begins_at <= %s THEN %s
                    ELSE %s END,
               d.begins_at, %s, %s, 0,
               CASE WHEN e.holdout THEN ''
                    WHEN e.window_ends_at <= %s AND d.begins_at <= %s THEN %s
                    ELSE '' END,
               ''
        FROM {_table(Intervention)} i
        JOIN {_table(EnrollmentDay)} d ON d.number = i.day
        JOIN {_table(Enrollment)} e ON e.id = d.enrollment_id AND e.version_id = i.version_id
        WHERE d.begins_at <= %s
          AND d.begins_at > %s
          AND i.day BETWEEN 1 AND 7
          AND NOT EXISTS (SELECT 1 FROM {_table(FvmCompletion)} f WHERE f.enrollment_id = e.id)
          AND NOT EXISTS (
              SELECT 1 FROM {_table(InterventionSend)} s
              WHERE s.enrollment_id = e.id AND s.intervention_id = i.id
          )
        {on_conflict}
        RETURNING id, status
    """
    now_db, late_db = _dt(now), _dt(late_cutoff)
    params = [
        Status.HELD_OUT,
        now_db,
        late_db,
        Status.TOO_LATE,
        Status.PENDING,
        now_db,
        now_db,
        now_db,
        late_db,
        TOO_LATE,
        now_db,
        _dt(now - catch_up_horizon()),
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def checkin_send_within() -> timedelta:
    """A check-in recorded later than this after its day began is kept but not sent."""
    return _setting("CHECKIN_SEND_WITHIN", timedelta(days=10))


def _record_checkins(now: datetime) -> list[tuple[int, int]]:
    """One INSERT … SELECT of every begun day-30/90 check-in; returns (id, still sendable)."""
    sql = f"""
        INSERT INTO {_table(Checkin)} (enrollment_id, day, due_at, attempts, last_error)
        SELECT d.enrollment_id, d.number, d.begins_at, 0, ''
        FROM {_table(EnrollmentDay)} d
        WHERE d.number IN (30, 90)
          AND d.begins_at <= %s
          AND d.begins_at > %s
          AND NOT EXISTS (
              SELECT 1 FROM {_table(Checkin)} c
              WHERE c.enrollment_id = d.enrollment_id AND c.day = d.number
          )
        ON CONFLICT (enrollment_id, day) DO NOTHING
        RETURNING id, CASE WHEN due_at >= %s THEN 1 ELSE 0 END
    """
    with connection.cursor() as cursor:
        cursor.execute(
            sql, [_dt(now), _dt(now - catch_up_horizon()), _dt(now - checkin_send_within())]
        )
        return list(cursor.fetchall())


def _stale_sends(now: datetime) -> list[int]:
    """Pending rows whose task never came (broker down) and claims of dead workers."""
    stale = InterventionSend.objects.filter(
        Q(status=Status.PENDING, next_attempt_at__lt=now - requeue_after())
        | Q(status=Status.PENDING, next_attempt_at__isnull=True)
        | Q(status=Status.SENDING, claimed_at__lt=now - claim_timeout())
    )
    ids = list(stale.order_by("id").values_list("id", flat=True)[:5000])
    if ids:
        InterventionSend.objects.filter(id__in=ids).update(next_attempt_at=now)
    return ids


def _stale_checkins(now: datetime, exclude: list[int]) -> list[int]:
    stale = Checkin.objects.filter(
        sent_at__isnull=True,
        attempts__lt=max_attempts(),
        due_at__lte=now - requeue_after(),
        due_at__gte=now - checkin_send_within(),
    ).exclude(id__in=exclude)
    return list(stale.order_by("id").values_list("id", flat=True)[:5000])


ENQUEUE_CHUNK = 2000  # ids per message (~15 kB of JSON)


def _enqueue(task_name: str, ids: list[int]) -> None:
    """Runs after commit: one ``<task>_batch`` message per chunk of ids, which the worker fans
    out to one task per id. A broker that is down loses nothing: the rows stay pending and a
    later sweep enqueues them again."""
    from . import tasks

    task = getattr(tasks, f"{task_name}_batch")
    chunk = int(_setting("TRIGGERS_ENQUEUE_CHUNK", ENQUEUE_CHUNK))
    for start in range(0, len(ids), chunk):
        try:
            task.apply_async((ids[start : start + chunk],), retry=False)
        except Exception:
            logger.warning(
                "could not enqueue %s for %s ids (broker down?); a later sweep retries",
                task_name,
                len(ids) - start,
                exc_info=True,
            )
            return


SWEEP_LOCK = 0x46565357  # "FVSW": the advisory lock one sweep at a time holds


def _sweep_lock() -> None:
    """PostgreSQL: wait for any other sweep to commit (held until this transaction ends)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SWEEP_LOCK])


@transaction.atomic
def triggers_sweep(*, now: datetime) -> SweepResult:
    """Record every due intervention and check-in (set-based, idempotent) and enqueue sends.

    The number of queries does not depend on the number of people.
    """
    result = SweepResult(now=now)
    _sweep_lock()
    for pk, status in _record_interventions(now):
        if status == Status.PENDING:
            result.pending.append(pk)
        elif status == Status.HELD_OUT:
            result.held_out += 1
        else:
            result.too_late += 1
    for pk, sendable in _record_checkins(now):
        if sendable:
            result.checkins.append(pk)
        else:
            result.checkins_late += 1
    result.requeued = _stale_sends(now)
    result.checkins_requeued = _stale_checkins(now, exclude=result.checkins)
    sends = result.pending + result.requeued
    checkins = result.checkins + result.checkins_requeued
    if sends:
        transaction.on_commit(partial(_enqueue, "send_intervention", sends), robust=True)
    if checkins:
        transaction.on_commit(partial(_enqueue, "send_checkin", checkins), robust=True)
    logger.info("%s", result)
    return result


@transaction.atomic
def intervention_sends_retry(*, ids: list[int]) -> int:
    """Give failed rows a fresh set of tries (the admin's "send again"); returns how many."""
    failed = list(
        InterventionSend.objects.filter(id__in=ids, status=Status.FAILED).values_list(
            "id", flat=True
        )
    )
    InterventionSend.objects.filter(id__in=failed).update(
        status=Status.PENDING, attempts=0, next_attempt_at=timezone.now(), claimed_at=None
    )
    if failed:
        transaction.on_commit(partial(_enqueue, "send_intervention", failed), robust=True)
    return len(failed)


# --- Sending one intervention ---------------------------------------------------------


@dataclass
class Delivery:
    outcome: str  # sent, cancelled, failed, retry, skipped
    retry_in: float | None = None
    error: str = ""


def _deliver(intervention: Intervention, message: messages.Message) -> str:
    """Send ``message`` over the intervention's channel; returns who/where it went."""
    channel = intervention.channel
    if channel == Intervention.Channel.EMAIL:
        text, html = messages.email_parts(message)
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
    # In-app: "sent" is what makes the banner show (banners_for).
    return message.to_email


def _finish(pk: int, claimed_at: datetime, **fields) -> int:
    # Only the holder of this claim may record its outcome.
    return InterventionSend.objects.filter(
        pk=pk, status=Status.SENDING, claimed_at=claimed_at
    ).update(**fields)


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
    try:
        message = messages.intervention_message(send=send, now=now)
        recipient = _deliver(send.intervention, message)
    except channels.PermanentError as exc:
        error = str(exc)
        _finish(send_id, now, status=Status.FAILED, last_error=error[:2000])
        logger.warning("intervention send %s failed for good: %s", send_id, error)
        return Delivery("failed", error=error)
    except Exception as exc:  # transient, or unexpected: retried, then failed with the reason
        error = (
            f"{type(exc).__name__}: {exc}"
            if not isinstance(exc, channels.TransientError)
            else str(exc)
        )
        if send.attempts >= max_attempts():
            _finish(
                send_id,
                now,
                status=Status.FAILED,
                last_error=f"after {send.attempts} tries: {error}"[:2000],
            )
            logger.warning("intervention send %s failed after %s tries", send_id, send.attempts)
            return Delivery("failed", error=error)
        countdown = retry_countdown(send.attempts)
        _finish(
            send_id,
            now,
            status=Status.PENDING,
            next_attempt_at=now + timedelta(seconds=countdown),
            last_error=error[:2000],
        )
        return Delivery("retry", retry_in=countdown, error=error)
    _finish(
        send_id,
        now,
        status=Status.SENT,
        sent_at=timezone.now(),
        recipient=recipient[:254],
        last_error="",
    )
    return Delivery("sent")


# --- What other pages use ----------------------------------------------------------------


@dataclass(frozen=True)
class Banner:
    """An in-app intervention on /my/; renders as its sanitised HTML in a template."""

    kind: str
    subject: str
    html: str
    sent_at: datetime | None

    def __html__(self) -> str:
        return self.html

    def __str__(self) -> str:
        return self.html


BANNERS_MAX = 10


def banners_for_user(user) -> list[Banner]:
    """In-app interventions addressed to ``user``, newest last: as an employee (their own,
    until their FVM), as a manager or as a buddy (about a person, until that person's FVM).

    For /my/ (also for people with no enrollment of their own) and /team/."""
    if not getattr(user, "email", ""):
        return []
    sends = (
        InterventionSend.objects.filter(
            status=Status.SENT,
            intervention__channel=Intervention.Channel.IN_APP,
            recipient__iexact=user.email,
            enrollment__fvm_completion__isnull=True,
        )
        .select_related(
            "intervention",
            "enrollment__user",
            "enrollment__manager",
            "enrollment__buddy",
            "enrollment__version",
        )
        .order_by("-due_at")[:BANNERS_MAX]
    )
    banners = []
    for send in reversed(sends):
        message = messages.intervention_message(send=send, now=send.sent_at)
        banners.append(
            Banner(
                kind=send.intervention.kind,
                subject=message.subject,
                html=str(message.html),
                sent_at=send.sent_at,
            )
        )
    return banners


def banners_for(enrollment: Enrollment) -> list[Banner]:
    """The banners for the enrolled person's /my/ (see :func:`banners_for_user`)."""
    return banners_for_user(enrollment.user)


def accountability_visible(
    enrollment: Enrollment,
    today: date,
    *,
    org: OrgSettings | None = None,
    holidays: frozenset[date] | None = None,
) -> bool:
    """Whether accountability views of ``enrollment`` may be shown on ``today``.

    Only once the person is past working day ``OrgSettings.accountability_after_day``;
    before that, managers see support only. Pass ``org``/``holidays`` when looping.
    """
    org = org or OrgSettings.load()
    holidays = holiday_dates() if holidays is None else holidays
    if today < calendar.working_day_1(enrollment.start_date, holidays):
        return False
    return calendar.ttv(enrollment.start_date, today, holidays) > org.accountability_after_day
