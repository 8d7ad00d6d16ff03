"""Writes for onboarding: enrolling people and generating their dated path."""

import random
from datetime import date

from django.contrib.auth import get_user_model
from django.db import transaction

from roles.models import RolePackVersion, Track

from . import calendar
from .models import Enrollment, EnrollmentDay, Holiday, OrgSettings

User = get_user_model()

PATH_DAYS = (1, 2, 3, 4, 5, 6, 7)
CHECKIN_DAYS = (30, 90)
TRACKED_DAYS = PATH_DAYS + CHECKIN_DAYS


def holiday_dates() -> frozenset[date]:
    return frozenset(Holiday.objects.values_list("date", flat=True))


def user_get_or_create(*, email: str, name: str = "") -> "User":
    """The account for ``email`` (case-insensitive), created without a usable password."""
    email = email.strip()
    user = User.objects.filter(email__iexact=email).order_by("id").first()
    if user is None:
        first, _, last = name.strip().partition(" ")
        user = User(
            username=email.lower()[:150],
            email=email.lower(),
            first_name=first[:150],
            last_name=last[:150],
        )
        user.set_unusable_password()
        user.save()
    return user


def enrollment_days_build(
    *, enrollment: Enrollment, holidays: frozenset[date], nudge_hour: int
) -> list[EnrollmentDay]:
    """Set the enrollment's derived dates and return its (unsaved) working days."""
    dates = calendar.working_days(enrollment.start_date, TRACKED_DAYS, holidays)
    zone = calendar.valid_timezone(enrollment.timezone)
    enrollment.day1 = dates[1]
    enrollment.day7 = dates[7]
    enrollment.window_ends_at = calendar.day_end(dates[7], zone)
    return [
        EnrollmentDay(
            enrollment=enrollment,
            number=n,
            date=d,
            begins_at=calendar.local_instant(d, nudge_hour, zone),
        )
        for n, d in dates.items()
    ]


def latest_published_version(*, slug: str) -> RolePackVersion | None:
    return (
        RolePackVersion.objects.filter(pack__slug=slug, status=RolePackVersion.Status.PUBLISHED)
        .order_by("-number")
        .first()
    )


@transaction.atomic
def enrollment_enroll(
    *,
    email: str,
    version: RolePackVersion,
    start_date: date,
    name: str = "",
    track: str = Track.PRESCRIPTIVE,
    timezone: str = "UTC",
    manager_email: str = "",
    buddy_email: str = "",
    values: dict | None = None,
) -> Enrollment:
    """Enroll one person (or update their enrollment) and (re)generate their dated path.

    The bulk CSV import goes through the same building blocks in batches.
    """
    if not version.is_published:
        raise ValueError("people can only be enrolled in a published version")
    calendar.valid_timezone(timezone)
    user = user_get_or_create(email=email, name=name)
    manager = user_get_or_create(email=manager_email) if manager_email else None
    buddy = user_get_or_create(email=buddy_email) if buddy_email else None
    enrollment = Enrollment.objects.filter(user=user).first()
    if enrollment is None:
        enrollment = Enrollment(user=user, holdout=random.random() * 100 < version.holdout_percent)
    enrollment.version = version
    enrollment.name = name or enrollment.name or user.get_full_name()
    enrollment.track = track
    enrollment.start_date = start_date
    enrollment.timezone = timezone
    enrollment.manager = manager
    enrollment.buddy = buddy
    if values is not None:
        enrollment.values = values
    org = OrgSettings.load()
    days = enrollment_days_build(
        enrollment=enrollment, holidays=holiday_dates(), nudge_hour=org.nudge_hour
    )
    enrollment.save()
    EnrollmentDay.objects.filter(enrollment=enrollment).delete()
    EnrollmentDay.objects.bulk_create(days)
    return enrollment
