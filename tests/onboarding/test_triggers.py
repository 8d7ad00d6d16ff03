"""The non-activation sweep: due by state, at 09:00 local, once, never after FVM."""

from datetime import date, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from config.celery import app as celery_app
from onboarding.models import Enrollment, InterventionSend
from onboarding.progress import fvm_completion_record
from onboarding.triggers import TOO_LATE, triggers_sweep
from roles.models import Intervention
from tests.factories import make_pack

from .triggers_support import begins_at, day_date, eager_celery, enroll, local

S = InterventionSend.Status


@pytest.fixture
def sweep(django_capture_on_commit_callbacks):
    """Run one sweep at ``instant`` with the clock there, sends running in-process."""

    def run(instant):
        with time_machine.travel(instant, tick=False), eager_celery():
            with django_capture_on_commit_callbacks(execute=True):
                return triggers_sweep(now=instant)

    return run


def sent_kinds():
    return sorted(
        InterventionSend.objects.filter(status=S.SENT).values_list("intervention__kind", flat=True)
    )


@pytest.mark.django_db
@pytest.mark.parametrize("tz", ["Asia/Tokyo", "America/Los_Angeles", "UTC"])
def test_it_sends_the_ladder_once_each_at_0900_local(sweep, tz):
    version = make_pack()
    person = enroll(version, "ana@example.com", tz=tz)
    day5, day6, day7 = (day_date(person, n) for n in (5, 6, 7))

    sweep(local(day5, 8, 59, tz))
    assert InterventionSend.objects.count() == 0
    assert mail.outbox == []

    sweep(local(day5, 9, 0, tz))
    assert sent_kinds() == ["manager_nudge"]
    assert [m.to for m in mail.outbox] == [["manager@example.com"]]

    sweep(local(day5, 15, 0, tz))
    sweep(local(day6, 8, 59, tz))
    assert len(mail.outbox) == 1

    sweep(local(day6, 9, 0, tz))
    assert mail.outbox[1].to == ["ana@example.com"]

    sweep(local(day7, 9, 0, tz))
    assert mail.outbox[2].to == ["buddy@example.com"]
    assert mail.outbox[2].attachments[0][0] == "invite.ics"

    for again in (local(day7, 9, 1, tz), local(day7, 18, 0, tz)):
        sweep(again)
    assert sent_kinds() == ["manager_nudge", "microtraining", "power_user_session"]
    assert len(mail.outbox) == 3


@pytest.mark.django_db
def test_it_keeps_0900_local_across_the_berlin_dst_change(sweep):
    tz = "Europe/Berlin"
    version = make_pack()
    # Day 4 is the Monday after the clocks go back (Sunday 25 October 2026).
    person = enroll(version, "jonas@example.com", tz=tz, start=date(2026, 10, 21))
    day5 = day_date(person, 5)
    assert day5 == date(2026, 10, 27)
    assert begins_at(person, 5).isoformat() == "2026-10-27T08:00:00+00:00"  # CET, UTC+1
    assert begins_at(person, 1).isoformat() == "2026-10-21T07:00:00+00:00"  # CEST, UTC+2

    sweep(local(date(2026, 10, 25), 9, 0, tz))  # the change day itself, a Sunday
    sweep(local(day5, 8, 59, tz))
    assert InterventionSend.objects.count() == 0

    sweep(local(day5, 9, 0, tz))
    sweep(local(day5, 9, 0, tz))
    assert sent_kinds() == ["manager_nudge"]
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_it_sends_nothing_to_a_person_with_fvm(sweep):
    version = make_pack()
    person = enroll(version, "fast@example.com")
    with time_machine.travel(local(day_date(person, 3), 12, 0, "UTC"), tick=False):
        fvm_completion_record(enrollment=person, minutes_taken=12, evidence="link", rating=5)

    for n in (5, 6, 7):
        sweep(local(day_date(person, n), 9, 30, "UTC"))
    assert InterventionSend.objects.count() == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_it_records_held_out_people_and_sends_them_nothing(sweep):
    version = make_pack()
    person = enroll(version, "control@example.com")
    Enrollment.objects.filter(pk=person.pk).update(holdout=True)

    sweep(local(day_date(person, 7), 9, 0, "UTC"))
    assert sorted(InterventionSend.objects.values_list("status", flat=True)) == [S.HELD_OUT] * 3
    assert mail.outbox == []


@pytest.mark.django_db
def test_it_catches_up_after_downtime_by_state(sweep):
    version = make_pack()
    person = enroll(version, "late@example.com")

    # No sweep ran on days 5 and 6: the first one after is on day 7.
    result = sweep(local(day_date(person, 7), 11, 0, "UTC"))
    assert len(result.pending) == 3
    assert sent_kinds() == ["manager_nudge", "microtraining", "power_user_session"]
    assert len(mail.outbox) == 3


@pytest.mark.django_db
def test_it_records_but_does_not_send_nudges_that_come_far_too_late(sweep):
    version = make_pack()
    person = enroll(version, "gone@example.com")

    # Window ended and more than 4 days (two working days and a weekend) after each due time.
    result = sweep(local(day_date(person, 7), 9, 0, "UTC") + timedelta(days=5))
    assert result.too_late == 3
    rows = InterventionSend.objects.all()
    assert {(r.status, r.last_error) for r in rows} == {(S.TOO_LATE, TOO_LATE)}
    assert mail.outbox == []


