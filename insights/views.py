import csv

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.views.decorators.http import require_safe

from roles.permissions import enablement_required

from .csvrows import chart_rows, csv_cell
from .filters import ReportInputError, as_of_label, report_filters_build
from .readiness import readiness_report
from .selectors import CHARTS, dashboard_data


def _filters(request):
    params = {k: request.GET.get(k) for k in ("role", "cohort", "manager", "as_of")}
    try:
        return report_filters_build(**params), params, None
    except ReportInputError as exc:
        return report_filters_build(), params, str(exc)


@require_safe
@enablement_required
def dashboard(request):
    filters, params, error = _filters(request)
    data = dashboard_data(filters)
    query = "" if error else urlencode({k: v for k, v in params.items() if v})
    return render(
        request,
        "insights/dashboard.html",
        {
            "filters": filters,
            "params": params,
            "error": error,
            "query": query,
            "as_of_label": as_of_label(filters.as_of),
            **data,
        },
        status=400 if error else 200,
    )


@require_safe
@enablement_required
def chart_csv(request, chart: str):
    if chart not in CHARTS:
        raise Http404("No such chart.")
    filters, _, error = _filters(request)
    if error:
        return HttpResponse(error, status=400, content_type="text/plain")
    header, rows = chart_rows(chart, dashboard_data(filters))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{chart}.csv"'
    writer = csv.writer(response)
    writer.writerow(header)
    writer.writerows([csv_cell(v) for v in row] for row in rows)
    return response


@require_safe
@enablement_required
def readiness(request):
    filters, params, error = _filters(request)
    return render(
        request,
        "insights/readiness.html",
        {"filters": filters, "error": error, "readiness": readiness_report(filters)},
        status=400 if error else 200,
    )
