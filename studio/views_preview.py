"""Previews of the working version before it is published: the employee's week exactly as
/my/ renders it (onboarding's own context, ``preview=True``), the messages a send would
produce (onboarding.notifications.intervention_preview), and what the exports would give
the AI tools (the exporters' own functions). Nothing is written."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from onboarding.notifications import intervention_preview
from onboarding.pages import my_context
from onboarding.selectors.checklists import checklist_preview
from roles.document_types import DAY_MAX, DAY_MIN
from roles.models import RolePack, Track
from roles.permissions import enablement_required
from studio import selectors
from studio.editing import editor_sections
from templates_library.exporters import ExportError, m365, openwebui


def _version(slug: str):
    pack = get_object_or_404(RolePack, slug=slug)
    version = selectors.working_with_rows(pack=pack)
    if version is None:
        raise Http404("This pack has no version yet.")
    return pack, version


def _day(value) -> int:
    try:
        day = int(value)
    except (TypeError, ValueError):
        return DAY_MIN
    return min(max(day, DAY_MIN), DAY_MAX)


@require_safe
@enablement_required
def week(request, slug: str):
    pack, version = _version(slug)
    track = request.GET.get("track")
    track = track if track in Track.values else Track.PRESCRIPTIVE
    day = _day(request.GET.get("day"))
    checklist = checklist_preview(version=version, track=track, day=day)
    context = my_context(request, checklist, preview=True)
    context.update(
        studio_pack=pack,
        studio_version=version,
        studio_track=track,
        studio_day=day,
        studio_tracks=Track.choices,
        studio_days=range(DAY_MIN, DAY_MAX + 1),
    )
    return render(request, "studio/preview_week.html", context)


@require_safe
@enablement_required
def messages(request, slug: str):
    pack, version = _version(slug)
    previews = [
        (item, intervention_preview(version=version, intervention=item))
        for item in version.interventions.all()
    ]
    return render(
        request,
        "studio/preview_messages.html",
        {
            "pack": pack,
            "version": version,
            "previews": previews,
            "sections": editor_sections(),
            "tab": "preview",
        },
    )


@require_safe
@enablement_required
def agent(request, slug: str):
    pack, version = _version(slug)
    prompts = list(version.prompts.all())
    limit = m365.starter_limit(m365.AGENT_SCHEMA_VERSION)
    instructions = m365.instructions_for(version, prompts[limit:])
    try:
        declared = m365.declarative_agent(version)
        problem = ""
    except ExportError as exc:
        declared, problem = None, str(exc)
    return render(
        request,
        "studio/preview_agent.html",
        {
            "pack": pack,
            "version": version,
            "instructions": instructions,
            "instructions_limit": m365.INSTRUCTIONS_LIMIT,
            "starters": (declared or {}).get("conversation_starters", []),
            "starter_limit": limit,
            "prompts_count": len(prompts),
            "problem": problem,
            "openwebui": list(openwebui.rows([version])),
            "sections": editor_sections(),
            "tab": "preview",
        },
    )
