"""Reads on role packs.

"The latest published version" of a pack is decided here and nowhere else: the
highest-numbered published version (an enrollment keeps its own, older one).
"""

from __future__ import annotations

from datetime import date

from django.db.models import Exists, Min, OuterRef, QuerySet

from roles.models import RolePack, RolePackVersion

PUBLISHED = RolePackVersion.Status.PUBLISHED


def versions_latest_published() -> QuerySet[RolePackVersion]:
    """One version per pack, its latest published one, with the pack loaded; by slug."""
    newer = RolePackVersion.objects.filter(
        pack=OuterRef("pack"), status=PUBLISHED, number__gt=OuterRef("number")
    )
    return (
        RolePackVersion.objects.filter(status=PUBLISHED)
        .exclude(Exists(newer))
        .select_related("pack")
        .order_by("pack__slug")
    )


def versions_latest_published_by_slug() -> dict[str, RolePackVersion]:
    """:func:`versions_latest_published` keyed by pack slug (one query)."""
    return {version.pack.slug: version for version in versions_latest_published()}


def version_latest_published(*, slug: str) -> RolePackVersion | None:
    """The latest published version of the pack ``slug``, or None."""
    return versions_latest_published().filter(pack__slug=slug).first()


def rolepack_draft(*, pack: RolePack) -> RolePackVersion | None:
    return pack.versions.filter(status=RolePackVersion.Status.DRAFT).first()


def rolepack_first_start(*, slug: str) -> date | None:
    """The earliest start date of anyone enrolled on any version of the pack ``slug``: the
    date its KPI baselines should be measured by (docs/rolepack-format.md)."""
    return RolePackVersion.objects.filter(pack__slug=slug).aggregate(
        first=Min("enrollments__start_date")
    )["first"]


def rolepack_first_starts() -> dict[int, date]:
    """:func:`rolepack_first_start` of every pack with someone enrolled, by pack id (one query)."""
    return dict(
        RolePackVersion.objects.filter(enrollments__isnull=False)
        .values_list("pack_id")
        .annotate(first=Min("enrollments__start_date"))
        .order_by()
    )
