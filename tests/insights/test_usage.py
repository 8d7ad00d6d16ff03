from datetime import date
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from insights.filters import report_filters_build
from insights.funnel import activated_no_value
from insights.models import UsageRecord
from insights.usage import UsageImportError, usage_import
from tests.factories import UserFactory, make_pack

from .conftest import complete, enroll, usage_report, utc

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def people():
    return {
        "ada": UserFactory(username="ada@example.com"),
        "bob": UserFactory(username="bob@example.com"),
    }


def run(name: str, **kwargs):
    with (FIXTURES / name).open(newline="", encoding="utf-8-sig") as handle:
        return usage_import(lines=handle, **kwargs)


def stored() -> dict:
    return {
        r.user.email: (r.last_activity_date, r.source)
        for r in UsageRecord.objects.select_related("user")
    }


def test_it_imports_the_admin_center_export_taking_the_latest_app_column(people):
    result = run("copilot_admin_center.csv")
    assert (result.source, result.rows, result.matched, result.unmatched) == (
        "admin_center",
        3,
        2,
        1,
    )
    assert result.unmatched_examples == ["stranger@contoso.com"]
    assert result.no_activity == 1
    # Word (19th) beats the overall column (18th); the refresh date (31st) is ignored.
    assert stored() == {
        "ada@example.com": (date(2026, 3, 19), "admin_center"),
        "bob@example.com": (None, "admin_center"),
    }


def test_it_imports_the_graph_spelling(people):
    result = run("copilot_graph.csv")
    assert result.source == "graph"
    assert stored() == {
        "ada@example.com": (date(2026, 3, 21), "graph"),
        "bob@example.com": (date(2026, 3, 5), "graph"),
    }


def test_it_matches_anonymised_reports_by_md5_of_the_lowercased_email(people):
    result = run("copilot_anonymised.csv")
    assert result.source == "admin_center:anonymised"
    assert (result.matched, result.unmatched) == (2, 1)
    assert stored() == {
        "ada@example.com": (date(2026, 3, 17), "admin_center:anonymised"),
        "bob@example.com": (date(2026, 3, 6), "admin_center:anonymised"),
    }


def test_it_imports_a_plain_csv(people):
    result = run("plain.csv")
    assert (result.source, result.matched, result.unmatched) == ("plain", 2, 1)
    assert stored()["ada@example.com"] == (date(2026, 3, 15), "plain")


def test_it_upserts_and_never_moves_a_date_backwards(people):
    run("copilot_graph.csv")  # ada 21st, bob 5th
    run("plain.csv")  # ada 15th (older), bob empty
    assert UsageRecord.objects.count() == 2
    assert stored() == {
        "ada@example.com": (date(2026, 3, 21), "plain"),
        "bob@example.com": (date(2026, 3, 5), "plain"),
    }


def test_it_lists_errors_by_line_and_writes_nothing(people):
    with pytest.raises(UsageImportError) as exc:
        run("bad_dates.csv")
    assert exc.value.errors == [
        "line 3: last_activity_date: bad date '15/03/2026' (expected YYYY-MM-DD).",
        "line 4: email: missing user.",
    ]
    assert UsageRecord.objects.count() == 0


def test_it_refuses_a_file_without_a_user_column(people):
    with pytest.raises(UsageImportError, match="line 1: no user column"):
        run("no_user_column.csv")


def test_the_dry_run_writes_nothing(people):
    assert run("plain.csv", dry_run=True).matched == 2
    assert UsageRecord.objects.count() == 0


def test_the_command_reports_counts_and_fails_on_errors(people, capsys):
    call_command("import_usage", str(FIXTURES / "copilot_admin_center.csv"))
    out = capsys.readouterr().out
    assert "2 matched (1 without activity), 1 unmatched" in out
    assert "stranger@contoso.com" in out
    with pytest.raises(CommandError, match=r"bad_dates.csv:line 3: last_activity_date"):
        call_command("import_usage", str(FIXTURES / "bad_dates.csv"))
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_usage", str(FIXTURES / "missing.csv"))


def test_usage_without_fvm_is_activated_but_no_value():
    version = make_pack()
    trapped = enroll(version, "ada@example.com", date(2026, 3, 2))
    valued = enroll(version, "bob@example.com", date(2026, 3, 2))
    complete(valued, utc(2026, 3, 4, 9))
    enroll(version, "cy@example.com", date(2026, 3, 2))  # no usage, no FVM: not the trap
    before = enroll(version, "dee@example.com", date(2026, 3, 16))  # usage predates start
    late = enroll(version, "eve@example.com", date(2026, 3, 2))  # reported after as-of
    users = [trapped.user, valued.user, before.user]
    usage_report(date(2026, 3, 12), users, [date(2026, 3, d) for d in (10, 10, 5)])
    usage_report(date(2026, 3, 25), [late.user], [date(2026, 3, 11)])
    people, total = activated_no_value(report_filters_build(as_of="2026-03-20"))
    assert total == 1
    assert [p.user.email for p in people] == ["ada@example.com"]
    assert people[0].last_used == date(2026, 3, 10)
    _, total = activated_no_value(report_filters_build(as_of="2026-03-31"))
    assert total == 2  # eve's use was first reported on the 25th
