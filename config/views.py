"""Error pages that answer API clients in JSON; the landing page; the sign-out page."""

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LogoutView
from django.db.models import Q
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import defaults
from django.views.decorators.http import require_safe

from onboarding.models import Enrollment
from roles.permissions import is_enablement


def page_not_found(request, exception):
    # An /api/ path that matches no route (say /api/me/steps/x/complete/) is still an API call.
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": "Server error."}, status=500)
    return defaults.server_error(request)


# --- Where signing in lands ----------------------------------------------------------------


@require_safe
@login_required
def home(request):
    """The role-aware landing page (LOGIN_REDIRECT_URL): someone in a first week goes to their
    checklist, a manager or a power user to their team, enablement and admins to the dashboard."""
    target = request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    user = request.user
    if Enrollment.objects.filter(user=user).exists():
        return redirect("onboarding:my")
    if Enrollment.objects.filter(Q(manager=user) | Q(buddy=user)).exists():
        return redirect("onboarding:team")
    if is_enablement(user):
        return redirect("insights:dashboard")
    return redirect("onboarding:my")


class SignOutView(LogoutView):
    """Django's LogoutView signs out on POST only; a GET shows a page with the button."""

    http_method_names = ["get", "post", "options"]
    template_name = "registration/logout_confirm.html"

    def get(self, request, *args, **kwargs):
        return render(request, self.template_name)
