"""The pack fields the seeds ask for: a KPI's baseline_measured_on, a step's minutes and
the day-30/90 reinforcement steps — declared once in roles.document, stored as rows, and
left out of the canonical form when absent (so older packs keep their content hashes)."""

from datetime import date, timedelta

import pytest
import time_machine

from roles.canonical import content_hash, normalize_document, version_to_document
from roles.imports import rolepack_import_document
from roles.models import Kpi, PathStep
from roles.packfile import dump_yaml, load_text
from tests.roles.test_validation import errors_of, valid_document


def seeded_document():
    document = valid_document()
    document["kpis"][0]["baseline_measured_on"] = "2026-09-30"
    document["path"][0]["days"][0]["steps"][1]["minutes"] = 12
    document["reinforcement"] = [
        {"day": 90, "steps": [{"kind": "read", "title": "What changed", "minutes": 5}]},
        {
            "day": 30,
            "steps": [
                {"kind": "watch_demo", "demo": "variance-demo", "minutes": 10},
                {"kind": "try_prompt", "prompt": "variance"},
            ],
        },
    ]
    return document


def test_the_new_fields_are_valid():
    assert errors_of(seeded_document()) == []


def test_absent_new_fields_leave_the_canonical_form_as_it_was():
    document = valid_document()
    canonical = normalize_document(document)
    assert "reinforcement" not in canonical
    assert "baseline_measured_on" not in canonical["kpis"][0]
    assert all(
        "minutes" not in step
        for track in canonical["path"]
        for day in track["days"]
        for step in day["steps"]
    )
    document["reinforcement"] = []
    assert content_hash(normalize_document(document)) == content_hash(canonical)


def test_the_canonical_form_sorts_reinforcement_by_day():
    canonical = normalize_document(seeded_document())
    assert [r["day"] for r in canonical["reinforcement"]] == [30, 90]
    assert canonical["reinforcement"][0]["steps"][0] == {
        "kind": "watch_demo",
        "demo": "variance-demo",
        "minutes": 10,
    }


@pytest.mark.django_db
def test_they_are_stored_as_rows_and_round_trip():
    document = seeded_document()
    version = rolepack_import_document(document=document).version
    kpi = Kpi.objects.get(version=version)
    assert kpi.baseline_measured_on == date(2026, 9, 30)
    reinforcement = list(version.steps.reinforcement().order_by("day", "order"))
    assert [(s.day, s.track, s.kind, s.minutes) for s in reinforcement] == [
        (30, "", "watch_demo", 10),
        (30, "", "try_prompt", None),
        (90, "", "read", 5),
    ]
    assert all(s.is_reinforcement for s in reinforcement)
    assert version.steps.path().count() == 3  # the 7-day path as before
    assert version.steps.path().get(kind="try_prompt").minutes == 12
    exported = version_to_document(version)
    assert exported == normalize_document(document)
    (again,), errors = load_text(dump_yaml(exported), source="export.yaml")
    assert not errors
    assert normalize_document(again.document) == exported


@pytest.mark.django_db
def test_a_pack_without_them_stores_none():
    version = rolepack_import_document(document=valid_document()).version
    assert not version.steps.reinforcement().exists()
    assert set(version.steps.values_list("minutes", flat=True)) == {None}
    assert Kpi.objects.get(version=version).baseline_measured_on is None
    assert "reinforcement" not in version_to_document(version)


@pytest.mark.parametrize(
    "value,message",
    [
        ("30/09/2026", "must be a date written YYYY-MM-DD, got '30/09/2026'"),
        ("2026-02-30", "2026-02-30 is not a date in the calendar"),
        (20260930, "must be a date written YYYY-MM-DD, got a number (20260930)"),
    ],
)
def test_a_bad_baseline_date_is_refused_at_its_field(value, message):
    document = valid_document()
    document["kpis"][0]["baseline_measured_on"] = value
    assert errors_of(document) == [("kpis[0].baseline_measured_on", message)]


