"""Serializers for the role pack API.

The ``*DocumentSerializer`` classes only *describe* the pack document for the
OpenAPI schema: request bodies are checked by the one validator in
``roles.validation``, never by these (two validators would drift apart).
"""

from rest_framework import serializers

from roles.validation import (
    CHANNELS,
    DIRECTIONS,
    INTERVENTION_KINDS,
    MAX_HOLDOUT_PERCENT,
    STEP_KINDS,
    TRACKS,
)


class FvmDocumentSerializer(serializers.Serializer):
    deliverable = serializers.CharField()
    baseline_minutes = serializers.IntegerField(min_value=1)
    target_minutes = serializers.IntegerField(min_value=1, help_text="Below baseline_minutes.")
    evidence = serializers.CharField()


class ContextDocumentSerializer(serializers.Serializer):
    audience = serializers.CharField()
    terminology = serializers.DictField(child=serializers.CharField(), required=False)
    output_format = serializers.CharField()


class VariableDocumentSerializer(serializers.Serializer):
    name = serializers.RegexField(r"^[A-Za-z_][A-Za-z0-9_]*$")
    description = serializers.CharField()
    default = serializers.CharField(required=False)
    required = serializers.BooleanField(default=True)


class PromptDocumentSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    title = serializers.CharField()
    body = serializers.CharField(help_text="Markdown with {{variable}} placeholders.")
    variables = VariableDocumentSerializer(many=True, required=False)
    tags = serializers.ListField(child=serializers.CharField(), required=False)


class DemoDocumentSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    title = serializers.CharField()
    deliverable = serializers.CharField()
    before_minutes = serializers.IntegerField(min_value=1)
    after_minutes = serializers.IntegerField(min_value=1)
    video_url = serializers.URLField(required=False)
    steps = serializers.CharField(help_text="Markdown.")
    presenter = serializers.CharField(required=False)


class StepDocumentSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=STEP_KINDS)
    title = serializers.CharField(required=False)
    body = serializers.CharField(required=False, help_text="Markdown.")
    prompt = serializers.SlugField(required=False, help_text="A prompt slug of this pack.")
    demo = serializers.SlugField(required=False, help_text="A demo slug of this pack.")
    expected_output = serializers.CharField(required=False, help_text="Markdown.")


class DayDocumentSerializer(serializers.Serializer):
    day = serializers.IntegerField(min_value=1, max_value=7)
    steps = StepDocumentSerializer(many=True)


class TrackDocumentSerializer(serializers.Serializer):
    track = serializers.ChoiceField(choices=TRACKS)
    days = DayDocumentSerializer(many=True)


class InterventionDocumentSerializer(serializers.Serializer):
    day = serializers.IntegerField(min_value=1, max_value=7)
    kind = serializers.ChoiceField(choices=INTERVENTION_KINDS)
    channel = serializers.ChoiceField(choices=CHANNELS)
    message = serializers.CharField(help_text="Markdown; {{name}}, {{manager_name}}, …")
    webhook_url = serializers.URLField(required=False, help_text="https; slack and teams only.")


class KpiDocumentSerializer(serializers.Serializer):
    name = serializers.CharField()
    unit = serializers.CharField()
    baseline = serializers.FloatField()
    target = serializers.FloatField()
    direction = serializers.ChoiceField(choices=DIRECTIONS)


class PackDocumentSerializer(serializers.Serializer):
    """A whole role pack, as in docs/rolepack-format.md."""

    slug = serializers.SlugField()
    name = serializers.CharField()
    description = serializers.CharField(required=False)
    holdout_percent = serializers.IntegerField(
        min_value=0, max_value=MAX_HOLDOUT_PERCENT, default=0
    )
    fvm = FvmDocumentSerializer()
    context = ContextDocumentSerializer()
    prompts = PromptDocumentSerializer(many=True, required=False)
    demos = DemoDocumentSerializer(many=True, required=False)
    path = TrackDocumentSerializer(many=True)
    interventions = InterventionDocumentSerializer(many=True, required=False)
    kpis = KpiDocumentSerializer(many=True)


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


class RolePackDetailSerializer(serializers.Serializer):
    slug = serializers.CharField()
    version = serializers.IntegerField()
    status = serializers.CharField()
    fvm_sentence = serializers.CharField()
    versions = VersionSummarySerializer(many=True)
    document = PackDocumentSerializer()


class PackErrorSerializer(serializers.Serializer):
    line = serializers.IntegerField(allow_null=True)
    path = serializers.CharField(help_text="Field path, e.g. prompts[2].variables[0].name.")
    message = serializers.CharField()


class PackErrorsSerializer(serializers.Serializer):
    detail = serializers.CharField()
    errors = PackErrorSerializer(many=True)
