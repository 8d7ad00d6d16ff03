"""The product's URLs plus the floors the load bench compares them with (bench only).

The floors are the cheapest views behind the same authentication as the real ones:
- /bench/floor/api/: a DRF view answering {"ok": true}, with the project's default
  authentication (Basic, then session) and IsAuthenticated, as /api/me/ has;
- /bench/floor/page/: a login-required page rendering a tiny template;
- /bench/floor/base/: the same inside base.html (the layout /my/ renders in).
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.template import engines
from django.urls import include, path
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

TINY = engines["django"].from_string(
    "<!doctype html><html lang=en><title>floor</title><p>Hello {{ user.get_username }}</p>"
)
IN_BASE = engines["django"].from_string(
    '{% extends "base.html" %}{% block content %}<p>Hello {{ user.get_username }}</p>{% endblock %}'
)


class FloorApi(APIView):
    permission_classes = [IsAuthenticated]

    def get(self, request):
        return Response({"ok": True})


@login_required
def floor_page(request):
    return HttpResponse(TINY.render({}, request))


@login_required
def floor_base(request):
    return HttpResponse(IN_BASE.render({}, request))


urlpatterns = [
    path("bench/floor/api/", FloorApi.as_view()),
    path("bench/floor/page/", floor_page),
    path("bench/floor/base/", floor_base),
    path("", include("config.urls")),
]
