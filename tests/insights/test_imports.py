"""Costs and KPI measurements from a finance system or a spreadsheet: commands and API."""

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from insights.models import CostEntry, KpiMeasurement
from tests.factories import make_pack

pytestmark = pytest.mark.django_db


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def run(command, *args):
    out = StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


def test_import_costs_writes_every_kind(tmp_path):
    path = write(
        tmp_path,
        "costs.csv",
        "kind,amount,currency,period_start,period_end,note\n"
        "license,5000,EUR,2026-03-01,2026-03-31,Copilot seats\n"
        "training,800.50,,2026-03-01,2026-03-31,\n"
        "support,400,eur,2026-03-01,2026-03-31,helpdesk\n"
        "adoption_time,300,EUR,2026-03-01,2026-03-31,hours x rate\n",
    )
    assert run("import_costs", path, "--dry-run") == "costs.csv: would write 4 row(s).\n"
    assert CostEntry.objects.count() == 0
    assert run("import_costs", path) == "costs.csv: wrote 4 row(s).\n"
    kinds = dict(CostEntry.objects.values_list("kind", "amount"))
    assert kinds == {
        "license": Decimal("5000"),
        "training": Decimal("800.50"),
        "support": Decimal("400"),
        "adoption_time": Decimal("300"),
    }


def test_import_costs_lists_every_bad_line_and_writes_nothing(tmp_path):
    path = write(
        tmp_path,
        "costs.csv",
        "kind,amount,currency,period_start,period_end,note\n"
        "license,5000,EUR,2026-03-01,2026-03-31,ok\n"
        "licence,10,EUR,2026-03-01,2026-03-31,\n"
        "training,-1,EUR,2026-03-01,2026-03-31,\n"
        "support,abc,EUR,2026-03-01,2026-03-31,\n"
        "support,1,USD,2026-03-01,2026-03-31,\n"
        "support,1,EUR,2026-02-30,2026-03-31,\n"
        "support,1,EUR,2026-03-31,2026-03-01,\n",
    )
    with pytest.raises(CommandError) as info:
        run("import_costs", path)
    assert str(info.value).splitlines()[1:] == [
        "costs.csv:line 3: kind: 'licence' is not one of license, training, support, adoption_time",
        "costs.csv:line 4: amount: cannot be negative",
        "costs.csv:line 5: amount: 'abc' is not a number",
        "costs.csv:line 6: currency: 'USD' is not the organisation's currency EUR",
        "costs.csv:line 7: period_start: '2026-02-30' is not a date that exists (YYYY-MM-DD)",
        "costs.csv:line 8: period_end: the period cannot end before it starts",
    ]
    assert info.value.returncode == 1
    assert CostEntry.objects.count() == 0


def test_import_costs_refuses_a_missing_column_and_a_missing_file(tmp_path):
    path = write(tmp_path, "c.csv", "kind,amount\nlicense,1\n")
    with pytest.raises(CommandError, match="c.csv:line 1: missing column"):
        run("import_costs", path)
    with pytest.raises(CommandError, match="no such file"):
        run("import_costs", str(tmp_path / "none.csv"))
    nul = write(tmp_path, "n.csv", "kind,amount,period_start,period_end\nlicense,1\x00,x,y\n")
    with pytest.raises(CommandError, match="n.csv:line"):
        run("import_costs", nul)


def test_import_kpis_by_role_and_kpi_name(tmp_path):
    pack = make_pack().pack
    path = write(
        tmp_path,
        "kpis.csv",
        "role,kpi,value,measured_on,is_baseline\n"
        "finance-analyst,Commentary time,90,2026-02-01,true\n"
        "finance-analyst,Commentary time,40,2026-04-01,\n",
    )
    assert run("import_kpis", path) == "kpis.csv: wrote 2 row(s).\n"
    rows = list(
        KpiMeasurement.objects.filter(pack=pack).values_list("measured_on", "value", "is_baseline")
    )
    assert rows == [(date(2026, 2, 1), Decimal(90), True), (date(2026, 4, 1), Decimal(40), False)]


def test_import_kpis_lists_bad_lines_and_writes_nothing(tmp_path):
    make_pack()
    path = write(
        tmp_path,
        "kpis.csv",
        "role,kpi,value,measured_on\n"
        "finance-analyst,Commentary time,90,2026-02-01\n"
        "nobody,Commentary time,1,2026-02-01\n"
        "finance-analyst,Coffee,1,2026-02-01\n"
        "finance-analyst,Commentary time,x,2026-02-01\n"
        "finance-analyst,Commentary time,1,2026-13-01\n",
    )
    with pytest.raises(CommandError) as info:
        run("import_kpis", path)
    assert str(info.value).splitlines()[1:] == [
        "kpis.csv:line 3: role: no role pack with slug 'nobody'",
        "kpis.csv:line 4: kpi: finance-analyst has no KPI named 'Coffee'",
        "kpis.csv:line 5: value: 'x' is not a number",
        "kpis.csv:line 6: measured_on: '2026-13-01' is not a date that exists (YYYY-MM-DD)",
    ]
    assert KpiMeasurement.objects.count() == 0


def test_the_costs_api_adds_and_lists_for_the_rollout_team_only(author, employee):
    api = APIClient()
    api.force_authenticate(employee)
    body = {
        "kind": "license",
        "amount": "100.00",
        "period_start": "2026-03-01",
        "period_end": "2026-03-31",
    }
    assert api.post("/api/costs/", body, format="json").status_code == 403
    api.force_authenticate(author)
    created = api.post("/api/costs/", body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["kind"] == "license"
    bad = api.post("/api/costs/", {**body, "currency": "USD"}, format="json")
    assert bad.status_code == 400
    assert bad.json() == {"currency": ["'USD' is not the organisation's currency EUR"]}
    backwards = api.post("/api/costs/", {**body, "period_end": "2026-02-01"}, format="json")
    assert backwards.status_code == 400 and "period_end" in backwards.json()
    assert [e["amount"] for e in api.get("/api/costs/").json()] == ["100.00"]
    assert CostEntry.objects.count() == 1
