"""Reads on role packs."""

from __future__ import annotations

from django.db.models import Max, Q, QuerySet

from roles.models import RolePack, RolePackVersion


def rolepack_list() -> QuerySet[RolePack]:
    """Packs with their latest published and latest overall version numbers annotated."""
    return RolePack.objects.annotate(
        published_number=Max("versions__number", filter=Q(versions__status="published")),
        latest_number=Max("versions__number"),
    ).order_by("slug")


def rolepack_latest_published(*, pack: RolePack) -> RolePackVersion | None:
    return pack.versions.filter(status=RolePackVersion.Status.PUBLISHED).order_by("-number").first()


def rolepack_latest(*, pack: RolePack) -> RolePackVersion | None:
    return pack.versions.order_by("-number").first()


def rolepack_draft(*, pack: RolePack) -> RolePackVersion | None:
    return pack.versions.filter(status=RolePackVersion.Status.DRAFT).first()


def rolepack_version_get(*, pack: RolePack, number: int) -> RolePackVersion | None:
    return pack.versions.filter(number=number).first()
