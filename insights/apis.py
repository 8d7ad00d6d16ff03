from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from roles.models import RolePack
from roles.permissions import IsEnablement

from .filters import ReportInputError, report_filters_build
from .imports import cost_entry_add
from .kpis import kpi_measurement_add
from .models import CostEntry, KpiMeasurement
from .readiness import readiness_report
from .selectors import report_json

FILTER_PARAMETERS = [
    OpenApiParameter("role", str, description="Role pack slug."),
    OpenApiParameter("cohort", str, description="ISO week of the start date, e.g. 2026-W07."),
    OpenApiParameter("manager", str, description="Manager's email."),
    OpenApiParameter(
        "as_of",
        str,
        description="YYYY-MM-DD (end of that day, settings.TIME_ZONE) or ISO 8601; default now.",
    ),
]


ERR_400 = OpenApiResponse(description="Invalid input: errors keyed by field name.")
ERR_401 = OpenApiResponse(description="Not signed in.")
ERR_403 = OpenApiResponse(description="No rollout permission (enablement team or admin).")
REPORT_RESPONSES = {
    200: OpenApiResponse(OpenApiTypes.OBJECT, description="The report (see docs/metrics.md)."),
    400: ERR_400,
    401: ERR_401,
    403: ERR_403,
}


def _filters_or_400(request):
    params = {k: request.query_params.get(k) for k in ("role", "cohort", "manager", "as_of")}
    try:
        return report_filters_build(**params), None
    except ReportInputError as exc:
        field, _, message = str(exc).partition(": ")
        return None, Response({field: [message]}, status=status.HTTP_400_BAD_REQUEST)


class ActivationReportApi(APIView):
    """The activation report (the same numbers as `activation_report --format json`)."""

    permission_classes = [IsEnablement]

    @extend_schema(parameters=FILTER_PARAMETERS, responses=REPORT_RESPONSES)
    def get(self, request):
        filters, error = _filters_or_400(request)
        return error or Response(report_json(filters))


class ReadinessReportApi(APIView):
    """Expansion readiness: five pass/fail checks with their evidence."""

    permission_classes = [IsEnablement]

    @extend_schema(parameters=FILTER_PARAMETERS[3:], responses=REPORT_RESPONSES)
    def get(self, request):
        filters, error = _filters_or_400(request)
        return error or Response(readiness_report(filters))


class KpiMeasurementOutputSerializer(serializers.ModelSerializer):
    role = serializers.SlugRelatedField(source="pack", slug_field="slug", read_only=True)

    class Meta:
        model = KpiMeasurement
        fields = ["id", "role", "kpi_name", "measured_on", "value", "is_baseline", "note"]


class KpiMeasurementInputSerializer(serializers.Serializer):
    role = serializers.SlugField(max_length=80)
    kpi_name = serializers.CharField(max_length=120)
    measured_on = serializers.DateField()
    value = serializers.DecimalField(max_digits=14, decimal_places=4)
    is_baseline = serializers.BooleanField(default=False)
    note = serializers.CharField(required=False, allow_blank=True, default="")

    def validate_role(self, value: str) -> RolePack:
        pack = RolePack.objects.filter(slug=value).first()
        if pack is None:
            raise serializers.ValidationError(f"No role pack with slug {value!r}.")
        return pack


class KpiMeasurementApi(APIView):
    """KPI measurements over time: list (optionally ?role=) and add one."""

    permission_classes = [IsEnablement]

    @extend_schema(
        parameters=[OpenApiParameter("role", str)],
        responses={
            200: KpiMeasurementOutputSerializer(many=True),
            400: ERR_400,
            401: ERR_401,
            403: ERR_403,
        },
    )
    def get(self, request):
        qs = KpiMeasurement.objects.select_related("pack").order_by("pack__slug", "measured_on")
        role = request.query_params.get("role", "")
        if "\x00" in role:
            return Response({"role": ["Contains a NUL character."]}, status=400)
        if role:
            qs = qs.filter(pack__slug=role)
        return Response(KpiMeasurementOutputSerializer(qs[:1000], many=True).data)

    @extend_schema(
        request=KpiMeasurementInputSerializer,
        responses={201: KpiMeasurementOutputSerializer, 400: ERR_400, 401: ERR_401, 403: ERR_403},
    )
    def post(self, request):
        serializer = KpiMeasurementInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            measurement = kpi_measurement_add(
                pack=data.pop("role"), created_by=request.user, **data
            )
        except DjangoValidationError as exc:
            return Response(exc.message_dict, status=status.HTTP_400_BAD_REQUEST)
        return Response(
            KpiMeasurementOutputSerializer(measurement).data, status=status.HTTP_201_CREATED
        )


class CostEntryOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = CostEntry
        fields = ["id", "kind", "amount", "period_start", "period_end", "note"]


class CostEntryInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=CostEntry.Kind.values)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    currency = serializers.CharField(max_length=3, required=False, allow_blank=True, default="")
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class CostEntryApi(APIView):
    """The period's costs (license, training, support, adoption time): list and add one.

    A finance system can post what `manage.py import_costs` reads from a CSV."""

    permission_classes = [IsEnablement]

    @extend_schema(
        responses={200: CostEntryOutputSerializer(many=True), 401: ERR_401, 403: ERR_403}
    )
    def get(self, request):
        qs = CostEntry.objects.order_by("-period_start", "kind", "id")[:1000]
        return Response(CostEntryOutputSerializer(qs, many=True).data)

    @extend_schema(
        request=CostEntryInputSerializer,
        responses={201: CostEntryOutputSerializer, 400: ERR_400, 401: ERR_401, 403: ERR_403},
    )
    def post(self, request):
        serializer = CostEntryInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        row = {k: str(v) for k, v in serializer.validated_data.items()}
        try:
            entry = cost_entry_add(row=row)
        except DjangoValidationError as exc:
            return Response(exc.message_dict, status=status.HTTP_400_BAD_REQUEST)
        return Response(CostEntryOutputSerializer(entry).data, status=status.HTTP_201_CREATED)
