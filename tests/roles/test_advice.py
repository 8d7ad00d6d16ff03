"""The seeds' advice on a pack (roles.advice): 3–5 KPIs, baselines measured by the first
start. Warnings beside the validator's errors, never instead of them."""

import io
import json
from datetime import date

import pytest
from django.core.management import call_command

from onboarding.services import enrollment_enroll
from roles.advice import pack_warnings
from roles.imports import rolepack_import_document
from tests.roles.test_validation import errors_of, valid_document


def _kpi(i: int, measured: str | None = "2026-09-30") -> dict:
    kpi = {"name": f"k{i}", "unit": "min", "baseline": 90, "target": 15, "direction": "down"}
    if measured:
        kpi["baseline_measured_on"] = measured
    return kpi


def _warnings(document, **kwargs):
    return [(w.path, w.message) for w in pack_warnings(document, **kwargs)]


@pytest.mark.parametrize(("count", "warned"), [(1, True), (2, True), (3, False), (5, False)])
def test_fewer_than_three_or_more_than_five_kpis_is_a_warning(count, warned):
    document = {**valid_document(), "kpis": [_kpi(i) for i in range(count)]}
    assert errors_of(document) == []
    expected = [("kpis", f"{count} KPI{'s' if count > 1 else ''}: 3 to 5 advised")]
    assert _warnings(document) == (expected if warned else [])


def test_six_kpis_is_a_warning_too():
    document = {**valid_document(), "kpis": [_kpi(i) for i in range(6)]}
    assert _warnings(document) == [("kpis", "6 KPIs: 3 to 5 advised")]


def test_no_kpi_is_an_error_not_a_warning():
    document = {**valid_document(), "kpis": []}
    assert errors_of(document) == [
        (
            "kpis",
            "a pack needs at least one KPI (3 to 5 advised): what shows that the role's work "
            "got better",
        )
    ]
    assert errors_of(document, complete=False) == []  # a draft may not have them yet
    assert _warnings(document) == []


def test_a_baseline_measured_after_the_first_start_is_a_warning_at_its_field():
    kpis = [_kpi(0, "2026-10-05"), _kpi(1, "2026-10-04"), _kpi(2, None)]
    document = {**valid_document(), "kpis": kpis}
    lines = {"kpis[0].baseline_measured_on": 42}
    (warning,) = pack_warnings(
        document, first_start=date(2026, 10, 4), source="f.yaml", lines=lines
    )
    assert str(warning) == (
        "f.yaml:42: kpis[0].baseline_measured_on: the baseline was measured on 2026-10-05, "
        "after the role's first start (2026-10-04): it may already include the AI tool's effect"
    )
    assert _warnings(document) == []  # nobody has started yet


@pytest.mark.django_db
def test_import_says_the_warnings_and_imports_all_the_same(tmp_path):
    document = {**valid_document(), "kpis": [_kpi(0, "2026-10-20")]}
    version = rolepack_import_document(document=document).version
    enrollment_enroll(
        email="emma@example.com", name="Emma", version=version, start_date=date(2026, 10, 19)
    )
    document["kpis"][0]["target"] = 10  # new content: a new version
    path = tmp_path / "pack.json"  # one line: every warning is on line 1
    path.write_text(json.dumps(document))
    out, err = io.StringIO(), io.StringIO()
    call_command("import_rolepack", str(path), stdout=out, stderr=err)
    assert out.getvalue() == "finance-analyst: v2 published\n"
    assert err.getvalue().splitlines() == [
        f"warning: {path}:1: kpis: 1 KPI: 3 to 5 advised",
        f"warning: {path}:1: kpis[0].baseline_measured_on: the baseline was measured on "
        "2026-10-20, after the role's first start (2026-10-19): it may already include the AI "
        "tool's effect",
    ]
