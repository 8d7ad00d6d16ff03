"""Explicit serializers for the person's and the manager's API (fed plain dicts)."""

from rest_framework import serializers

# --- Input ------------------------------------------------------------------------------


class StrictIntegerField(serializers.IntegerField):
    """A JSON integer only: no "5" strings, no booleans, no 5.0."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictCharField(serializers.CharField):
    """A JSON string only: no numbers or booleans turned into text."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictDateTimeField(serializers.DateTimeField):
    def to_internal_value(self, value):
        if not isinstance(value, str):
            self.fail("invalid", format="ISO 8601, e.g. 2026-11-30T10:00:00+01:00")
        return super().to_internal_value(value)


class FvmInputSerializer(serializers.Serializer):
    minutes_taken = StrictIntegerField(min_value=1, max_value=100_000)
    evidence = StrictCharField(max_length=5000)
    rating = StrictIntegerField(min_value=1, max_value=5)
    completed_at = StrictDateTimeField(
        required=False,
        allow_null=True,
        help_text="ISO 8601; without an offset it is the person's local time. Default: now.",
    )
    confirm_minutes = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Minutes more than 3 times the role's baseline are recorded only with this "
        "set to true (a typo check); more than 10 times, or more than 1,440, never.",
    )


class FvmCorrectionSerializer(FvmInputSerializer):
    """PATCH: any of the fields, within 7 calendar days of recording."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, partial=True, **kwargs)


# --- Output -----------------------------------------------------------------------------


class FvmCompletionSerializer(serializers.Serializer):
    completed_at = serializers.DateTimeField()
    local_date = serializers.DateField()
    ttv = serializers.IntegerField(help_text="Working days from day 1 to the completion.")
    minutes_taken = serializers.IntegerField()
    minutes_saved = serializers.IntegerField(help_text="Baseline minutes − minutes taken.")
    evidence = serializers.CharField()
    rating = serializers.IntegerField()


class StepSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    day = serializers.IntegerField()
    order = serializers.IntegerField()
    kind = serializers.CharField()
    title = serializers.CharField()
    prompt_slug = serializers.CharField(allow_blank=True)
    demo_slug = serializers.CharField(allow_blank=True)
    done_at = serializers.DateTimeField(allow_null=True)


class StepStateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    done_at = serializers.DateTimeField(allow_null=True)


class DaySerializer(serializers.Serializer):
    day = serializers.IntegerField()
    date = serializers.DateField(allow_null=True)
    steps = StepSerializer(many=True)


class RoleSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(allow_blank=True)
    email = serializers.EmailField()
    role = RoleSerializer()
    version = serializers.IntegerField(help_text="The role pack version number.")
    track = serializers.CharField()
    path_track = serializers.CharField(
        help_text="The track the path comes from (prescriptive when the pack has no steps on "
        "the chosen track)."
    )
    start_date = serializers.DateField()
    timezone = serializers.CharField()
    day_dates = serializers.DictField(
        child=serializers.DateField(), help_text='Working day → local date: {"1": …, "7": …}.'
    )
    phase = serializers.ChoiceField(choices=["before", "during", "after"])
    current_day = serializers.IntegerField(
        allow_null=True, help_text="The latest working day that has begun; null before day 1."
    )
    steps_total = serializers.IntegerField()
    steps_done = serializers.IntegerField()
    days = DaySerializer(many=True)
    fvm_sentence = serializers.CharField()
    fvm = FvmCompletionSerializer(allow_null=True)
    minutes_saved = serializers.IntegerField(allow_null=True)


class StepRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    day = serializers.IntegerField()
    title = serializers.CharField()


class TaskOfferSerializer(serializers.Serializer):
    title = serializers.CharField()
    prompt_title = serializers.CharField(allow_blank=True)


class TeamMemberSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(allow_blank=True)
    email = serializers.EmailField()
    role = RoleSerializer()
    phase = serializers.ChoiceField(choices=["before", "during", "after"])
    current_day = serializers.IntegerField(allow_null=True)
    steps_total = serializers.IntegerField()
    steps_done = serializers.IntegerField()
    needs_help_with = StepRefSerializer(allow_null=True)
    task_to_offer = TaskOfferSerializer(allow_null=True)
    fvm = FvmCompletionSerializer(allow_null=True)


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
