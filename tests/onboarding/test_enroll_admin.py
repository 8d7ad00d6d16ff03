"""The onboarding admin: enrollments (list, CSV import), organisation settings (singleton)."""

from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile

from onboarding.models import Enrollment, OrgSettings
from onboarding.services import enrollment_enroll
from tests.factories import UserFactory, make_pack

from .enroll_support import csv_text, people_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="root@example.com", is_staff=True, is_superuser=True))
    return client


def upload(text: str, name: str = "people.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def test_the_enrollment_list_shows_people_in_a_bounded_number_of_queries(
    admin_client, django_assert_max_num_queries
):
    version = make_pack()
    for i in range(30):
        enrollment_enroll(
            email=f"p{i}@example.com", name=f"P {i}", version=version, start_date=date(2026, 12, 7)
        )
    with django_assert_max_num_queries(12):
        response = admin_client.get("/admin/onboarding/enrollment/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "p29@example.com" in body and "finance-analyst v1" in body
    assert "Import CSV" in body
    assert admin_client.get("/admin/onboarding/enrollment/?q=p7@").status_code == 200
    assert admin_client.get("/admin/onboarding/enrollment/?track=exploratory").status_code == 200
    detail = admin_client.get(
        f"/admin/onboarding/enrollment/{Enrollment.objects.first().pk}/change/"
    )
    assert detail.status_code == 200


def test_the_admin_imports_a_csv_through_the_same_service(admin_client):
    make_pack()
    response = admin_client.post(
        "/admin/onboarding/enrollment/import-csv/",
        {"file": upload(csv_text(people_rows(12)))},
        follow=True,
    )
    assert response.status_code == 200
    assert "Enrolled 12 people from people.csv: 12 new, 0 updated." in response.content.decode()
    assert Enrollment.objects.count() == 12


def test_the_admin_import_lists_every_bad_row_and_writes_nothing(admin_client):
    make_pack()
    text = csv_text(
        ["a@example.com,,finance-analyst,,,,2026-13-01,", "b@example.com,,ghost,,,,2026-11-30,"]
    )
    response = admin_client.post("/admin/onboarding/enrollment/import-csv/", {"file": upload(text)})
    body = response.content.decode()
    assert "2 error(s) in people.csv; nothing was enrolled." in body
    assert "people.csv:2: start_date: &quot;2026-13-01&quot; is not a date (YYYY-MM-DD)" in body
    assert "people.csv:3: role: &quot;ghost&quot; is not a role with a published version" in body
    assert Enrollment.objects.count() == 0


def test_the_admin_import_dry_run_writes_nothing(admin_client):
    make_pack()
    response = admin_client.post(
        "/admin/onboarding/enrollment/import-csv/",
        {"file": upload(csv_text(people_rows(3))), "dry_run": "on"},
    )
    assert "Would enroll 3 people" in response.content.decode()
    assert Enrollment.objects.count() == 0


def test_the_import_view_needs_the_add_permission(client):
    staff = UserFactory(username="viewer@example.com", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_enrollment"))
    client.force_login(staff)
    assert client.get("/admin/onboarding/enrollment/import-csv/").status_code == 403
    client.force_login(UserFactory(username="nobody@example.com"))
    response = client.get("/admin/onboarding/enrollment/import-csv/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_org_settings_is_a_singleton_in_the_admin(admin_client):
    assert admin_client.get("/admin/onboarding/orgsettings/add/").status_code == 200
    OrgSettings.load()
    assert admin_client.get("/admin/onboarding/orgsettings/add/").status_code == 403
    assert admin_client.get("/admin/onboarding/orgsettings/1/delete/").status_code == 403
    response = admin_client.post(
        "/admin/onboarding/orgsettings/1/change/",
        {
            "nudge_hour": 8,
            "accountability_after_day": 10,
            "hourly_rate": "55.00",
            "currency": "EUR",
        },
    )
    assert response.status_code == 302
    assert OrgSettings.load().nudge_hour == 8


def test_the_change_page_keeps_the_version_and_names_the_working_days(admin_client):
    version = make_pack()
    enrollment = enrollment_enroll(
        email="kim@example.com", name="Kim", version=version, start_date=date(2026, 12, 7)
    )
    page = admin_client.get(f"/admin/onboarding/enrollment/{enrollment.pk}/change/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'name="version"' not in html  # shown, not editable
    assert "finance-analyst" in html
    assert "Working day 1:" in html and "Working day 7:" in html
    assert "Day1:" not in html and "Day7:" not in html
    # Adding someone still chooses a version.
    assert (
        'name="version"' in admin_client.get("/admin/onboarding/enrollment/add/").content.decode()
    )
