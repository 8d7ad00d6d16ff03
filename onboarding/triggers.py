"""The non-activation sweep: record every due intervention and check-in, enqueue their sends.

The sweep (:func:`triggers_sweep`) asks the database for every intervention that is due by
*state* (docs/triggers.md, "When an intervention is due") — working day N has begun at the nudge hour,
no FVM, no InterventionSend row yet — and records them all with one ``INSERT … SELECT …
ON CONFLICT DO NOTHING``. The unique (enrollment, intervention) constraint is what makes
each pair happen once, whatever the number of sweeps running; only the sweep whose INSERT
created a row enqueues its send, after commit. A missed sweep is caught up by the next one.

Sending one row is ``interventions.intervention_send_deliver`` and
``checkins.checkin_send_deliver``. See docs/triggers.md for the rules (lateness, lost enqueues,
stale claims).
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models import Q

from roles.models import Intervention, RolePackVersion

from .models import Checkin, Enrollment, EnrollmentDay, FvmCompletion, InterventionSend
from .sending import SEND_CHECKIN_BATCH, SEND_INTERVENTION_BATCH, enqueue

logger = logging.getLogger(__name__)
Status = InterventionSend.Status

TOO_LATE = "too late"


def too_late_after() -> timedelta:
    """Once the day-7 window has ended, a nudge due longer ago than this is not sent.

    Four calendar days by default: two working days plus a weekend.
    """
    return timedelta(days=settings.TRIGGERS_TOO_LATE_AFTER_DAYS)


def is_too_late(*, window_ends_at: datetime, due_at: datetime, now: datetime) -> bool:
    """The "too late" rule for one nudge: its day-7 window has ended and it fell due more
    than ``too_late_after`` ago. The sweep applies it when it records a row (in SQL, below)
    and a send before each retry, so a nudge held up by an outage stops here."""
    return window_ends_at <= now and due_at <= now - too_late_after()


def requeue_after() -> timedelta:
    """A pending row this far past its expected pick-up lost its task; enqueue it again."""
    return timedelta(minutes=settings.TRIGGERS_REQUEUE_AFTER_MINUTES)


def claim_timeout() -> timedelta:
    """A 'sending' claim older than this belongs to a dead worker and may be taken over.

    Longer than the task's hard time limit, so a live send is never taken over."""
    return timedelta(minutes=settings.TRIGGERS_CLAIM_TIMEOUT_MINUTES)


def catch_up_horizon() -> timedelta:
    """How far back a sweep looks: working days that began longer ago are not recorded.

    Bounds every scan to recent rows, whatever the size of the organisation. Anything due
    before the horizon would be too late anyway (``too_late_after``, ``checkin_send_within``)."""
    return timedelta(days=settings.TRIGGERS_CATCH_UP_DAYS)


def checkin_send_within() -> timedelta:
    """A check-in recorded later than this after its day began is kept but not sent."""
    return timedelta(days=settings.CHECKINS_SEND_WITHIN_DAYS)


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


def _record_interventions(now: datetime) -> list[tuple[int, str]]:
    """One INSERT … SELECT of every due (enrollment, intervention); returns the new rows.

    Driven by the few interventions: for each, a range scan of the (number, version,
    begins_at) index over its version's days begun within the catch-up horizon, answered from
    the index alone (the days carry their enrollment's version), then the unique indexes for
    the "no FVM" and "no row yet" anti-joins; only the due days' enrollments are read."""
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
        JOIN {_table(EnrollmentDay)} d ON d.number = i.day AND d.version_id = i.version_id
        JOIN {_table(Enrollment)} e ON e.id = d.enrollment_id
        WHERE d.begins_at <= %s
          AND d.begins_at > %s
          AND i.day BETWEEN 1 AND 7
          AND NOT EXISTS (
              SELECT 1 FROM {_table(FvmCompletion)} f WHERE f.enrollment_id = d.enrollment_id
          )
          AND NOT EXISTS (
              SELECT 1 FROM {_table(InterventionSend)} s
              WHERE s.enrollment_id = d.enrollment_id AND s.intervention_id = i.id
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


def _record_checkins(now: datetime) -> list[tuple[int, int]]:
    """One INSERT … SELECT of every begun day-30/90 check-in; returns (id, still sendable).

    Driven by the versions, so that each is a range scan of the (number, version, begins_at)
    index like the interventions' (from the days alone it would read every version's entries
    of days 30 and 90 to filter their begins_at)."""
    sql = f"""
        INSERT INTO {_table(Checkin)} (enrollment_id, day, due_at, attempts, failed, last_error)
        SELECT d.enrollment_id, d.number, d.begins_at, 0, %s, ''
        FROM {_table(RolePackVersion)} v
        JOIN {_table(EnrollmentDay)} d ON d.version_id = v.id AND d.number IN (30, 90)
        WHERE d.begins_at <= %s
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
            sql,
            [False, _dt(now), _dt(now - catch_up_horizon()), _dt(now - checkin_send_within())],
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
        failed=False,
        due_at__lte=now - requeue_after(),
        due_at__gte=now - checkin_send_within(),
    ).exclude(id__in=exclude)
    return list(stale.order_by("id").values_list("id", flat=True)[:5000])


SWEEP_LOCK = 0x46565357  # "FVSW": the advisory lock one sweep at a time holds


def _sweep_lock() -> None:
    """PostgreSQL: wait for any other sweep to commit (held until this transaction ends)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SWEEP_LOCK])


def sweep_lock_for_deletion(sender, instance, using: str, **kwargs) -> None:
    """``pre_delete`` of an Enrollment (connected in apps.py): on PostgreSQL, take the sweep's
    lock shared, until the deleting transaction ends.

    Sends have no database-level foreign key (docs/triggers.md, "The sweep is set-based"), so
    nothing in the database stops a sweep from recording a send for an enrollment that a
    concurrent transaction is deleting. With this lock the deletion waits for a running sweep
    to commit, and its CASCADE of the sends (a fast DELETE, which Django runs after every
    pre_delete signal) then sees and deletes that sweep's rows; a sweep that starts meanwhile
    waits for the deletion to commit and no longer finds the enrollment. Deletions do not wait
    for one another (shared). Raw SQL that deletes enrollments must take the same lock."""
    conn = connections[using]
    if conn.vendor == "postgresql":
        with conn.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", [SWEEP_LOCK])


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
        transaction.on_commit(partial(enqueue, SEND_INTERVENTION_BATCH, sends), robust=True)
    if checkins:
        transaction.on_commit(partial(enqueue, SEND_CHECKIN_BATCH, checkins), robust=True)
    logger.info("%s", result)
    return result
