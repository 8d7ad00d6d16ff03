from datetime import UTC, date, datetime
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import override_settings

from onboarding import workdays
from onboarding.management.commands.demo import (
    ADMIN_EMAIL,
    AUTHOR_EMAIL,
    BUDDY_EMAIL,
    DEMO_PASSWORD,
    MANAGER_EMAIL,
    PEOPLE,
    start_date_for_day,
)
from onboarding.models import (
    Enrollment,
    EnrollmentDay,
    FvmCompletion,
    Holiday,
    InterventionSend,
    StepCompletion,
)
from onboarding.selectors.enrollments import holiday_dates
from roles.models import Demo, PathStep, Prompt, RolePack, RolePackVersion

User = get_user_model()
PACK_SLUGS = sorted(
    p.stem for p in (Path(django_settings.BASE_DIR) / "examples/rolepacks").glob("*.yaml")
)

WEDNESDAY = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)
SATURDAY = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
# 03:00 UTC on a Monday is still Sunday evening in New York.
EARLY_MONDAY = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


@pytest.fixture
def debug_on(settings):
    settings.DEBUG = True


def run_demo(*args) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    models = (
        User,
        Group,
        RolePack,
        RolePackVersion,
        Prompt,
        Demo,
        PathStep,
        Enrollment,
        EnrollmentDay,
        StepCompletion,
        FvmCompletion,
        InterventionSend,
    )
    return {model.__name__: model.objects.count() for model in models}


def test_it_uses_the_last_working_day_as_today_on_a_weekend():
    saturday = date(2026, 11, 21)
    assert start_date_for_day(today=saturday, day=1) == date(2026, 11, 20)
    assert start_date_for_day(today=saturday, day=5) == date(2026, 11, 16)
    assert start_date_for_day(today=date(2026, 11, 23), day=2) == date(2026, 11, 20)


def test_it_skips_holidays_when_counting_back():
    holidays = {date(2026, 11, 19)}
    assert start_date_for_day(today=date(2026, 11, 20), day=3, holidays=holidays) == date(
        2026, 11, 17
    )


def test_it_scripts_only_the_past():
    for person in PEOPLE:
        assert person.steps_through < person.day, person.email
        if person.fvm_day is not None:
            assert person.fvm_day < person.day, person.email
            assert person.fvm_day <= person.steps_through, person.email


@pytest.mark.django_db
def test_it_refuses_to_create_known_passwords_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        run_demo()
    assert not User.objects.exists()
    assert not RolePack.objects.exists()


@pytest.mark.django_db
@time_machine.travel(WEDNESDAY, tick=False)
def test_it_runs_with_debug_off_when_forced(settings):
    settings.DEBUG = False
    run_demo("--force")
    assert User.objects.get(email=ADMIN_EMAIL).check_password(DEMO_PASSWORD)


@pytest.mark.django_db
def test_it_gives_the_same_state_when_run_twice(debug_on):
    with time_machine.travel(WEDNESDAY, tick=False):
        run_demo()
        first = counts()
        starts = dict(Enrollment.objects.values_list("user__email", "start_date"))
        run_demo()
    assert counts() == first
    assert dict(Enrollment.objects.values_list("user__email", "start_date")) == starts
    assert first["Enrollment"] == len(PEOPLE)
    assert first["RolePackVersion"] == 5
    assert first["FvmCompletion"] == sum(1 for p in PEOPLE if p.fvm_day)


@pytest.mark.django_db
@pytest.mark.parametrize("now", [WEDNESDAY, SATURDAY, EARLY_MONDAY], ids=["wed", "sat", "mon"])
def test_it_puts_everyone_on_their_working_day_today(debug_on, now):
    with time_machine.travel(now, tick=False):
        run_demo()
    holidays = holiday_dates()
    for person in PEOPLE:
        enrollment = Enrollment.objects.get(user__email=person.email)
        today = workdays.local_date(now, person.timezone)
        assert enrollment.version.pack.slug == person.role
        assert enrollment.track == person.track
        assert enrollment.day1 <= today
        assert workdays.ttv(enrollment.start_date, today, holidays) == person.day, person.email
        assert (enrollment.window_ends_at <= now) == (person.day > 7), person.email
        assert not enrollment.holdout


@pytest.mark.django_db
def test_it_moves_everyone_along_when_rerun_on_a_later_day(debug_on):
    with time_machine.travel(WEDNESDAY, tick=False):
        run_demo()
        before = counts()
    later = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)  # the next Tuesday
    with time_machine.travel(later, tick=False):
        run_demo()
    assert counts() == before
    for person in PEOPLE:
        enrollment = Enrollment.objects.get(user__email=person.email)
        today = workdays.local_date(later, person.timezone)
        assert workdays.ttv(enrollment.start_date, today) == person.day
        if person.fvm_day:
            assert enrollment.fvm_completion.ttv == person.fvm_day


