"""Load the example role packs and a cast of demo people, then say how to sign in.

Idempotent: every run puts the demo accounts back into the same scripted state relative to
*today* (working days, in each person's timezone), so "day 5" is day 5 whenever it runs.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from onboarding import workdays
from onboarding.accounts import user_get_or_create
from onboarding.models import Checkin, Enrollment, FvmCompletion, InterventionSend, StepCompletion
from onboarding.progress import enrollment_first_visit_mark, fvm_completion_record, step_complete
from onboarding.selectors.enrollments import holiday_dates
from onboarding.services import enrollment_enroll
from roles.imports import rolepack_import
from roles.models import PathStep
from roles.permissions import enablement_group
from roles.selectors import version_latest_published
from roles.validation import PackValidationError

# One documented password for every demo account. The command refuses to run with DEBUG off
# unless --force is given, so a known password never reaches production silently.
DEMO_PASSWORD = "firstvalue-demo"
SIGN_IN_URL = "http://127.0.0.1:8000/"
PACKS_DIR = settings.BASE_DIR / "examples" / "rolepacks"
AUTHOR_APPS = ("roles", "templates_library")

ADMIN_EMAIL = "admin@example.com"
AUTHOR_EMAIL = "lena.fischer@example.com"
MANAGER_EMAIL = "marco.rossi@example.com"
BUDDY_EMAIL = "priya.shah@example.com"


@dataclass(frozen=True)
class DemoPerson:
    """An employee in their first weeks: on working ``day`` today, steps done through
    ``steps_through`` (always before today), first value on ``fvm_day`` if any."""

    email: str
    name: str
    role: str
    day: int
    track: str = "prescriptive"
    steps_through: int = 0
    fvm_day: int | None = None
    fvm_minutes: int = 0
    fvm_rating: int = 4
    fvm_evidence: str = ""
    timezone: str = "UTC"
    values: dict = field(default_factory=dict)
    note: str = ""


PEOPLE: tuple[DemoPerson, ...] = (
    DemoPerson(
        "ava.martin@example.com",
        "Ava Martin",
        "sales-representative",
        day=1,
        values={"my_name": "Ava"},
        note="first day: nothing done yet",
    ),
    DemoPerson(
        "ben.okoro@example.com",
        "Ben Okoro",
        "sales-representative",
        day=3,
        track="exploratory",
        steps_through=2,
        fvm_day=2,
        fvm_minutes=4,
        fvm_rating=5,
        fvm_evidence="Sent 'Your Leipzig warehouse' to Nordhaven Logistics; logged in the CRM",
        values={"my_name": "Ben"},
        note="reached first value on day 2",
    ),
    DemoPerson(
        "chloe.dubois@example.com",
        "Chloé Dubois",
        "finance-analyst",
        day=4,
        steps_through=3,
        timezone="Europe/Paris",
        note="on track: today is the FVM task",
    ),
    DemoPerson(
        "david.kim@example.com",
        "David Kim",
        "finance-analyst",
        day=5,
        steps_through=1,
        note="stuck after day 1: the day-5 manager nudge is due",
    ),
    DemoPerson(
        "emma.larsen@example.com",
        "Emma Larsen",
        "operations-manager",
        day=5,
        steps_through=4,
        fvm_day=3,
        fvm_minutes=9,
        fvm_evidence="Summary of the weekly ops review, Site Leipzig, sent to 7 attendees",
        note="reached first value on day 3",
    ),
    DemoPerson(
        "felix.wagner@example.com",
        "Felix Wagner",
        "operations-manager",
        day=3,
        steps_through=2,
        timezone="Europe/Berlin",
        note="on track: today is the FVM task",
    ),
    DemoPerson(
        "grace.oconnor@example.com",
        "Grace O'Connor",
        "hr-business-partner",
        day=9,
        steps_through=1,
        note="past day 7 without first value: counts against the day-7 rate",
    ),
    DemoPerson(
        "hugo.silva@example.com",
        "Hugo Silva",
        "hr-business-partner",
        day=12,
        track="exploratory",
        steps_through=4,
        fvm_day=2,
        fvm_minutes=14,
        fvm_evidence="Job description for Warehouse Shift Lead (req 2291) sent to the HM",
        timezone="America/New_York",
        note="reached first value on day 2",
    ),
    DemoPerson(
        "isla.novak@example.com",
        "Isla Novak",
        "customer-support-lead",
        day=6,
        steps_through=2,
        timezone="Europe/Berlin",
        values={"my_name": "Isla Novak, Support team lead"},
        note="no first value yet: the nudge and the microtraining are due",
    ),
    DemoPerson(
        "jamal.reed@example.com",
        "Jamal Reed",
        "customer-support-lead",
        day=10,
        steps_through=6,
        fvm_day=6,
        fvm_minutes=16,
        fvm_rating=3,
        fvm_evidence="Week trend summary posted in the support-insights channel",
        values={"my_name": "Jamal Reed, Support team lead"},
        note="reached first value on day 6",
    ),
    DemoPerson(
        BUDDY_EMAIL,
        "Priya Shah",
        "sales-representative",
        day=25,
        track="exploratory",
        steps_through=7,
        fvm_day=1,
        fvm_minutes=3,
        fvm_rating=5,
        fvm_evidence="First email to Baltic Freight, reply within a day",
        values={"my_name": "Priya"},
        note="the power user (buddy) everyone else is paired with",
    ),
)


def _previous_working_day(day: date, holidays) -> date:
    day -= timedelta(days=1)
    while not workdays.is_working_day(day, holidays):
        day -= timedelta(days=1)
    return day


def start_date_for_day(*, today: date, day: int, holidays=frozenset()) -> date:
    """The start date that makes ``today`` working day ``day`` (its TTV if completed today).

    On a weekend or holiday, the last working day is the one that counts, as in TTV.
    """
    start = today
    if not workdays.is_working_day(start, holidays):
        start = _previous_working_day(start, holidays)
    for _ in range(day - 1):
        start = _previous_working_day(start, holidays)
    return start


class Command(BaseCommand):
    help = (
        "Load the example role packs and demo people (idempotent) and print how to sign in. "
        f"Every demo account gets the password {DEMO_PASSWORD!r}: refused when DEBUG is off "
        "unless --force is given."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="run even with DEBUG off (creates accounts with a known password)",
        )

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "Refusing to create demo accounts with a known password while DEBUG is off. "
                "Run it on a local copy, or pass --force if you really mean it."
            )
        now = timezone.now()
        try:
            with transaction.atomic():
                staff = self._staff_accounts()
                outcomes = rolepack_import(path=PACKS_DIR, publish=True, user=staff["author"])
                enrollments = [self._person(person, now) for person in PEOPLE]
        except PackValidationError as exc:
            raise CommandError(
                "The example role packs do not validate:\n" + "\n".join(map(str, exc.errors))
            ) from None
        for outcome in outcomes:
            self.stdout.write(f"role pack {outcome}")
        self._print_sign_in(enrollments)

    def _account(self, *, email: str, name: str, staff=False, superuser=False):
        user = user_get_or_create(email=email, name=name)
        user.is_staff = staff or superuser
        user.is_superuser = superuser
        user.is_active = True
        user.set_password(DEMO_PASSWORD)
        user.save()
        return user

    def _staff_accounts(self) -> dict:
        admin = self._account(email=ADMIN_EMAIL, name="Alex Admin", superuser=True)
        author = self._account(email=AUTHOR_EMAIL, name="Lena Fischer", staff=True)
        # The rollout permission (the group holds it), plus the admin's model permissions.
        group = enablement_group()
        group.permissions.add(*Permission.objects.filter(content_type__app_label__in=AUTHOR_APPS))
        author.groups.add(group)
        manager = self._account(email=MANAGER_EMAIL, name="Marco Rossi")
        return {"admin": admin, "author": author, "manager": manager}

    def _person(self, person: DemoPerson, now: datetime) -> Enrollment:
        holidays = holiday_dates()
        today = workdays.local_date(now, person.timezone)
        version = version_latest_published(slug=person.role)
        enrollment = enrollment_enroll(
            email=person.email,
            name=person.name,
            version=version,
            start_date=start_date_for_day(today=today, day=person.day, holidays=holidays),
            track=person.track,
            timezone=person.timezone,
            manager_email=MANAGER_EMAIL,
            buddy_email="" if person.email == BUDDY_EMAIL else BUDDY_EMAIL,
            values=person.values,
        )
        user = enrollment.user
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        # A rerun restarts the script from scratch, so the state is the same whenever it runs;
        # the holdout draw is pinned so every demo person gets the intervention ladder.
        for model in (StepCompletion, FvmCompletion, InterventionSend, Checkin):
            model.objects.filter(enrollment=enrollment).delete()
        Enrollment.objects.filter(pk=enrollment.pk).update(holdout=False, first_visit_at=None)
        enrollment.holdout = False
        enrollment.first_visit_at = None

        dates = {d.number: d.date for d in enrollment.days.all()}
        if person.steps_through or person.fvm_day is not None:
            # Whoever did something opened their checklist first, on day 1 (the funnel is nested).
            visit = workdays.local_instant(dates[1], 9, person.timezone)
            enrollment_first_visit_mark(enrollment=enrollment, now=min(visit, now))
        steps = PathStep.objects.filter(
            version=enrollment.version, track=enrollment.track, day__lte=person.steps_through
        ).order_by("day", "order", "id")
        for step in steps:
            if step.kind == PathStep.Kind.FVM_TASK:
                continue  # done by recording first value, below
            done_at = workdays.local_instant(
                dates[step.day], 10 + min(step.order, 6), person.timezone
            )
            step_complete(enrollment=enrollment, step=step, now=min(done_at, now))
        if person.fvm_day is not None:
            fvm_completion_record(
                enrollment=enrollment,
                minutes_taken=person.fvm_minutes,
                evidence=person.fvm_evidence,
                rating=person.fvm_rating,
                completed_at=min(
                    workdays.local_instant(dates[person.fvm_day], 16, person.timezone), now
                ),
                now=now,
            )
        return enrollment

    def _print_sign_in(self, enrollments: list[Enrollment]) -> None:
        out = self.stdout.write
        out("")
        out(self.style.SUCCESS(f"Demo ready. Sign in at {SIGN_IN_URL} with an email below."))
        out(f"Password for every demo account: {DEMO_PASSWORD}")
        out("")
        accounts = [
            (
                ADMIN_EMAIL,
                "admin (superuser)",
                "/admin/ everything · /dashboard/ activation, value",
            ),
            (AUTHOR_EMAIL, "enablement author", "/admin/ role packs · /dashboard/ per role"),
            (MANAGER_EMAIL, "manager of everyone below", "/team/ who needs support, and why"),
        ]
        by_email = {person.email: person for person in PEOPLE}
        for enrollment in enrollments:
            person = by_email[enrollment.user.email]
            buddy = "power user (buddy) · " if person.email == BUDDY_EMAIL else ""
            accounts.append(
                (
                    person.email,
                    f"{buddy}{person.role}, {person.track} track",
                    f"/my/ working day {person.day}: {person.note}",
                )
            )
        for email, role, sees in accounts:
            out(f"  {email}  ({role})")
            out(f"      {sees}")
        out("")
        out("Due interventions go out with: python manage.py run_triggers")
        out("The numbers behind /dashboard/: python manage.py activation_report")
