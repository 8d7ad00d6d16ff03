"""Organisation holidays: `load_holidays`, the admin, and dates that stay a snapshot."""

from datetime import date
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from onboarding.models import Enrollment, Holiday
from onboarding.services import enrollment_enroll, enrollment_paths_regenerate
from tests.factories import UserFactory, make_pack

pytestmark = pytest.mark.django_db


def load(*args) -> str:
    out = StringIO()
    call_command("load_holidays", *args, stdout=out)
    return out.getvalue()


def test_it_loads_a_countrys_public_holidays_for_a_year():
    out = load("FR", "2026")
    assert "FR 2026: 11 holiday(s) added, 0 renamed" in out
    assert Holiday.objects.get(date=date(2026, 7, 14)).name
    assert Holiday.objects.filter(date=date(2026, 12, 25)).exists()


def test_it_is_idempotent():
    load("FR", "2026")
    before = list(Holiday.objects.values_list("date", "name"))
    assert "0 holiday(s) added, 0 renamed" in load("FR", "2026")
    assert list(Holiday.objects.values_list("date", "name")) == before


def test_it_loads_a_subdivisions_extra_holidays():
    load("DE", "2026")
    national = Holiday.objects.count()
    load("DE", "2026", "--subdiv", "BY")
    assert Holiday.objects.count() > national
    assert Holiday.objects.filter(date=date(2026, 1, 6)).exists()  # Epiphany in Bavaria


def test_it_rejects_an_unknown_country_or_subdivision():
    with pytest.raises(CommandError, match="XX"):
        load("XX", "2026")
    with pytest.raises(CommandError, match="ZZ"):
        load("US", "2026", "--subdiv", "ZZ")
    with pytest.raises(CommandError, match="year"):
        load("FR", "20260")
    assert Holiday.objects.count() == 0


def test_it_dates_new_paths_around_holidays():
    Holiday.objects.create(date=date(2026, 12, 1), name="Local holiday")
    enrollment = enrollment_enroll(
        email="h@example.com", version=make_pack(), start_date=date(2026, 11, 30)
    )
    dates = dict(enrollment.days.values_list("number", "date"))
    assert dates[2] == date(2026, 12, 2)
    assert enrollment.day7 == date(2026, 12, 9)


def test_it_keeps_existing_paths_when_holidays_change():
    enrollment = enrollment_enroll(
        email="h@example.com", version=make_pack(), start_date=date(2026, 11, 30)
    )
    before = list(enrollment.days.values_list("number", "date", "begins_at"))
    load("FR", "2026")
    Holiday.objects.create(date=date(2026, 12, 2), name="Company day")
    enrollment.refresh_from_db()
    assert list(enrollment.days.values_list("number", "date", "begins_at")) == before
    assert enrollment.day7 == date(2026, 12, 8)


@time_machine.travel("2026-11-20 12:00Z")
def test_it_regenerates_paths_that_have_not_reached_day_1():
    version = make_pack()
    future = enrollment_enroll(email="f@example.com", version=version, start_date=date(2026, 12, 7))
    started = enrollment_enroll(
        email="s@example.com", version=version, start_date=date(2026, 11, 16)
    )
    started_days = list(started.days.values_list("number", "date"))
    Holiday.objects.create(date=date(2026, 12, 7), name="Company day")
    Holiday.objects.create(date=date(2026, 11, 23), name="Another")
    done, skipped = enrollment_paths_regenerate(enrollments=Enrollment.objects.all())
    assert (done, skipped) == (1, 1)
    future.refresh_from_db()
    assert future.day1 == date(2026, 12, 8)
    assert future.days.get(number=1).date == date(2026, 12, 8)
    assert future.days.count() == 9
    assert list(started.days.values_list("number", "date")) == started_days


@time_machine.travel("2026-11-20 12:00Z")
def test_the_admin_action_regenerates_paths(client):
    version = make_pack()
    enrollment = enrollment_enroll(
        email="f@example.com", version=version, start_date=date(2026, 12, 7)
    )
    Holiday.objects.create(date=date(2026, 12, 7), name="Company day")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.post(
        "/admin/onboarding/enrollment/",
        {"action": "regenerate_paths", "_selected_action": [enrollment.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "Re-dated 1 path(s)" in response.content.decode()
    enrollment.refresh_from_db()
    assert enrollment.day1 == date(2026, 12, 8)


def test_holidays_are_managed_in_the_admin(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.post(
        "/admin/onboarding/holiday/add/", {"date": "2026-12-24", "name": "Christmas Eve"}
    )
    assert response.status_code == 302
    assert Holiday.objects.get().name == "Christmas Eve"
    assert client.get("/admin/onboarding/holiday/").status_code == 200
