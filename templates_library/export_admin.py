"""Admin: "Export prompts as …" actions for role packs, and the read-only export log.

The actions are attached to the role pack admin by one line in ``admin.py``:
``add_export_actions(RolePackAdmin)``.
"""

from django.contrib import admin, messages
from django.http import HttpResponse

from audit.admin import RecordAdminMixin
from roles.models import RolePack
from roles.permissions import is_enablement
from templates_library import selectors
from templates_library.exporters import FORMATS, ExportError
from templates_library.exporters.service import prompts_export
from templates_library.models import ExportLog


def _make_action(fmt: str):
    def action(modeladmin, request, queryset):
        if not is_enablement(request.user):
            modeladmin.message_user(
                request, "Exports are for admins and the enablement group.", messages.ERROR
            )
            return None
        slugs = list(queryset.values_list("slug", flat=True))
        try:
            versions = selectors.export_versions(role_slugs=slugs)
            result = prompts_export(fmt=fmt, versions=versions, user=request.user, via="admin")
        except (selectors.NoPublishedVersion, ExportError) as exc:
            modeladmin.message_user(request, f"Export failed: {exc}", messages.ERROR)
            return None
        response = HttpResponse(result.content, content_type=result.content_type)
        response["Content-Disposition"] = f'attachment; filename="{result.filename}"'
        return response

    action.__name__ = f"export_prompts_{fmt.replace('-', '_')}"
    action.short_description = f"Export prompts as {fmt}"
    return action


EXPORT_ACTIONS = [_make_action(fmt) for fmt in FORMATS]


def add_export_actions(model_admin_class) -> None:
    """Append the export actions to a ModelAdmin class for RolePack (idempotent)."""
    current = list(model_admin_class.actions or [])
    names = {getattr(a, "__name__", a) for a in current}
    model_admin_class.actions = [
        *current,
        *(a for a in EXPORT_ACTIONS if a.__name__ not in names),
    ]


@admin.register(ExportLog)
class ExportLogAdmin(RecordAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "format", "role_list", "via", "user", "size_bytes"]
    list_filter = ["format", "via"]
    search_fields = ["content_hash", "user__email"]
    readonly_fields = [
        "created_at",
        "user",
        "format",
        "roles",
        "content_hash",
        "size_bytes",
        "via",
    ]
    fields = readonly_fields

    @admin.display(description="roles")
    def role_list(self, obj) -> str:
        return ", ".join(f"{r.get('slug')} v{r.get('version')}" for r in obj.roles or [])


__all__ = ["EXPORT_ACTIONS", "RolePack", "add_export_actions"]
