"""Admin for onboarding: organisation settings, holidays, enrollments (and their CSV import)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from . import services, triggers
from .enroll_csv import EnrollmentImportError, binary_opener, enrollments_import
from .models import (
    Checkin,
    Enrollment,
    EnrollmentDay,
    Holiday,
    InterventionSend,
    OrgSettings,
)

# Enough rows to find and fix a file; the rest are counted.
_ERRORS_SHOWN = 200


@admin.register(OrgSettings)
class OrgSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "nudge_hour", "accountability_after_day", "hourly_rate", "currency"]

    def has_add_permission(self, request) -> bool:
        return super().has_add_permission(request) and not OrgSettings.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ["date", "name"]
    search_fields = ["name"]
    date_hierarchy = "date"
    ordering = ["date"]


class EnrollmentDayInline(admin.TabularInline):
    model = EnrollmentDay
    fields = ["number", "date", "begins_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class ImportCsvForm(forms.Form):
    file = forms.FileField(
        help_text="UTF-8 CSV with the columns email,name,role,track,manager_email,"
        "buddy_email,start_date,timezone (email, role and start_date required)."
    )
    dry_run = forms.BooleanField(required=False, help_text="Check the file; write nothing.")


@admin.register(Enrollment)
class EnrollmentAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "email",
        "role",
        "track",
        "start_date",
        "day1",
        "fvm_reached",
    ]
    list_filter = ["version__pack", "track", "start_date", "holdout"]
    search_fields = ["name", "user__email", "manager__email", "buddy__email"]
    raw_id_fields = ["user", "manager", "buddy"]
    list_select_related = ["user", "version__pack", "fvm_completion"]
    readonly_fields = ["day1", "day7", "window_ends_at", "first_visit_at", "enrolled_at"]
    date_hierarchy = "start_date"
    inlines = [EnrollmentDayInline]
    actions = ["regenerate_paths"]
    change_list_template = "admin/onboarding/enrollment/change_list.html"

    def get_readonly_fields(self, request, obj=None):
        # An enrollment keeps the pack version it was enrolled on (its path is dated from it).
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "version"] if obj is not None else fields

    @admin.display(ordering="user__email")
    def email(self, obj: Enrollment) -> str:
        return obj.user.email

    @admin.display(ordering="version__pack__slug")
    def role(self, obj: Enrollment) -> str:
        return f"{obj.version.pack.slug} v{obj.version.number}"

    @admin.display(boolean=True, description="FVM")
    def fvm_reached(self, obj: Enrollment) -> bool:
        return hasattr(obj, "fvm_completion")

    @admin.action(
        description="Re-date paths with the current holidays (only if day 1 has not passed)",
        permissions=["change"],
    )
    def regenerate_paths(self, request, queryset):
        done, skipped = services.enrollment_paths_regenerate(enrollments=list(queryset))
        self.message_user(
            request,
            f"Re-dated {done} path(s); {skipped} already past day 1 kept their dates.",
            messages.SUCCESS,
        )

    def get_urls(self):
        return [
            path(
                "import-csv/",
                self.admin_site.admin_view(self.import_csv_view),
                name="onboarding_enrollment_import_csv",
            ),
            *super().get_urls(),
        ]

    def import_csv_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        errors = []
        hidden = 0
        form = ImportCsvForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            dry_run = form.cleaned_data["dry_run"]
            try:
                result = enrollments_import(
                    opener=binary_opener(upload), source=upload.name, dry_run=dry_run
                )
            except EnrollmentImportError as exc:
                errors = [str(e) for e in exc.errors[:_ERRORS_SHOWN]]
                hidden = max(0, len(exc.errors) - _ERRORS_SHOWN)
                self.message_user(
                    request,
                    f"{len(exc.errors)} error(s) in {upload.name}; nothing was enrolled.",
                    messages.ERROR,
                )
            else:
                verb = "Would enroll" if dry_run else "Enrolled"
                self.message_user(
                    request,
                    f"{verb} {result.rows} people from {upload.name}: {result.created} new, "
                    f"{result.updated} updated."
                    + (" Dry run: nothing written." if dry_run else ""),
                    messages.SUCCESS,
                )
                if not dry_run:
                    return redirect(reverse("admin:onboarding_enrollment_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Import enrollments from CSV",
            "form": form,
            "errors": errors,
            "hidden_errors": hidden,
        }
        return TemplateResponse(request, "admin/onboarding/enrollment/import_csv.html", context)


# --- Interventions and check-ins (h5): what went out, to whom, and why not ---------------


@admin.register(InterventionSend)
class InterventionSendAdmin(admin.ModelAdmin):
    list_display = [
        "enrollment",
        "intervention",
        "status",
        "due_at",
        "attempts",
        "sent_at",
        "recipient",
        "short_error",
    ]
    list_filter = ["status", "intervention__kind", "intervention__channel", "due_at"]
    search_fields = ["enrollment__user__email", "enrollment__name", "recipient", "last_error"]
    list_select_related = ["enrollment__user", "intervention"]
    date_hierarchy = "due_at"
    readonly_fields = [f.name for f in InterventionSend._meta.fields]
    actions = ["send_again"]

    @admin.display(description="last error")
    def short_error(self, obj) -> str:
        return obj.last_error[:120]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description="Send the selected failed interventions again")
    def send_again(self, request, queryset):
        count = triggers.intervention_sends_retry(ids=list(queryset.values_list("id", flat=True)))
        self.message_user(request, f"{count} failed send(s) queued again.", messages.SUCCESS)


@admin.register(Checkin)
class CheckinAdmin(admin.ModelAdmin):
    list_display = ["enrollment", "day", "due_at", "sent_at", "attempts", "answered_at", "active"]
    list_filter = ["day", "active", ("answered_at", admin.EmptyFieldListFilter)]
    search_fields = ["enrollment__user__email", "enrollment__name", "last_error"]
    list_select_related = ["enrollment__user"]
    readonly_fields = [f.name for f in Checkin._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
