"""Each onboarding admin form that writes goes through a service: what a write there leaves
in the database is what the service leaves for the same input."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms.models import model_to_dict

from onboarding.enroll_csv import enrollments_import
from onboarding.enroll_rows import binary_opener
from onboarding.interventions import intervention_sends_retry
from onboarding.models import Enrollment, Holiday, InterventionSend, OrgSettings
from onboarding.organisation import holiday_save, holidays_delete, org_settings_update
from tests.factories import UserFactory, make_pack

from .admin_support import admin_form_data, form_errors
from .enroll_support import csv_text, people_rows
from .test_sending import record_due
from .triggers_support import enroll

pytestmark = pytest.mark.django_db
S = InterventionSend.Status


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="root@example.com", is_staff=True, is_superuser=True))
    return client


def post_form(admin_client, url: str, **fields):
    return admin_client.post(url, admin_form_data(admin_client.get(url), **fields))


SETTINGS = {
    "nudge_hour": 8,
    "accountability_after_day": 12,
    "hourly_rate": Decimal("55.50"),
    "currency": "CHF",
    "licensed_seats": 250,
}


def test_org_settings_added_and_changed_in_the_admin_are_the_services(admin_client):
    response = post_form(admin_client, "/admin/onboarding/orgsettings/add/", **SETTINGS)
    assert response.status_code == 302, form_errors(response)
    from_admin = model_to_dict(OrgSettings.objects.get())
    assert from_admin == {"id": 1, **SETTINGS}  # the one row the service keeps

    changed = {**SETTINGS, "nudge_hour": 10}
    response = post_form(admin_client, "/admin/onboarding/orgsettings/1/change/", **changed)
    assert response.status_code == 302, form_errors(response)
    from_admin = model_to_dict(OrgSettings.objects.get())
    OrgSettings.objects.all().delete()
    org_settings_update(**changed)
    assert model_to_dict(OrgSettings.objects.get()) == from_admin


def test_org_settings_refuse_a_nudge_hour_past_23_at_its_field(admin_client):
    response = post_form(
        admin_client, "/admin/onboarding/orgsettings/add/", **{**SETTINGS, "nudge_hour": 24}
    )
    assert list(form_errors(response)) == ["nudge_hour"]
    assert not OrgSettings.objects.exists()


def holidays() -> list[tuple]:
    return list(Holiday.objects.order_by("date").values_list("date", "name"))


def test_holidays_added_changed_and_deleted_in_the_admin_are_the_services(admin_client):
    response = post_form(
        admin_client, "/admin/onboarding/holiday/add/", date="2026-12-24", name="Christmas Eve"
    )
    assert response.status_code == 302, form_errors(response)
    eve = Holiday.objects.get()
    response = post_form(
        admin_client, f"/admin/onboarding/holiday/{eve.pk}/change/", name="Company day"
    )
    assert response.status_code == 302, form_errors(response)
    holiday_save(day=date(2026, 12, 31), name="New Year's Eve")
    from_admin = holidays()

    Holiday.objects.all().delete()
    holiday_save(day=date(2026, 12, 31), name="New Year's Eve")
    holiday_save(day=date(2026, 12, 24), name="Company day")
    assert holidays() == from_admin

    new_year = Holiday.objects.get(date=date(2026, 12, 31))
    response = admin_client.post(f"/admin/onboarding/holiday/{new_year.pk}/delete/", {"post": "y"})
    assert response.status_code == 302
    from_admin = holidays()
    holiday_save(day=date(2026, 12, 31), name="New Year's Eve")
    holidays_delete(holidays=Holiday.objects.filter(date=date(2026, 12, 31)))
    assert holidays() == from_admin == [(date(2026, 12, 24), "Company day")]


def test_a_holiday_on_a_date_taken_is_refused_at_its_field(admin_client):
    holiday_save(day=date(2026, 12, 24), name="Christmas Eve")
    response = post_form(
        admin_client, "/admin/onboarding/holiday/add/", date="2026-12-24", name="Again"
    )
    assert list(form_errors(response)) == ["date"]
    assert holidays() == [(date(2026, 12, 24), "Christmas Eve")]


def enrolled() -> list[tuple]:
    rows = Enrollment.objects.order_by("user__email").values_list(
        "user__email", "name", "track", "start_date", "timezone", "manager__email", "day1", "day7"
    )
    return [
        (*row, list(Enrollment.objects.get(user__email=row[0]).days.values_list("date")))
        for row in rows
    ]


def test_the_csv_import_in_the_admin_is_the_import_service(admin_client):
    make_pack()
    text = csv_text(people_rows(6))
    response = admin_client.post(
        "/admin/onboarding/enrollment/import-csv/",
        {"file": SimpleUploadedFile("people.csv", text.encode(), content_type="text/csv")},
    )
    assert response.status_code == 302
    from_admin = enrolled()
    assert len(from_admin) == 6

    Enrollment.objects.all().delete()
    upload = SimpleUploadedFile("people.csv", text.encode(), content_type="text/csv")
    result = enrollments_import(opener=binary_opener(upload), source="people.csv")
    assert (result.created, result.updated) == (6, 0)
    assert enrolled() == from_admin


def sends() -> list[tuple]:
    return list(
        InterventionSend.objects.order_by("enrollment__user__email").values_list(
            "status", "attempts", "claimed_at", "last_error"
        )
    )


@time_machine.travel("2026-11-20 12:00Z", tick=False)
def test_send_again_in_the_admin_is_the_retry_service(
    admin_client, django_capture_on_commit_callbacks
):
    version = make_pack()
    people = [enroll(version, f"p{i}@example.com", manager="") for i in range(4)]
    rows = [record_due(person, 5)[0] for person in people]
    InterventionSend.objects.update(status=S.FAILED, attempts=5, last_error="after 5 tries: x")

    with django_capture_on_commit_callbacks(execute=False) as from_admin_callbacks:
        response = admin_client.post(
            "/admin/onboarding/interventionsend/",
            {"action": "send_again", "_selected_action": [rows[0].pk, rows[1].pk]},
        )
    assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=False) as service_callbacks:
        assert intervention_sends_retry(ids=[rows[2].pk, rows[3].pk]) == 2
    first, second, third, fourth = sends()
    assert first == second == third == fourth == (S.PENDING, 0, None, "after 5 tries: x")
    assert len(from_admin_callbacks) == len(service_callbacks) == 1
    next_attempts = set(InterventionSend.objects.values_list("next_attempt_at", flat=True))
    assert len(next_attempts) == 1  # all "now", the frozen clock
