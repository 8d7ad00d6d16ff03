from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from insights.kpis import kpi_change, kpi_measurement_add, kpi_overview
from tests.factories import make_pack

pytestmark = pytest.mark.django_db


def test_it_measures_down_kpis_as_baseline_minus_value():
    change = kpi_change(baseline=90, target=15, value=60, direction="down")
    assert change["improvement"] == 30
    assert change["progress"] == Decimal(30) / Decimal(75)
    assert change["change_pct"] == Decimal(30) / Decimal(90)


def test_a_down_kpi_going_up_is_a_negative_improvement():
    change = kpi_change(baseline=90, target=15, value=100, direction="down")
    assert change["improvement"] == -10
    assert change["progress"] < 0


def test_it_measures_up_kpis_as_value_minus_baseline():
    change = kpi_change(baseline=70, target=95, value=95, direction="up")
    assert change["improvement"] == 25
    assert change["progress"] == 1


def test_progress_is_none_when_target_equals_baseline():
    assert kpi_change(baseline=5, target=5, value=3, direction="down")["progress"] is None


def test_it_refuses_a_kpi_the_pack_does_not_define():
    version = make_pack()
    with pytest.raises(ValidationError) as exc:
        kpi_measurement_add(
            pack=version.pack, kpi_name="Happiness", measured_on=date(2026, 3, 1), value=1
        )
    assert "kpi_name" in exc.value.message_dict


def test_the_overview_prefers_a_measured_baseline_and_uses_the_latest_value():
    version = make_pack()  # "Commentary time" down 90 → 15; "Reports on time" up 70 → 95
    pack = version.pack
    kpi_measurement_add(
        pack=pack,
        kpi_name="Commentary time",
        measured_on=date(2026, 2, 1),
        value=80,
        is_baseline=True,
    )
    kpi_measurement_add(
        pack=pack, kpi_name="Commentary time", measured_on=date(2026, 3, 1), value=60
    )
    kpi_measurement_add(
        pack=pack, kpi_name="Commentary time", measured_on=date(2026, 4, 1), value=40
    )
    rows = {row["kpi"]: row for row in kpi_overview()}
    commentary = rows["Commentary time"]
    assert (commentary["baseline"], commentary["baseline_measured"]) == (Decimal(80), True)
    assert (commentary["latest"], commentary["latest_on"]) == (Decimal(40), date(2026, 4, 1))
    assert commentary["improvement"] == 40
    assert commentary["progress"] == Decimal(40) / Decimal(65)
    reports = rows["Reports on time"]
    assert (reports["baseline"], reports["baseline_measured"]) == (Decimal(70), False)
    assert reports["latest"] is None and reports["improvement"] is None
