"""The onboarding admin: enrollments (list, CSV import), organisation settings (singleton)."""

from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import AuditEvent
from onboarding.models import Enrollment, EnrollmentDay, OrgSettings
from onboarding.services import enrollment_enroll
from tests.factories import UserFactory, make_pack

from .admin_support import admin_form_data, form_errors
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


# --- The enrollment forms go through the enrollment service ------------------------------

ADD_URL = "/admin/onboarding/enrollment/add/"


def change_url(enrollment) -> str:
    return f"/admin/onboarding/enrollment/{enrollment.pk}/change/"


def as_written(enrollment) -> dict:
    """What the service writes for an enrollment, without what differs by person."""
    enrollment.refresh_from_db()
    fields = ("name", "track", "start_date", "timezone", "values", "holdout")
    fields += ("day1", "day7", "window_ends_at", "version_id", "manager_id", "buddy_id")
    row = {name: getattr(enrollment, name) for name in fields}
    row["days"] = list(
        enrollment.days.order_by("number").values_list("number", "date", "begins_at")
    )
    return row


def post_add(admin_client, **fields):
    return admin_client.post(ADD_URL, admin_form_data(admin_client.get(ADD_URL), **fields))


def test_an_enrollment_added_in_the_admin_is_the_one_the_service_writes(admin_client):
    version = make_pack()
    manager = UserFactory(username="lead@example.com")
    kim = UserFactory(username="kim@example.com")
    response = post_add(
        admin_client,
        user=kim.pk,
        version=version.pk,
        name="Kim Lee",
        start_date="2026-11-28",  # a Saturday
        timezone="Europe/Paris",
        manager=manager.pk,
        values='{"period": "2026-10"}',
    )
    assert response.status_code == 302, form_errors(response)
    added = Enrollment.objects.get(user=kim)
    assert added.days.count() == 9
    assert (added.day1, added.day7) == (date(2026, 11, 30), date(2026, 12, 8))

    twin = enrollment_enroll(
        email="twin@example.com",
        version=version,
        name="Kim Lee",
        start_date=date(2026, 11, 28),
        timezone="Europe/Paris",
        manager_email="lead@example.com",
        values={"period": "2026-10"},
    )
    assert as_written(added) == as_written(twin)
    events = AuditEvent.objects.filter(object_id=str(added.pk), action__startswith="enrollment.")
    assert list(events.values_list("action", "actor__username")) == [
        ("enrollment.create", "root@example.com")
    ]


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("version", "people can only be enrolled in a published version"),
        ("timezone", '"Not/AZone" is not a timezone (an IANA name such as Europe/Paris)'),
    ],
)
def test_the_add_form_shows_what_the_service_refuses_at_its_field(admin_client, field, message):
    published = make_pack()
    draft = make_pack(slug="draft-pack", published=False)
    fields = {
        "user": UserFactory(username="kim@example.com").pk,
        "version": draft.pk if field == "version" else published.pk,
        "start_date": "2026-11-30",
        "timezone": "Not/AZone" if field == "timezone" else "UTC",
    }
    response = post_add(admin_client, **fields)
    assert response.status_code == 200
    assert form_errors(response) == {field: [message]}
    html = response.content.decode()
    row = html[html.index(f'<div class="form-row errors field-{field}">') :]
    assert row.index(message.replace('"', "&quot;")) < row.index("</div>")  # in the row
    assert not Enrollment.objects.exists()


def test_the_add_form_refuses_a_person_as_their_own_manager(admin_client):
    kim = UserFactory(username="kim@example.com")
    response = post_add(
        admin_client,
        user=kim.pk,
        version=make_pack().pk,
        start_date="2026-11-30",
        timezone="UTC",
        manager=kim.pk,
    )
    assert list(form_errors(response)) == ["manager"]
    assert not Enrollment.objects.exists()


def test_a_change_in_the_admin_re_dates_the_path_as_re_enrolling_does(admin_client):
    version = make_pack()
    kim = enrollment_enroll(
        email="kim@example.com", version=version, name="Kim", start_date=date(2026, 11, 30)
    )
    twin = enrollment_enroll(
        email="twin@example.com", version=version, name="Kim", start_date=date(2026, 11, 30)
    )
    page = admin_client.get(change_url(kim))
    data = admin_form_data(
        page, start_date="2026-12-07", timezone="Asia/Tokyo", track="exploratory"
    )
    response = admin_client.post(change_url(kim), data)
    assert response.status_code == 302, form_errors(response)

    enrollment_enroll(
        email="twin@example.com",
        version=version,
        name="Kim",
        start_date=date(2026, 12, 7),
        timezone="Asia/Tokyo",
        track="exploratory",
    )
    assert as_written(kim) == as_written(twin)
    assert kim.day1 == date(2026, 12, 7) and kim.days.count() == 9
    actions = AuditEvent.objects.filter(object_id=str(kim.pk)).order_by("id")
    actions = actions.values_list("action", flat=True)
    assert list(actions) == ["enrollment.create", "enrollment.change"]


def test_the_change_form_shows_an_unknown_timezone_at_its_field(admin_client):
    kim = enrollment_enroll(
        email="kim@example.com", version=make_pack(), start_date=date(2026, 11, 30)
    )
    before = as_written(kim)
    data = admin_form_data(admin_client.get(change_url(kim)), timezone="Not/AZone")
    response = admin_client.post(change_url(kim), data)
    assert form_errors(response) == {
        "timezone": ['"Not/AZone" is not a timezone (an IANA name such as Europe/Paris)']
    }
    assert as_written(kim) == before


def test_deleting_in_the_admin_goes_through_the_service(admin_client):
    kim = enrollment_enroll(
        email="kim@example.com", version=make_pack(), start_date=date(2026, 11, 30)
    )
    response = admin_client.post(f"/admin/onboarding/enrollment/{kim.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Enrollment.objects.exists()
    assert not EnrollmentDay.objects.exists()
    event = AuditEvent.objects.get(action="enrollment.delete")
    assert (event.object_id, event.before["start_date"]) == (str(kim.pk), "2026-11-30")
