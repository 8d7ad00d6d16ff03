"""REST API for role packs: ``/api/rolepacks/``.

Reading is for any signed-in user (published versions; authors also see drafts).
Writing needs the rollout permission (``roles.permissions``): POST creates a pack as a
draft, PUT replaces the pack's draft (creating one if needed; a published version
never changes), POST ``…/publish/`` publishes the draft. Every body is checked by the
one validator (``roles.validation``); a 400 lists every error with its field path.
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import ParseError
from rest_framework.response import Response
from rest_framework.views import APIView

from roles import selectors
from roles.advice import pack_warnings
from roles.canonical import version_to_document
from roles.document import PackDocument
from roles.imports import rolepack_import_document
from roles.models import RolePack, RolePackVersion
from roles.permissions import IsEnablementOrReadOnly, is_enablement
from roles.services import rolepack_version_publish
from roles.validation import PackError, PackValidationError
from templates_library import serializers

ERRORS = OpenApiResponse(serializers.PackErrorsSerializer, description="Every validation error.")


def _errors_response(errors: list[PackError]) -> Response:
    return Response(
        {
            "detail": f"{len(errors)} error(s) in the role pack",
            "errors": [error.as_dict() for error in errors],
        },
        status=status.HTTP_400_BAD_REQUEST,
    )


def _warnings(warnings) -> list[dict]:
    return [{"line": w.line, "path": w.path, "message": w.message} for w in warnings]


def _detail(version: RolePackVersion, *, versions, warnings=None) -> dict:
    extra = {} if warnings is None else {"warnings": _warnings(warnings)}
    return extra | {
        "slug": version.pack.slug,
        "version": version.number,
        "status": version.status,
        "fvm_sentence": version.fvm_sentence,
        "versions": [
            {
                "number": v.number,
                "status": v.status,
                "published_at": v.published_at,
                "content_hash": v.content_hash,
            }
            for v in versions
        ],
        "document": version_to_document(version),
    }


def _visible_versions(pack: RolePack, user) -> list[RolePackVersion]:
    versions = pack.versions.order_by("-number")
    if not is_enablement(user):
        versions = versions.filter(status=RolePackVersion.Status.PUBLISHED)
    return list(versions)


def _document_from(request) -> tuple[dict | None, Response | None]:
    try:
        data = request.data
    except ParseError as exc:
        return None, _errors_response([PackError("<api>", None, "", str(exc.detail))])
    if not isinstance(data, dict):
        error = PackError("<api>", None, "", "the body must be one role pack object")
        return None, _errors_response([error])
    return data, None


class RolePackListApi(APIView):
    permission_classes = [IsEnablementOrReadOnly]

    @extend_schema(
        summary="List role packs",
        description="Packs with a published version; authors also see draft-only packs.",
        responses=serializers.RolePackListSerializer(many=True),
    )
    def get(self, request):
        author = is_enablement(request.user)
        versions = RolePackVersion.objects.select_related("pack").order_by("pack__slug", "-number")
        if not author:
            versions = versions.filter(status=RolePackVersion.Status.PUBLISHED)
        rows: dict[str, dict] = {}
        for version in versions:
            row = rows.setdefault(
                version.pack.slug,
                {"slug": version.pack.slug, "published_version": None, "latest_version": None},
            )
            if row["latest_version"] is None:
                row["latest_version"] = version.number
                row["name"], row["fvm_sentence"] = version.name, version.fvm_sentence
            if version.is_published and row["published_version"] is None:
                row["published_version"] = version.number
                row["name"], row["fvm_sentence"] = version.name, version.fvm_sentence
        return Response(serializers.RolePackListSerializer(list(rows.values()), many=True).data)

    @extend_schema(
        summary="Create a role pack (as a draft)",
        request=PackDocument,
        responses={
            201: serializers.RolePackDetailSerializer,
            400: ERRORS,
            409: OpenApiResponse(description="A pack with this slug exists: use PUT."),
        },
    )
    def post(self, request):
        document, error = _document_from(request)
        if error:
            return error
        slug = document.get("slug")
        if isinstance(slug, str) and RolePack.objects.filter(slug=slug).exists():
            return Response(
                {"detail": f'role pack "{slug}" exists; PUT /api/rolepacks/{slug}/ to change it'},
                status=status.HTTP_409_CONFLICT,
            )
        try:
            outcome = rolepack_import_document(document=document, publish=False, user=request.user)
        except PackValidationError as exc:
            return _errors_response(exc.errors)
        version = outcome.version
        return Response(
            _detail(
                version,
                versions=_visible_versions(version.pack, request.user),
                warnings=outcome.warnings,
            ),
            status=status.HTTP_201_CREATED,
        )


class RolePackDetailApi(APIView):
    permission_classes = [IsEnablementOrReadOnly]

    @extend_schema(
        summary="A role pack's document",
        description="The latest published version, or ?version=N (authors may read drafts).",
        parameters=[OpenApiParameter("version", int, description="version number")],
        responses={200: serializers.RolePackDetailSerializer, 404: OpenApiResponse()},
    )
    def get(self, request, slug: str):
        pack = get_object_or_404(RolePack, slug=slug)
        versions = _visible_versions(pack, request.user)
        wanted = request.query_params.get("version")
        if wanted is not None:
            version = next((v for v in versions if str(v.number) == wanted), None)
        else:
            version = next((v for v in versions if v.is_published), None) or next(
                iter(versions), None
            )
        if version is None:
            return Response({"detail": "Not found."}, status=status.HTTP_404_NOT_FOUND)
        version.pack = pack
        return Response(_detail(version, versions=versions))

    @extend_schema(
        summary="Replace the pack's draft with a document",
        description=(
            "Creates the pack's draft (the next version number) or replaces the existing "
            "draft's content. Published versions never change. A document identical to the "
            "latest version changes nothing."
        ),
        request=PackDocument,
        responses={200: serializers.RolePackDetailSerializer, 400: ERRORS, 404: OpenApiResponse()},
    )
    def put(self, request, slug: str):
        pack = get_object_or_404(RolePack, slug=slug)
        document, error = _document_from(request)
        if error:
            return error
        if document.get("slug") != slug:
            message = f'the document\'s slug must be "{slug}" (the pack in the URL)'
            return _errors_response([PackError("<api>", None, "slug", message)])
        try:
            outcome = rolepack_import_document(document=document, publish=False, user=request.user)
        except PackValidationError as exc:
            return _errors_response(exc.errors)
        versions = _visible_versions(pack, request.user)
        return Response(_detail(outcome.version, versions=versions, warnings=outcome.warnings))


class RolePackPublishApi(APIView):
    permission_classes = [IsEnablementOrReadOnly]

    @extend_schema(
        summary="Publish the pack's draft",
        request=None,
        responses={
            200: serializers.RolePackDetailSerializer,
            400: ERRORS,
            404: OpenApiResponse(),
            409: OpenApiResponse(description="The pack has no draft to publish."),
        },
    )
    def post(self, request, slug: str):
        pack = get_object_or_404(RolePack, slug=slug)
        draft = selectors.rolepack_draft(pack=pack)
        if draft is None:
            return Response(
                {"detail": f'role pack "{slug}" has no draft to publish'},
                status=status.HTTP_409_CONFLICT,
            )
        try:
            version = rolepack_version_publish(version=draft, user=request.user)
        except PackValidationError as exc:
            return _errors_response(exc.errors)
        warnings = pack_warnings(
            version_to_document(version),
            first_start=selectors.rolepack_first_start(slug=slug),
            source="<api>",
        )
        versions = _visible_versions(pack, request.user)
        return Response(_detail(version, versions=versions, warnings=warnings))
