"""/healthz for load balancers and orchestrators: is this instance able to serve?

200 {"database": "ok", "broker": "ok" | "not configured"}; 503 naming the part that failed.
No authentication and no details beyond ok/error (the errors go to the log).

/healthz/usage: the last Microsoft Graph usage sync (insights.graph_sync.usage_sync_status),
for monitoring: 200 with configured, last_sync, outcome, report_date, matched, unmatched,
message and stale (no sync for 36 hours while configured). For the rollout team only, since
the message may name unmatched people.
"""

import logging

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.http import require_safe
from kombu import Connection

from insights.graph_sync import usage_sync_status
from roles.permissions import is_enablement

log = logging.getLogger(__name__)

BROKER_TIMEOUT_SECONDS = 2


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        log.exception("healthz: database check failed")
        return "error"
    return "ok"


def check_broker() -> str:
    url = settings.CELERY_BROKER_URL
    if not url:
        return "not configured"
    try:
        with Connection(
            url,
            connect_timeout=BROKER_TIMEOUT_SECONDS,
            transport_options={
                "socket_connect_timeout": BROKER_TIMEOUT_SECONDS,
                "socket_timeout": BROKER_TIMEOUT_SECONDS,
                "max_retries": 1,
            },
        ) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=BROKER_TIMEOUT_SECONDS)
    except Exception:
        log.exception("healthz: broker check failed")
        return "error"
    return "ok"


@require_safe
def healthz(request):
    checks = {"database": check_database(), "broker": check_broker()}
    healthy = all(value in {"ok", "not configured"} for value in checks.values())
    response = JsonResponse(checks, status=200 if healthy else 503)
    response["Cache-Control"] = "no-store"
    return response


class HealthCheckMiddleware:
    """Answers /healthz before anything checks the Host header.

    Load balancers probe each instance by its address, which is not in ALLOWED_HOSTS; the
    answer carries nothing a host-header attack could use.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == "/healthz" and request.method in {"GET", "HEAD"}:
            return healthz(request)
        return self.get_response(request)


@require_safe
def healthz_usage(request):
    if not request.user.is_authenticated:
        return JsonResponse({"detail": "Authentication credentials were not provided."}, status=401)
    if not is_enablement(request.user):
        return JsonResponse({"detail": "You do not have permission."}, status=403)
    response = JsonResponse(usage_sync_status())
    response["Cache-Control"] = "no-store"
    return response
