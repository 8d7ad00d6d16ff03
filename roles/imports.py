"""Importing pack documents: files (a pack, a pack folder, a folder of packs) and the
API's request body, in one transaction, through the one validator and the one service
that creates versions (docs/rolepack-format.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from audit.services import audit_record
from roles import selectors, services
from roles.advice import pack_warnings
from roles.canonical import content_hash, normalize_document, version_to_document
from roles.models import RolePack, RolePackVersion
from roles.packfile import LoadedPack, load_path
from roles.validation import PackError, PackValidationError, validate_document


@dataclass(frozen=True)
class ImportOutcome:
    slug: str
    version: RolePackVersion | None  # None on a dry run
    created: bool  # False when the content is identical to the pack's latest version
    number: int | None = None
    status: str = ""
    # The seeds' advice the pack does not follow (roles.advice): said, never refused.
    warnings: list[PackError] = field(default_factory=list)

    def __str__(self) -> str:
        if not self.created:
            return f"{self.slug}: unchanged (v{self.number}, {self.status})"
        return f"{self.slug}: v{self.number} {self.status}"


class _DryRun(Exception):
    pass


def rolepack_import(
    *, path: Path, dry_run: bool = False, publish: bool = True, user=None
) -> list[ImportOutcome]:
    """Import every pack under ``path`` (file, pack folder or folder of packs) in one
    transaction. Raises PackValidationError listing every error; nothing is written then,
    and nothing at all on a dry run."""
    packs, errors = load_path(Path(path))
    return _import(packs, errors, dry_run=dry_run, publish=publish, user=user)


def rolepack_import_document(
    *, document: dict, source: str = "<api>", publish: bool = True, user=None
) -> ImportOutcome:
    """Import one pack document (the API's request body)."""
    (outcome,) = _import(
        [LoadedPack(document, source)], [], dry_run=False, publish=publish, user=user
    )
    return outcome


def _import(
    packs: list[LoadedPack], errors: list[PackError], *, dry_run: bool, publish: bool, user
) -> list[ImportOutcome]:
    errors = list(errors)
    first_source: dict[str, LoadedPack] = {}
    for pack in packs:
        errors += [
            error
            for error in validate_document(pack.document, source=pack.source, lines=pack.lines)
            if error.path not in pack.unresolved
        ]
        slug = pack.document.get("slug") if isinstance(pack.document, dict) else None
        if isinstance(slug, str):
            if slug in first_source:
                other = first_source[slug]
                errors.append(
                    PackError(
                        pack.source,
                        pack.lines.get("slug"),
                        "slug",
                        f'pack "{slug}" is also defined in {other.source}',
                    )
                )
            else:
                first_source[slug] = pack
    if errors:
        # By file and line; errors on one line keep the document's order (stable sort).
        errors.sort(key=lambda e: (e.file, e.line or 0))
        raise PackValidationError(errors)
    try:
        with transaction.atomic():
            outcomes = _write(packs, publish=publish, user=user)
            for outcome in outcomes:  # a dry run rolls these back too
                if outcome.created:
                    audit_record(
                        actor=user,
                        action="pack.import",
                        obj=outcome.version,
                        after={"slug": outcome.slug, "number": outcome.number},
                    )
            if dry_run:
                raise _DryRun
    except _DryRun:
        outcomes = [
            ImportOutcome(o.slug, None, o.created, o.number, o.status + " (dry run)")
            for o in outcomes
        ]
    for outcome, loaded in zip(outcomes, packs, strict=True):
        outcome.warnings.extend(
            pack_warnings(
                loaded.document,
                first_start=selectors.rolepack_first_start(slug=outcome.slug),
                source=loaded.source,
                lines=loaded.lines,
            )
        )
    return outcomes


def _write(packs: list[LoadedPack], *, publish: bool, user) -> list[ImportOutcome]:
    outcomes, conflicts = [], []
    for loaded in packs:
        document = normalize_document(loaded.document)
        slug = document["slug"]
        pack = RolePack.objects.select_for_update().filter(slug=slug).first()
        latest = pack.versions.order_by("-number").first() if pack else None
        draft = latest if latest and latest.status == RolePackVersion.Status.DRAFT else None
        if latest is not None and _hash_of(latest) == content_hash(document):
            if publish and draft is not None:
                latest = services.rolepack_version_publish(
                    version=latest, user=user, document=document
                )
            outcomes.append(ImportOutcome(slug, latest, False, latest.number, latest.status))
            continue
        if draft is not None and publish:
            conflicts.append(
                PackError(
                    loaded.source,
                    loaded.lines.get("slug"),
                    "slug",
                    f'pack "{slug}" has an unpublished draft v{draft.number} with other '
                    "content; publish or delete that draft in the admin before importing",
                )
            )
            continue
        # Not publishing: the imported document becomes the draft's new content.
        version = services.rolepack_version_create(
            slug=slug, document=document, user=user, replace_draft=True, source=loaded.source
        )
        if publish:
            version = services.rolepack_version_publish(
                version=version, user=user, document=document
            )
        outcomes.append(ImportOutcome(slug, version, True, version.number, version.status))
    if conflicts:
        raise PackValidationError(conflicts)
    return outcomes


def _hash_of(version: RolePackVersion) -> str:
    if version.is_published and version.content_hash:
        return version.content_hash
    return content_hash(version_to_document(version))
