"""Admin for prompts and demos, and the full role pack version page.

The version page registered by ``roles/admin.py`` is re-registered here with the
prompt and demo inlines and sanitised Markdown previews (``render_markdown``), since
roles imports nothing above it.
"""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from roles.admin import (
    AuthorOnlyMixin,
    InterventionInline,
    KpiInline,
    PathStepInline,
    RolePackAdmin,
    RolePackVersionAdmin,
    VersionContentInlineMixin,
)
from roles.models import Demo, Prompt, PromptVariable, RolePackVersion
from roles.permissions import is_enablement
from templates_library.export_admin import add_export_actions
from templates_library.markdown import render_markdown

add_export_actions(RolePackAdmin)


def markdown_preview(*texts: str):
    text = "\n\n".join(t for t in texts if t)
    if not text:
        return "—"
    return format_html('<div class="markdown-preview">{}</div>', render_markdown(text))


class PromptInline(VersionContentInlineMixin, admin.StackedInline):
    model = Prompt
    fields = ["order", "slug", "title", "body", "tags", "body_preview", "variables_link"]
    readonly_fields = ["body_preview", "variables_link"]
    show_change_link = True

    @admin.display(description="Preview")
    def body_preview(self, obj):
        return markdown_preview(obj.body)

    @admin.display(description="Variables")
    def variables_link(self, obj):
        if not obj.pk:
            return "Save first, then edit the variables."
        names = ", ".join(v.name for v in obj.variables.all()) or "none"
        url = reverse("admin:roles_prompt_change", args=[obj.pk])
        return format_html('{} — <a href="{}">edit variables</a>', names, url)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("variables")


class DemoInline(VersionContentInlineMixin, admin.StackedInline):
    model = Demo
    fields = [
        "order",
        "slug",
        "title",
        "deliverable",
        ("before_minutes", "after_minutes"),
        "video_url",
        "presenter",
        "steps",
        "steps_preview",
    ]
    readonly_fields = ["steps_preview"]

    @admin.display(description="Preview")
    def steps_preview(self, obj):
        return markdown_preview(obj.steps)


class PreviewPathStepInline(PathStepInline):
    fields = [*PathStepInline.fields, "preview"]
    readonly_fields = ["preview"]

    @admin.display(description="Preview")
    def preview(self, obj):
        return markdown_preview(obj.body, obj.expected_output)


class PreviewInterventionInline(InterventionInline):
    fields = [*InterventionInline.fields, "preview"]
    readonly_fields = ["preview"]

    @admin.display(description="Preview")
    def preview(self, obj):
        return markdown_preview(obj.message)


class FullRolePackVersionAdmin(RolePackVersionAdmin):
    inlines = [
        PromptInline,
        DemoInline,
        PreviewPathStepInline,
        PreviewInterventionInline,
        KpiInline,
    ]
    readonly_fields = [*RolePackVersionAdmin.readonly_fields, "description_preview"]
    fieldsets = [
        (
            None,
            {"fields": ["pack", "number", "status", "name", "description", "description_preview"]},
        ),
        *RolePackVersionAdmin.fieldsets[1:],
    ]

    @admin.display(description="Description preview")
    def description_preview(self, obj):
        return markdown_preview(obj.description if obj else "")


admin.site.unregister(RolePackVersion)
admin.site.register(RolePackVersion, FullRolePackVersionAdmin)


class PromptVariableInline(VersionContentInlineMixin, admin.TabularInline):
    model = PromptVariable
    fields = ["order", "name", "description", "default", "required"]

    def _editable(self, request, obj):
        # ``obj`` is the prompt here: frozen once its version is published.
        published = obj is not None and obj.version.is_published
        return is_enablement(request.user) and not published


@admin.register(Prompt)
class PromptAdmin(AuthorOnlyMixin, admin.ModelAdmin):
    list_display = ["title", "slug", "version"]
    list_select_related = ["version__pack"]
    list_filter = ["version__pack"]
    search_fields = ["slug", "title", "body"]
    inlines = [PromptVariableInline]
    fields = ["version", "order", "slug", "title", "body", "body_preview", "tags"]
    readonly_fields = ["body_preview"]

    def has_add_permission(self, request):
        return False  # prompts are added on their version's page

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.version.is_published:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.version.is_published:
            return False
        return super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "version"]

    @admin.display(description="Preview")
    def body_preview(self, obj):
        return markdown_preview(obj.body if obj else "")
