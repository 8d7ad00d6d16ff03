"""What the value report needs beyond onboarding: tool usage, KPI measurements, costs."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from roles.models import RolePack


class KpiMeasurement(models.Model):
    """One measurement of a role's KPI. ``kpi_name`` is stable across pack versions."""

    pack = models.ForeignKey(RolePack, on_delete=models.CASCADE, related_name="kpi_measurements")
    kpi_name = models.CharField("KPI", max_length=120)
    measured_on = models.DateField()
    value = models.DecimalField(max_digits=14, decimal_places=4)
    is_baseline = models.BooleanField(
        default=False, help_text="Measured before the rollout: the reference for change."
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["pack", "kpi_name", "measured_on", "id"]
        indexes = [models.Index(fields=["pack", "kpi_name", "measured_on"])]

    def __str__(self) -> str:
        return f"{self.pack.slug} {self.kpi_name} on {self.measured_on}: {self.value}"


class CostEntry(models.Model):
    class Kind(models.TextChoices):
        LICENSE = "license", "Licenses"
        TRAINING = "training", "Training"
        SUPPORT = "support", "Support"
        ADOPTION_TIME = "adoption_time", "Adoption time"

    period_start = models.DateField()
    period_end = models.DateField()
    kind = models.CharField(max_length=16, choices=Kind.choices)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    seats = models.PositiveIntegerField(null=True, blank=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period_start", "kind", "id"]
        verbose_name_plural = "cost entries"
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="costentry_period_ordered",
                violation_error_message="The period cannot end before it starts.",
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0), name="costentry_amount_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period_start}–{self.period_end}: {self.amount}"


class UsageReport(models.Model):
    """One usage report of the AI tool, as it came: a file imported or a Microsoft Graph sync.

    ``content_hash`` is that of the report's normalised rows, so importing the same report
    twice is recognised and writes nothing (docs/metrics.md, "Usage history").
    """

    source = models.CharField(max_length=40, help_text="Which report shape it came from.")
    report_date = models.DateField(help_text="The report's refresh date (its 'as of').")
    period_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The report period in days (7, 30, 90, 180)."
    )
    content_hash = models.CharField(max_length=64, unique=True)
    rows = models.PositiveIntegerField(default=0)
    imported_at = models.DateTimeField()

    class Meta:
        ordering = ["-report_date", "-id"]

    def __str__(self) -> str:
        return f"{self.source} usage report of {self.report_date}"


class UsageSnapshot(models.Model):
    """One person in one usage report: at most one row per person per report date."""

    report = models.ForeignKey(UsageReport, on_delete=models.CASCADE, related_name="snapshots")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="usage_snapshots"
    )
    report_date = models.DateField()
    last_activity_date = models.DateField(
        null=True, blank=True, help_text="Latest activity over every app (UTC date)."
    )
    app_last_activity = models.JSONField(
        default=dict, blank=True, help_text="App name → its last activity date (ISO)."
    )
    prompts_submitted = models.PositiveIntegerField(null=True, blank=True)
    active_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Active usage days in the report period, when given."
    )

    class Meta:
        ordering = ["user_id", "report_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "report_date"], name="usagesnapshot_one_per_person_and_date"
            ),
        ]

    def __str__(self) -> str:
        return f"usage of {self.user_id} on {self.report_date}: {self.last_activity_date}"


class UsageActivity(models.Model):
    """A day on which a person used the AI tool, and the report date that first showed it.

    Derived from the snapshots (each distinct last-activity date is a day of use). A report
    as of a date counts only days first reported on or before it, so a past report never
    changes when later usage data arrive.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="usage_days"
    )
    date = models.DateField()
    reported_on = models.DateField()

    class Meta:
        ordering = ["user_id", "date"]
        constraints = [
            models.UniqueConstraint(fields=["user", "date"], name="usageactivity_one_per_day"),
        ]
        indexes = [models.Index(fields=["date", "user"], name="usageactivity_by_date")]

    def __str__(self) -> str:
        return f"{self.user_id} used the tool on {self.date}"


class UsageSync(models.Model):
    """One run of ``sync_usage`` (Microsoft Graph): when, how it ended, what it stored. The
    dashboard and ``/healthz/usage`` show the latest (docs/metrics.md, "Usage history")."""

    class Outcome(models.TextChoices):
        OK = "ok", "stored"
        UNCHANGED = "unchanged", "same report as before"
        FAILED = "failed", "failed"

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    period = models.CharField(max_length=4)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    report = models.ForeignKey(
        UsageReport, null=True, blank=True, on_delete=models.SET_NULL, related_name="syncs"
    )
    rows = models.PositiveIntegerField(default=0)
    matched = models.PositiveIntegerField(default=0)
    unmatched = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True, help_text="What went wrong, or what was unmatched.")

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"usage sync {self.started_at:%Y-%m-%d %H:%M}: {self.outcome}"
