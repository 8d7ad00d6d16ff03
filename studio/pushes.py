"""Pushing a pack from the studio's export page into the AI tools, with the commands' own
services: ``push_prompts --to openwebui`` (templates_library.openwebui_push) and
``publish_agent`` (templates_library.teams_publish). Each push is a PushRun, run by a Celery
task (in-process without a broker) that writes back what it created, updated and left
unchanged, or why it stopped; each finished run is audited (``pack.push``).

Publishing the agent needs a Teams admin's delegated sign-in: the page starts the device-code
flow and shows its code; once the admin has signed in, "Publish" runs the task, which finishes
that flow with one try (docs/studio.md, "Pushing to the AI tools").
"""

from __future__ import annotations

from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.utils import timezone
from kombu.exceptions import OperationalError

from audit.services import audit_record
from roles.models import RolePack
from roles.selectors import version_latest_published
from studio.models import PushRun
from templates_library.exporters import ExportError
from templates_library.openwebui_push import PushError, prompts_push_openwebui
from templates_library.teams_publish import (
    PublishError,
    SignInPending,
    agents_publish,
    device_flow_start,
    graph_session,
)

PUSH_TASK = "studio.tasks.push_run_task"
Target, Status = PushRun.Target, PushRun.Status

SETUP = {
    Target.OPENWEBUI: (
        "To push from here, set OPENWEBUI_URL and OPENWEBUI_API_KEY "
        '(docs/exports.md, "Pushing into Open WebUI").'
    ),
    Target.M365: (
        "To publish from here, set GRAPH_TENANT_ID and GRAPH_CLIENT_ID of an Entra app that "
        'allows public client flows (docs/exports.md, "Publishing the Microsoft 365 agent").'
    ),
}
NOT_SIGNED_IN = (
    "The Teams admin has not finished signing in: enter the code at the address below, "
    "then click Publish again."
)
QUEUE_DOWN = "The task queue could not be reached, so nothing was pushed. Try again shortly."
# A run still queued or running after this long had its worker lost: the page says so.
STALE_AFTER = timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT * 2)


def setup_missing(target: str) -> str:
    """What to configure before ``target`` can be pushed to from the studio ("" when set)."""
    if target == Target.OPENWEBUI:
        ready = settings.OPENWEBUI_URL and settings.OPENWEBUI_API_KEY
    else:
        ready = settings.GRAPH_TENANT_ID and settings.GRAPH_CLIENT_ID
    return "" if ready else SETUP[target]


def push_latest(pack: RolePack, target: str) -> PushRun | None:
    return PushRun.objects.filter(pack=pack, target=target).select_related("user").first()


def stale(run: PushRun) -> bool:
    return run.active and (run.queued_at or run.created_at) < timezone.now() - STALE_AFTER


def _new_run(pack: RolePack, target: str, user, status: str, **fields) -> PushRun:
    published = version_latest_published(slug=pack.slug)
    if published is None:
        raise ExportError("Nothing to push yet: publish the pack first.")
    return PushRun.objects.create(
        pack=pack,
        target=target,
        status=status,
        user=user,
        version_number=published.number,
        **fields,
    )


def _enqueue(run: PushRun) -> None:
    """The run is saved (committed: views run in autocommit) before its task is sent, by
    name (studio.tasks imports this module; apps.py registers it, so eager runs it here)."""
    try:
        current_app.signature(PUSH_TASK, args=(run.pk,)).apply_async(retry=False)
    except (OperationalError, OSError):  # the broker is down or unreachable
        _finish(run, error=QUEUE_DOWN)


def openwebui_push_start(*, pack: RolePack, user) -> PushRun:
    """Queue a push of the pack's published prompts and preset (one at a time per pack)."""
    latest = push_latest(pack, Target.OPENWEBUI)
    if latest is not None and latest.active and not stale(latest):
        return latest
    run = _new_run(pack, Target.OPENWEBUI, user, Status.QUEUED, queued_at=timezone.now())
    _enqueue(run)
    return run


def m365_sign_in_start(*, pack: RolePack, user) -> PushRun:
    """Start the Teams admin's device-code sign-in; the run keeps the flow for the task."""
    with graph_session() as session:
        flow = device_flow_start(session)
    return _new_run(pack, Target.M365, user, Status.SIGN_IN, flow=flow)


def m365_publish_start(*, run: PushRun, user) -> PushRun:
    """Queue the publish of a run whose sign-in was started (the admin says it is done)."""
    updated = PushRun.objects.filter(pk=run.pk, status=Status.SIGN_IN).update(
        status=Status.QUEUED, user=user, error="", queued_at=timezone.now()
    )
    if updated:
        run.refresh_from_db()
        _enqueue(run)
    return run


def _finish(run: PushRun, *, result: dict | None = None, error: str = "") -> None:
    run.status = Status.FAILED if error else Status.DONE
    run.result, run.error, run.flow = result or {}, error, None
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "result", "error", "flow", "finished_at"])
    audit_record(
        actor=run.user,
        action="pack.push",
        obj=run.pack,
        after={"target": run.target, "version": run.version_number, **run.result, "error": error},
    )


def _plain(run: PushRun, exc: Exception) -> str:
    text = str(exc)
    if isinstance(exc, ExportError):
        return text
    if run.target == Target.OPENWEBUI:
        if "answered 401" in text:
            return f"Open WebUI refused the API key (OPENWEBUI_API_KEY): {text}"
        if " failed: " in text:
            return f"Open WebUI at {settings.OPENWEBUI_URL} could not be reached: {text}"
        return f"Open WebUI stopped the push: {text}"
    return f"Publishing the agent stopped: {text}"


def _publish_outcome(entries: list[dict], unchanged: list[dict]) -> dict:
    def label(entry):
        return f"{entry['role']} {entry['version']} (Teams app {entry['teams_app_id'] or 'new'})"

    return {
        "created": [label(e) for e in entries if e["action"] == "new app"],
        "updated": [label(e) for e in entries if e["action"] != "new app"],
        "unchanged": [label(e) for e in unchanged],
    }


def push_run(run_id: int) -> str:
    """The task's work: claim the queued run, push, write back the outcome."""
    if not PushRun.objects.filter(pk=run_id, status=Status.QUEUED).update(status=Status.RUNNING):
        return "not queued"  # delivered twice, or already finished
    run = PushRun.objects.select_related("pack", "user").get(pk=run_id)
    slugs = [run.pack.slug]
    try:
        if run.target == Target.OPENWEBUI:
            pushed = prompts_push_openwebui(
                url=settings.OPENWEBUI_URL, role_slugs=slugs, user=run.user
            )
            outcome = {
                "created": pushed.created,
                "updated": pushed.updated,
                "unchanged": pushed.unchanged,
            }
        else:
            published = agents_publish(role_slugs=slugs, user=run.user, flow=run.flow)
            outcome = _publish_outcome(published.published, published.unchanged)
    except SignInPending:
        run.status, run.error = Status.SIGN_IN, NOT_SIGNED_IN
        run.save(update_fields=["status", "error"])
        return Status.SIGN_IN
    except (PushError, PublishError, ExportError) as exc:
        _finish(run, error=_plain(run, exc))
    else:
        _finish(run, result=outcome)
    return run.status
