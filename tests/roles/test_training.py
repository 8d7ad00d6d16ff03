"""The minutes a step counts for (roles.training): its own, its demo's, the FVM target, or
the default of its kind — the same in Python and in SQL."""

import pytest
from django.test import override_settings

from roles.imports import rolepack_import_document
from roles.models import PathStep
from roles.training import step_minutes, step_minutes_expression
from tests.roles.test_pack_seeds import seeded_document

DEFAULTS = {"watch_demo": 11, "try_prompt": 9, "fvm_task": 30, "reflect": 4, "read": 3}


def _steps(version):
    return {(s.day, s.track, s.order): s for s in version.steps.all()}


@pytest.fixture
def version(db):
    document = seeded_document()
    document["fvm"]["target_minutes"] = 20
    # A watch_demo step without minutes and a reflect step, on day 30.
    document["reinforcement"][1]["steps"] += [
        {"kind": "watch_demo", "demo": "variance-demo"},
        {"kind": "reflect", "title": "What would you do differently?"},
    ]
    return rolepack_import_document(document=document).version


@override_settings(METRICS={"step_minutes_default": DEFAULTS})
def test_each_step_takes_its_own_its_demos_the_targets_or_its_kinds_minutes(version):
    demos = {d.slug: d for d in version.demos.all()}
    minutes = {
        key: step_minutes(step, demos, fvm_target_minutes=version.fvm_target_minutes)
        for key, step in _steps(version).items()
    }
    assert minutes == {
        (1, "prescriptive", 0): 10,  # watch_demo: the demo's after_minutes
        (1, "prescriptive", 1): 12,  # try_prompt with minutes: 12
        (2, "prescriptive", 0): 20,  # fvm_task: the FVM target minutes
        (30, "", 0): 10,  # its own
        (30, "", 1): 9,  # try_prompt: the default
        (30, "", 2): 10,  # watch_demo: the demo's
        (30, "", 3): 4,  # reflect: the default
        (90, "", 0): 5,  # its own
    }


@override_settings(METRICS={"step_minutes_default": DEFAULTS})
def test_a_demo_missing_from_the_map_falls_back_to_the_default(version):
    step = version.steps.get(day=1, order=0)
    assert step_minutes(step, {}) == DEFAULTS["watch_demo"]


def test_the_fvm_task_reads_the_target_from_its_version_when_not_given(version):
    step = PathStep.objects.get(version=version, kind="fvm_task")
    assert step_minutes(step, {}) == version.fvm_target_minutes


@override_settings(METRICS={"step_minutes_default": DEFAULTS})
def test_the_sql_expression_agrees_with_the_function(version, django_assert_num_queries):
    demos = {d.slug: d for d in version.demos.all()}
    expected = {s.pk: step_minutes(s, demos) for s in version.steps.select_related("version")}
    with django_assert_num_queries(1):
        got = dict(
            PathStep.objects.filter(version=version)
            .annotate(m=step_minutes_expression())
            .values_list("pk", "m")
        )
    assert got == expected
