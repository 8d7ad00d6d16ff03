"""As of everywhere: bad dates are refused with one message; nothing dated later leaks in."""

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from insights.filters import ReportInputError, parse_as_of, report_filters_build
from insights.funnel import non_activated
from insights.kpis import kpi_overview
from insights.models import KpiMeasurement
from tests.factories import make_pack

from .conftest import enroll
from .test_interventions_and_funnel import send

pytestmark = pytest.mark.django_db
MESSAGE = "as_of: '2026-02-30' is not a date that exists (YYYY-MM-DD)."


@pytest.mark.parametrize("value", ["2026-02-30", "2026-13-01", "2026-02-30T10:00:00Z"])
def test_the_one_parser_refuses_dates_that_do_not_exist(value):
    with pytest.raises(ReportInputError, match="as_of: "):
        parse_as_of(value)


@pytest.mark.parametrize("command", ["activation_report", "readiness_report"])
def test_the_commands_exit_1_with_the_message(command):
    with pytest.raises(CommandError) as info:
        call_command(command, "--as-of", "2026-02-30", stdout=StringIO())
    assert str(info.value) == MESSAGE
    assert info.value.returncode == 1


@pytest.mark.parametrize("url", ["/api/reports/activation/", "/api/reports/readiness/"])
def test_the_api_answers_400_naming_the_field(url, author):
    api = APIClient()
    api.force_authenticate(author)
    response = api.get(url, {"as_of": "2026-02-30"})
    assert response.status_code == 400
    assert response.json() == {"as_of": ["'2026-02-30' is not a date that exists (YYYY-MM-DD)."]}


@pytest.mark.parametrize("url", ["/dashboard/", "/dashboard/readiness/", "/dashboard/by-role.csv"])
def test_the_dashboard_answers_400(url, client, author):
    client.force_login(author)
    response = client.get(url, {"as_of": "2026-02-30"})
    assert response.status_code == 400
    assert "is not a date that exists" in response.content.decode()


def test_kpis_use_only_measurements_dated_by_as_of():
    version = make_pack()
    kpi = version.kpis.first()
    for day, value, baseline in ((date(2026, 10, 1), 90, True), (date(2026, 11, 10), 40, False)):
        KpiMeasurement.objects.create(
            pack=version.pack,
            kpi_name=kpi.name,
            measured_on=day,
            value=value,
            is_baseline=baseline,
        )
    KpiMeasurement.objects.create(
        pack=version.pack, kpi_name=kpi.name, measured_on=date(2026, 11, 29), value=20
    )
    row = next(r for r in kpi_overview(as_of=date(2026, 11, 20)) if r["kpi"] == kpi.name)
    assert (row["latest"], row["latest_on"], row["measurements"]) == (
        Decimal(40),
        date(2026, 11, 10),
        1,
    )
    row = next(r for r in kpi_overview(as_of=date(2026, 11, 30)) if r["kpi"] == kpi.name)
    assert row["latest"] == Decimal(20)
    row = next(r for r in kpi_overview(as_of=date(2026, 9, 30)) if r["kpi"] == kpi.name)
    assert (row["latest"], row["baseline_measured"]) == (None, False)


def test_the_not_activated_list_shows_sends_as_they_stood_at_as_of():
    version = make_pack()
    person = enroll(version, "late@example.com", date(2026, 11, 16))  # day 5 = Fri 20th
    nudge = send(person, "manager_nudge", "sent")  # due and sent Fri 20th 09:00
    day6 = person.days.get(number=6).begins_at  # Mon 23rd 09:00
    send(person, "microtraining", "sent", sent_at=day6)

    people, _ = non_activated(report_filters_build(as_of="2026-11-20"))
    assert people[0].sends_by_kind == {"manager_nudge": "sent"}  # day 6 not due yet
    people, _ = non_activated(report_filters_build(as_of=nudge.due_at.isoformat()))
    assert people[0].sends_by_kind == {"manager_nudge": "sent"}
    before = (nudge.due_at.replace(hour=8)).isoformat()
    assert non_activated(report_filters_build(as_of=before))[1] == 0  # day 5 not begun
    people, _ = non_activated(report_filters_build(as_of="2026-11-23T08:59:00Z"))
    assert people[0].sends_by_kind == {"manager_nudge": "sent"}
    people, _ = non_activated(report_filters_build(as_of="2026-11-30"))
    assert people[0].sends_by_kind == {"manager_nudge": "sent", "microtraining": "sent"}
