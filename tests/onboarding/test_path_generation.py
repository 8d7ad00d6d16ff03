"""A person's dated path: the version's steps for their track, dated by EnrollmentDay rows."""

from datetime import UTC, date, datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from onboarding.models import Enrollment, EnrollmentDay, OrgSettings
from onboarding.selectors.enrollments import path_steps_for
from onboarding.services import enrollment_enroll
from roles.models import PathStep, Track
from tests.factories import make_pack

pytestmark = pytest.mark.django_db
User = get_user_model()


def test_it_returns_the_tracks_steps_in_path_order(django_assert_num_queries):
    version = make_pack()
    with django_assert_num_queries(1):
        steps = list(path_steps_for(version, Track.EXPLORATORY))
    assert {s.track for s in steps} == {"exploratory"}
    assert [(s.day, s.order) for s in steps] == sorted((s.day, s.order) for s in steps)
    assert [s.day for s in steps] == [1, 1, 2, 3, 4, 5, 6, 7]


def test_it_falls_back_to_prescriptive_when_the_pack_has_no_exploratory_track():
    version = make_pack()
    PathStep.objects.filter(version=version, track=Track.EXPLORATORY).delete()
    steps = list(path_steps_for(version, Track.EXPLORATORY))
    assert steps and {s.track for s in steps} == {"prescriptive"}


def test_it_never_mixes_in_another_versions_steps():
    v1 = make_pack()
    v2 = make_pack(pack=v1.pack, number=2)
    assert {s.version_id for s in path_steps_for(v1, Track.PRESCRIPTIVE)} == {v1.pk}
    PathStep.objects.filter(version=v2, track=Track.EXPLORATORY).delete()
    assert {s.track for s in path_steps_for(v1, Track.EXPLORATORY)} == {"exploratory"}


def test_it_dates_working_days_1_to_7_30_and_90():
    enrollment = enrollment_enroll(
        email="p@example.com",
        version=make_pack(),
        start_date=date(2026, 11, 28),  # a Saturday
        timezone="Europe/Paris",
    )
    days = dict(enrollment.days.values_list("number", "date"))
    assert days == {
        1: date(2026, 11, 30),
        2: date(2026, 12, 1),
        3: date(2026, 12, 2),
        4: date(2026, 12, 3),
        5: date(2026, 12, 4),
        6: date(2026, 12, 7),
        7: date(2026, 12, 8),
        30: date(2027, 1, 8),
        90: date(2027, 4, 2),
    }
    assert (enrollment.day1, enrollment.day7) == (days[1], days[7])
    # The window ends at local midnight after day 7: 23:00 UTC in Paris in December.
    assert enrollment.window_ends_at == datetime(2026, 12, 8, 23, tzinfo=UTC)


def test_it_begins_each_day_at_the_nudge_hour_local_time_across_dst():
    OrgSettings.objects.update_or_create(pk=1, defaults={"nudge_hour": 10})
    enrollment = enrollment_enroll(
        email="dst@example.com",
        version=make_pack(),
        start_date=date(2026, 3, 26),  # Thursday before Paris springs forward
        timezone="Europe/Paris",
    )
    begins = dict(enrollment.days.values_list("number", "begins_at"))
    assert begins[1] == datetime(2026, 3, 26, 9, tzinfo=UTC)  # 10:00 CET
    assert begins[2] == datetime(2026, 3, 27, 9, tzinfo=UTC)
    assert begins[3] == datetime(2026, 3, 30, 8, tzinfo=UTC)  # 10:00 CEST


def test_regenerating_does_not_duplicate_days():
    version = make_pack()
    for start in (date(2026, 11, 30), date(2026, 11, 30), date(2026, 12, 7)):
        enrollment = enrollment_enroll(email="r@example.com", version=version, start_date=start)
    assert EnrollmentDay.objects.filter(enrollment=enrollment).count() == 9
    assert enrollment.days.get(number=1).date == date(2026, 12, 7)


def test_an_enrollment_keeps_its_path_when_the_pack_changes():
    v1 = make_pack()
    enrollment = enrollment_enroll(email="k@example.com", version=v1, start_date=date(2026, 11, 30))
    make_pack(pack=v1.pack, number=2)
    assert {s.version_id for s in path_steps_for(enrollment.version, enrollment.track)} == {v1.pk}


def test_it_refuses_a_draft_version():
    draft = make_pack(published=False)
    with pytest.raises(ValidationError, match="published") as caught:
        enrollment_enroll(email="d@example.com", version=draft, start_date=date(2026, 11, 30))
    assert list(caught.value.message_dict) == ["version"]
    assert not Enrollment.objects.exists()


def test_it_refuses_an_unknown_timezone_naming_the_field():
    with pytest.raises(ValidationError) as caught:
        enrollment_enroll(
            email="t@example.com",
            version=make_pack(),
            start_date=date(2026, 11, 30),
            timezone="Not/AZone",
        )
    assert caught.value.message_dict == {
        "timezone": ['"Not/AZone" is not a timezone (an IANA name such as Europe/Paris)']
    }
    assert not Enrollment.objects.exists()
    assert not User.objects.filter(email="t@example.com").exists()


def test_it_refuses_a_person_as_their_own_manager():
    with pytest.raises(ValidationError) as caught:
        enrollment_enroll(
            email="self@example.com",
            version=make_pack(),
            start_date=date(2026, 11, 30),
            manager_email="Self@example.com",
        )
    assert list(caught.value.message_dict) == ["manager"]
