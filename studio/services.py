"""The studio's writes: each one is a call to the roles services that own versions
(roles.services: the one place a version is created, a draft replaced or published).

Saving a section replaces the draft's content with the whole edited document, through
``rolepack_version_create(replace_draft=True)``; without a draft, that makes one. Publishing
names the revision the author reviewed (the draft's content hash): a draft that changed
since is never published (docs/studio.md, "Publishing that can't surprise").
"""

from __future__ import annotations

from django.db import transaction

from onboarding.enroll_csv import ImportResult, enrollments_import
from roles.canonical import content_hash, version_to_document
from roles.models import RolePack, RolePackVersion
from roles.selectors import rolepack_draft
from roles.services import rolepack_version_create, rolepack_version_publish
from roles.validation import PackError, PackValidationError, validate_document
from studio.document_form import compact_path
from studio.enroll_preview import SOURCE, text_opener

STALE = (
    "You have unsaved changes, or the draft changed after you reviewed it: nothing was "
    "published. Review the differences again, then publish."
)


def _source(slug: str) -> str:
    return f"{slug} (studio)"


def studio_draft_save(*, slug: str, document: dict, user) -> RolePackVersion:
    """Make ``document`` the pack's draft (a new draft when it has none); checked as a draft."""
    return rolepack_version_create(
        slug=slug,
        document=compact_path(document),
        user=user,
        complete=False,
        replace_draft=True,
        source=_source(slug),
    )


def studio_pack_create(*, document: dict, user) -> RolePackVersion:
    """A new pack, its first version a draft holding ``document``."""
    slug = document.get("slug")
    errors = validate_document(document, source=_source(str(slug)), complete=False)
    if isinstance(slug, str) and RolePack.objects.filter(slug=slug).exists():
        errors.append(
            PackError(_source(slug), None, "slug", f'a pack with slug "{slug}" already exists')
        )
    if errors:
        raise PackValidationError(errors)
    return rolepack_version_create(
        slug=slug if isinstance(slug, str) else "",
        document=compact_path(document),
        user=user,
        complete=False,
        source=_source(str(slug)),
    )


def draft_revision(version: RolePackVersion) -> str:
    """What Publish must name: the hash of the draft's document as the author saw it."""
    return content_hash(version_to_document(version))


@transaction.atomic
def studio_publish(*, pack: RolePack, revision: str, user) -> RolePackVersion:
    """Publish the pack's draft if its content is still ``revision``; raise
    PackValidationError (STALE, or every validation error) and publish nothing otherwise."""
    pack = RolePack.objects.select_for_update().get(pk=pack.pk)
    draft = rolepack_draft(pack=pack)
    if draft is None:
        raise PackValidationError([PackError(_source(pack.slug), None, "", "there is no draft")])
    document = version_to_document(draft)
    if not revision or content_hash(document) != revision:
        raise PackValidationError([PackError(_source(pack.slug), None, "", STALE)])
    return rolepack_version_publish(version=draft, user=user, document=document)


def studio_draft_from(*, pack: RolePack, number: int, user) -> RolePackVersion:
    """A draft holding version ``number``'s document (replacing the draft's content)."""
    version = pack.versions.filter(number=number).first()
    if version is None:
        raise PackValidationError(
            [PackError(_source(pack.slug), None, "", f"there is no version {number}")]
        )
    return rolepack_version_create(
        slug=pack.slug,
        document=version_to_document(version),
        user=user,
        complete=False,
        replace_draft=True,
        source=_source(pack.slug),
    )


def studio_enroll(*, text: str) -> ImportResult:
    """Enroll every row of the CSV ``text`` or none: onboarding's import service (raises
    EnrollmentImportError listing every bad row)."""
    return enrollments_import(opener=text_opener(text), source=SOURCE)
