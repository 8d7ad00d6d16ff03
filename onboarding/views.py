"""Pages: email-link sign-in, the employee's checklist (/my/) and the manager view (/team/)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from . import auth, pages, progress, workdays
from .forms import EmailLinkForm, FvmForm
from .selectors.banners import banners_for_user
from .selectors.checklists import checklist_build
from .selectors.enrollments import enrollment_for_user, fvm_for_enrollment, path_step_for_enrollment
from .selectors.team import team_for

# --- Sign-in by email link ---------------------------------------------------


@require_http_methods(["GET", "POST"])
def email_link_request(request: HttpRequest) -> HttpResponse:
    form = EmailLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        auth.magic_link_request(email=form.cleaned_data["email"])
        # The same answer, and the same work, whether or not the address is known (or
        # rate-limited, or SMTP is down): the task decides, after the response.
        return render(
            request, "registration/email_link_sent.html", {"email": form.cleaned_data["email"]}
        )
    return render(request, "registration/email_link.html", {"form": form})


@require_http_methods(["GET", "POST"])
def email_link_confirm(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """GET only shows a button: mail scanners that prefetch links must not use them up."""
    user = auth.magic_link_user(uidb64=uidb64, token=token)
    if user is None:
        return render(request, "registration/email_link_invalid.html", status=400)
    if request.method == "POST":
        login(request, user, backend="config.auth.EmailOrUsernameBackend")
        return redirect(settings.LOGIN_REDIRECT_URL)
    return render(request, "registration/email_link_confirm.html", {"link_user": user})


# --- The employee's checklist -------------------------------------------------


def _enrollment_or_404(request: HttpRequest):
    enrollment = enrollment_for_user(user=request.user)
    if enrollment is None:
        raise Http404("You are not enrolled.")
    return enrollment


def _render_my(request: HttpRequest, checklist, fvm_form: FvmForm, status: int = 200):
    return render(
        request, "onboarding/my.html", pages.my_context(request, checklist, fvm_form), status=status
    )


@require_safe
@login_required
def my(request: HttpRequest) -> HttpResponse:
    enrollment = enrollment_for_user(user=request.user)
    if enrollment is None:
        is_manager = request.user.managed_enrollments.exists()
        return render(
            request,
            "onboarding/my_none.html",
            {"is_manager": is_manager, "banners": banners_for_user(request.user)},
        )
    progress.enrollment_first_visit_mark(enrollment=enrollment)
    checklist = checklist_build(enrollment=enrollment)
    return _render_my(request, checklist, pages.fvm_form_for(checklist))


def _on_my_step(request: HttpRequest, step_id: int, service) -> HttpResponse:
    """Mark or unmark one of the person's own steps, then back to it on the checklist."""
    enrollment = _enrollment_or_404(request)
    step = path_step_for_enrollment(enrollment=enrollment, step_id=step_id)
    if step is None:
        raise Http404("This step is not on your path.")
    try:
        service(enrollment=enrollment, step=step)
    except ValidationError as exc:
        # The FVM task: done by recording first value, not by a button.
        messages.info(request, " ".join(exc.message_dict.get("step", exc.messages)))
        return redirect(f"{reverse('onboarding:my')}#fvm")
    return redirect(f"{reverse('onboarding:my')}#step-{step.id}")


@login_required
@require_POST
def step_done(request: HttpRequest, step_id: int) -> HttpResponse:
    return _on_my_step(request, step_id, progress.step_complete)


@login_required
@require_POST
def step_undo(request: HttpRequest, step_id: int) -> HttpResponse:
    return _on_my_step(request, step_id, progress.step_undo)


def _fvm_service_call(request: HttpRequest, enrollment, form: FvmForm, call) -> bool:
    """Validate ``form`` in the person's timezone (a "when" without an offset is their local
    time), then ``call(cleaned_data)``; service errors land on the form. True on success."""
    with timezone.override(workdays.valid_timezone(enrollment.timezone)):
        if not form.is_valid():
            return False
    try:
        call(form.cleaned_data)
    except ValidationError as exc:
        form.service_errors(exc)
        return False
    return True


