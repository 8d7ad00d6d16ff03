from django.urls import path

from . import apis, views

app_name = "insights"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/readiness/", views.readiness, name="readiness"),
    path("dashboard/<slug:chart>.csv", views.chart_csv, name="chart-csv"),
    path("api/reports/activation/", apis.ActivationReportApi.as_view(), name="api-activation"),
    path("api/reports/readiness/", apis.ReadinessReportApi.as_view(), name="api-readiness"),
    path("api/kpi-measurements/", apis.KpiMeasurementApi.as_view(), name="api-kpi-measurements"),
    path("api/costs/", apis.CostEntryApi.as_view(), name="api-costs"),
]