@pytest.mark.django_db
@time_machine.travel(WEDNESDAY, tick=False)
def test_it_counts_holidays_in_the_working_days(debug_on):
    Holiday.objects.create(date=date(2026, 11, 16), name="Company day")
    run_demo()
    david = Enrollment.objects.get(user__email="david.kim@example.com")
    assert david.start_date == date(2026, 11, 11)
    assert workdays.ttv(david.start_date, date(2026, 11, 18), holiday_dates()) == 5


@pytest.mark.django_db
@time_machine.travel(SATURDAY, tick=False)
def test_it_prints_how_to_sign_in(debug_on):
    out = run_demo()
    assert "http://127.0.0.1:8000/" in out
    assert DEMO_PASSWORD in out
    for email in (ADMIN_EMAIL, AUTHOR_EMAIL, MANAGER_EMAIL, *(p.email for p in PEOPLE)):
        assert email in out
    for url in ("/my/", "/team/", "/dashboard/", "/admin/"):
        assert url in out


@pytest.fixture(scope="class")
def wednesday_demo(django_db_setup, django_db_blocker):
    """One demo run on a Wednesday for the tests that only read what it made: it runs inside
    a transaction that each test's own transaction nests in, rolled back after the class."""
    with django_db_blocker.unblock(), transaction.atomic():
        with time_machine.travel(WEDNESDAY, tick=False), override_settings(DEBUG=True):
            output = run_demo()
        yield output
        transaction.set_rollback(True)
    with django_db_blocker.unblock():
        assert not RolePack.objects.exists()  # nothing left for the tests that follow


class TestOneWednesdayRun:
    @pytest.mark.django_db
    @time_machine.travel(WEDNESDAY, tick=False)
    def test_it_imports_and_publishes_every_example_pack(self, wednesday_demo):
        assert len(PACK_SLUGS) == 5
        assert sorted(RolePack.objects.values_list("slug", flat=True)) == PACK_SLUGS
        for slug in PACK_SLUGS:
            version = RolePackVersion.objects.get(pack__slug=slug)
            assert version.is_published
            assert version.created_by.email == AUTHOR_EMAIL
            assert version.prompts.count() >= 5
            assert version.demos.exists()
            for track in ("prescriptive", "exploratory"):
                steps = version.steps.filter(track=track)
                assert set(steps.values_list("day", flat=True)) == set(range(1, 8))
                assert steps.filter(kind=PathStep.Kind.FVM_TASK).count() == 1
            assert list(version.interventions.values_list("day", "kind")) == [
                (5, "manager_nudge"),
                (6, "microtraining"),
                (7, "power_user_session"),
            ]
            assert 3 <= version.kpis.count() <= 5

    @pytest.mark.django_db
    @time_machine.travel(WEDNESDAY, tick=False)
    def test_it_records_first_value_and_steps_as_scripted(self, wednesday_demo):
        for person in PEOPLE:
            enrollment = Enrollment.objects.get(user__email=person.email)
            # The FVM task is done by recording first value, not as a scripted step.
            steps = enrollment.step_completions.exclude(step__kind="fvm_task")
            done_days = set(steps.values_list("step__day", flat=True))
            scripted = PathStep.objects.filter(
                version=enrollment.version, track=enrollment.track, day__lte=person.steps_through
            ).exclude(kind="fvm_task")
            assert done_days == set(scripted.values_list("day", flat=True)), person.email
            fvm = FvmCompletion.objects.filter(enrollment=enrollment).first()
            if person.fvm_day is None:
                assert fvm is None, person.email
                assert not enrollment.step_completions.filter(step__kind="fvm_task").exists()
            else:
                assert fvm.ttv == person.fvm_day, person.email
                assert fvm.minutes_taken == person.fvm_minutes
                assert (
                    fvm.minutes_saved == enrollment.version.fvm_baseline_minutes - fvm.minutes_taken
                )
                assert fvm.completed_at <= WEDNESDAY
                task = enrollment.step_completions.get(step__kind="fvm_task")
                assert task.done_at == fvm.completed_at

    @pytest.mark.django_db
    @time_machine.travel(WEDNESDAY, tick=False)
    def test_it_sets_up_admin_author_manager_and_buddy(self, wednesday_demo):
        admin = User.objects.get(email=ADMIN_EMAIL)
        assert admin.is_superuser and admin.is_staff
        author = User.objects.get(email=AUTHOR_EMAIL)
        assert author.is_staff and not author.is_superuser
        assert author.groups.filter(name="enablement").exists()
        assert author.has_perm("roles.change_rolepackversion")
        assert author.has_perm("roles.add_prompt")
        manager = User.objects.get(email=MANAGER_EMAIL)
        assert not manager.is_staff
        buddy = User.objects.get(email=BUDDY_EMAIL)
        others = Enrollment.objects.exclude(user=buddy)
        assert others.count() == len(PEOPLE) - 1
        assert set(others.values_list("manager", "buddy")) == {(manager.pk, buddy.pk)}
        for user in User.objects.all():
            assert user.check_password(DEMO_PASSWORD), user.email
