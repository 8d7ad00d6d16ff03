"""The migration that gives working days their enrollment's version fills it in for the days
already there, and drops the days whose enrollment is gone (they have no version to take)."""

from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

# Roles as they are now in both states, so that its models match its tables.
ROLES = ("roles", "0008_step_minutes_reinforcement_kpi_measured_on")
BEFORE = [("onboarding", "0013_enrollmentday_no_db_constraint"), ROLES]
AFTER = [("onboarding", "0014_enrollmentday_version_sends_no_db_constraints"), ROLES]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _every_latest():
    """Every app at its latest migration, as the tests after this one expect: going back
    also unapplies other apps' migrations that depend on those undone (onboarding's 0014
    depends on roles' 0008), and migrating this app forward again would not reapply them."""
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_existing_days_take_their_enrollments_version():
    old = _migrate(BEFORE)
    pack = old.get_model("roles", "RolePack").objects.create(slug="p")
    v1, v2 = (
        old.get_model("roles", "RolePackVersion").objects.create(
            pack=pack,
            number=number,
            status="published",
            name="P",
            fvm_deliverable="d",
            fvm_baseline_minutes=9,
            fvm_target_minutes=3,
        )
        for number in (1, 2)
    )
    User = old.get_model("auth", "User")
    Enrollment = old.get_model("onboarding", "Enrollment")
    Day = old.get_model("onboarding", "EnrollmentDay")
    start = date(2026, 11, 30)
    ada, bo = (
        Enrollment.objects.create(
            user=User.objects.create(username=name), version=version, start_date=start
        )
        for name, version in (("ada", v1), ("bo", v2))
    )
    at = datetime(2026, 11, 30, 9, tzinfo=UTC)
    for enrollment in (ada, bo):
        for number in (1, 2):
            Day.objects.create(enrollment=enrollment, number=number, date=start, begins_at=at)
    Day.objects.create(enrollment_id=bo.pk + 1000, number=1, date=start, begins_at=at)  # orphan
    try:
        new = _migrate(AFTER)
        days = new.get_model("onboarding", "EnrollmentDay").objects.order_by("id")
        assert [(d.enrollment_id, d.number, d.version_id) for d in days] == [
            (ada.pk, 1, v1.pk),
            (ada.pk, 2, v1.pk),
            (bo.pk, 1, v2.pk),
            (bo.pk, 2, v2.pk),
        ]
        # And back: the column goes, the days stay.
        old = _migrate(BEFORE)
        assert old.get_model("onboarding", "EnrollmentDay").objects.count() == 4
    finally:
        _migrate(_every_latest())
