"""Intervention sends have no database-level foreign keys: the ORM's CASCADE and PROTECT and
the sweep's lock keep what the constraints used to (docs/triggers.md, "The sweep is set-based")."""

import threading
import time

import pytest
import time_machine
from django.db import connection, connections, transaction
from django.db.models import ProtectedError
from django.db.models.deletion import Collector
from django.db.models.signals import pre_delete

from onboarding import triggers
from onboarding.models import Enrollment, InterventionSend
from onboarding.services import enrollments_delete
from roles.models import Intervention
from tests.factories import make_pack

from .triggers_support import day_date, eager_celery, enroll, local


def orphan_sends() -> int:
    """Sends whose enrollment is gone (what a foreign key would have refused)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM {InterventionSend._meta.db_table} s"
            f" WHERE NOT EXISTS (SELECT 1 FROM {Enrollment._meta.db_table} e"
            f" WHERE e.id = s.enrollment_id)"
        )
        return cursor.fetchone()[0]


def due_person():
    """Someone whose day-5 manager nudge is due at the instant returned."""
    person = enroll(make_pack(), "gone@example.com")
    return person, local(day_date(person, 5), 9, 0, "UTC")


def test_sends_stay_fast_deletable():
    # The deletion lock relies on it: a fast DELETE of the sends runs after the pre_delete
    # signals, so it sees the rows of a sweep that committed while the deletion waited.
    assert Collector(using="default").can_fast_delete(InterventionSend.objects.all())
    assert pre_delete.has_listeners(Enrollment)


@pytest.mark.django_db
def test_deleting_an_enrollment_deletes_its_sends():
    person, at = due_person()
    with eager_celery(), time_machine.travel(at, tick=False):
        triggers.triggers_sweep(now=at)
    assert InterventionSend.objects.filter(enrollment=person).count() == 1
    enrollments_delete(enrollments=[person])
    assert not InterventionSend.objects.exists()
    assert orphan_sends() == 0


@pytest.mark.django_db
def test_an_intervention_that_was_sent_cannot_be_deleted():
    _, at = due_person()
    with eager_celery(), time_machine.travel(at, tick=False):
        triggers.triggers_sweep(now=at)
    sent = InterventionSend.objects.get().intervention
    with pytest.raises(ProtectedError):
        Intervention.objects.filter(pk=sent.pk).delete()


def _waiting_for_the_sweep_lock() -> bool:
    """Whether a session of this database waits for an advisory lock."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
            " AND objid = %s AND database = (SELECT oid FROM pg_database"
            " WHERE datname = current_database())",
            [triggers.SWEEP_LOCK],
        )
        return cursor.fetchone()[0] > 0


def _wait_until(condition, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def _in_thread(target, errors: list):
    def run():
        try:
            target()
        except Exception as exc:  # pragma: no cover - reported by the test
            errors.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_deletion_waits_for_a_running_sweep_and_takes_its_sends_along():
    if connection.vendor != "postgresql":
        pytest.skip("the lock is PostgreSQL's (SQLite serialises writers)")
    person, at = due_person()
    recorded, release, deleted = threading.Event(), threading.Event(), threading.Event()
    errors: list = []

    def sweep():
        with transaction.atomic():
            triggers._sweep_lock()
            assert len(triggers._record_interventions(at)) == 1
            recorded.set()
            release.wait(10)

    def delete():
        recorded.wait(10)
        person.user.delete()  # cascades to the enrollment, then to its sends
        deleted.set()

    threads = [_in_thread(sweep, errors), _in_thread(delete, errors)]
    assert recorded.wait(10)
    assert _wait_until(_waiting_for_the_sweep_lock)
    assert not deleted.is_set()  # the deletion waits for the sweep's commit
    release.set()
    for thread in threads:
        thread.join(15)
    assert errors == []
    assert deleted.is_set()
    assert not Enrollment.objects.exists()
    assert orphan_sends() == 0
    assert not InterventionSend.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_sweep_waits_for_a_running_deletion_and_records_nothing_for_it():
    if connection.vendor != "postgresql":
        pytest.skip("the lock is PostgreSQL's (SQLite serialises writers)")
    person, at = due_person()
    deleting, release = threading.Event(), threading.Event()
    results, errors = [], []

    def delete():
        with transaction.atomic():
            enrollments_delete(enrollments=[Enrollment.objects.get(pk=person.pk)])
            deleting.set()
            release.wait(10)

    def sweep():
        deleting.wait(10)
        with eager_celery(), time_machine.travel(at, tick=False):
            results.append(triggers.triggers_sweep(now=at))

    threads = [_in_thread(delete, errors), _in_thread(sweep, errors)]
    assert deleting.wait(10)
    assert _wait_until(_waiting_for_the_sweep_lock)
    assert results == []  # the sweep waits for the deletion's commit
    release.set()
    for thread in threads:
        thread.join(15)
    assert errors == []
    assert results[0].pending == []
    assert orphan_sends() == 0
    assert not InterventionSend.objects.exists()