@time_machine.travel("2026-10-01 12:00Z", tick=False)
def test_a_baseline_measured_in_the_future_is_an_error():
    document = valid_document()
    document["kpis"][0]["baseline_measured_on"] = "2026-10-01"
    assert errors_of(document) == []
    document["kpis"][0]["baseline_measured_on"] = (date(2026, 10, 1) + timedelta(1)).isoformat()
    assert errors_of(document) == [
        (
            "kpis[0].baseline_measured_on",
            "2026-10-02 is in the future: a baseline is measured before it is recorded",
        )
    ]


@pytest.mark.parametrize(
    "value,message",
    [
        (0, "must be a whole number of minutes from 1 to 480, got 0"),
        (481, "must be a whole number of minutes from 1 to 480, got 481"),
        ("10", "must be an integer, got a string ('10')"),
        (True, "must be an integer, got a boolean (true)"),
    ],
)
def test_a_bad_step_minutes_is_refused_at_its_field(value, message):
    document = valid_document()
    document["path"][0]["days"][0]["steps"][0]["minutes"] = value
    assert errors_of(document) == [("path[0].days[0].steps[0].minutes", message)]


def test_a_reinforcement_day_is_30_or_90():
    document = seeded_document()
    document["reinforcement"][0]["day"] = 7
    assert errors_of(document) == [
        (
            "reinforcement[0].day",
            "a reinforcement day is one of 30 or 90 (the check-ins' days), got 7",
        )
    ]


def test_a_reinforcement_day_appears_once():
    document = seeded_document()
    document["reinforcement"][0]["day"] = 30
    assert errors_of(document) == [
        ("reinforcement[1].day", 'duplicate reinforcement day "30" (first at index 0)')
    ]


def test_the_fvm_task_is_not_a_reinforcement_step():
    document = seeded_document()
    document["reinforcement"][0]["steps"][0] = {"kind": "fvm_task", "title": "Again"}
    assert errors_of(document) == [
        (
            "reinforcement[0].steps[0].kind",
            '"fvm_task" is not one of: watch_demo, try_prompt, reflect, read',
        )
    ]


def test_reinforcement_steps_follow_the_step_rules():
    document = seeded_document()
    document["reinforcement"][1]["steps"] = [
        {"kind": "watch_demo", "demo": "nope"},
        {"kind": "try_prompt"},
        {"kind": "reflect"},
    ]
    assert errors_of(document) == [
        ("reinforcement[1].steps[0].demo", 'no demo with slug "nope"'),
        ("reinforcement[1].steps[1]", 'a try_prompt step needs "prompt" (a prompt slug)'),
        ("reinforcement[1].steps[2]", 'a reflect step needs a "title" or a "body"'),
    ]


def test_an_empty_reinforcement_day_is_missing_in_a_draft_only():
    document = seeded_document()
    document["reinforcement"][0]["steps"] = []
    expected = ("reinforcement[0].steps", "a reinforcement day needs at least one step")
    assert errors_of(document) == [expected]
    assert errors_of(document, complete=False) == []


def test_unknown_keys_in_reinforcement_are_named():
    document = seeded_document()
    document["reinforcement"][0]["track"] = "prescriptive"
    ((path, message),) = errors_of(document)
    assert path == "reinforcement[0].track"
    assert message.startswith('unknown field "track" (allowed: day, steps)')


def test_the_path_keeps_days_1_to_7():
    document = valid_document()
    document["path"][0]["days"][0]["day"] = 30
    assert errors_of(document) == [
        ("path[0].days[0].day", "working day must be between 1 and 7, got 30")
    ]


def test_the_schema_describes_the_new_fields():
    from roles.document import PackDocument

    schema = PackDocument.model_json_schema()
    kinds = schema["$defs"]["ReinforcementStepDoc"]["properties"]["kind"]["enum"]
    assert kinds == [str(k) for k in PathStep.REINFORCEMENT_KINDS]
    assert "reinforcement" not in schema.get("required", [])
