"""The person's own enrollment read in one hand-written statement (onboarding/selectors/own.py)
gives what the ORM gives: the same field values, first value, manager and buddy, and the same
answers to "leads anyone", "may run the rollout" and "has banners waiting"."""

from datetime import UTC, date, datetime

import pytest
from django.contrib.auth.models import Group, Permission

from onboarding.models import Enrollment, FvmCompletion, InterventionSend, StepCompletion
from onboarding.selectors.banners import banners_for_user
from onboarding.selectors.own import own_days_and_done, own_enrollment
from roles.models import Intervention, PathStep
from roles.permissions import PERMISSION_CODENAME, enablement_group, is_enablement
from tests.factories import UserFactory, make_pack

pytestmark = pytest.mark.django_db


def _fields(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


@pytest.fixture
def ada(enroll):
    version = make_pack()
    return enroll(
        "ada@example.com",
        version,
        name="Ada Lovelace",
        timezone="Asia/Kolkata",
        manager_email="grace@example.com",
        buddy_email="alan@example.com",
        values={"team": "FP&A", "region": "EMEA", "n": 3},
    )


def test_it_reads_every_field_the_orm_reads(ada, django_assert_num_queries):
    FvmCompletion.objects.create(
        enrollment=ada,
        completed_at=datetime(2026, 12, 2, 15, 30, 12, 345678, tzinfo=UTC),
        local_date=date(2026, 12, 2),
        ttv=3,
        minutes_taken=12,
        minutes_saved=78,
        evidence="https://intranet.example.com/x",
        rating=5,
    )
    orm = Enrollment.objects.select_related("fvm_completion", "manager", "buddy").get(pk=ada.pk)
    with django_assert_num_queries(1):
        own = own_enrollment(ada.user, people=True)
        fvm, manager, buddy = own.fvm_completion, own.manager, own.buddy  # cached: no query
    assert _fields(own) == _fields(orm)
    assert own.values == {"team": "FP&A", "region": "EMEA", "n": 3}
    assert own.holdout is False and isinstance(own.holdout, bool)
    assert own.window_ends_at.tzinfo is not None
    assert _fields(fvm) == _fields(orm.fvm_completion)
    assert _fields(manager) == _fields(orm.manager)
    assert _fields(buddy) == _fields(orm.buddy)
    assert not own._state.adding and own._state.db == "default"


def test_without_people_it_reads_no_colleague_and_a_missing_first_value_is_cached(
    ada, django_assert_num_queries
):
    with django_assert_num_queries(1):
        own = own_enrollment(ada.user, people=False)
        with pytest.raises(FvmCompletion.DoesNotExist):
            own.fvm_completion  # noqa: B018 (cached as absent, as select_related does)
    assert _fields(own) == _fields(Enrollment.objects.get(pk=ada.pk))
    assert not hasattr(ada.user, "has_team_known")


def test_someone_not_enrolled_has_none():
    assert own_enrollment(UserFactory(), people=True) is None


def test_it_answers_who_leads_someone(ada):
    user = ada.user
    own_enrollment(user, people=True)
    assert user.has_team_known is False
    Enrollment.objects.create(
        user=UserFactory(),
        version=ada.version,
        start_date=ada.start_date,
        timezone="UTC",
        day1=ada.day1,
        day7=ada.day7,
        window_ends_at=ada.window_ends_at,
        buddy=user,
    )
    own_enrollment(user, people=True)
    assert user.has_team_known is True
    assert own_enrollment(ada.manager, people=True) is None  # leads Ada, not enrolled


@pytest.mark.parametrize("how", ["none", "group", "direct", "superuser", "other_permission"])
def test_it_answers_who_may_run_the_rollout_as_has_perm_does(ada, how):
    user = ada.user
    if how == "group":
        user.groups.add(enablement_group())
    elif how == "direct":
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label="roles", codename=PERMISSION_CODENAME)
        )
    elif how == "superuser":
        user.is_superuser = True
        user.save()
    elif how == "other_permission":
        group = Group.objects.create(name="readers")
        group.permissions.add(Permission.objects.get(codename="view_enrollment"))
        user.groups.add(group)
    expected = type(user).objects.get(pk=user.pk).has_perm(f"roles.{PERMISSION_CODENAME}")
    own_enrollment(user, people=True)
    assert user.is_enablement_known is expected
    assert is_enablement(user) is expected
    assert expected is (how in {"group", "direct", "superuser"})


def _sent(enrollment, recipient: str, *, channel=Intervention.Channel.IN_APP, status="sent"):
    intervention = enrollment.version.interventions.order_by("day").first()
    Intervention.objects.filter(pk=intervention.pk).update(channel=channel)
    return InterventionSend.objects.create(
        enrollment=enrollment,
        intervention=intervention,
        status=status,
        due_at=datetime(2026, 12, 4, 9, tzinfo=UTC),
        sent_at=datetime(2026, 12, 4, 9, tzinfo=UTC),
        recipient=recipient,
    )


@pytest.mark.parametrize(
    ("recipient", "channel", "status", "fvm", "waiting"),
    [
        ("ada@example.com", "in_app", "sent", False, True),
        ("ADA@Example.com", "in_app", "sent", False, True),  # iexact, as the ORM asks
        ("ada@example.com", "email", "sent", False, False),
        ("ada@example.com", "in_app", "pending", False, False),
        ("ada@example.com", "in_app", "sent", True, False),  # first value reached first
        ("grace@example.com", "in_app", "sent", False, False),
    ],
)
def test_it_answers_whether_banners_wait_as_banners_for_user_finds_them(
    ada, recipient, channel, status, fvm, waiting
):
    _sent(ada, recipient, channel=channel, status=status)
    if fvm:
        FvmCompletion.objects.create(
            enrollment=ada,
            completed_at=datetime(2026, 12, 4, 12, tzinfo=UTC),
            local_date=date(2026, 12, 4),
            ttv=4,
            minutes_taken=10,
            minutes_saved=80,
            evidence="x",
            rating=4,
        )
    user = ada.user
    found = bool(banners_for_user(type(user).objects.get(pk=user.pk)))
    own_enrollment(user, people=True)
    assert user.banners_waiting_known is waiting is found
    assert bool(banners_for_user(user)) is waiting


def test_days_and_done_are_those_the_orm_reads(ada):
    step = PathStep.objects.filter(version=ada.version).first()
    done_at = datetime(2026, 12, 1, 8, 15, 1, 500, tzinfo=UTC)
    StepCompletion.objects.create(enrollment=ada, step=step, done_at=done_at)
    days, done = own_days_and_done(ada.pk)
    assert days == {d.number: d.date for d in ada.days.filter(number__lte=7)}
    assert sorted(days) == [1, 2, 3, 4, 5, 6, 7]
    assert done == {step.pk: done_at}
    assert own_days_and_done(0) == ({}, {})
