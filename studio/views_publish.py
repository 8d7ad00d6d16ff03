"""Publishing: the draft against the published version, the checklist's gaps, and a
confirm that names the reviewed revision (studio.services.studio_publish)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from roles.canonical import version_to_document
from roles.models import RolePack
from roles.permissions import enablement_required
from roles.selectors import rolepack_draft, rolepack_first_start, version_latest_published
from roles.validation import PackValidationError, validate_document
from studio import services
from studio.editing import editor_sections
from studio.launch import launch_checklist
from studio.views import yaml_diff


@require_http_methods(["GET", "HEAD", "POST"])
@enablement_required
def publish(request, slug: str):
    pack = get_object_or_404(RolePack, slug=slug)
    failed: list[str] = []
    if request.method == "POST":
        try:
            version = services.studio_publish(
                pack=pack, revision=request.POST.get("revision", ""), user=request.user
            )
        except PackValidationError as exc:
            failed = [str(error.message) for error in exc.errors]
        else:
            messages.success(request, f"Published v{version.number}.")
            return redirect("studio:pack", slug=slug)
    draft = rolepack_draft(pack=pack)
    context = {"pack": pack, "sections": editor_sections(), "tab": "publish", "failed": failed}
    if draft is not None:
        document = version_to_document(draft)
        published = version_latest_published(slug=slug)
        context.update(
            draft=draft,
            published=published,
            revision=services.draft_revision(draft),
            diff=yaml_diff(version_to_document(published) if published else None, document),
            errors=validate_document(document, source=f"{slug} v{draft.number}"),
            gaps=[
                check
                for check in launch_checklist(document, first_start=rolepack_first_start(slug=slug))
                if check.gap
            ],
        )
    return render(request, "studio/publish.html", context, status=409 if failed else 200)
