"""The launch checklist, one function over a document (studio.launch)."""

from datetime import date

import pytest

from roles.canonical import version_to_document
from studio.launch import launch_checklist

TODAY = date(2026, 12, 1)


def _doc(**overrides):
    steps = [{"kind": "read", "title": "Read"}]
    document = {
        "slug": "hr",
        "name": "HR partner",
        "fvm": {
            "deliverable": "a policy summary",
            "baseline_minutes": 60,
            "target_minutes": 20,
            "evidence": "the summary",
        },
        "prompts": [
            {
                "slug": "p",
                "title": "P",
                "body": "Summarise {{policy}}",
                "variables": [{"name": "policy"}],
            }
        ],
        "demos": [{"slug": "d", "before_minutes": 60, "after_minutes": 15}],
        "path": [
            {
                "track": "prescriptive",
                "days": [
                    {
                        "day": n,
                        "steps": steps if n != 4 else [{"kind": "fvm_task", "title": "Do it"}],
                    }
                    for n in range(1, 8)
                ],
            }
        ],
        "interventions": [{"day": 5, "kind": "manager_nudge", "channel": "email", "message": "Hi"}],
        "kpis": [
            {"name": f"k{i}", "baseline": 10, "target": 5, "baseline_measured_on": "2026-10-30"}
            for i in range(3)
        ],
    }
    document.update(overrides)
    return document


def _gaps(document) -> dict[str, str]:
    return {c.key: c.detail for c in launch_checklist(document, today=TODAY) if c.gap}


def test_it_passes_a_pack_that_has_everything():
    assert _gaps(_doc()) == {}


def test_it_reports_every_gap_of_an_empty_document():
    assert set(_gaps({})) == {"fvm", "target", "kpis", "demo", "fvm_task", "nudge", "days"}


@pytest.mark.parametrize(("target", "ok"), [(42, True), (43, False), (60, False)])
def test_it_wants_the_target_at_least_30_percent_below_the_baseline(target, ok):
    document = _doc(fvm={**_doc()["fvm"], "target_minutes": target})
    assert ("target" not in _gaps(document)) is ok


def test_it_says_which_sentence_parts_are_missing():
    assert _gaps(_doc(name="", fvm={"deliverable": "x"}))["fvm"] == (
        "Missing: the role's name, the baseline minutes, the target minutes, the evidence."
    )


@pytest.mark.parametrize(("count", "ok"), [(2, False), (3, True), (5, True), (6, False)])
def test_it_wants_three_to_five_kpis(count, ok):
    kpis = [
        {"name": f"k{i}", "baseline": 1, "target": 0, "baseline_measured_on": "2026-10-30"}
        for i in range(count)
    ]
    assert ("kpis" not in _gaps(_doc(kpis=kpis))) is ok


def test_it_wants_the_date_each_baseline_was_measured():
    document = _doc()
    del document["kpis"][0]["baseline_measured_on"]
    document["kpis"][1]["baseline_measured_on"] = "2026-12-02"  # after today: not yet
    document["kpis"][2]["baseline_measured_on"] = "2026-13-01"
    assert _gaps(document)["kpis"] == "No date the baseline was measured for k0, k1, k2."


@pytest.mark.parametrize(
    ("first_start", "gap"),
    [
        (None, None),
        (date(2026, 10, 30), None),  # measured on the first start day: before anyone began
        (
            date(2026, 10, 29),
            "Baseline measured after the first start (2026-10-29) for k0, k1, k2.",
        ),
    ],
)
def test_it_wants_baselines_measured_by_the_first_start(first_start, gap):
    checks = launch_checklist(_doc(), today=TODAY, first_start=first_start)
    assert {c.key: c.detail for c in checks if c.gap}.get("kpis") == gap


def test_it_wants_a_timed_demo():
    assert "demo" in _gaps(_doc(demos=[{"slug": "d"}]))


def test_it_wants_the_fvm_task_by_day_five_in_every_track():
    late = _doc()
    late["path"][0]["days"][3]["steps"] = [{"kind": "read", "title": "r"}]
    late["path"][0]["days"][5]["steps"] = [{"kind": "fvm_task", "title": "late"}]
    assert _gaps(late)["fvm_task"] == "Late or missing: prescriptive: day 6."


def test_it_wants_a_day_five_intervention():
    document = _doc(interventions=[{"day": 4, "kind": "manager_nudge"}])
    assert "nudge" in _gaps(document)


def test_it_names_undeclared_variables():
    prompts = [{"slug": "p", "body": "{{a}} and {{b}}", "variables": [{"name": "a"}]}]
    assert _gaps(_doc(prompts=prompts))["variables"] == "Undeclared: p: b."


def test_it_names_the_empty_days():
    document = _doc()
    document["path"][0]["days"] = document["path"][0]["days"][:3]
    assert _gaps(document)["days"] == "Empty: prescriptive: day 4, 5, 6, 7."


@pytest.mark.django_db
def test_it_reads_a_stored_pack(version):
    keys = {c.key for c in launch_checklist(version_to_document(version), today=TODAY) if c.gap}
    # The factory's pack: two KPIs and no day-5 intervention.
    assert "kpis" in keys
