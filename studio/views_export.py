"""The export page: the published version's prompts in each format (a download, logged), and
the pushes into the AI tools where they are configured (studio.pushes): Open WebUI, and the
Microsoft 365 agent to the Teams app catalog."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from roles.models import RolePack
from roles.permissions import enablement_required
from roles.selectors import version_latest_published
from studio import pushes
from studio.editing import editor_sections
from studio.models import PushRun
from templates_library.exporters import FORMATS, ExportError
from templates_library.exporters.service import prompts_export
from templates_library.teams_publish import PublishError

FORMAT_LABELS = {
    "m365-agent": "Microsoft 365 Copilot agent (app package)",
    "openwebui": "Open WebUI prompts (JSON)",
    "prompty": "Prompty files (zip)",
    "csv": "CSV",
    "markdown": "Markdown handout",
    "json": "Pack document (JSON)",
    "openwebui-model": "Open WebUI model preset (JSON)",
}


def _push_panels(pack: RolePack) -> list[dict]:
    panels = []
    for target, label in PushRun.Target.choices:
        run = pushes.push_latest(pack, target)
        panels.append(
            {
                "target": target,
                "label": label,
                "setup": pushes.setup_missing(target),
                "run": run,
                "stale": run is not None and pushes.stale(run),
                "flow": (run.flow or {}) if run is not None else {},
            }
        )
    return panels


def _page(request, pack, *, problem="", status=200):
    return render(
        request,
        "studio/export.html",
        {
            "pack": pack,
            "published": version_latest_published(slug=pack.slug),
            "formats": [(fmt, FORMAT_LABELS.get(fmt, fmt)) for fmt in FORMATS],
            "problem": problem,
            "pushes": _push_panels(pack),
            "openwebui_url": settings.OPENWEBUI_URL,
            "sections": editor_sections(),
            "tab": "export",
        },
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@enablement_required
def export(request, slug: str):
    pack = get_object_or_404(RolePack, slug=slug)
    if request.method != "POST":
        return _page(request, pack)
    fmt = request.POST.get("format", "")
    try:
        if fmt not in FORMATS:
            raise ExportError(f"choose a format: {', '.join(FORMATS)}")
        result = prompts_export(fmt=fmt, role_slugs=[slug], user=request.user, via="studio")
    except ExportError as exc:
        return _page(request, pack, problem=str(exc), status=400)
    response = HttpResponse(result.content, content_type=result.content_type)
    response["Content-Disposition"] = f'attachment; filename="{result.filename}"'
    return response


@require_POST
@enablement_required
def push_openwebui(request, slug: str):
    pack = get_object_or_404(RolePack, slug=slug)
    setup = pushes.setup_missing(PushRun.Target.OPENWEBUI)
    if setup:
        return _page(request, pack, problem=setup, status=400)
    try:
        pushes.openwebui_push_start(pack=pack, user=request.user)
    except ExportError as exc:
        return _page(request, pack, problem=str(exc), status=400)
    return redirect("studio:export", slug=slug)


@require_POST
@enablement_required
def publish_m365(request, slug: str):
    """``_sign_in`` starts the admin's sign-in; ``run`` (that sign-in) queues the publish."""
    pack = get_object_or_404(RolePack, slug=slug)
    setup = pushes.setup_missing(PushRun.Target.M365)
    if setup:
        return _page(request, pack, problem=setup, status=400)
    run_id = request.POST.get("run", "")
    try:
        if run_id:
            run = PushRun.objects.filter(
                pk=int(run_id) if run_id.isdigit() else 0,
                pack=pack,
                target=PushRun.Target.M365,
                status=PushRun.Status.SIGN_IN,
            ).first()
            if run is None:
                raise PublishError("That sign-in is no longer open: start the sign-in again.")
            pushes.m365_publish_start(run=run, user=request.user)
        else:
            pushes.m365_sign_in_start(pack=pack, user=request.user)
    except (ExportError, PublishError) as exc:
        return _page(request, pack, problem=str(exc), status=400)
    return redirect("studio:export", slug=slug)
