"""The migration that adds step minutes, reinforcement steps and the KPI baseline date keeps
existing packs as they were."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("roles", "0007_intervention_webhook_url_checked")]
AFTER = [("roles", "0008_step_minutes_reinforcement_kpi_measured_on")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_existing_steps_and_kpis_keep_their_values():
    old = _migrate(BEFORE)
    pack = old.get_model("roles", "RolePack").objects.create(slug="p")
    version = old.get_model("roles", "RolePackVersion").objects.create(
        pack=pack, number=1, name="P", fvm_deliverable="d", fvm_baseline_minutes=9,
        fvm_target_minutes=3,
    )  # fmt: skip
    old.get_model("roles", "PathStep").objects.create(
        version=version, track="prescriptive", day=2, kind="read", title="Read"
    )
    old.get_model("roles", "Kpi").objects.create(
        version=version, name="Time", unit="min", baseline=9, target=3
    )
    try:
        new = _migrate(AFTER)
        step = new.get_model("roles", "PathStep").objects.get()
        assert (step.track, step.day, step.kind, step.minutes) == ("prescriptive", 2, "read", None)
        assert new.get_model("roles", "Kpi").objects.get().baseline_measured_on is None
        PathStep = new.get_model("roles", "PathStep")
        PathStep.objects.create(version_id=version.pk, track="", day=30, kind="read", minutes=5)
        for bad in (
            {"track": "", "day": 3, "kind": "read"},  # a path day needs a track
            {"track": "prescriptive", "day": 30, "kind": "read"},  # reinforcement has none
            {"track": "", "day": 31, "kind": "read"},
            {"track": "", "day": 90, "kind": "fvm_task"},
        ):
            with pytest.raises(IntegrityError), transaction.atomic():
                PathStep.objects.create(version_id=version.pk, **bad)
    finally:
        _migrate(_every_latest())


def _every_latest():
    """Every app at its latest migration, as the tests after this one expect: going back
    also unapplies other apps' migrations that depend on those undone (onboarding's 0014
    depends on roles' 0008), and migrating this app forward again would not reapply them."""
    return MigrationExecutor(connection).loader.graph.leaf_nodes()
