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

    # Shown only once the minutes ask for it (far above the baseline; onboarding/progress.py).
    confirm_minutes = forms.BooleanField(label="Yes, it really took that long", required=False)

    def __init__(self, *args, evidence_hint: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.asks_confirmation = False
        if evidence_hint:
            self.fields["evidence"].help_text = f"Asked for: {evidence_hint}"

    def service_errors(self, exc) -> None:
        """Put the service's ValidationError on the form; a ``confirm`` on the minutes shows
        the confirmation box, labelled with the figure."""
        confirm = [e for e in exc.error_dict.get("minutes_taken", []) if e.code == "confirm"]
        minutes = self.cleaned_data.get("minutes_taken")
        self.add_error(None, exc)
        if confirm:
            self.asks_confirmation = True
            label = f"Yes, it really took {minutes:,} minutes"
            self.fields["confirm_minutes"].label = label
            self["confirm_minutes"].label = label  # the bound field, already made by is_valid

    def error_summary(self) -> list[tuple[str, str, str]]:
        """(anchor id, field label, message) for every error, in the form's order."""
        rows = [("fvm-form", "", str(message)) for message in self.non_field_errors()]
        for bound in self:
            anchor = bound.id_for_label or f"{bound.auto_id}_0"  # radios: the first one
            rows += [(anchor, bound.label, str(message)) for message in bound.errors]
        return rows


SENTIMENT_CHOICES = [
    (1, "1 – adds friction"),
    (2, "2"),
    (3, "3"),
    (4, "4"),
    (5, "5 – helps a lot"),
]


class CheckinForm(forms.Form):
    """The day-30/90 check-in page: the yes/no is the link itself (one click on the
    button); the sentiment and the reinforcement steps done are optional."""

    sentiment = forms.TypedChoiceField(
        label="Does the AI tool help with your work or add friction?",
        choices=SENTIMENT_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    steps = forms.TypedMultipleChoiceField(
        label="Steps done",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        # Only the steps not done yet can be ticked; done ones are shown as done.
        self.fields["steps"].choices = [
            (item.step.id, "I did this") for item in items if not item.done_at
        ]