@pytest.mark.django_db
def test_it_still_sends_the_day7_request_the_next_working_day(sweep):
    version = make_pack()
    person = enroll(version, "monday@example.com")
    day7 = day_date(person, 7)

    # Down from day 5 to the morning after day 7: day 5 is stale, day 6 and 7 still useful.
    sweep(local(day7 + timedelta(days=1), 9, 0, "UTC"))
    by_kind = dict(InterventionSend.objects.values_list("intervention__kind", "status"))
    assert by_kind == {
        "manager_nudge": S.TOO_LATE,
        "microtraining": S.SENT,
        "power_user_session": S.SENT,
    }


@pytest.mark.django_db
def test_its_query_count_does_not_depend_on_the_number_of_people(
    django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    version = make_pack()
    counts = {}
    for batch, size in (("a", 10), ("b", 100)):
        people = [enroll(version, f"{batch}{i}@example.com") for i in range(size)]
        at = local(day_date(people[0], 7), 9, 0, "UTC")
        with django_assert_max_num_queries(10):
            with CaptureQueriesContext(connection) as queries:
                with django_capture_on_commit_callbacks(execute=False) as callbacks:
                    result = triggers_sweep(now=at)
        assert len(result.pending) == 3 * size
        assert len(callbacks) == 1  # one after-commit hook enqueues them all
        counts[size] = len(queries)
        Enrollment.objects.all().delete()
    assert counts[10] == counts[100]


@pytest.mark.django_db
def test_it_re_enqueues_pending_rows_whose_task_was_lost(sweep, django_capture_on_commit_callbacks):
    version = make_pack()
    person = enroll(version, "lost@example.com")
    at = local(day_date(person, 5), 9, 0, "UTC")
    with django_capture_on_commit_callbacks(execute=False):  # the enqueue never happens
        triggers_sweep(now=at)
    assert InterventionSend.objects.get().status == S.PENDING

    result = sweep(at + timedelta(minutes=2))  # too soon: its task may still be on its way
    assert result.requeued == []
    result = sweep(at + timedelta(minutes=15))
    assert len(result.requeued) == 1
    assert InterventionSend.objects.get().status == S.SENT
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_stale_sending_claim_is_taken_over(sweep):
    version = make_pack()
    person = enroll(version, "crash@example.com")
    at = local(day_date(person, 5), 9, 0, "UTC")
    sweep(at)
    row = InterventionSend.objects.get()
    # A worker claimed it and died before recording anything.
    InterventionSend.objects.filter(pk=row.pk).update(status=S.SENDING, claimed_at=at, sent_at=None)
    mail.outbox.clear()

    sweep(at + timedelta(minutes=5))
    assert InterventionSend.objects.get().status == S.SENDING
    sweep(at + timedelta(minutes=30))
    row.refresh_from_db()
    assert row.status == S.SENT
    assert len(mail.outbox) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sweeps_record_each_row_once():
    import threading

    from django.db import connections

    if connection.vendor != "postgresql":
        pytest.skip("concurrency is tested on PostgreSQL (SQLite serialises writers)")
    version = make_pack()
    people = [enroll(version, f"p{i}@example.com") for i in range(30)]
    at = local(day_date(people[0], 7), 9, 0, "UTC")
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait(5)
            results.append(triggers_sweep(now=at))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    with eager_celery(), time_machine.travel(at, tick=False):
        threads = [threading.Thread(target=run) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    assert errors == []
    recorded = results[0].pending + results[1].pending
    assert len(recorded) == len(set(recorded)) == 90
    assert InterventionSend.objects.count() == 90
    assert InterventionSend.objects.filter(status=S.SENT).count() == 90
    assert len(mail.outbox) == 90


@pytest.mark.django_db
def test_run_triggers_command_runs_the_sweep(sweep, capsys):
    version = make_pack()
    person = enroll(version, "cmd@example.com", tz="Asia/Tokyo")
    at = local(day_date(person, 5), 9, 0, "Asia/Tokyo")
    with eager_celery(), time_machine.travel(at, tick=False):
        call_command("run_triggers", "--now", at.isoformat())
    assert "1 to send" in capsys.readouterr().out
    assert InterventionSend.objects.get().intervention.kind == Intervention.Kind.MANAGER_NUDGE


@pytest.mark.django_db
def test_run_triggers_refuses_a_bad_instant():
    with pytest.raises(CommandError, match="--now: 'tomorrow' is not an ISO 8601"):
        call_command("run_triggers", "--now", "tomorrow")


def test_the_beat_schedule_sweeps_every_15_minutes():
    entry = celery_app.conf.beat_schedule["triggers-sweep"]
    assert entry["task"] == "onboarding.tasks.triggers_sweep_task"
    assert entry["schedule"] == 15 * 60
    assert entry["task"] in celery_app.tasks
    assert celery_app.conf.task_serializer == "json"
    assert celery_app.conf.accept_content == ["json"]
    assert celery_app.conf.task_acks_late is True
    assert celery_app.conf.worker_prefetch_multiplier == 1


@pytest.mark.django_db
def test_accountability_is_hidden_until_after_the_configured_working_day():
    from onboarding.models import OrgSettings
    from onboarding.selectors.enrollments import accountability_visible

    person = enroll(make_pack(), "ana@example.com")  # day 1 is Monday 2 November
    org = OrgSettings.load()
    org.accountability_after_day = 10
    org.save()
    assert not accountability_visible(person, date(2026, 10, 30))  # before the start
    assert not accountability_visible(person, date(2026, 11, 6))  # day 5
    assert not accountability_visible(person, date(2026, 11, 13))  # day 10
    assert not accountability_visible(person, date(2026, 11, 15))  # the Sunday after
    assert accountability_visible(person, date(2026, 11, 16))  # day 11
