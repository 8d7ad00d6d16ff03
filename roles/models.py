"""The role pack: one role's whole configuration, versioned.

A pack's content lives on its versions: path steps, interventions, KPIs, prompts (with
their variables) and demos. A published version never changes (an enrollment keeps the
version it started with); editing makes a new draft. Path steps refer to prompts and
demos by slug, as the pack document does (docs/rolepack-format.md).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from .sentences import fvm_sentence
from .webhooks import webhook_url_validator

PATH_LAST_DAY = 7  # the path is working days 1–7
DAY_VALIDATORS = [MinValueValidator(1), MaxValueValidator(PATH_LAST_DAY)]
# The day-30 and day-90 check-ins bring reinforcement steps (docs/rolepack-format.md).
REINFORCEMENT_DAYS = (30, 90)
STEP_MINUTES_MAX = 480  # a step's own minutes: at most a working day


class RolePack(models.Model):
    slug = models.SlugField(max_length=80, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slug"]
        # The one check for "the enablement team or an admin": roles/permissions.py.
        permissions = [
            ("manage_rollout", "Can author role packs, enroll people, export and read reports"),
        ]

    def __str__(self) -> str:
        return self.slug


class RolePackVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    pack = models.ForeignKey(RolePack, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)

    fvm_deliverable = models.CharField("FVM deliverable", max_length=300)
    fvm_baseline_minutes = models.PositiveIntegerField(
        "baseline minutes", help_text="Minutes the deliverable takes without AI."
    )
    fvm_target_minutes = models.PositiveIntegerField(
        "target minutes", help_text="Minutes with AI; must be below the baseline."
    )
    fvm_evidence = models.CharField("evidence", max_length=300, blank=True)
    fvm_subject = models.CharField(
        "subject",
        max_length=120,
        blank=True,
        help_text="Who reaches first value, when the role's name does not read well in the "
        "sentence, e.g. “an HR business partner”.",
    )

    context_audience = models.CharField("audience", max_length=300, blank=True)
    context_terminology = models.JSONField(
        "terminology", default=dict, blank=True, help_text="Term → meaning."
    )
    context_output_format = models.CharField("output format", max_length=500, blank=True)

    holdout_percent = models.PositiveSmallIntegerField(
        default=0,
        validators=[MaxValueValidator(50)],
        help_text="Share of new enrollments randomly held out of interventions, to measure uplift.",
    )
    content_hash = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pack__slug", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["pack", "number"], name="rolepackversion_unique_number"
            ),
            models.UniqueConstraint(
                fields=["pack"],
                condition=Q(status="draft"),
                name="rolepackversion_one_draft_per_pack",
            ),
            models.CheckConstraint(
                condition=Q(fvm_target_minutes__lt=models.F("fvm_baseline_minutes")),
                name="rolepackversion_target_below_baseline",
                violation_error_message="Target minutes must be below baseline minutes.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pack.slug} v{self.number} ({self.status})"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def fvm_sentence(self) -> str:
        return fvm_sentence(
            role=self.name,
            deliverable=self.fvm_deliverable,
            target=self.fvm_target_minutes,
            baseline=self.fvm_baseline_minutes,
            subject=self.fvm_subject,
        )


class Track(models.TextChoices):
    PRESCRIPTIVE = "prescriptive", "Prescriptive (late majority)"
    EXPLORATORY = "exploratory", "Exploratory (early adopters)"


def step_day_validator(value: int) -> None:
    if not (1 <= value <= PATH_LAST_DAY or value in REINFORCEMENT_DAYS):
        raise ValidationError(
            "A step's day is a working day 1–7, or 30 or 90 (reinforcement).", code="day"
        )


class PathStepQuerySet(models.QuerySet):
    def path(self):
        """The 7-day path's steps (days 1–7, on a track)."""
        return self.filter(day__lte=PATH_LAST_DAY)

    def reinforcement(self):
        """The steps the day-30 and day-90 check-ins bring (no track: for everyone)."""
        return self.filter(day__in=REINFORCEMENT_DAYS)


