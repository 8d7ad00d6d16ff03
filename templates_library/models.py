"""Prompts, their variables and workflow demos of a role pack version."""

from django.conf import settings
from django.db import models

from roles.models import RolePackVersion


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


class ExportLog(models.Model):
    """What was exported to an AI tool, by whom: so admins know what is live there."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    format = models.CharField(max_length=20)
    roles = models.JSONField(default=list, help_text="[{slug, version}]")
    content_hash = models.CharField(max_length=64)
    size_bytes = models.PositiveIntegerField(default=0)
    via = models.CharField(max_length=10, default="command")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.format} export at {self.created_at:%Y-%m-%d %H:%M}"
