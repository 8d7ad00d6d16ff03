"""Admin for onboarding: organisation settings, holidays, enrollments (and their CSV import).

Every form here that writes calls the service the rest of the app calls (``services``,
``organisation``, ``enroll_csv``, ``interventions``); a ValidationError the service raises is
shown at the field it names.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from . import interventions, organisation, services
from .enroll_csv import enrollments_import
from .enroll_rows import EnrollmentImportError, binary_opener, columns_help
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


def add_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """A service's ValidationError on the form: at each field it names that the form shows,
    above the form for the others."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _saved_as(obj, saved) -> None:
    """Make the admin's instance the row the service saved (the admin logs and redirects
    with it)."""
    obj.pk = saved.pk
    obj._state.adding = False
    obj.refresh_from_db()


@admin.register(OrgSettings)
class OrgSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "nudge_hour", "accountability_after_day", "hourly_rate", "currency"]
    fields = ["nudge_hour", "accountability_after_day", "hourly_rate", "currency", "licensed_seats"]

    def has_add_permission(self, request) -> bool:
        return super().has_add_permission(request) and not OrgSettings.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        data = form.cleaned_data
        saved = organisation.org_settings_update(**{name: data[name] for name in self.fields})
        _saved_as(obj, saved)


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ["date", "name"]
    search_fields = ["name"]
    date_hierarchy = "date"
    ordering = ["date"]
    fields = ["date", "name"]

    def save_model(self, request, obj, form, change) -> None:
        current = Holiday.objects.get(pk=obj.pk) if change else None
        saved = organisation.holiday_save(
            day=form.cleaned_data["date"], name=form.cleaned_data["name"], holiday=current
        )
        _saved_as(obj, saved)

    def delete_model(self, request, obj) -> None:
        organisation.holidays_delete(holidays=[obj])

    def delete_queryset(self, request, queryset) -> None:
        organisation.holidays_delete(holidays=queryset)


class EnrollmentDayInline(admin.TabularInline):
    model = EnrollmentDay
    fields = ["number", "date", "begins_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class ImportCsvForm(forms.Form):
    file = forms.FileField(help_text=f"UTF-8 CSV with {columns_help()}.")
    dry_run = forms.BooleanField(required=False, help_text="Check the file; write nothing.")


# What the enrollment forms edit; the rest is derived by the service (dates, holdout) or fixed
# once enrolled (the person and the version their path is dated from).
_ENROLLMENT_FIELDS = ["name", "track", "start_date", "timezone", "manager", "buddy", "values"]
_DERIVED_FIELDS = ["holdout", "day1", "day7", "window_ends_at", "first_visit_at", "enrolled_at"]


class EnrollmentForm(forms.ModelForm):
    """Checks what the enrollment service checks, so its refusals show at their fields."""

    def clean(self):
        data = super().clean()
        instance = self.instance
        user = data.get("user") if instance.pk is None else instance.user
        version = data.get("version") if instance.pk is None else instance.version
        if user is None or version is None or not data.get("timezone"):
            return data  # the form has already said what is missing
        try:
            services.enrollment_validate(
                user=user,
                version=version,
                timezone=data["timezone"],
                manager=data.get("manager"),
                buddy=data.get("buddy"),
            )
        except ValidationError as exc:
            add_service_errors(self, exc)
        return data


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
    form = EnrollmentForm
    fields = ["user", "version", *_ENROLLMENT_FIELDS, *_DERIVED_FIELDS]
    date_hierarchy = "start_date"
    inlines = [EnrollmentDayInline]
    actions = ["regenerate_paths"]
    change_list_template = "admin/onboarding/enrollment/change_list.html"

    def get_readonly_fields(self, request, obj=None):
        # An enrollment keeps its person and the pack version it was enrolled on (its path is
        # dated from it); holdout is drawn once, by the service.
        return _DERIVED_FIELDS if obj is None else ["user", "version", *_DERIVED_FIELDS]

    def save_model(self, request, obj, form, change) -> None:
        data = form.cleaned_data
        fields = {name: data.get(name) for name in _ENROLLMENT_FIELDS}
        fields["values"] = fields["values"] or {}
        if change:
            saved = services.enrollment_update(enrollment=obj, **fields)
        else:
            saved = services.enrollment_create(user=data["user"], version=data["version"], **fields)
        _saved_as(obj, saved)

    def delete_model(self, request, obj) -> None:
        services.enrollments_delete(enrollments=[obj])

    def delete_queryset(self, request, queryset) -> None:
        services.enrollments_delete(enrollments=queryset)

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


# --- Interventions and check-ins: what went out, to whom, and why not ---------------------


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

    @admin.action(
        description="Send the selected failed or uncertain interventions again "
        "(an uncertain one: only once you know it did not arrive)"
    )
    def send_again(self, request, queryset):
        ids = list(queryset.values_list("id", flat=True))
        count = interventions.intervention_sends_retry(ids=ids)
        self.message_user(
            request, f"{count} failed or uncertain send(s) queued again.", messages.SUCCESS
        )


@admin.register(Checkin)
class CheckinAdmin(admin.ModelAdmin):
    list_display = [
        "enrollment",
        "day",
        "due_at",
        "sent_at",
        "attempts",
        "failed",
        "answered_at",
        "active",
        "sentiment",
    ]
    list_filter = [
        "day",
        "failed",
        "active",
        "sentiment",
        ("answered_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["enrollment__user__email", "enrollment__name", "last_error"]
    list_select_related = ["enrollment__user"]
    readonly_fields = [f.name for f in Checkin._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
