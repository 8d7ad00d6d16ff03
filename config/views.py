"""Error pages that answer API clients in JSON."""

from django.http import JsonResponse
from django.views import defaults


def page_not_found(request, exception):
    # An /api/ path that matches no route (say /api/me/steps/x/complete/) is still an API call.
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": "Server error."}, status=500)
    return defaults.server_error(request)
