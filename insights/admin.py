from django import forms
from django.contrib import admin

from .kpis import kpi_measurement_add, kpi_name_check
from .models import CostEntry, KpiMeasurement, UsageRecord


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


@admin.register(UsageRecord)
class UsageRecordAdmin(admin.ModelAdmin):
    list_display = ["user", "last_activity_date", "source", "imported_at"]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    readonly_fields = ["user", "last_activity_date", "source", "imported_at"]

    def has_add_permission(self, request) -> bool:
        return False
