"""Role pack import and version writes that span roles and the prompt library.

Every path into a pack version (YAML/JSON files, the REST API, the admin's
Publish) goes through the one validator in :mod:`roles.validation`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from audit.services import audit_record
from roles import services as role_services
from roles.models import Intervention, Kpi, PathStep, RolePack, RolePackVersion
from roles.validation import PackError, PackValidationError, content_hash, validate_document
from templates_library.models import Demo, Prompt, PromptVariable
from templates_library.packfile import (
    LoadedPack,
    load_path,
    normalize_document,
    version_to_document,
)


@dataclass(frozen=True)
class ImportOutcome:
    slug: str
    version: RolePackVersion | None  # None on a dry run
    created: bool  # False when the content is identical to the pack's latest version
    number: int | None = None
    status: str = ""

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
            for outcome in outcomes:  # audit (h7); a dry run rolls these back too
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
        return [
            ImportOutcome(o.slug, None, o.created, o.number, o.status + " (dry run)")
            for o in outcomes
        ]
    return outcomes


def _write(packs: list[LoadedPack], *, publish: bool, user) -> list[ImportOutcome]:
    outcomes, conflicts = [], []
    for loaded in packs:
        document = normalize_document(loaded.document)
        digest = content_hash(document)
        pack, _ = RolePack.objects.get_or_create(slug=document["slug"])
        pack = RolePack.objects.select_for_update().get(pk=pack.pk)
        latest = pack.versions.order_by("-number").first()
        draft = latest if latest and latest.status == RolePackVersion.Status.DRAFT else None
        if latest is not None and _hash_of(latest) == digest:
            if publish and draft is not None:
                latest = role_services.rolepack_version_publish(
                    version=latest, user=user, document=document
                )
            outcomes.append(ImportOutcome(pack.slug, latest, False, latest.number, latest.status))
            continue
        if draft is not None and publish:
            conflicts.append(
                PackError(
                    loaded.source,
                    loaded.lines.get("slug"),
                    "slug",
                    f'pack "{pack.slug}" has an unpublished draft v{draft.number} with other '
                    "content; publish or delete that draft in the admin before importing",
                )
            )
            continue
        if draft is not None:
            # Not publishing: the imported document becomes the draft's new content.
            number = draft.number
            draft.delete()
        else:
            number = (latest.number + 1) if latest else 1
        version = _create_version(pack=pack, number=number, document=document, user=user)
        if publish:
            version = role_services.rolepack_version_publish(
                version=version, user=user, document=document
            )
        outcomes.append(ImportOutcome(pack.slug, version, True, version.number, version.status))
    if conflicts:
        raise PackValidationError(conflicts)
    return outcomes


def _hash_of(version: RolePackVersion) -> str:
    if version.is_published and version.content_hash:
        return version.content_hash
    return content_hash(version_to_document(version))


def _create_version(*, pack: RolePack, number: int, document: dict, user) -> RolePackVersion:
    fvm, context = document["fvm"], document["context"]
    version = RolePackVersion.objects.create(
        pack=pack,
        number=number,
        status=RolePackVersion.Status.DRAFT,
        name=document["name"],
        description=document.get("description", ""),
        holdout_percent=document.get("holdout_percent", 0),
        fvm_deliverable=fvm["deliverable"],
        fvm_baseline_minutes=fvm["baseline_minutes"],
        fvm_target_minutes=fvm["target_minutes"],
        fvm_evidence=fvm["evidence"],
        context_audience=context["audience"],
        context_terminology=context["terminology"],
        context_output_format=context["output_format"],
        created_by=user,
    )
    variables = []
    for order, item in enumerate(document["prompts"]):
        prompt = Prompt.objects.create(
            version=version,
            slug=item["slug"],
            title=item["title"],
            body=item["body"],
            tags=item["tags"],
            order=order,
        )
        variables += [
            PromptVariable(
                prompt=prompt,
                name=var["name"],
                description=var["description"],
                default=var.get("default", ""),
                required=var["required"],
                order=var_order,
            )
            for var_order, var in enumerate(item["variables"])
        ]
    PromptVariable.objects.bulk_create(variables)
    Demo.objects.bulk_create(
        Demo(
            version=version,
            order=order,
            slug=item["slug"],
            title=item["title"],
            deliverable=item["deliverable"],
            before_minutes=item["before_minutes"],
            after_minutes=item["after_minutes"],
            video_url=item.get("video_url", ""),
            steps=item["steps"],
            presenter=item.get("presenter", ""),
        )
        for order, item in enumerate(document["demos"])
    )
    PathStep.objects.bulk_create(
        PathStep(
            version=version,
            track=track["track"],
            day=day["day"],
            order=order,
            kind=step["kind"],
            title=step.get("title", ""),
            body=step.get("body", ""),
            prompt_slug=step.get("prompt", ""),
            demo_slug=step.get("demo", ""),
            expected_output=step.get("expected_output", ""),
        )
        for track in document["path"]
        for day in track["days"]
        for order, step in enumerate(day["steps"])
    )
    Intervention.objects.bulk_create(
        Intervention(
            version=version,
            day=item["day"],
            kind=item["kind"],
            channel=item["channel"],
            message=item["message"],
            webhook_url=item.get("webhook_url", ""),
        )
        for item in document["interventions"]
    )
    Kpi.objects.bulk_create(
        Kpi(
            version=version,
            order=order,
            name=item["name"],
            unit=item["unit"],
            baseline=item["baseline"],
            target=item["target"],
            direction=item["direction"],
        )
        for order, item in enumerate(document["kpis"])
    )
    return version


def rolepack_version_publish(*, version: RolePackVersion, user=None) -> RolePackVersion:
    """Publish a draft through the shared validator (see roles.services)."""
    return role_services.rolepack_version_publish(
        version=version, user=user, document=version_to_document(version)
    )
