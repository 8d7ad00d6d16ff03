"""What the value report needs beyond onboarding: tool usage, KPI measurements, costs."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from roles.models import RolePack


class UsageRecord(models.Model):
    """The AI tool's own usage report, one row per person (upserted on each import)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="usage_record"
    )
    last_activity_date = models.DateField(
        null=True, blank=True, help_text="Latest activity over every app column (UTC date)."
    )
    source = models.CharField(max_length=40, help_text="Which report shape it came from.")
    imported_at = models.DateTimeField()

    class Meta:
        ordering = ["user_id"]

    def __str__(self) -> str:
        return f"usage of {self.user_id}: {self.last_activity_date}"


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

    period_start = models.DateField()
    period_end = models.DateField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
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
