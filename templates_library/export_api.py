"""``GET /api/exports/?role=a&role=b&format=csv`` (or ``all=1``): the export as a download."""

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.response import Response
from rest_framework.views import APIView

from roles.permissions import IsEnablement
from templates_library.exporters import FORMATS, ExportError
from templates_library.exporters.service import prompts_export


class _FormatIsOurs(DefaultContentNegotiation):
    # ``?format=`` names the export format here, not a DRF renderer; errors are JSON.
    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class ExportApi(APIView):
    permission_classes = [IsEnablement]
    content_negotiation_class = _FormatIsOurs

    @extend_schema(
        summary="Download a prompt-library export",
        parameters=[
            OpenApiParameter("role", str, many=True, description="role slug; repeatable"),
            OpenApiParameter("all", bool, description="every role with a published version"),
            OpenApiParameter("format", str, enum=list(FORMATS), required=True),
        ],
        operation_id="exports_download",
        responses={
            (200, "application/zip"): OpenApiTypes.BINARY,
            (200, "application/json"): OpenApiTypes.ANY,
            (200, "text/csv"): OpenApiTypes.STR,
            (200, "text/markdown"): OpenApiTypes.STR,
            400: OpenApiTypes.OBJECT,
            401: OpenApiTypes.OBJECT,
            403: OpenApiTypes.OBJECT,
        },
    )
    def get(self, request):
        fmt = request.query_params.get("format", "")
        roles = request.query_params.getlist("role")
        all_roles = request.query_params.get("all", "").lower() in {"1", "true", "yes"}
        errors = {}
        if fmt not in FORMATS:
            errors["format"] = [f"choose one of: {', '.join(FORMATS)}"]
        if bool(roles) == all_roles:
            errors["role"] = ["give one or more role=SLUG, or all=1 (not both)"]
        if errors:
            return Response(errors, status=status.HTTP_400_BAD_REQUEST)
        try:
            result = prompts_export(
                fmt=fmt, role_slugs=roles, all_roles=all_roles, user=request.user, via="api"
            )
        except ExportError as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        response = HttpResponse(result.content, content_type=result.content_type)
        response["Content-Disposition"] = f'attachment; filename="{result.filename}"'
        return response
