"""Serializers for the role pack API.

The pack document itself is described by its one declaration (``roles.document``, a
pydantic model tree that drf-spectacular reads) and checked by the one validator
(``roles.validation``): these only shape the responses around it.
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from roles.document import PackDocument


@extend_schema_field(PackDocument)
class PackDocumentField(serializers.JSONField):
    """The pack document, described by its one declaration (roles.document)."""


class VersionSummarySerializer(serializers.Serializer):
    number = serializers.IntegerField()
    status = serializers.CharField()
    published_at = serializers.DateTimeField(allow_null=True)
    content_hash = serializers.CharField()


class RolePackListSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    published_version = serializers.IntegerField(allow_null=True)
    latest_version = serializers.IntegerField(allow_null=True)
    fvm_sentence = serializers.CharField()


class PackErrorSerializer(serializers.Serializer):
    line = serializers.IntegerField(allow_null=True)
    path = serializers.CharField(help_text="Field path, e.g. prompts[2].variables[0].name.")
    message = serializers.CharField()


class RolePackDetailSerializer(serializers.Serializer):
    slug = serializers.CharField()
    version = serializers.IntegerField()
    status = serializers.CharField()
    fvm_sentence = serializers.CharField()
    versions = VersionSummarySerializer(many=True)
    document = PackDocumentField()
    warnings = PackErrorSerializer(
        many=True,
        required=False,
        help_text=(
            "After a create, replace or publish: the seeds' advice the document does not "
            "follow (3 to 5 KPIs, baselines measured by the first start); never blocks."
        ),
    )


class PackErrorsSerializer(serializers.Serializer):
    detail = serializers.CharField()
    errors = PackErrorSerializer(many=True)
