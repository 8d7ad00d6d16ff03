"""The request being served, for audit records made deep inside services and signals."""

from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class RequestContext:
    user: Any
    ip: str | None
    is_admin: bool


current: ContextVar[RequestContext | None] = ContextVar("audit_request", default=None)


def client_ip(request) -> str | None:
    """The client's address, by ``settings.AUDIT_CLIENT_IP_CALLABLE`` (dotted path) if set."""
    path = settings.AUDIT_CLIENT_IP_CALLABLE
    ip = import_string(path)(request) if path else request.META.get("REMOTE_ADDR")
    return ip or None


class AuditContextMiddleware:
    """Remembers who is asking, from where, and whether through the admin (after auth)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        prefix = settings.AUDIT_ADMIN_PATH_PREFIX
        token = current.set(
            RequestContext(
                user=getattr(request, "user", None),
                ip=client_ip(request),
                is_admin=request.path_info.startswith(prefix),
            )
        )
        try:
            return self.get_response(request)
        finally:
            current.reset(token)
