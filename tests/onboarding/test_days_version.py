"""Working days carry their enrollment's version, however they were written (the sweep
matches days to a version's interventions by it)."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from onboarding.models import Enrollment, EnrollmentDay
from onboarding.services import enrollment_enroll, enrollment_paths_regenerate
from tests.factories import make_pack

from .enroll_support import people_rows, write_csv

pytestmark = pytest.mark.django_db


def versions_of_days() -> dict[int, set[int]]:
    """Each enrollment's versions as its days record them."""
    found: dict[int, set[int]] = {}
    for enrollment_id, version_id in EnrollmentDay.objects.values_list(
        "enrollment_id", "version_id"
    ):
        found.setdefault(enrollment_id, set()).add(version_id)
    return found


def versions_of_enrollments() -> dict[int, set[int]]:
    return {pk: {version_id} for pk, version_id in Enrollment.objects.values_list("pk", "version")}


def enroll_csv(tmp_path, rows):
    call_command("enroll", str(write_csv(tmp_path, rows)), stdout=StringIO(), stderr=StringIO())


def test_days_written_by_the_csv_import_carry_the_version(tmp_path):
    # PostgreSQL: the COPY text of enroll_bulk; SQLite: its bulk_create.
    finance = make_pack()
    sales = make_pack("sales", name="Sales")
    enroll_csv(tmp_path, people_rows(30))
    enroll_csv(tmp_path, [row.replace("person", "seller") for row in people_rows(20, role="sales")])
    assert EnrollmentDay.objects.count() == 50 * 9
    assert versions_of_days() == versions_of_enrollments()
    assert {v for versions in versions_of_days().values() for v in versions} == {
        finance.pk,
        sales.pk,
    }


def test_days_of_a_single_enrollment_carry_its_version():
    version = make_pack()
    enrollment = enrollment_enroll(
        email="one@example.com", version=version, start_date=date(2026, 11, 30)
    )
    assert set(enrollment.days.values_list("version_id", flat=True)) == {version.pk}


def test_a_role_switch_gives_the_days_the_new_version():
    finance = make_pack()
    sales = make_pack("sales", name="Sales")
    enrollment_enroll(email="s@example.com", version=finance, start_date=date(2026, 11, 30))
    enrollment = enrollment_enroll(
        email="s@example.com", version=sales, start_date=date(2026, 12, 7)
    )
    assert enrollment.version == sales
    assert set(enrollment.days.values_list("version_id", flat=True)) == {sales.pk}


def test_a_role_switch_by_csv_gives_the_days_the_new_version(tmp_path):
    finance = make_pack()
    sales = make_pack("sales", name="Sales")
    enroll_csv(tmp_path, people_rows(10))
    # Half of them move to sales, the other half are re-dated in their role.
    moved = [row.replace("finance-analyst", "sales") for row in people_rows(5)]
    enroll_csv(tmp_path, moved + people_rows(10, start=date(2026, 12, 14))[5:])
    assert versions_of_days() == versions_of_enrollments()
    assert Enrollment.objects.filter(version=sales).count() == 5
    assert Enrollment.objects.filter(version=finance).count() == 5


def test_re_dated_paths_keep_the_version():
    version = make_pack()
    enrollment_enroll(email="r@example.com", version=version, start_date=date(2030, 1, 7))
    assert enrollment_paths_regenerate(
        enrollments=Enrollment.objects.all(), today=date(2030, 1, 1)
    ) == (1, 0)
    assert versions_of_days() == versions_of_enrollments()
