"""Reads for the studio: packs with their working version, checklist, enrollments and rate.

A pack's *working* version is its draft when it has one, else its latest version: what the
author edits and what the checklist judges. Query counts are fixed whatever the number of
packs (the documents are read from prefetched rows).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, QuerySet

from audit.models import AuditEvent
from insights.activation import activation_report
from insights.filters import report_filters_build
from onboarding.models import Enrollment
from roles.canonical import version_to_document
from roles.models import RolePack, RolePackVersion
from roles.selectors import rolepack_first_starts
from studio.launch import Check, launch_checklist

DOCUMENT_ROWS = ("prompts__variables", "demos", "steps", "interventions", "kpis")


@dataclass
class PackRow:
    pack: RolePack
    working: RolePackVersion | None
    published: RolePackVersion | None
    document: dict
    checklist: list[Check]
    enrolled: int
    rate_within_7: float | None
    eligible: int

    @property
    def gaps(self) -> int:
        return sum(1 for check in self.checklist if check.gap)


def _versions(packs: QuerySet[RolePack]) -> QuerySet[RolePackVersion]:
    return RolePackVersion.objects.filter(pack__in=packs).order_by("pack_id", "-number")


def _working_and_published(versions) -> tuple[dict, dict]:
    working: dict[int, RolePackVersion] = {}
    published: dict[int, RolePackVersion] = {}
    for version in versions:  # highest number first
        working.setdefault(version.pack_id, version)
        if version.is_published:
            published.setdefault(version.pack_id, version)
    return working, published


def studio_packs(*, slug: str | None = None) -> list[PackRow]:
    """Every pack (or the one ``slug``), by slug, with its checklist and day-7 rate."""
    packs = RolePack.objects.order_by("slug")
    if slug is not None:
        packs = packs.filter(slug=slug)
    packs = list(packs)
    heads = list(
        _versions(packs).only("id", "pack_id", "number", "status").order_by("pack_id", "-number")
    )
    working, published = _working_and_published(heads)
    full = {
        v.pk: v
        for v in RolePackVersion.objects.filter(pk__in=[v.pk for v in working.values()])
        .select_related("pack")
        .prefetch_related(*DOCUMENT_ROWS)
    }
    counts = dict(
        Enrollment.objects.filter(version__pack__in=packs)
        .values_list("version__pack_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    first_starts = rolepack_first_starts()
    report = {row["role"]: row for row in activation_report(report_filters_build())["roles"]}
    rows = []
    for pack in packs:
        version = full.get(working[pack.pk].pk) if pack.pk in working else None
        document = version_to_document(version) if version else {"slug": pack.slug}
        rate = report.get(pack.slug, {})
        rows.append(
            PackRow(
                pack=pack,
                working=version,
                published=published.get(pack.pk),
                document=document,
                checklist=launch_checklist(document, first_start=first_starts.get(pack.pk)),
                enrolled=counts.get(pack.pk, 0),
                rate_within_7=rate.get("rate_within_7"),
                eligible=rate.get("eligible", 0),
            )
        )
    return rows


def studio_pack(*, slug: str) -> PackRow | None:
    rows = studio_packs(slug=slug)
    return rows[0] if rows else None


def pack_enrollments(*, pack: RolePack) -> QuerySet[Enrollment]:
    """Who is enrolled on any version of ``pack``, newest start first."""
    return (
        Enrollment.objects.filter(version__pack=pack)
        .select_related("user", "version", "manager")
        .order_by("-start_date", "user__email")
    )


def pack_versions(*, pack: RolePack) -> list[RolePackVersion]:
    """Every version of ``pack``, newest first, each with ``published_by`` (from the audit)."""
    versions = list(pack.versions.select_related("created_by").order_by("-number"))
    events = AuditEvent.objects.filter(
        action="pack.publish",
        object_type="roles.rolepackversion",
        object_id__in=[str(v.pk) for v in versions],
    ).select_related("actor")
    by_version = {event.object_id: event for event in events}
    for version in versions:
        event = by_version.get(str(version.pk))
        version.published_by = event.actor if event else None
    return versions


def version_document(*, pack: RolePack, number: int) -> tuple[RolePackVersion, dict] | None:
    version = pack.versions.filter(number=number).prefetch_related(*DOCUMENT_ROWS).first()
    if version is None:
        return None
    return version, version_to_document(version)


def draft_with_rows(*, pack: RolePack) -> RolePackVersion | None:
    return (
        pack.versions.filter(status=RolePackVersion.Status.DRAFT)
        .select_related("pack")
        .prefetch_related(*DOCUMENT_ROWS)
        .first()
    )


def working_with_rows(*, pack: RolePack) -> RolePackVersion | None:
    """The pack's working version (draft, else latest), its rows prefetched for previews."""
    return (
        pack.versions.select_related("pack")
        .prefetch_related(*DOCUMENT_ROWS)
        .order_by("-number")
        .first()
    )
