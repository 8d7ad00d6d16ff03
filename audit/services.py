"""Recording audit events. This app imports nothing of ours, so every app may call it."""

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from .context import current
from .models import AuditEvent


def snapshot(obj: models.Model) -> dict[str, Any]:
    """Every concrete field of ``obj`` as JSON-safe values (foreign keys as ids)."""
    data = {field.attname: getattr(obj, field.attname) for field in obj._meta.concrete_fields}
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def _jsonable(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, models.Model):
        return snapshot(value)
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, default=str))


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    before: Any = None,
    after: Any = None,
    ip: str | None = None,
) -> AuditEvent:
    """Record that ``actor`` did ``action`` (``<thing>.<verb>``, e.g. ``pack.publish``).

    ``actor`` may be None (a command or task) or an anonymous user; ``before``/``after`` are
    dicts or model instances (snapshotted). The IP comes from the current request if not given.
    Written in the caller's transaction: a rolled-back change leaves no event behind.
    """
    request = current.get()
    if actor is None and request is not None and request.user is not None:
        actor = request.user
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    if ip is None and request is not None:
        ip = request.ip
    event = AuditEvent(
        actor=actor,
        actor_repr=(getattr(actor, "email", "") or getattr(actor, "username", "")) if actor else "",
        action=action[:64],
        before=_jsonable(before),
        after=_jsonable(after),
        ip=ip,
    )
    if obj is not None:
        event.object_type = obj._meta.label_lower
        event.object_id = str(obj.pk) if obj.pk is not None else ""
        event.object_repr = str(obj)[:200]
    event.save()
    return event
