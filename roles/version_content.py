"""What a version shows people — the version itself (with its pack), its path steps, prompts
(with their variables) and demos — loaded once per process for a published version, and on
every call for a draft.

The key is the version's id, and it cannot go stale: a published version never changes
(roles/models.py; the admin and the studio refuse to edit it, a change makes a new draft)
and cannot be deleted while someone is enrolled on it. Only published versions are kept;
drafts are read every time. A version passed in whose publication time or content hash is
not the kept one's (an id reused, as SQLite does after a rolled back transaction) is read
again. And saving or deleting any pack, version, step, prompt, variable or demo forgets
everything this process keeps, so content edited in place (a data fix, a test) is not served
stale by it either. Kept per process and bounded; nothing here is a limit or a secret, so a
per-process copy is safe.

The kept model instances are shared by every request of the process: read them, never
assign to them.
"""

from dataclasses import dataclass, field

from django.db.models.signals import post_delete, post_save

from config.kept import Kept

from .models import Demo, PathStep, Prompt, PromptVariable, RolePack, RolePackVersion

KEEP_MAX = 256  # versions kept per process (a few dozen exist)
FRAGMENTS_MAX = 4096  # fragments kept per version (then they are made again)


@dataclass
class VersionContent:
    version: RolePackVersion
    steps: list[PathStep] = field(default_factory=list)
    prompts: dict[str, Prompt] = field(default_factory=dict)  # by slug, variables prefetched
    demos: dict[str, Demo] = field(default_factory=dict)  # by slug
    # Rendered (sanitised) HTML made from this content only: see version_fragment().
    fragments: dict[tuple, str] = field(default_factory=dict)


_kept = Kept(KEEP_MAX)  # VersionContent by version id


def _load(versions: dict[int, RolePackVersion]) -> dict[int, VersionContent]:
    """Four queries whatever the number of versions: steps, prompts, their variables, demos."""
    loaded = {pk: VersionContent(version=v) for pk, v in versions.items()}
    if not versions:
        return loaded
    for step in PathStep.objects.path().filter(version_id__in=versions):
        loaded[step.version_id].steps.append(step)
    prompts = Prompt.objects.filter(version_id__in=versions).prefetch_related("variables")
    for prompt in prompts:
        loaded[prompt.version_id].prompts[prompt.slug] = prompt
    for demo in Demo.objects.filter(version_id__in=versions):
        loaded[demo.version_id].demos[demo.slug] = demo
    return loaded


def _keep(loaded: dict[int, VersionContent]) -> None:
    for pk, content in loaded.items():
        if content.version.is_published and content.version.published_at is not None:
            _kept.put(pk, content)


def _kept_for(version: RolePackVersion) -> VersionContent | None:
    content = _kept.get(version.pk)
    if content is None:
        return None
    kept = content.version
    if (version.status, version.published_at, version.content_hash) != (
        kept.status,
        kept.published_at,
        kept.content_hash,
    ):
        return None
    return content


def version_contents(versions) -> dict[int, VersionContent]:
    """The content of each of ``versions`` (RolePackVersion instances), by version id; no
    query for published versions already kept, four for all the others together."""
    found: dict[int, VersionContent] = {}
    missing: dict[int, RolePackVersion] = {}
    for version in versions:
        content = _kept_for(version)
        if content is None:
            missing[version.pk] = version
        else:
            found[version.pk] = content
    loaded = _load(missing)
    _keep(loaded)
    return {**found, **loaded}


def version_content_by_id(version_id: int) -> VersionContent | None:
    """The content of the version ``version_id``, its ``version`` loaded with its pack: no
    query when this process keeps it, five otherwise (None if there is no such version)."""
    content = _kept.get(version_id)
    if content is not None:
        return content
    version = RolePackVersion.objects.select_related("pack").filter(pk=version_id).first()
    if version is None:
        return None
    loaded = _load({version_id: version})
    _keep(loaded)
    return loaded[version_id]


def version_fragment(version: RolePackVersion, key: tuple, make) -> str:
    """``make()`` (HTML), kept with ``version``'s content when this process keeps it (so
    forgotten with it): ``key`` must name everything else the HTML is made from. A draft's
    fragment is made every time."""
    content = _kept_for(version)
    if content is None:
        return make()
    html = content.fragments.get(key)
    if html is None:
        if len(content.fragments) >= FRAGMENTS_MAX:
            content.fragments.clear()
        html = content.fragments[key] = make()
    return html


def forget_all(**_kwargs) -> None:
    """Drop every kept version (a receiver of saves and deletes of version content)."""
    _kept.clear()


for _model in (RolePack, RolePackVersion, PathStep, Prompt, PromptVariable, Demo):
    post_save.connect(forget_all, sender=_model, dispatch_uid=f"version_content_{_model.__name__}")
    post_delete.connect(
        forget_all, sender=_model, dispatch_uid=f"version_content_del_{_model.__name__}"
    )
