"""What was exported to which AI tool."""

from django.conf import settings
from django.db import models


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
    target = models.CharField(
        max_length=300,
        blank=True,
        help_text="Where it went live when pushed: openwebui:URL or teams-catalog:TENANT.",
    )
    target_ids = models.JSONField(
        default=list, blank=True, help_text="What is live there: prompts, models, app ids."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.format} export at {self.created_at:%Y-%m-%d %H:%M}"
