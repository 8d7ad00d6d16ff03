"""Reads for the prompt library and the exports: each returns a QuerySet or plain data."""

from django.core.exceptions import ObjectDoesNotExist
from django.db import connection
from django.db.models import Prefetch, Q, QuerySet

from roles.models import Demo, Prompt, PromptVariable, RolePackVersion
from roles.selectors import versions_latest_published


class NoPublishedVersion(LookupError):
    """A role slug that does not exist or has nothing published."""


def viewer_enrollment(user):
    """The signed-in person's enrollment, or None (read through the reverse relation so this
    app never imports ``onboarding``)."""
    try:
        return user.enrollment
    except (ObjectDoesNotExist, AttributeError):
        return None


def library_versions(*, user) -> list[RolePackVersion]:
    """The versions the library shows: the latest published of each pack, except the viewer's
    own role, which shows the version they are enrolled in; their own role first."""
    versions = list(versions_latest_published())
    enrollment = viewer_enrollment(user)
    if enrollment is None:
        return versions
    own = RolePackVersion.objects.select_related("pack").get(pk=enrollment.version_id)
    others = [v for v in versions if v.pack_id != own.pack_id]
    return [own, *others]


def library_version(*, user, role_slug: str) -> RolePackVersion | None:
    """The version shown for ``role_slug`` (see :func:`library_versions`), or None."""
    enrollment = viewer_enrollment(user)
    if enrollment is not None:
        own = RolePackVersion.objects.select_related("pack").get(pk=enrollment.version_id)
        if own.pack.slug == role_slug:
            return own
    return versions_latest_published().filter(pack__slug=role_slug).first()


def _variables_prefetch() -> Prefetch:
    return Prefetch("variables", queryset=PromptVariable.objects.order_by("order", "id"))


def version_prompts(
    *, version: RolePackVersion, query: str = "", tag: str = ""
) -> QuerySet[Prompt]:
    """The version's prompts, filtered by tag and a search over title and body.

    PostgreSQL: full-text search (``websearch`` syntax); elsewhere a case-insensitive match.
    """
    prompts = Prompt.objects.filter(version=version).prefetch_related(_variables_prefetch())
    query = (query or "").strip()
    if query:
        if connection.vendor == "postgresql":
            from django.contrib.postgres.search import SearchQuery, SearchVector

            prompts = prompts.annotate(
                search=SearchVector("title", "body", config="english")
            ).filter(
                Q(search=SearchQuery(query, search_type="websearch", config="english"))
                | Q(title__icontains=query)
            )
        else:
            prompts = prompts.filter(Q(title__icontains=query) | Q(body__icontains=query))
    prompts = prompts.order_by("order", "id")
    if tag:
        # JSON containment differs by backend; the tag list per version is small.
        ids = [p.pk for p in prompts.only("id", "tags") if tag in (p.tags or [])]
        prompts = prompts.filter(pk__in=ids)
    return prompts


def version_tags(*, version: RolePackVersion) -> list[str]:
    tags: dict[str, None] = {}
    for prompt_tags in Prompt.objects.filter(version=version).values_list("tags", flat=True):
        for tag in prompt_tags or []:
            tags.setdefault(tag, None)
    return sorted(tags)


def version_prompt(*, version: RolePackVersion, slug: str) -> Prompt | None:
    return (
        Prompt.objects.filter(version=version, slug=slug)
        .prefetch_related(_variables_prefetch())
        .first()
    )


def version_demo(*, version: RolePackVersion, slug: str) -> Demo | None:
    return Demo.objects.filter(version=version, slug=slug).first()


def export_versions(
    *, role_slugs: list[str] | None = None, all_roles: bool = False
) -> list[RolePackVersion]:
    """Latest published version of each requested role, prompts and variables prefetched.

    Raises NoPublishedVersion naming every slug that is unknown or has nothing published.
    """
    versions = versions_latest_published().prefetch_related(
        Prefetch(
            "prompts",
            queryset=Prompt.objects.order_by("order", "id").prefetch_related(_variables_prefetch()),
        ),
        Prefetch("demos", queryset=Demo.objects.order_by("order", "id")),
    )
    if all_roles:
        found = list(versions)
        if not found:
            raise NoPublishedVersion("no role pack has a published version")
        return found
    slugs = list(dict.fromkeys(role_slugs or []))
    if not slugs:
        raise NoPublishedVersion("name at least one role (or ask for all roles)")
    by_slug = {v.pack.slug: v for v in versions.filter(pack__slug__in=slugs)}
    unknown = [slug for slug in slugs if slug not in by_slug]
    if unknown:
        raise NoPublishedVersion("no published version for role(s): " + ", ".join(unknown))
    return [by_slug[slug] for slug in slugs]


def prompt_counts(*, versions) -> dict[int, int]:
    """Prompts per version id, in one query."""
    from django.db.models import Count

    rows = (
        Prompt.objects.filter(version__in=[v.pk for v in versions])
        .values("version")
        .annotate(n=Count("id"))
    )
    return {row["version"]: row["n"] for row in rows}