class PathStep(models.Model):
    """A step of the 7-day path (days 1–7, on a track), or a reinforcement step (day 30
    or 90, ``track`` empty: the same for both tracks). Every reader of the path filters
    by track, so reinforcement steps never appear on it."""

    class Kind(models.TextChoices):
        WATCH_DEMO = "watch_demo", "Watch a demo"
        TRY_PROMPT = "try_prompt", "Try a prompt"
        FVM_TASK = "fvm_task", "FVM task"
        REFLECT = "reflect", "Reflect"
        READ = "read", "Read"

    # The kinds a reinforcement step may be: the FVM task belongs to the first week.
    REINFORCEMENT_KINDS = (Kind.WATCH_DEMO, Kind.TRY_PROMPT, Kind.REFLECT, Kind.READ)

    version = models.ForeignKey(RolePackVersion, on_delete=models.CASCADE, related_name="steps")
    track = models.CharField(
        max_length=12, choices=Track.choices, blank=True, help_text="Empty on reinforcement."
    )
    day = models.PositiveSmallIntegerField(validators=[step_day_validator])
    order = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    title = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True, help_text="Markdown: what to do, step by step.")
    prompt_slug = models.SlugField(max_length=80, blank=True)
    demo_slug = models.SlugField(max_length=80, blank=True)
    expected_output = models.TextField(
        blank=True, help_text="Markdown: what a good result looks like."
    )
    minutes = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(STEP_MINUTES_MAX)],
        help_text="Minutes the step takes, for training hours; empty: a watch_demo step "
        "takes its demo's after-minutes, other kinds a default (roles.training).",
    )

    objects = PathStepQuerySet.as_manager()

    class Meta:
        ordering = ["version", "track", "day", "order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(day__gte=1, day__lte=PATH_LAST_DAY) & ~Q(track=""))
                | (Q(day__in=REINFORCEMENT_DAYS, track="") & ~Q(kind="fvm_task")),
                name="pathstep_path_day_or_reinforcement",
                violation_error_message="A path step is on a track, days 1–7; a "
                "reinforcement step has no track, day 30 or 90, and is not the FVM task.",
            ),
            models.UniqueConstraint(
                fields=["version", "track"],
                condition=Q(kind="fvm_task"),
                name="pathstep_one_fvm_task_per_track",
            ),
        ]

    def __str__(self) -> str:
        where = f"{self.track} day {self.day}" if self.track else f"day {self.day} reinforcement"
        return f"{where}: {self.title or self.get_kind_display()}"

    @property
    def is_reinforcement(self) -> bool:
        return self.day in REINFORCEMENT_DAYS


class Intervention(models.Model):
    class Kind(models.TextChoices):
        MANAGER_NUDGE = "manager_nudge", "Manager nudge"
        MICROTRAINING = "microtraining", "Microtraining"
        POWER_USER_SESSION = "power_user_session", "Power-user session"

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        SLACK = "slack", "Slack webhook"
        TEAMS = "teams", "Teams webhook"
        IN_APP = "in_app", "In-app banner"

    version = models.ForeignKey(
        RolePackVersion, on_delete=models.CASCADE, related_name="interventions"
    )
    day = models.PositiveSmallIntegerField(validators=DAY_VALIDATORS)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    webhook_url = models.URLField(
        blank=True,
        validators=[webhook_url_validator],
        help_text="Slack or Teams incoming webhook (https, a public address).",
    )
    message = models.TextField(help_text="Markdown; {{name}}, {{manager_name}}, {{role}}, …")

    class Meta:
        ordering = ["version", "day", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "day", "kind"], name="intervention_unique_day_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"day {self.day} {self.get_kind_display()} ({self.channel})"


# The seeds' advice: 3 to 5 KPIs a role (fewer is a warning, none an error).
KPIS_ADVISED = (3, 5)


class Kpi(models.Model):
    class Direction(models.TextChoices):
        DOWN = "down", "Lower is better"
        UP = "up", "Higher is better"

    version = models.ForeignKey(RolePackVersion, on_delete=models.CASCADE, related_name="kpis")
    name = models.CharField(max_length=120)
    unit = models.CharField(max_length=40)
    baseline = models.DecimalField(max_digits=14, decimal_places=4)
    target = models.DecimalField(max_digits=14, decimal_places=4)
    direction = models.CharField(max_length=4, choices=Direction.choices, default=Direction.DOWN)
    baseline_measured_on = models.DateField(
        null=True,
        blank=True,
        help_text="When the baseline was measured: before the role's first start, so the "
        "baseline is not already moved by the AI tool.",
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["version", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "name"], name="kpi_unique_name"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.unit})"


class Prompt(models.Model):
    version = models.ForeignKey(RolePackVersion, on_delete=models.CASCADE, related_name="prompts")
    slug = models.SlugField(max_length=80)
    title = models.CharField(max_length=200)
    body = models.TextField(help_text="Markdown with {{variable}} placeholders.")
    tags = models.JSONField(default=list, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["version", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "slug"], name="prompt_unique_slug"),
        ]

    def __str__(self) -> str:
        return self.title


class PromptVariable(models.Model):
    prompt = models.ForeignKey(Prompt, on_delete=models.CASCADE, related_name="variables")
    name = models.CharField(max_length=60)
    description = models.CharField(max_length=300, blank=True)
    default = models.TextField(blank=True)
    required = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["prompt", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["prompt", "name"], name="promptvariable_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Demo(models.Model):
    version = models.ForeignKey(RolePackVersion, on_delete=models.CASCADE, related_name="demos")
    slug = models.SlugField(max_length=80)
    title = models.CharField(max_length=200)
    deliverable = models.CharField(max_length=300)
    before_minutes = models.PositiveIntegerField()
    after_minutes = models.PositiveIntegerField()
    video_url = models.URLField(blank=True)
    steps = models.TextField(blank=True, help_text="Markdown.")
    presenter = models.CharField(max_length=120, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["version", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "slug"], name="demo_unique_slug"),
        ]

    def __str__(self) -> str:
        return self.title
