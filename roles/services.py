"""Writes on role packs: creating a version, changing a draft, publishing it.

Every version is created by :func:`rolepack_version_create`, whoever asks: the pack-file
import, the API, the admin (adding a version, "Create new draft"). It locks the pack row
and numbers the version: "the next version number" is decided here and nowhere else.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from audit.services import audit_record
from roles import selectors
from roles.canonical import content_hash, document_rows, normalize_document, version_to_document
from roles.models import RolePack, RolePackVersion
from roles.validation import PackError, PackValidationError, raise_for_errors, validate_document

ONE_DRAFT = "This pack already has a draft: edit that one (a pack has at most one draft)."


def _next_number(pack: RolePack) -> int:
    return (pack.versions.aggregate(n=Max("number"))["n"] or 0) + 1


def rolepack_version_errors(
    *,
    slug: str,
    document,
    complete: bool = True,
    replace_draft: bool = False,
    draft: RolePackVersion | None = None,
    source: str = "<document>",
    lines: dict[str, int] | None = None,
) -> list[PackError]:
    """Every reason :func:`rolepack_version_create` (or, given ``draft``,
    :func:`rolepack_draft_update`) would refuse ``document``; the admin shows them at
    its form's fields."""
    errors = validate_document(document, source=source, lines=lines, complete=complete)
    line = (lines or {}).get("slug")
    if isinstance(document, dict) and document.get("slug") != slug:
        errors.append(PackError(source, line, "slug", f'the document\'s slug must be "{slug}"'))
    if draft is not None:
        if draft.is_published:
            errors.append(
                PackError(source, None, "", "this version is published and cannot change")
            )
    elif (
        not replace_draft
        and RolePackVersion.objects.filter(
            pack__slug=slug, status=RolePackVersion.Status.DRAFT
        ).exists()
    ):
        errors.append(PackError(source, line, "slug", ONE_DRAFT))
    return errors


@transaction.atomic
def rolepack_version_create(
    *,
    slug: str,
    document: dict,
    user=None,
    complete: bool = True,
    replace_draft: bool = False,
    source: str = "<document>",
    lines: dict[str, int] | None = None,
) -> RolePackVersion:
    """A new draft version of the pack ``slug`` (created if needed) holding ``document``.

    Raises PackValidationError with every error, and writes nothing, when the document is
    invalid (``complete=False``: a draft being written, see validate_document) or the pack
    already has a draft; with ``replace_draft`` that draft's content is replaced instead
    (the draft keeps its number).
    """
    pack, _ = RolePack.objects.get_or_create(slug=slug)
    pack = RolePack.objects.select_for_update().get(pk=pack.pk)
    errors = rolepack_version_errors(
        slug=slug,
        document=document,
        complete=complete,
        replace_draft=replace_draft,
        source=source,
        lines=lines,
    )
    if errors:
        raise PackValidationError(errors)
    draft = selectors.rolepack_draft(pack=pack)
    if draft is not None:
        number = draft.number
        draft.delete()
    else:
        number = _next_number(pack)
    version = RolePackVersion(
        pack=pack, number=number, status=RolePackVersion.Status.DRAFT, created_by=user
    )
    batches = document_rows(normalize_document(document), version)
    version.save()
    for rows in batches:
        type(rows[0]).objects.bulk_create(rows)
    return version


@transaction.atomic
def rolepack_draft_update(*, version: RolePackVersion, document: dict) -> RolePackVersion:
    """Set a draft's own fields (name, FVM, context, …) from ``document``; its lists
    (prompts, steps, …) are not touched here. Checked as a draft being written."""
    version = RolePackVersion.objects.select_for_update().select_related("pack").get(pk=version.pk)
    errors = rolepack_version_errors(
        slug=version.pack.slug,
        document=document,
        complete=False,
        draft=version,
        source=f"{version.pack.slug} v{version.number}",
    )
    if errors:
        raise PackValidationError(errors)
    document_rows(normalize_document(document), version)  # the version's own columns only
    version.save()
    return version


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
        document = version_to_document(version)
    raise_for_errors(document, source=source)
    version.status = RolePackVersion.Status.PUBLISHED
    version.published_at = timezone.now()
    version.content_hash = content_hash(document)
    if user is not None and version.created_by_id is None:
        version.created_by = user
    version.save(update_fields=["status", "published_at", "content_hash", "created_by"])
    audit_record(
        actor=user,
        action="pack.publish",
        obj=version,
        before={"status": RolePackVersion.Status.DRAFT},
        after={"status": version.status, "number": version.number, "hash": version.content_hash},
    )
    return version


@transaction.atomic
def rolepack_draft_create(*, pack: RolePack, user=None) -> RolePackVersion:
    """A new draft holding the document of the pack's latest version.

    A pack has at most one draft: if it already has one, that draft is returned.
    """
    pack = RolePack.objects.select_for_update().get(pk=pack.pk)
    latest = pack.versions.order_by("-number").first()
    if latest is None:
        raise PackValidationError([PackError(pack.slug, None, "", "the pack has no version")])
    if latest.status == RolePackVersion.Status.DRAFT:
        return latest
    return rolepack_version_create(
        slug=pack.slug, document=version_to_document(latest), user=user, complete=False
    )
