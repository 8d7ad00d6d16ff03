"""The prompt library pages: roles, a role's prompts, one filled prompt, one demo."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from templates_library import selectors
from templates_library.variables import fill_prompt


def _version_or_404(request, role_slug: str):
    version = selectors.library_version(user=request.user, role_slug=role_slug)
    if version is None:
        raise Http404("No published role pack with that slug.")
    return version


@require_safe
@login_required
def library_index(request):
    versions = selectors.library_versions(user=request.user)
    enrollment = selectors.viewer_enrollment(request.user)
    own_version_id = enrollment.version_id if enrollment else None
    counts = selectors.prompt_counts(versions=versions)
    roles = [
        {"version": v, "own": v.pk == own_version_id, "prompt_count": counts.get(v.pk, 0)}
        for v in versions
    ]
    return render(request, "templates_library/library_index.html", {"roles": roles})


@require_safe
@login_required
def role_prompts(request, role_slug: str):
    version = _version_or_404(request, role_slug)
    query = request.GET.get("q", "").strip()[:200]
    tag = request.GET.get("tag", "").strip()[:60]
    prompts = list(selectors.version_prompts(version=version, query=query, tag=tag))
    context = {
        "version": version,
        "prompts": prompts,
        "demos": list(version.demos.order_by("order", "id")),
        "tags": selectors.version_tags(version=version),
        "query": query,
        "tag": tag,
    }
    return render(request, "templates_library/role_prompts.html", context)


@require_safe
@login_required
def prompt_detail(request, role_slug: str, prompt_slug: str):
    version = _version_or_404(request, role_slug)
    prompt = selectors.version_prompt(version=version, slug=prompt_slug)
    if prompt is None:
        raise Http404("No prompt with that slug in this role.")
    enrollment = selectors.viewer_enrollment(request.user)
    person_values = enrollment.values if enrollment else {}
    filled = fill_prompt(prompt, person_values=person_values, version=version)
    variables = [
        {"variable": v, "value": filled.values.get(v.name), "source": filled.sources.get(v.name)}
        for v in prompt.variables.all()
    ]
    context = {
        "version": version,
        "prompt": prompt,
        "filled": filled,
        "variables": variables,
    }
    return render(request, "templates_library/prompt_detail.html", context)


@require_safe
@login_required
def demo_detail(request, role_slug: str, demo_slug: str):
    version = _version_or_404(request, role_slug)
    demo = selectors.version_demo(version=version, slug=demo_slug)
    if demo is None:
        raise Http404("No demo with that slug in this role.")
    video_url = demo.video_url if demo.video_url.lower().startswith(("http://", "https://")) else ""
    context = {"version": version, "demo": demo, "video_url": video_url}
    return render(request, "templates_library/demo_detail.html", context)
