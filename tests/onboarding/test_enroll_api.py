"""POST /api/enrollments/bulk/: CSV body, multipart upload or JSON rows; admins and authors."""

import base64

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from onboarding.models import Enrollment, EnrollmentDay
from tests.factories import UserFactory, enablement_user, make_pack

from .enroll_support import csv_text, people_rows

URL = "/api/enrollments/bulk/"
pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def author():
    user = UserFactory(username="author@example.com")
    user.groups.add(Group.objects.get_or_create(name="enablement")[0])
    return user


@pytest.fixture
def admin_user_():
    return UserFactory(username="root@example.com", is_staff=True, is_superuser=True)


def test_it_refuses_anonymous_callers_with_401(api):
    make_pack()
    response = api.post(URL, csv_text(people_rows(2)), content_type="text/csv")
    assert response.status_code == 401
    assert "Basic" in response["WWW-Authenticate"]
    assert Enrollment.objects.count() == 0


def test_it_refuses_an_employee_with_403(api):
    make_pack()
    api.force_authenticate(UserFactory())
    response = api.post(URL, csv_text(people_rows(2)), content_type="text/csv")
    assert response.status_code == 403
    assert Enrollment.objects.count() == 0


def test_it_refuses_an_enrolled_manager_with_403(api):
    make_pack()
    # A manager of enrolled people is still not an admin.
    manager = UserFactory(username="boss@example.com")
    api.force_authenticate(manager)
    rows = [{"email": "x@example.com", "role": "finance-analyst", "start_date": "2026-11-30"}]
    assert api.post(URL, rows, format="json").status_code == 403


def test_it_enrolls_a_csv_body_for_an_author(api, author):
    make_pack()
    api.force_authenticate(author)
    response = api.post(URL, csv_text(people_rows(30)), content_type="text/csv")
    assert response.status_code == 201, response.content
    assert response.json() == {"rows": 30, "created": 30, "updated": 0, "dry_run": False}
    assert EnrollmentDay.objects.count() == 270


def test_it_enrolls_a_multipart_upload_for_an_admin(api, admin_user_):
    make_pack()
    api.force_authenticate(admin_user_)
    upload = SimpleUploadedFile(
        "people.csv", csv_text(people_rows(5)).encode(), content_type="text/csv"
    )
    response = api.post(URL, {"file": upload}, format="multipart")
    assert response.status_code == 201, response.content
    assert response.json()["created"] == 5


def test_it_enrolls_json_rows_and_answers_200_when_only_updating(api, admin_user_):
    make_pack()
    api.force_authenticate(admin_user_)
    rows = [
        {
            "email": "Jo@example.com",
            "name": "Jo",
            "role": "finance-analyst",
            "start_date": "2026-11-30",
            "timezone": "Europe/Paris",
            "manager_email": None,
        },
    ]
    assert api.post(URL, rows, format="json").status_code == 201
    rows[0]["name"] = "Joanna"
    response = api.post(URL, rows, format="json")
    assert response.status_code == 200
    assert response.json() == {"rows": 1, "created": 0, "updated": 1, "dry_run": False}
    assert Enrollment.objects.get().name == "Joanna"


def test_it_signs_in_with_basic_auth_for_scripts(api):
    make_pack()
    enablement_user(username="script@example.com", is_staff=True)
    token = base64.b64encode(b"script@example.com:pw-for-tests-1").decode()
    api.credentials(HTTP_AUTHORIZATION=f"Basic {token}")
    response = api.post(URL, csv_text(people_rows(1)), content_type="text/csv")
    assert response.status_code == 201


def test_it_answers_400_listing_every_bad_row_and_writes_nothing(api, author):
    make_pack()
    api.force_authenticate(author)
    body = csv_text(
        [
            "good@example.com,,finance-analyst,,,,2026-11-30,",
            "bad-email,,finance-analyst,,,,2026-11-30,",
            "late@example.com,,finance-analyst,,,,2026-13-01,",
            "good@example.com,,finance-analyst,,,,2026-11-30,Nowhere/City",
        ]
    )
    response = api.post(URL, body, content_type="text/csv")
    assert response.status_code == 400
    assert [e["text"] for e in response.json()["errors"]] == [
        'request:3: email: "bad-email" is not a valid email address',
        'request:4: start_date: "2026-13-01" is not a date (YYYY-MM-DD)',
        'request:5: timezone: "Nowhere/City" is not a timezone (an IANA name such as Europe/Paris)',
        'request:5: email: "good@example.com" is already enrolled on line 2 of this file',
    ]
    assert response.json()["errors"][0] == {
        "line": 3,
        "column": "email",
        "message": '"bad-email" is not a valid email address',
        "text": 'request:3: email: "bad-email" is not a valid email address',
    }
    assert Enrollment.objects.count() == 0


def test_it_numbers_json_rows_from_1_in_errors(api, author):
    make_pack()
    api.force_authenticate(author)
    rows = [
        {"email": "a@example.com", "role": "finance-analyst", "start_date": "2026-11-30"},
        {"email": "b@example.com", "role": "ghost", "start_date": "2026-11-30", "age": 3},
        "not an object",
    ]
    response = api.post(URL, rows, format="json")
    assert response.status_code == 400
    assert [e["text"] for e in response.json()["errors"]] == [
        "rows:2: age: unknown column",
        'rows:2: role: "ghost" is not a role with a published version',
        "rows:3: row: has more fields than the header",
        "rows:3: email: is required",
        "rows:3: role: is required",
        "rows:3: start_date: is required",
    ]


def test_it_checks_only_on_a_dry_run(api, author):
    make_pack()
    api.force_authenticate(author)
    response = api.post(URL + "?dry_run=1", csv_text(people_rows(3)), content_type="text/csv")
    assert response.status_code == 200
    assert response.json() == {"rows": 3, "created": 3, "updated": 0, "dry_run": True}
    assert Enrollment.objects.count() == 0


def test_it_answers_400_for_a_body_that_is_neither_csv_nor_rows(api, author):
    api.force_authenticate(author)
    response = api.post(URL, {"email": "x@example.com"}, format="json")
    assert response.status_code == 400


def test_it_is_in_the_openapi_schema(api, admin_user_):
    api.force_authenticate(admin_user_)
    response = api.get("/api/schema/?format=json")
    assert response.status_code == 200
    assert "/api/enrollments/bulk/" in response.json()["paths"]
