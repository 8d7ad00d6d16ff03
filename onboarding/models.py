"""People's enrollments, their dated paths, completions and sent interventions."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from roles.models import Intervention, PathStep, RolePackVersion, Track


class OrgSettings(models.Model):
    """The organisation's settings: a single row, edited in the admin."""

    nudge_hour = models.PositiveSmallIntegerField(
        default=9,
        validators=[MaxValueValidator(23)],
        help_text="Local hour at which a working day's interventions become due.",
    )
    accountability_after_day = models.PositiveSmallIntegerField(
        default=10,
        help_text="Working day after which managers may see accountability views; "
        "before it, only support.",
    )
    hourly_rate = models.DecimalField(
        max_digits=10, decimal_places=2, default=60, help_text="Loaded hourly cost of an employee."
    )
    currency = models.CharField(max_length=3, default="EUR")
    licensed_seats = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="AI tool licences the organisation pays for: the base of workflow-training "
        "completion.",
    )

    class Meta:
        verbose_name = "organisation settings"
        verbose_name_plural = "organisation settings"

    def __str__(self) -> str:
        return "Organisation settings"

    @classmethod
    def load(cls) -> "OrgSettings":
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj


class Holiday(models.Model):
    date = models.DateField(unique=True)
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date}: {self.name}"


class Enrollment(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollment"
    )
    version = models.ForeignKey(
        RolePackVersion, on_delete=models.PROTECT, related_name="enrollments"
    )
    name = models.CharField(max_length=200, blank=True)
    track = models.CharField(max_length=12, choices=Track.choices, default=Track.PRESCRIPTIVE)
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_enrollments",
    )
    buddy = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="buddy_enrollments",
    )
    start_date = models.DateField(help_text="First day with access to the AI tool.")
    timezone = models.CharField(max_length=64, default="UTC")
    values = models.JSONField(
        default=dict, blank=True, help_text="The person's own prompt variable values."
    )
    holdout = models.BooleanField(
        default=False, help_text="Randomly held out of interventions to measure their uplift."
    )
    # Derived from start_date, timezone and the holidays when the path is generated.
    day1 = models.DateField("working day 1", null=True, blank=True)
    day7 = models.DateField("working day 7", null=True, blank=True)
    window_ends_at = models.DateTimeField(
        null=True, blank=True, db_index=True, help_text="End of working day 7, local time."
    )
    first_visit_at = models.DateTimeField(null=True, blank=True)
    enrolled_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["start_date", "id"]
        indexes = [models.Index(fields=["version", "start_date"])]

    def __str__(self) -> str:
        return self.name or self.user.email


class EnrollmentDay(models.Model):
    """Working day N of an enrollment: its local date and when it begins for triggers.

    Days 1–7 carry the path; days 30 and 90 carry the reinforcement check-ins.
    """

    # No index of its own: the unique (enrollment, number) index leads with it, and one index
    # less is 9 index entries less per person enrolled. No database-level foreign key either:
    # the days are derived data, written only with their enrollment (in its transaction) and
    # deleted with it (the ORM's CASCADE), and the constraint's check of each of the 9 rows
    # per person cost an import as much as writing them (docs/enrollment.md, "Performance").
    enrollment = models.ForeignKey(
        Enrollment,
        on_delete=models.CASCADE,
        related_name="days",
        db_index=False,
        db_constraint=False,
    )
    # The enrollment's version, derived from it and written with it (a role switch rewrites
    # the days), so that the sweep matches days to a version's interventions from the index
    # alone instead of joining every enrollment to learn its version (docs/triggers.md, "The
    # sweep is set-based"). No index or constraint of its own, as for ``enrollment``.
    version = models.ForeignKey(
        RolePackVersion,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    number = models.PositiveSmallIntegerField()
    date = models.DateField()
    begins_at = models.DateTimeField(help_text="The nudge hour of that date, local time, in UTC.")

    class Meta:
        ordering = ["enrollment", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "number"], name="enrollmentday_unique_number"
            ),
        ]
        indexes = [
            # The sweep's range scans (number = N of version V, begins_at within the catch-up
            # horizon), answered from the index alone.
            models.Index(
                fields=["number", "version", "begins_at"],
                include=["enrollment"],
                name="enrollmentday_sweep",
            )
        ]

    def __str__(self) -> str:
        return f"day {self.number}: {self.date}"


