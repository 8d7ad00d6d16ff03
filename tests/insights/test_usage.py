from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from insights.filters import report_filters_build
from insights.funnel import activated_no_value
from insights.models import UsageActivity, UsageReport, UsageSnapshot
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


NOW = datetime(2026, 4, 2, 9, tzinfo=UTC)


def stored() -> dict:
    """Each person's latest snapshot: (last activity, the report's source)."""
    return {
        s.user.email: (s.last_activity_date, s.report.source)
        for s in UsageSnapshot.objects.select_related("user", "report").order_by("report_date")
    }


def days(email: str) -> list[tuple[date, date]]:
    return [
        (a.date, a.reported_on)
        for a in UsageActivity.objects.filter(user__email=email).order_by("date")
    ]


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


def test_it_keeps_every_report_as_history(people):
    run("copilot_graph.csv", now=NOW)  # as of 31 March: ada 21st (and 12th in Word), bob 5th
    run("plain.csv", now=NOW)  # no refresh date: dated 2 April; ada 15th, bob no activity
    assert UsageReport.objects.count() == 2
    assert UsageSnapshot.objects.count() == 4
    assert [
        (s.report_date, s.last_activity_date)
        for s in UsageSnapshot.objects.filter(user=people["ada"]).order_by("report_date")
    ] == [(date(2026, 3, 31), date(2026, 3, 21)), (date(2026, 4, 2), date(2026, 3, 15))]
    assert days("ada@example.com") == [
        (date(2026, 3, 12), date(2026, 3, 31)),
        (date(2026, 3, 15), date(2026, 4, 2)),
        (date(2026, 3, 21), date(2026, 3, 31)),
    ]
    snapshot = UsageSnapshot.objects.get(user=people["ada"], report_date=date(2026, 3, 31))
    assert snapshot.app_last_activity == {"Chat": "2026-03-21", "Word": "2026-03-12"}
    assert snapshot.report.period_days == 7


def test_the_same_report_twice_writes_nothing_the_second_time(people):
    first = run("copilot_graph.csv", now=NOW)
    second = run("copilot_graph.csv", now=datetime(2026, 4, 9, tzinfo=UTC))
    assert (first.written, first.duplicate) == (2, False)
    assert (second.written, second.duplicate) == (0, True)
    assert (UsageReport.objects.count(), UsageSnapshot.objects.count()) == (1, 2)
    assert UsageActivity.objects.count() == 3


def test_one_row_per_person_per_report_date_and_the_earliest_report_of_a_day(people, tmp_path):
    later = tmp_path / "later.csv"
    later.write_text(
        "Report Refresh Date,User Principal Name,Last Activity Date,Report Period\n"
        "2026-03-31,ada@example.com,2026-03-21,30\n"
    )
    earlier = tmp_path / "earlier.csv"
    earlier.write_text(
        "Report Refresh Date,User Principal Name,Last Activity Date,Report Period\n"
        "2026-03-24,ada@example.com,2026-03-21,7\n"
    )
    run("copilot_graph.csv", now=NOW)
    with later.open() as handle:
        assert usage_import(lines=handle, now=NOW).written == 0  # ada already has the 31st
    with earlier.open() as handle:
        usage_import(lines=handle, now=NOW)
    assert UsageSnapshot.objects.filter(user=people["ada"]).count() == 2
    # The 21st was first reported on the 24th: a report as of the 25th counts it.
    assert (date(2026, 3, 21), date(2026, 3, 24)) in days("ada@example.com")


def test_it_reads_the_v2_columns_when_present(people, tmp_path):
    path = tmp_path / "v2.csv"
    path.write_text(
        "Report Refresh Date,User Principal Name,Last Activity Date,Prompts Submitted,"
        "Active Usage Days,Report Period\n"
        "2026-03-31,ada@example.com,2026-03-30,42,5,7\n"
        "2026-03-31,bob@example.com,,,,7\n"
    )
    with path.open() as handle:
        usage_import(lines=handle, now=NOW)
    ada = UsageSnapshot.objects.get(user=people["ada"])
    bob = UsageSnapshot.objects.get(user=people["bob"])
    assert (ada.prompts_submitted, ada.active_days) == (42, 5)
    assert (bob.prompts_submitted, bob.active_days, bob.last_activity_date) == (None, None, None)


def test_it_lists_errors_by_line_and_writes_nothing(people):
    with pytest.raises(UsageImportError) as exc:
        run("bad_dates.csv")
    assert exc.value.errors == [
        "line 3: last_activity_date: bad date '15/03/2026' (expected YYYY-MM-DD).",
        "line 4: email: missing user.",
    ]
    assert UsageReport.objects.count() == UsageSnapshot.objects.count() == 0


def test_it_refuses_a_file_without_a_user_column(people):
    with pytest.raises(UsageImportError, match="line 1: no user column"):
        run("no_user_column.csv")


def test_the_dry_run_writes_nothing(people):
    assert run("plain.csv", dry_run=True).matched == 2
    assert UsageReport.objects.count() == UsageSnapshot.objects.count() == 0


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
