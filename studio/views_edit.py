"""The editor: one section of the pack document per page, and its YAML/JSON source.

A section's form is posted back here for everything: the live check (``_check``: JSON),
picking up ``{{variables}}`` from a prompt's body (``_sync``), adding or removing an item
(``_add``/``_remove``: shown again, not saved), Save, and Save-then-Publish (``_publish``).
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_http_methods

from roles.canonical import normalize_document
from roles.models import RolePack
from roles.packfile import dump_yaml, load_text
from roles.permissions import enablement_required
from roles.services import rolepack_version_errors
from roles.validation import PackError, PackValidationError
from studio import services
from studio.document_form import add_item, nodes, pad_path, parse
from studio.editing import (
    check_payload,
    draft_errors,
    editor_section,
    editor_sections,
    errors_by_path,
    fvm_sentence_of,
    sync_variables,
    working_document,
    working_version,
)
from studio.message_preview import message_previews

SOURCE_FORMATS = ("yaml", "json")
PREVIEWED = "interventions"  # the section whose messages are shown as they are received


def _leaf_names(tree) -> set[str]:
    names = set()
    for node in tree:
        if node.leaf:
            names.add(node.name)
        names |= _leaf_names(node.children)
        names.add(node.name)
    return names


def _render(request, pack, section, document, errors, *, unsaved=False, status=200):
    tree = nodes(pad_path(document), list(section.keys), errors)
    shown = _leaf_names(tree)
    other = [
        f"{path or 'pack'}: {message}"
        for path, found in errors.items()
        if path not in shown
        for message in found
    ]
    return render(
        request,
        "studio/edit.html",
        {
            "pack": pack,
            "version": working_version(pack),
            "section": section,
            "sections": editor_sections(),
            "nodes": tree,
            "other_errors": other,
            "unsaved": unsaved,
            "sentence": fvm_sentence_of(document),
            "previews": message_previews(pack, document) if section.key == PREVIEWED else None,
            "tab": section.key,
        },
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@enablement_required
def edit(request, slug: str, section: str):
    pack = get_object_or_404(RolePack, slug=slug)
    part = editor_section(section)
    if part is None:
        raise Http404("No such section.")
    document = working_document(pack)
    if request.method != "POST":
        return _render(request, pack, part, document, {})
    post = request.POST
    document = pad_path({**document, **parse(post, list(part.keys))})
    if "_check" in post:
        tree = nodes(document, list(part.keys), {})
        payload = check_payload(document, slug=slug, shown=_leaf_names(tree))
        if part.key == PREVIEWED:
            previews = message_previews(pack, document)
            payload["previews"] = render_to_string(
                "studio/_message_previews.html", {"previews": previews}
            )
        return JsonResponse(payload)
    if "_sync" in post:
        return _render(request, pack, part, sync_variables(document), {}, unsaved=True)
    if "_add" in post or "_remove" in post:
        if "_add" in post:
            document = add_item(document, post["_add"])
        return _render(request, pack, part, document, {}, unsaved=True)
    errors = draft_errors(document, slug=slug)
    if not errors:
        try:
            version = services.studio_draft_save(slug=slug, document=document, user=request.user)
        except PackValidationError as exc:
            errors = exc.errors
    if errors:
        return _render(
            request, pack, part, document, errors_by_path(errors), unsaved=True, status=400
        )
    messages.success(request, f"Saved the draft (v{version.number}).")
    if "_publish" in post:
        return redirect("studio:publish", slug=slug)
    return redirect("studio:edit", slug=slug, section=section)


def _source_text(document: dict, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    return dump_yaml(document)


@require_http_methods(["GET", "HEAD", "POST"])
@enablement_required
def source(request, slug: str):
    """The same document as YAML or JSON, editable: saved through the same service."""
    pack = get_object_or_404(RolePack, slug=slug)
    fmt = request.GET.get("format", "yaml")
    if fmt not in SOURCE_FORMATS:
        fmt = "yaml"
    document = normalize_document(working_document(pack))
    text, errors, status = _source_text(document, fmt), [], 200
    if request.method == "POST":
        text = request.POST.get("text", "").replace("\r\n", "\n")
        loaded, errors = load_text(text, source=f"{slug}.{fmt}")
        if not errors and len(loaded) != 1:
            errors = [_one_pack_error(slug, fmt)]
        if not errors:
            candidate = loaded[0]
            if not isinstance(candidate.document, dict):
                errors = [_one_pack_error(slug, fmt)]
            else:
                errors = rolepack_version_errors(
                    slug=slug,
                    document=candidate.document,
                    complete=False,
                    replace_draft=True,
                    source=candidate.source,
                    lines=candidate.lines,
                )
        if not errors:
            try:
                version = services.studio_draft_save(
                    slug=slug, document=loaded[0].document, user=request.user
                )
            except PackValidationError as exc:
                errors = exc.errors
        if not errors:
            messages.success(request, f"Saved the draft (v{version.number}) from {fmt.upper()}.")
            if "_publish" in request.POST:
                return redirect("studio:publish", slug=slug)
            return redirect(f"{request.path}?format={fmt}")
        status = 400
    return render(
        request,
        "studio/source.html",
        {
            "pack": pack,
            "version": working_version(pack),
            "sections": editor_sections(),
            "fmt": fmt,
            "text": text,
            "errors": errors,
            "tab": "source",
        },
        status=status,
    )


def _one_pack_error(slug: str, fmt: str) -> PackError:
    return PackError(f"{slug}.{fmt}", 1, "", "must hold one pack document (a mapping)")
