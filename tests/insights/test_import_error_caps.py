"""A file of bad lines reports the first 100 errors, then how many more: the usage, cost and
KPI imports as the enrollment import (one bound, config/error_list.py)."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from insights.imports import ImportFileError, costs_import
from insights.models import CostEntry, KpiMeasurement, UsageReport
from insights.usage import UsageImportError, usage_import
from tests.factories import make_pack

pytestmark = pytest.mark.django_db
BAD = 250


def command_error(command: str, path) -> list[str]:
    with pytest.raises(CommandError) as info:
        call_command(command, str(path), stdout=StringIO())
    return str(info.value).splitlines()


def test_import_costs_lists_the_first_100_errors_then_how_many_more(tmp_path):
    path = tmp_path / "costs.csv"
    bad = "".join(f"licence,{i},EUR,2026-03-01,2026-03-31,\n" for i in range(BAD))
    path.write_text("kind,amount,currency,period_start,period_end,note\n" + bad)
    lines = command_error("import_costs", path)
    assert lines[0] == f"nothing written; {BAD} error(s), fix these lines:"
    assert lines[1].startswith("costs.csv:line 2: kind: 'licence'")
    assert lines[100].startswith("costs.csv:line 101: kind:")
    assert lines[101:] == [f"… and {BAD - 100} more error(s)"]
    assert CostEntry.objects.count() == 0


def test_import_kpis_lists_the_first_100_errors_then_how_many_more(tmp_path):
    make_pack()
    path = tmp_path / "kpis.csv"
    bad = "".join(f"finance-analyst,Commentary time,x{i},2026-02-01\n" for i in range(BAD))
    path.write_text("role,kpi,value,measured_on\n" + bad)
    lines = command_error("import_kpis", path)
    assert lines[0] == f"nothing written; {BAD} error(s), fix these lines:"
    assert lines[1] == "kpis.csv:line 2: value: 'x0' is not a number"
    assert lines[100] == "kpis.csv:line 101: value: 'x99' is not a number"
    assert lines[101:] == [f"… and {BAD - 100} more error(s)"]
    assert KpiMeasurement.objects.count() == 0


def test_import_usage_lists_the_first_100_errors_then_how_many_more(tmp_path):
    path = tmp_path / "usage.csv"
    bad = "".join(f"p{i}@example.com,15/03/2026,x\n" for i in range(BAD))  # two errors a line
    path.write_text("email,last_activity_date,prompts submitted\n" + bad)
    lines = command_error("import_usage", path)
    assert lines[0] == f"{path}: nothing imported, {2 * BAD} error(s):"
    assert lines[1] == (
        f"{path}:line 2: last_activity_date: bad date '15/03/2026' (expected YYYY-MM-DD)."
    )
    assert lines[2] == f"{path}:line 2: prompts submitted: not a whole number 'x'."
    assert len(lines) == 102 and lines[101] == f"… and {2 * BAD - 100} more error(s)"
    assert UsageReport.objects.count() == 0


def test_the_services_keep_100_errors_and_count_the_rest():
    bad = (f"licence,{i},EUR,2026-03-01,2026-03-31,\n" for i in range(20_000))
    with pytest.raises(ImportFileError) as caught:
        costs_import(lines=["kind,amount,currency,period_start,period_end,note\n", *bad])
    assert (len(caught.value.errors), caught.value.total, caught.value.more) == (
        100,
        20_000,
        19_900,
    )
    rows = (f"p{i}@example.com,bad\n" for i in range(20_000))
    with pytest.raises(UsageImportError) as caught:
        usage_import(lines=["email,last_activity_date\n", *rows])
    assert (len(caught.value.errors), caught.value.total) == (100, 20_000)