class StepCompletion(models.Model):
    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, related_name="step_completions"
    )
    step = models.ForeignKey(PathStep, on_delete=models.PROTECT, related_name="+")
    done_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "step"], name="stepcompletion_unique_step"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.step} done by {self.enrollment}"


class FvmCompletion(models.Model):
    """The First Value Moment: at most one per enrollment (a unique constraint)."""

    enrollment = models.OneToOneField(
        Enrollment, on_delete=models.CASCADE, related_name="fvm_completion"
    )
    completed_at = models.DateTimeField()
    local_date = models.DateField(help_text="completed_at in the employee's timezone.")
    ttv = models.PositiveSmallIntegerField("TTV (working days)")
    minutes_taken = models.PositiveIntegerField()
    minutes_saved = models.IntegerField(help_text="Role baseline − minutes taken; may be negative.")
    evidence = models.TextField()
    rating = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5), name="fvmcompletion_rating_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"FVM of {self.enrollment} on {self.local_date}"


class InterventionSend(models.Model):
    """One (enrollment, intervention) pair, recorded once when it falls due."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled (first value reached first)"
        HELD_OUT = "held_out", "Held out (measurement group)"
        TOO_LATE = "too_late", "Not sent: too late"
        # It may have arrived (no answer in time): never sent again without a person.
        UNCERTAIN = "uncertain", "Delivery uncertain (check, then send again if needed)"

    # Neither foreign key is a database constraint and ``intervention`` has no index of its
    # own: a sweep writes every due row at once (20 000 at 100k people), and inserting them
    # took 267 ms with the two constraints plus 384 ms of their deferred checks at commit,
    # 218 ms without them, 150 ms without the intervention_id index as well (docs/triggers.md,
    # "The sweep is set-based"). The ORM keeps both rules: deleting an enrollment deletes its
    # sends (CASCADE: one fast DELETE, after the enrollment's pre_delete signals), deleting an
    # intervention that was sent is refused (PROTECT). An enrollment deleted while a sweep
    # records sends waits for that sweep to commit (``triggers.sweep_lock_for_deletion``), so
    # no send outlives its enrollment; raw SQL that deletes enrollments must take that lock.
    # ``enrollment`` needs no index of its own: the unique (enrollment, intervention) index
    # leads with it. What reads sends by intervention (the reports by kind, PROTECT's check)
    # reads a large share of them or runs rarely, and scans the table.
    enrollment = models.ForeignKey(
        Enrollment,
        on_delete=models.CASCADE,
        related_name="intervention_sends",
        db_index=False,
        db_constraint=False,
    )
    intervention = models.ForeignKey(
        Intervention,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    due_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # When a send task is expected to pick the row up; a pending row well past it lost its
    # task (broker down) and the sweep enqueues it again.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    recipient = models.CharField(max_length=254, blank=True, help_text="Who it went to.")

    class Meta:
        ordering = ["-due_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "intervention"], name="interventionsend_once"
            ),
        ]
        indexes = [models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"{self.intervention} for {self.enrollment} ({self.status})"


class Checkin(models.Model):
    """Reinforcement at working day 30 and 90: is the person still using it?"""

    # No index of its own: the unique (enrollment, day) index leads with it.
    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, related_name="checkins", db_index=False
    )
    day = models.PositiveSmallIntegerField()
    due_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    active = models.BooleanField(null=True, blank=True)
    # "Does the AI tool help with your work or add friction?" 1 = adds friction … 5 = helps
    # a lot; optional, asked on the same page as the yes/no.
    sentiment = models.PositiveSmallIntegerField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # Given up, not sent: a permanent error, SEND_MAX_ATTEMPTS tries that failed for a reason
    # other than the channel being down, or too late (``last_error`` says which).
    failed = models.BooleanField(default=False)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["enrollment", "day"]
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "day"], name="checkin_once"),
            models.CheckConstraint(
                condition=Q(sentiment__gte=1, sentiment__lte=5), name="checkin_sentiment_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"day {self.day} check-in of {self.enrollment}"
