"""The studio's pages: the packs, one pack, a new pack, versions and their diffs.

Every view is for the enablement team and admins (``enablement_required``); writes go
through studio.services, which call the roles services.
"""

from __future__ import annotations

import difflib

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from roles.canonical import version_to_document
from roles.models import RolePack
from roles.packfile import dump_yaml
from roles.permissions import enablement_required
from roles.validation import PackValidationError, validate_document
from studio import selectors, services
from studio.document_form import nodes, parse
from studio.editing import editor_sections, errors_by_path

NEW_PACK_KEYS = ["slug", "name", "fvm"]


@require_safe
@enablement_required
def index(request):
    return render(request, "studio/index.html", {"rows": selectors.studio_packs()})


def _row_or_404(slug: str) -> selectors.PackRow:
    row = selectors.studio_pack(slug=slug)
    if row is None:
        raise Http404("No such pack.")
    return row


@require_safe
@enablement_required
def pack(request, slug: str):
    row = _row_or_404(slug)
    errors = validate_document(row.document) if row.working else []
    return render(
        request,
        "studio/pack.html",
        {
            "row": row,
            "pack": row.pack,
            "sections": editor_sections(),
            "errors": errors,
            "enrollments": selectors.pack_enrollments(pack=row.pack)[:200],
            "tab": "overview",
        },
    )


def _new_document(post) -> dict:
    values = parse(post, NEW_PACK_KEYS)
    return {
        "slug": values.get("slug", ""),
        "name": values.get("name", ""),
        "fvm": values.get("fvm", {}),
        "context": {"audience": "", "output_format": ""},
        "path": [],
        "kpis": [],
    }


@require_http_methods(["GET", "HEAD", "POST"])
@enablement_required
def pack_new(request):
    document: dict = {"fvm": {}}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        document = _new_document(request.POST)
        try:
            services.studio_pack_create(document=document, user=request.user)
        except PackValidationError as exc:
            errors = errors_by_path(exc.errors)
        else:
            messages.success(request, "Pack created as a draft. Write its sections next.")
            return redirect("studio:edit", slug=document["slug"], section="context")
    status = 400 if errors else 200
    return render(
        request,
        "studio/new.html",
        {"nodes": nodes(document, NEW_PACK_KEYS, errors), "errors": errors},
        status=status,
    )


@require_safe
@enablement_required
def versions(request, slug: str):
    pack = get_object_or_404(RolePack, slug=slug)
    return render(
        request,
        "studio/versions.html",
        {
            "pack": pack,
            "versions": selectors.pack_versions(pack=pack),
            "sections": editor_sections(),
            "tab": "versions",
        },
    )


def yaml_diff(before: dict | None, after: dict) -> list[tuple[str, str]]:
    """(kind, line) of a unified diff of two documents as YAML: add, remove, hunk, same."""
    old = dump_yaml(before).splitlines() if before else []
    new = dump_yaml(after).splitlines()
    lines = []
    for line in list(difflib.unified_diff(old, new, lineterm="", n=2))[2:]:
        kind = {"+": "add", "-": "remove", "@": "hunk"}.get(line[:1], "same")
        lines.append((kind, line))
    return lines


@require_safe
@enablement_required
def version(request, slug: str, number: int):
    pack = get_object_or_404(RolePack, slug=slug)
    found = selectors.version_document(pack=pack, number=number)
    if found is None:
        raise Http404("No such version.")
    current, document = found
    previous = pack.versions.filter(number__lt=number).order_by("-number").first()
    before = version_to_document(previous) if previous else None
    return render(
        request,
        "studio/version.html",
        {
            "pack": pack,
            "version": current,
            "previous": previous,
            "diff": yaml_diff(before, document),
            "sections": editor_sections(),
            "tab": "versions",
        },
    )


@require_POST
@enablement_required
def draft_from(request, slug: str, number: int):
    pack = get_object_or_404(RolePack, slug=slug)
    try:
        draft = services.studio_draft_from(pack=pack, number=number, user=request.user)
    except PackValidationError as exc:
        for error in exc.errors:
            messages.error(request, error.message)
        return redirect("studio:versions", slug=slug)
    messages.success(request, f"The draft (v{draft.number}) now holds version {number}'s content.")
    return redirect("studio:pack", slug=slug)
