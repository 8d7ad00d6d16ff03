"""POST /api/enrollments/bulk/: the `enroll` command over HTTP, for admins and authors.

Takes a CSV (a ``text/csv`` body, or a multipart upload in the ``file`` field) or a JSON
list of row objects with the CSV's column names. All rows or none: 400 lists every bad row.
"""

import tempfile

from django.conf import settings
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import exceptions, parsers, serializers, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from roles.permissions import IsEnablement

from .enroll_csv import enrollments_import
from .enroll_rows import COLUMNS, REQUIRED, EnrollmentImportError, binary_opener, rows_opener

_SPOOL_IN_MEMORY = 2 * 1024 * 1024


class CsvBodyParser(parsers.BaseParser):
    """A ``text/csv`` body, spooled (to disk past 2 MB) so it can be read twice; at most
    ``API_MAX_BODY_BYTES`` (a 413 past it, also when the body came without a length)."""

    media_type = "text/csv"

    def parse(self, stream, media_type=None, parser_context=None):
        spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY)
        limit, size = settings.API_MAX_BODY_BYTES, 0
        if stream is not None:
            while chunk := stream.read(64 * 1024):
                size += len(chunk)
                if size > limit:
                    spool.close()
                    raise _TooLarge(f"The CSV is larger than {limit} bytes.")
                spool.write(chunk)
        spool.seek(0)
        return spool


class _TooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"


_Row = inline_serializer(
    "EnrollmentRow",
    {name: serializers.CharField(required=name in REQUIRED) for name in COLUMNS},
)
_Result = inline_serializer(
    "EnrollmentImportResult",
    {
        "rows": serializers.IntegerField(),
        "created": serializers.IntegerField(),
        "updated": serializers.IntegerField(),
        "dry_run": serializers.BooleanField(),
    },
)
_Errors = inline_serializer(
    "EnrollmentImportErrors",
    {
        "detail": serializers.CharField(),
        # Absent when the body itself could not be parsed (DRF's ParseError).
        "errors": inline_serializer(
            "EnrollmentRowError",
            {
                "line": serializers.IntegerField(),
                "column": serializers.CharField(),
                "message": serializers.CharField(),
                "text": serializers.CharField(),
            },
            many=True,
            required=False,
        ),
    },
)


def _errors_detail(exc: EnrollmentImportError) -> str:
    listed = f"; the first {len(exc.errors)} are listed" if exc.more else ""
    return f"{exc.total} error(s){listed}; nothing was enrolled."


class EnrollmentBulkApi(APIView):
    permission_classes = [IsEnablement]
    # The API's JSON parser (bounded size and depth), then uploads.
    parser_classes = [*api_settings.DEFAULT_PARSER_CLASSES, parsers.MultiPartParser, CsvBodyParser]

    @extend_schema(
        operation_id="enrollments_bulk",
        summary="Enroll people in bulk (CSV or JSON rows); all or none",
        parameters=[
            OpenApiParameter("dry_run", bool, description="Check and count only; write nothing.")
        ],
        request={
            "application/json": _Row,
            "text/csv": {"type": "string", "description": "CSV with a header row"},
            "multipart/form-data": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}},
            },
        },
        responses={
            201: OpenApiResponse(_Result, description="Enrolled; some people were new."),
            200: OpenApiResponse(_Result, description="Enrolled; everyone was updated."),
            400: OpenApiResponse(_Errors, description="Every bad row; nothing written."),
            401: OpenApiResponse(description="Not signed in."),
            403: OpenApiResponse(description="Not an admin or in the enablement group."),
        },
    )
    def post(self, request):
        dry_run = request.query_params.get("dry_run", "").lower() in ("1", "true", "yes")
        data = request.data
        if isinstance(data, list):
            opener, source = rows_opener(data), "rows"
        elif hasattr(data, "read"):
            opener, source = binary_opener(data), "request"
        elif "file" in request.FILES:
            upload = request.FILES["file"]
            opener, source = binary_opener(upload), upload.name or "upload"
        else:
            return Response(
                {
                    "detail": "Send a CSV (text/csv body or a multipart `file`) "
                    "or a JSON list of rows.",
                    "errors": [],
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        try:
            result = enrollments_import(opener=opener, source=source, dry_run=dry_run)
        except EnrollmentImportError as exc:
            return Response(
                {
                    "detail": _errors_detail(exc),
                    "errors": [e.as_dict() for e in exc.errors],
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        code = status.HTTP_201_CREATED if result.created and not dry_run else status.HTTP_200_OK
        return Response(result.as_dict(), status=code)
