"""Authoring role packs in the admin.

Only people with the rollout permission (roles/permissions.py) see or change packs. Published
versions are read-only; "Create new draft" clones one into the pack's draft, and
"Publish" runs the shared validator (roles.validation) and lists every error.
Prompts, demos and the Markdown previews join the version page from
``templates_library/admin.py``, which re-registers the version admin (roles imports
nothing above it).
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from roles import services
from roles.canonical import own_columns, version_column, version_header
from roles.document import ContextDoc, FvmDoc, PackDocument
from roles.models import Intervention, Kpi, PathStep, RolePack, RolePackVersion
from roles.permissions import is_enablement
from roles.validation import PackValidationError


class AuthorOnlyMixin:
    """The enablement team and admins only (staff without the permission see nothing)."""

    # A URL typed without a scheme is taken as https (Django 6's default), never http.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_module_permission(self, request):
        return is_enablement(request.user)

    def has_view_permission(self, request, obj=None):
        return is_enablement(request.user)

    def has_add_permission(self, request, obj=None):
        return is_enablement(request.user)

    def has_change_permission(self, request, obj=None):
        return is_enablement(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_enablement(request.user)


class VersionContentInlineMixin(AuthorOnlyMixin):
    """Inline content of a version: frozen once the version is published."""

    extra = 0

    def _editable(self, request, obj):
        return is_enablement(request.user) and not (obj and obj.is_published)

    def has_add_permission(self, request, obj=None):
        return self._editable(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(request, obj)


class PathStepInline(VersionContentInlineMixin, admin.TabularInline):
    model = PathStep
    fields = [
        "track",
        "day",
        "order",
        "kind",
        "title",
        "prompt_slug",
        "demo_slug",
        "body",
        "expected_output",
    ]
    formfield_overrides = {
        PathStep._meta.get_field("body").__class__: {
            "widget": forms.Textarea(attrs={"rows": 3, "cols": 40})
        }
    }


class InterventionInline(VersionContentInlineMixin, admin.TabularInline):
    model = Intervention
    fields = ["day", "kind", "channel", "webhook_url", "message"]


class KpiInline(VersionContentInlineMixin, admin.TabularInline):
    model = Kpi
    fields = ["order", "name", "unit", "baseline", "target", "direction"]


class RolePackVersionForm(forms.ModelForm):
    """The version's own fields. Saving goes through the services (a new version through
    rolepack_version_create, a draft's change through rolepack_draft_update); their checks
    run here first, each error shown at the field it is about."""

    class Meta:
        model = RolePackVersion
        fields = [
            *own_columns(PackDocument),
            *own_columns(FvmDoc),
            *own_columns(ContextDoc),
        ]

    def _get_validation_exclusions(self):
        # The version's rules (target below baseline, one draft per pack) and its number
        # are the services' to check, with their messages at the fields: see _post_clean.
        return {*super()._get_validation_exclusions(), "fvm_target_minutes"}

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        version = self.instance
        errors = services.rolepack_version_errors(
            slug=version.pack.slug,
            document=version_header(version),
            complete=False,
            draft=version if version.pk else None,
        )
        for error in errors:
            field = version_column(error.path)
            self.add_error(field if field in self.fields else None, error.message)


@admin.action(description="Publish the selected drafts (runs the validator)")
def publish_versions(modeladmin, request, queryset):
    for version in queryset.select_related("pack"):
        modeladmin.publish_one(request, version)


class RolePackVersionAdmin(AuthorOnlyMixin, admin.ModelAdmin):
    form = RolePackVersionForm
    change_form_template = "admin/roles/rolepackversion/change_form.html"
    list_display = ["pack", "number", "status", "name", "published_at", "created_by"]
    list_filter = ["status", "pack"]
    list_select_related = ["pack", "created_by"]
    search_fields = ["pack__slug", "name"]
    actions = [publish_versions]
    inlines = [PathStepInline, InterventionInline, KpiInline]
    readonly_fields = ["number", "status", "fvm_sentence_preview"]
    fieldsets = [
        (None, {"fields": ["pack", "number", "status", "name", "description"]}),
        ("First value moment", {"fields": [*own_columns(FvmDoc), "fvm_sentence_preview"]}),
        ("Context", {"fields": own_columns(ContextDoc)}),
        ("Experiment", {"fields": ["holdout_percent"]}),
    ]

    class Media:
        js = ["roles/fvm_preview.js"]

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_published:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_published:
            return False
        return super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields.append("pack")
        return fields

    @admin.display(description="FVM sentence")
    def fvm_sentence_preview(self, obj):
        sentence = obj.fvm_sentence if obj and obj.pk else ""
        return format_html('<p id="fvm-sentence-preview">{}</p>', sentence)

    def save_model(self, request, obj, form, change):
        document = version_header(obj)
        if change:
            services.rolepack_draft_update(version=obj, document=document)
            return
        version = services.rolepack_version_create(
            slug=obj.pack.slug, document=document, user=request.user, complete=False
        )
        # The inline rows on the page are saved next, under ``obj``: make it the new version.
        for field in RolePackVersion._meta.concrete_fields:
            setattr(obj, field.attname, getattr(version, field.attname))
        obj._state.adding, obj._state.db = False, version._state.db

    def get_urls(self):
        return [
            path(
                "<int:pk>/publish/",
                self.admin_site.admin_view(self.publish_view),
                name="roles_rolepackversion_publish",
            ),
            path(
                "<int:pk>/new-draft/",
                self.admin_site.admin_view(self.new_draft_view),
                name="roles_rolepackversion_new_draft",
            ),
            *super().get_urls(),
        ]

    def _post_only(self, request, pk):
        if request.method != "POST" or not is_enablement(request.user):
            raise PermissionDenied
        return get_object_or_404(RolePackVersion.objects.select_related("pack"), pk=pk)

    def publish_view(self, request, pk):
        version = self._post_only(request, pk)
        self.publish_one(request, version)
        return HttpResponseRedirect(reverse("admin:roles_rolepackversion_change", args=[pk]))

    def new_draft_view(self, request, pk):
        version = self._post_only(request, pk)
        draft = services.rolepack_draft_create(pack=version.pack, user=request.user)
        self.message_user(request, f"Editing draft v{draft.number} of {version.pack.slug}.")
        return HttpResponseRedirect(reverse("admin:roles_rolepackversion_change", args=[draft.pk]))

    def publish_one(self, request, version) -> bool:
        if version.is_published:
            self.message_user(request, f"{version} is already published.", messages.WARNING)
            return False
        try:
            services.rolepack_version_publish(version=version, user=request.user)
        except PackValidationError as exc:
            self.message_user(
                request,
                f"{version.pack.slug} v{version.number} was not published: "
                f"{len(exc.errors)} error(s).",
                messages.ERROR,
            )
            for error in exc.errors:
                self.message_user(
                    request, f"{error.path or '(pack)'}: {error.message}", messages.ERROR
                )
            return False
        self.message_user(request, f"Published {version.pack.slug} v{version.number}.")
        return True


@admin.action(description="Create a new draft from the latest version")
def create_drafts(modeladmin, request, queryset):
    for pack in queryset:
        try:
            draft = services.rolepack_draft_create(pack=pack, user=request.user)
        except PackValidationError as exc:
            modeladmin.message_user(request, str(exc), messages.ERROR)
            continue
        modeladmin.message_user(request, f"{pack.slug}: draft v{draft.number} is ready.")


class RolePackAdmin(AuthorOnlyMixin, admin.ModelAdmin):
    list_display = ["slug", "versions_list", "created_at"]
    search_fields = ["slug"]
    actions = [create_drafts]
    readonly_fields = ["versions_list"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("versions")

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "slug"] if obj else self.readonly_fields

    @admin.display(description="versions")
    def versions_list(self, obj):
        versions = sorted(obj.versions.all(), key=lambda v: -v.number)
        if not versions:
            return "—"
        return format_html_join(
            ", ",
            '<a href="{}">v{} ({})</a>',
            (
                (reverse("admin:roles_rolepackversion_change", args=[v.pk]), v.number, v.status)
                for v in versions
            ),
        )


admin.site.register(RolePack, RolePackAdmin)
admin.site.register(RolePackVersion, RolePackVersionAdmin)