@login_required
@require_POST
def fvm_record(request: HttpRequest) -> HttpResponse:
    enrollment = _enrollment_or_404(request)
    if fvm_for_enrollment(enrollment=enrollment) is not None:
        messages.info(request, "You have already recorded your first value.")
        return redirect("onboarding:first-value")
    checklist = checklist_build(enrollment=enrollment)
    form = pages.fvm_form_for(checklist, request.POST)

    def record(data):
        progress.fvm_completion_record(
            enrollment=enrollment,
            minutes_taken=data["minutes_taken"],
            evidence=data["evidence"],
            rating=data["rating"],
            completed_at=data["completed_at"],
            confirmed=data["confirm_minutes"],
        )

    try:
        if _fvm_service_call(request, enrollment, form, record):
            return redirect("onboarding:first-value")
    except progress.FvmAlreadyRecorded:
        messages.info(request, "You have already recorded your first value.")
        return redirect("onboarding:first-value")
    return _render_my(request, checklist, form, status=400)


def _first_value_context(enrollment, fvm) -> dict:
    return {
        "enrollment": enrollment,
        "version": enrollment.version,
        "fvm": fvm,
        "minutes_longer": -fvm.minutes_saved,
        "correctable": progress.fvm_is_correctable(fvm),
        "correctable_until": progress.fvm_correctable_until(fvm),
    }


@require_safe
@login_required
def first_value(request: HttpRequest) -> HttpResponse:
    enrollment = _enrollment_or_404(request)
    fvm = fvm_for_enrollment(enrollment=enrollment)
    if fvm is None:
        return redirect("onboarding:my")
    return render(request, "onboarding/first_value.html", _first_value_context(enrollment, fvm))


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def fvm_correct(request: HttpRequest) -> HttpResponse:
    """Correct the recorded FVM, within the correction window (403 after it)."""
    enrollment = _enrollment_or_404(request)
    fvm = fvm_for_enrollment(enrollment=enrollment)
    if fvm is None:
        return redirect("onboarding:my")
    context = _first_value_context(enrollment, fvm)
    if not context["correctable"]:
        return render(request, "onboarding/fvm_correct.html", context, status=403)
    hint = enrollment.version.fvm_evidence
    if request.method != "POST":
        local = timezone.localtime(fvm.completed_at, workdays.valid_timezone(enrollment.timezone))
        initial = {
            "minutes_taken": fvm.minutes_taken,
            "evidence": fvm.evidence,
            "rating": fvm.rating,
            "completed_at": local.replace(tzinfo=None),
        }
        form = FvmForm(initial=initial, evidence_hint=hint)
        return render(request, "onboarding/fvm_correct.html", {**context, "fvm_form": form})
    form = FvmForm(request.POST, evidence_hint=hint)

    def correct(data):
        changes = {name: data[name] for name in progress.FVM_FIELDS if data[name] is not None}
        progress.fvm_completion_correct(
            enrollment=enrollment, changes=changes, confirmed=data["confirm_minutes"]
        )

    try:
        if _fvm_service_call(request, enrollment, form, correct):
            messages.success(request, "Your first value is corrected.")
            return redirect("onboarding:first-value")
    except progress.FvmCorrectionClosed:
        return render(request, "onboarding/fvm_correct.html", context, status=403)
    return render(request, "onboarding/fvm_correct.html", {**context, "fvm_form": form}, status=400)


# --- The manager's view ---------------------------------------------------------


@require_safe
@login_required
def team(request: HttpRequest) -> HttpResponse:
    team = team_for(user=request.user)
    banners = banners_for_user(request.user)  # in-app messages to this manager or power user
    return render(request, "onboarding/team.html", {"team": team, "banners": banners})
