"""What the studio pushed to an AI tool: one row per push or publish an author started, so
the export page can say how it went (and a worker can report back to it)."""

from django.conf import settings
from django.db import models


class PushRun(models.Model):
    class Target(models.TextChoices):
        OPENWEBUI = "openwebui", "Open WebUI"
        M365 = "m365", "Microsoft 365 agent"

    class Status(models.TextChoices):
        SIGN_IN = "sign_in", "Waiting for the Teams admin to sign in"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    pack = models.ForeignKey("roles.RolePack", on_delete=models.CASCADE, related_name="+")
    target = models.CharField(max_length=10, choices=Target.choices)
    status = models.CharField(max_length=10, choices=Status.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version_number = models.PositiveIntegerField(null=True, blank=True)
    # The device-code flow while the admin signs in (cleared once used): MSAL's own dict.
    flow = models.JSONField(null=True, blank=True)
    result = models.JSONField(
        default=dict, blank=True, help_text="{created, updated, unchanged}: labels"
    )
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # When it was queued (an agent's publish: after the admin's sign-in, which may be long).
    queued_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["pack", "target", "-created_at"], name="push_run_latest")]

    def __str__(self) -> str:
        return f"{self.get_target_display()} push of {self.pack_id} ({self.status})"

    @property
    def active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    def counts(self) -> dict[str, int]:
        return {key: len(self.result.get(key, [])) for key in ("created", "updated", "unchanged")}
