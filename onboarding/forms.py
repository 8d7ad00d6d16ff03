from django import forms


class EmailLinkForm(forms.Form):
    email = forms.EmailField(
        label="Your work email",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )


RATING_CHOICES = [
    (1, "1 – not usable"),
    (2, "2 – needed a lot of rework"),
    (3, "3 – usable with edits"),
    (4, "4 – good"),
    (5, "5 – excellent"),
]


class FvmForm(forms.Form):
    """The First Value Moment. Validate inside ``timezone.override(person's zone)`` so a
    "when" typed without an offset means the person's local time."""

    minutes_taken = forms.IntegerField(
        label="Minutes it took you with the AI",
        min_value=1,
        max_value=100_000,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    evidence = forms.CharField(
        label="Evidence",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    rating = forms.TypedChoiceField(
        label="How good was the result?",
        choices=RATING_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
    )
    completed_at = forms.DateTimeField(
        label="When (leave empty for now)",
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args, evidence_hint: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if evidence_hint:
            self.fields["evidence"].help_text = f"Asked for: {evidence_hint}"
