"""The export service: one entry point for the command, the API and the admin."""

import hashlib

from django.db import transaction

from audit.services import audit_record
from templates_library import selectors
from templates_library.exporters import ExportError, ExportFile, build_export
from templates_library.models import ExportLog

VIA_CHOICES = ("command", "api", "admin", "studio")


@transaction.atomic
def prompts_export(
    *,
    fmt: str,
    role_slugs: list[str] | None = None,
    all_roles: bool = False,
    versions=None,
    user=None,
    via: str = "command",
) -> ExportFile:
    """Export the latest published version of the given roles (or all) and log it.

    ``versions`` may be passed instead of slugs (the admin action resolves them itself).
    Raises ExportError with a message naming the role and the problem.
    """
    if via not in VIA_CHOICES:
        raise ValueError(f"via must be one of {VIA_CHOICES}")
    if versions is None:
        try:
            versions = selectors.export_versions(role_slugs=role_slugs, all_roles=all_roles)
        except selectors.NoPublishedVersion as exc:
            raise ExportError(str(exc)) from exc
    versions = list(versions)
    result = build_export(versions, fmt)
    log = export_log_create(versions, fmt=fmt, content=result.content, via=via, user=user)
    audit_record(
        actor=user, action="export.create", obj=log, after={"format": fmt, "roles": log.roles}
    )
    return result


def export_log_create(
    versions, *, fmt: str, content: bytes, via: str, user, target: str = "", target_ids=()
) -> ExportLog:
    """The export log's row for what left FirstValue: a file (its content) or a push (a
    summary of what went live, ``target`` and ``target_ids`` naming where)."""
    return ExportLog.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        format=fmt,
        roles=[{"slug": v.pack.slug, "version": v.number} for v in versions],
        content_hash=hashlib.sha256(content).hexdigest(),
        size_bytes=len(content),
        via=via,
        target=target,
        target_ids=list(target_ids),
    )
