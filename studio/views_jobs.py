"""The author's other jobs: enroll people from a CSV (every row previewed first), import a
pack file (exporting and pushing: views_export). Each calls the service that owns it."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from onboarding.enroll_rows import COLUMNS, EnrollmentImportError, columns_help
from roles.imports import rolepack_import
from roles.models import RolePack
from roles.packfile import PACK_SUFFIXES
from roles.permissions import enablement_required
from roles.selectors import version_latest_published
from roles.validation import PackValidationError
from studio import services
from studio.editing import editor_sections
from studio.enroll_preview import MAX_BYTES, enrollment_preview


def _upload_text(request) -> tuple[str, str]:
    """(the CSV text, a problem) from an upload or the pasted/confirmed text."""
    upload = request.FILES.get("file")
    if upload is not None:
        if upload.size > MAX_BYTES:
            return "", f"the file is over {MAX_BYTES:,} bytes; use the enroll command or the API"
        raw = upload.read()
    else:
        raw = request.POST.get("text", "").encode()
        if len(raw) > MAX_BYTES:
            return "", f"the text is over {MAX_BYTES:,} bytes; use the enroll command or the API"
    try:
        return raw.decode("utf-8-sig"), ""
    except UnicodeDecodeError:
        return "", "the file is not UTF-8 text"


def _context(pack, **more):
    return {"pack": pack, "sections": editor_sections(), "tab": "enroll", **more}


@require_http_methods(["GET", "HEAD", "POST"])
@enablement_required
def enroll(request, slug: str):
    pack = get_object_or_404(RolePack, slug=slug)
    context = _context(
        pack,
        columns=",".join(COLUMNS),
        columns_help=columns_help(),
        published=version_latest_published(slug=slug),
    )
    if request.method != "POST":
        return render(request, "studio/enroll.html", context)
    text, problem = _upload_text(request)
    if problem or not text.strip():
        context["problem"] = problem or "choose a CSV file (or paste its text)"
        return render(request, "studio/enroll.html", context, status=400)
    preview = enrollment_preview(text=text, slug=slug)
    if "_confirm" in request.POST and preview.ok:
        try:
            result = services.studio_enroll(text=text)
        except EnrollmentImportError as exc:
            preview.errors = exc.errors
        else:
            messages.success(
                request,
                f"Enrolled {result.rows}: {result.created} new, {result.updated} updated.",
            )
            return redirect("studio:pack", slug=slug)
    context.update(preview=preview, text=text)
    return render(request, "studio/enroll.html", context, status=200 if preview.ok else 400)


@require_http_methods(["GET", "HEAD", "POST"])
@enablement_required
def pack_import(request):
    errors, outcomes, problem = [], [], ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        suffix = Path(upload.name).suffix.lower() if upload else ""
        if upload is None:
            problem = "choose a pack file (.yaml, .yml or .json)"
        elif suffix not in PACK_SUFFIXES:
            problem = f'"{upload.name}" is not a .yaml, .yml or .json file'
        elif upload.size > MAX_BYTES:
            problem = f"the file is over {MAX_BYTES:,} bytes; use the import_rolepack command"
        else:
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / f"pack{suffix}"
                path.write_bytes(upload.read())
                try:
                    outcomes = rolepack_import(
                        path=path,
                        dry_run="dry_run" in request.POST,
                        publish=False,
                        user=request.user,
                    )
                except PackValidationError as exc:
                    errors = [(e.line, e.path, e.message) for e in exc.errors]
        if outcomes and "dry_run" not in request.POST:
            for outcome in outcomes:
                messages.success(request, f"Imported {outcome}.")
            return redirect("studio:pack", slug=outcomes[0].slug)
    status = 400 if (errors or problem) else 200
    return render(
        request,
        "studio/import.html",
        {"errors": errors, "outcomes": outcomes, "problem": problem},
        status=status,
    )
