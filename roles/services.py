"""Writes on role packs: publishing a draft and cloning a version into a new draft.

This app imports nothing above it. Prompts and demos (``templates_library``) are
reached only through the reverse relations of a version, and the pack document the
shared validator checks is built by a function ``templates_library`` registers at
startup (:func:`register_document_builder`), or passed in by the caller.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from roles.models import RolePack, RolePackVersion
from roles.validation import PackError, PackValidationError, content_hash, validate_document

_document_builder: Callable[[RolePackVersion], dict] | None = None


def register_document_builder(builder: Callable[[RolePackVersion], dict]) -> None:
    """Called once by ``templates_library`` (AppConfig.ready) with ``version_to_document``."""
    global _document_builder
    _document_builder = builder


def version_document(version: RolePackVersion) -> dict:
    if _document_builder is None:  # pragma: no cover - the app registry always sets it
        raise RuntimeError("no pack document builder registered (is templates_library installed?)")
    return _document_builder(version)


@transaction.atomic
def rolepack_version_publish(
    *, version: RolePackVersion, user=None, document: dict | None = None
) -> RolePackVersion:
    """Publish a draft after the shared validator accepts it; raises PackValidationError
    with every error (and publishes nothing) otherwise."""
    version = RolePackVersion.objects.select_for_update().select_related("pack").get(pk=version.pk)
    source = f"{version.pack.slug} v{version.number}"
    if version.is_published:
        raise PackValidationError(
            [PackError(source, None, "", "this version is already published and cannot change")]
        )
    if document is None:
        document = version_document(version)
    errors = validate_document(document, source=source)
    if errors:
        raise PackValidationError(errors)
    version.status = RolePackVersion.Status.PUBLISHED
    version.published_at = timezone.now()
    version.content_hash = content_hash(document)
    if user is not None and version.created_by_id is None:
        version.created_by = user
    version.save(update_fields=["status", "published_at", "content_hash", "created_by"])
    audit_record(  # audit (h7)
        actor=user,
        action="pack.publish",
        obj=version,
        before={"status": RolePackVersion.Status.DRAFT},
        after={"status": version.status, "number": version.number, "hash": version.content_hash},
    )
    return version


@transaction.atomic
def rolepack_draft_create(*, pack: RolePack, user=None) -> RolePackVersion:
    """A new draft cloned from the pack's latest version with all its content.

    A pack has at most one draft: if it already has one, that draft is returned.
    """
    pack = RolePack.objects.select_for_update().get(pk=pack.pk)
    source = pack.versions.order_by("-number").first()
    if source is None:
        raise PackValidationError([PackError(pack.slug, None, "", "the pack has no version")])
    if source.status == RolePackVersion.Status.DRAFT:
        return source
    prompts = list(source.prompts.prefetch_related("variables"))
    demos = list(source.demos.all())
    steps = list(source.steps.all())
    interventions = list(source.interventions.all())
    kpis = list(source.kpis.all())

    draft = source
    draft.pk = draft.id = None
    draft._state.adding = True
    draft.number = source.number + 1
    draft.status = RolePackVersion.Status.DRAFT
    draft.published_at = None
    draft.content_hash = ""
    draft.created_by = user
    draft.created_at = None
    draft.save()
    for prompt in prompts:
        variables = list(prompt.variables.all())
        _clone(prompt, version=draft)
        for variable in variables:
            _clone(variable, prompt=prompt)
    for row in demos + steps + interventions + kpis:
        _clone(row, version=draft)
    return draft


def _clone(row, **parent) -> None:
    row.pk = row.id = None
    row._state.adding = True
    for name, value in parent.items():
        setattr(row, name, value)
    row.save()


@transaction.atomic
def rolepack_draft_delete(*, version: RolePackVersion) -> None:
    if version.is_published:
        raise PackValidationError(
            [PackError(str(version), None, "", "a published version cannot be deleted")]
        )
    version.delete()
