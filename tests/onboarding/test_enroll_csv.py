"""`python manage.py enroll CSV [--dry-run]` and the bulk import service behind it."""

from datetime import date
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from onboarding.enroll_csv import enrollments_import
from onboarding.enroll_rows import EnrollmentImportError, path_opener
from onboarding.models import Enrollment, EnrollmentDay, StepCompletion
from onboarding.services import enrollment_enroll
from roles.models import PathStep, RolePackVersion
from tests.factories import UserFactory, make_pack

from .enroll_support import HEADER, people_rows, write_csv

User = get_user_model()
pytestmark = pytest.mark.django_db


def enroll(path, *args):
    out, err = StringIO(), StringIO()
    call_command("enroll", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def counts():
    return User.objects.count(), Enrollment.objects.count(), EnrollmentDay.objects.count()


def test_it_enrolls_a_1000_row_csv_with_days_managers_and_buddies(tmp_path):
    make_pack()
    path = write_csv(tmp_path, people_rows(1000))
    out, _ = enroll(path)
    assert "enrolled 1000 people (1000 new, 0 updated)" in out
    assert Enrollment.objects.count() == 1000
    assert EnrollmentDay.objects.count() == 9000
    # 1000 people + 40 managers + 25 buddies, each an account
    assert User.objects.count() == 1065
    person = Enrollment.objects.select_related("user", "manager", "buddy").get(
        user__email="person30@example.com"
    )
    assert person.manager.email == "manager1@example.com"
    assert person.buddy.email == "buddy0@example.com"
    assert person.track == "exploratory"
    assert person.timezone == "Asia/Kolkata"
    assert person.name == "Person 30"
    assert person.user.first_name == "Person" and person.user.last_name == "30"
    assert not person.user.has_usable_password()
    assert sorted(person.days.values_list("number", flat=True)) == [1, 2, 3, 4, 5, 6, 7, 30, 90]
    assert person.day1 is not None and person.window_ends_at is not None


def test_it_rejects_every_kind_of_bad_row_by_line_and_writes_nothing(tmp_path):
    make_pack()
    UserFactory(username="kept@example.com")
    before = counts()
    path = write_csv(
        tmp_path,
        [
            "ok@example.com,Ok,finance-analyst,,,,2026-11-30,Europe/Paris",
            "astro@example.com,,astronaut,,,,2026-11-30,",
            "not-an-email,,finance-analyst,,,,2026-11-30,",
            "date@example.com,,finance-analyst,,,,2026-13-01,",
            "zone@example.com,,finance-analyst,,,,2026-11-30,Mars/Olympus",
            "track@example.com,,finance-analyst,freestyle,,,2026-11-30,",
            "nostart@example.com,,finance-analyst,,,,,",
            "OK@Example.com,Again,finance-analyst,,,,2026-11-30,",
            "self@example.com,,finance-analyst,,Self@example.com,,2026-11-30,",
            "mgr@example.com,,finance-analyst,,boss@,,30/11/2026,",
            ",,,,,,,",
        ],
    )
    with pytest.raises(CommandError, match="13 error"):
        _, err = enroll(path)
    with pytest.raises(EnrollmentImportError) as exc:
        enrollments_import(opener=path_opener(str(path)), source="people.csv")
    assert [str(e) for e in exc.value.errors] == [
        'people.csv:3: role: "astronaut" is not a role with a published version',
        'people.csv:4: email: "not-an-email" is not a valid email address',
        'people.csv:5: start_date: "2026-13-01" is not a date (YYYY-MM-DD)',
        'people.csv:6: timezone: "Mars/Olympus" is not a timezone '
        "(an IANA name such as Europe/Paris)",
        'people.csv:7: track: "freestyle" is not a track (prescriptive, exploratory)',
        "people.csv:8: start_date: is required",
        'people.csv:9: email: "ok@example.com" is already enrolled on line 2 of this file',
        'people.csv:10: manager_email: "Self@example.com" is the person themselves; '
        "no one is their own manager",
        'people.csv:11: manager_email: "boss@" is not a valid email address',
        'people.csv:11: start_date: "30/11/2026" is not a date (YYYY-MM-DD)',
        "people.csv:12: email: is required",
        "people.csv:12: role: is required",
        "people.csv:12: start_date: is required",
    ]
    assert counts() == before


def test_it_prints_every_error_on_stderr_and_exits_non_zero(tmp_path):
    make_pack()
    path = write_csv(
        tmp_path,
        [
            "a@example.com,,finance-analyst,,,,2026-02-30,",
            "b@example.com,,nope,,,,2026-11-30,",
        ],
    )
    err = StringIO()
    with pytest.raises(CommandError, match="2 error\\(s\\) in people.csv; nothing was enrolled"):
        call_command("enroll", str(path), stdout=StringIO(), stderr=err)
    assert err.getvalue().splitlines() == [
        'people.csv:2: start_date: "2026-02-30" is not a date (YYYY-MM-DD)',
        'people.csv:3: role: "nope" is not a role with a published version',
    ]


def test_it_names_unknown_and_missing_header_columns(tmp_path):
    make_pack()
    path = write_csv(
        tmp_path,
        ["a@example.com,finance-analyst,blue"],
        header="email,role,favourite_colour",
    )
    with pytest.raises(EnrollmentImportError) as exc:
        enrollments_import(opener=path_opener(str(path)), source="people.csv")
    assert [str(e) for e in exc.value.errors] == [
        "people.csv:1: favourite_colour: unknown column (expected email, name, role, track, "
        "manager_email, buddy_email, start_date, timezone)",
        "people.csv:1: start_date: required column is missing",
    ]
    assert Enrollment.objects.count() == 0


def test_it_counts_lines_of_multiline_quoted_cells(tmp_path):
    make_pack()
    path = write_csv(
        tmp_path,
        [
            'a@example.com,"Ada\nLovelace",finance-analyst,,,,2026-11-30,',
            "b@example.com,,finance-analyst,,,,2026-11-31,",
        ],
    )
    with pytest.raises(EnrollmentImportError) as exc:
        enrollments_import(opener=path_opener(str(path)), source="people.csv")
    # A line break in a name is refused (it would break every email header the name is put
    # in: docs/security.md); the next record is still numbered by its physical line.
    assert [str(e) for e in exc.value.errors] == [
        "people.csv:2: name: holds a line break, tab or other control character",
        'people.csv:4: start_date: "2026-11-31" is not a date (YYYY-MM-DD)',
    ]


def test_it_writes_nothing_on_a_dry_run(tmp_path):
    make_pack()
    path = write_csv(tmp_path, people_rows(30))
    before = counts()
    out, _ = enroll(path, "--dry-run")
    assert "would enroll 30 people (30 new, 0 updated) — dry run, nothing written" in out
    assert counts() == before


def test_it_updates_on_re_enrolling_the_same_file_without_duplicates(tmp_path):
    make_pack()
    path = write_csv(tmp_path, people_rows(50))
    enroll(path)
    first = counts()
    rows = people_rows(50)
    rows[7] = "person7@example.com,Person Seven,finance-analyst,exploratory,,,2026-12-14,UTC"
    path = write_csv(tmp_path, rows)
    out, _ = enroll(path)
    assert "enrolled 50 people (0 new, 50 updated)" in out
    assert counts() == first
    seven = Enrollment.objects.get(user__email="person7@example.com")
    assert (seven.name, seven.track, seven.start_date, seven.timezone) == (
        "Person Seven",
        "exploratory",
        date(2026, 12, 14),
        "UTC",
    )
    assert seven.manager is None and seven.buddy is None
    assert seven.day1 == date(2026, 12, 14)
    assert seven.days.get(number=1).date == date(2026, 12, 14)


def test_it_treats_emails_case_insensitively(tmp_path):
    make_pack()
    alice = UserFactory(username="alice", email="Alice@X.com")
    path = write_csv(tmp_path, ["alice@x.com,Alice,finance-analyst,,BOSS@x.com,,2026-11-30,"])
    enroll(path)
    path = write_csv(tmp_path, ["ALICE@X.COM,Alice,finance-analyst,,boss@X.com,,2026-12-01,"])
    enroll(path)
    enrollment = Enrollment.objects.get()
    assert enrollment.user == alice
    assert enrollment.start_date == date(2026, 12, 1)
    assert User.objects.filter(email__iexact="boss@x.com").count() == 1

    dup = write_csv(
        tmp_path,
        [
            "bob@x.com,,finance-analyst,,,,2026-11-30,",
            "Bob@X.com,,finance-analyst,,,,2026-11-30,",
        ],
    )
    with pytest.raises(EnrollmentImportError) as exc:
        enrollments_import(opener=path_opener(str(dup)), source="people.csv")
    assert [str(e) for e in exc.value.errors] == [
        'people.csv:3: email: "bob@x.com" is already enrolled on line 2 of this file'
    ]


def test_it_applies_the_defaults_for_track_and_timezone(tmp_path, settings):
    settings.TIME_ZONE = "Europe/Berlin"
    make_pack()
    path = write_csv(tmp_path, ["d@example.com,,finance-analyst,,,,2026-11-30,"])
    enroll(path)
    enrollment = Enrollment.objects.get()
    assert (enrollment.track, enrollment.timezone) == ("prescriptive", "Europe/Berlin")


def test_it_enrolls_in_the_latest_published_version(tmp_path):
    v1 = make_pack()
    v2 = make_pack(pack=v1.pack, number=2)
    make_pack(pack=v1.pack, number=3, published=False)
    path = write_csv(tmp_path, ["v@example.com,,finance-analyst,,,,2026-11-30,"])
    enroll(path)
    assert Enrollment.objects.get().version == v2


def test_it_keeps_the_version_of_a_re_enrolled_person_whose_role_is_unchanged(tmp_path):
    v1 = make_pack()
    path = write_csv(tmp_path, ["k@example.com,,finance-analyst,,,,2026-11-30,"])
    enroll(path)
    make_pack(pack=v1.pack, number=2)
    enroll(path)
    assert Enrollment.objects.get().version == v1


def test_it_moves_a_person_switching_role_to_the_new_roles_latest_version(tmp_path):
    finance = make_pack()
    sales = make_pack("sales", name="Sales")
    path = write_csv(tmp_path, ["s@example.com,,finance-analyst,,,,2026-11-30,"])
    enroll(path)
    enrollment = Enrollment.objects.get()
    step = PathStep.objects.filter(version=finance).first()
    StepCompletion.objects.create(enrollment=enrollment, step=step, done_at=enrollment.enrolled_at)
    path = write_csv(tmp_path, ["s@example.com,,sales,,,,2026-12-07,"])
    enroll(path)
    enrollment.refresh_from_db()
    assert enrollment.version == sales
    assert enrollment.day1 == date(2026, 12, 7)
    assert sorted(enrollment.days.values_list("date", flat=True))[0] == date(2026, 12, 7)
    # Steps of the old role's path are not on the new one.
    assert not StepCompletion.objects.filter(enrollment=enrollment).exists()


def test_it_writes_the_same_rows_as_enrolling_each_person_alone(tmp_path, settings):
    version = make_pack()
    rows = [
        "p1@example.com,Pat One,finance-analyst,,m@example.com,b@example.com,2026-11-28,"
        "Australia/Sydney",
        "m@example.com,Manager Named Later,finance-analyst,exploratory,,,2026-12-01,"
        "America/New_York",
        "p2@example.com,,finance-analyst,,M@example.com,,2026-12-24,Pacific/Auckland",
    ]

    def snapshot():
        result = []
        for e in Enrollment.objects.select_related("user", "manager", "buddy").order_by(
            "user__email"
        ):
            result.append(
                (
                    e.user.email,
                    e.user.username,
                    e.user.first_name,
                    e.user.last_name,
                    e.name,
                    e.track,
                    e.start_date,
                    e.timezone,
                    e.manager and e.manager.email,
                    e.buddy and e.buddy.email,
                    e.day1,
                    e.day7,
                    e.window_ends_at,
                    e.holdout,
                    e.version_id,
                    [(d.number, d.date, d.begins_at) for d in e.days.order_by("number")],
                )
            )
        users = sorted(User.objects.values_list("email", "username", "first_name", "last_name"))
        return result, users

    enroll(write_csv(tmp_path, rows), "--batch-size", "2")
    bulk = snapshot()
    Enrollment.objects.all().delete()
    User.objects.all().delete()
    for row in rows:
        email, name, _, track, manager, buddy, start, zone = row.split(",")
        enrollment_enroll(
            email=email,
            name=name,
            version=version,
            track=track or "prescriptive",
            manager_email=manager,
            buddy_email=buddy,
            start_date=date.fromisoformat(start),
            timezone=zone,
        )
    assert snapshot() == bulk


def test_it_holds_out_new_enrollments_with_the_versions_percent(tmp_path):
    version = make_pack()
    RolePackVersion.objects.filter(pk=version.pk).update(holdout_percent=50)
    enroll(write_csv(tmp_path, people_rows(400)))
    held = Enrollment.objects.filter(holdout=True).count()
    # Binomial(400, 0.5): outside 120..280 has a probability below 1e-15.
    assert 120 < held < 280
    RolePackVersion.objects.filter(pk=version.pk).update(holdout_percent=0)
    Enrollment.objects.all().delete()
    enroll(write_csv(tmp_path, people_rows(100)))
    assert not Enrollment.objects.filter(holdout=True).exists()


def test_it_keeps_the_holdout_draw_on_re_enroll(tmp_path):
    version = make_pack()
    RolePackVersion.objects.filter(pk=version.pk).update(holdout_percent=50)
    path = write_csv(tmp_path, people_rows(60))
    enroll(path)
    before = dict(Enrollment.objects.values_list("user__email", "holdout"))
    enroll(path)
    assert dict(Enrollment.objects.values_list("user__email", "holdout")) == before


def test_it_reports_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        enroll(tmp_path / "absent.csv")


def test_it_reads_a_utf8_file_with_a_byte_order_mark(tmp_path):
    make_pack()
    path = tmp_path / "bom.csv"
    path.write_text(
        HEADER + "\nzoe@example.com,Zoë,finance-analyst,,,,2026-11-30,\n", encoding="utf-8-sig"
    )
    enroll(path)
    assert Enrollment.objects.get().name == "Zoë"


def test_deleting_enrollments_deletes_their_working_days(tmp_path):
    """Working days have no database-level foreign key (docs/enrollment.md, "Performance"):
    the ORM's CASCADE is what deletes them with their enrollment, one or many at a time."""
    make_pack()
    enroll(write_csv(tmp_path, people_rows(30)))
    assert EnrollmentDay.objects.count() == 30 * 9
    Enrollment.objects.order_by("id").first().delete()
    assert EnrollmentDay.objects.count() == 29 * 9
    Enrollment.objects.all().delete()
    assert not EnrollmentDay.objects.exists()
