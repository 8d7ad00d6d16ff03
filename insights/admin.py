from django import forms
from django.contrib import admin

from .kpis import kpi_measurement_add, kpi_name_check
from .models import CostEntry, KpiMeasurement, UsageReport, UsageSync


class KpiMeasurementForm(forms.ModelForm):
    class Meta:
        model = KpiMeasurement
        fields = ["pack", "kpi_name", "measured_on", "value", "is_baseline", "note"]

    def clean(self):
        data = super().clean()
        if data.get("pack") and data.get("kpi_name"):
            kpi_name_check(pack=data["pack"], kpi_name=data["kpi_name"].strip())
        return data


@admin.register(KpiMeasurement)
class KpiMeasurementAdmin(admin.ModelAdmin):
    form = KpiMeasurementForm
    list_display = ["pack", "kpi_name", "measured_on", "value", "is_baseline"]
    list_filter = ["pack", "is_baseline"]
    search_fields = ["kpi_name", "note"]
    date_hierarchy = "measured_on"

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        saved = kpi_measurement_add(
            pack=obj.pack,
            kpi_name=obj.kpi_name,
            measured_on=obj.measured_on,
            value=obj.value,
            is_baseline=obj.is_baseline,
            note=obj.note,
            created_by=request.user,
        )
        obj.pk = saved.pk


@admin.register(CostEntry)
class CostEntryAdmin(admin.ModelAdmin):
    list_display = ["kind", "period_start", "period_end", "amount", "seats"]
    list_filter = ["kind"]
    date_hierarchy = "period_start"


@admin.register(UsageReport)
class UsageReportAdmin(admin.ModelAdmin):
    """The usage history as it came, read-only: imports and syncs are its only writers."""

    list_display = ["report_date", "source", "period_days", "rows", "imported_at"]
    list_filter = ["source"]
    date_hierarchy = "report_date"
    readonly_fields = [
        "source",
        "report_date",
        "period_days",
        "content_hash",
        "rows",
        "imported_at",
    ]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(UsageSync)
class UsageSyncAdmin(admin.ModelAdmin):
    list_display = ["started_at", "period", "outcome", "rows", "matched", "unmatched"]
    list_filter = ["outcome"]
    readonly_fields = [f.name for f in UsageSync._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
