from django.contrib import admin

from .models import AuditEvent


class RecordAdminMixin:
    """A record nobody edits: superusers read it, nobody adds, changes or deletes it."""

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(RecordAdminMixin, admin.ModelAdmin):
    """The trail, readable by superusers only and changed by nobody."""

    list_display = ["at", "actor_repr", "action", "object_type", "object_repr", "ip"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_repr", "object_repr", "object_id", "action"]
    date_hierarchy = "at"
    list_select_related = False
    readonly_fields = [f.name for f in AuditEvent._meta.fields]
