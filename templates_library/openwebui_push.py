"""``push_prompts --to openwebui``: the roles' prompts and model presets, created or updated in a
running Open WebUI through its REST API (``docs/exports.md``), with the shapes of its routers:

- prompts: ``GET /api/v1/prompts/`` (the list), ``POST /api/v1/prompts/create`` and
  ``POST /api/v1/prompts/command/{command}/update`` with ``{command, title, name, content,
  access_control}`` (``title`` in older releases, ``name`` in newer; the other is ignored);
- models: ``GET /api/v1/models/model?id=…``, ``POST /api/v1/models/create`` and
  ``POST /api/v1/models/model/update`` with the preset of ``exporters/openwebui_model.py``.

What is already there with the same content is left alone, so a second run changes nothing;
``dry_run`` only reports. Authentication: ``Authorization: Bearer OPENWEBUI_API_KEY``.
Each push that changed something is recorded in the export log (``via="push"``, the target).
"""

import json
from dataclasses import dataclass, field

import requests
from django.conf import settings
from django.db import transaction

from audit.services import audit_record
from templates_library import selectors
from templates_library.exporters import ExportError
from templates_library.exporters.openwebui import rows as prompt_rows
from templates_library.exporters.openwebui_model import preset
from templates_library.exporters.service import export_log_create

TIMEOUT_SECONDS = 30


class PushError(Exception):
    """Open WebUI refused or is unreachable; the message names the call and the answer."""


@dataclass
class PushResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


class _Client:
    def __init__(self, url: str, token: str):
        self.base = url.rstrip("/")
        self.session = requests.Session()
        self.session.headers.update(
            {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        )

    def call(self, method: str, path: str, *, ok=(200,), **kwargs):
        try:
            response = self.session.request(
                method, self.base + path, timeout=TIMEOUT_SECONDS, **kwargs
            )
        except requests.RequestException as exc:
            raise PushError(f"{method} {self.base}{path} failed: {exc}") from exc
        if response.status_code not in ok:
            try:
                detail = response.json().get("detail", "")
            except ValueError:
                detail = response.text[:200]
            raise PushError(
                f"{method} {path} answered {response.status_code}: {detail}".rstrip(": ")
            )
        return response


def _prompt_form(row: dict, existing: dict | None) -> dict:
    return {
        "command": row["command"],
        "title": row["name"],
        "name": row["name"],
        "content": row["content"],
        "access_control": (existing or {}).get("access_control"),
    }


def _same_prompt(existing: dict, form: dict) -> bool:
    title = existing.get("name", existing.get("title"))
    return title == form["name"] and existing.get("content") == form["content"]


def _push_prompts(client: _Client, versions, result: PushResult, dry_run: bool) -> None:
    listed = client.call("GET", "/api/v1/prompts/").json()
    existing = {p["command"].lstrip("/"): p for p in listed}
    for row in prompt_rows(versions):
        command = row["command"]
        form = _prompt_form(row, existing.get(command))
        if command not in existing:
            result.created.append(f"prompt /{command}")
            if not dry_run:
                client.call("POST", "/api/v1/prompts/create", json=form)
        elif _same_prompt(existing[command], form):
            result.unchanged.append(f"prompt /{command}")
        else:
            result.updated.append(f"prompt /{command}")
            if not dry_run:
                client.call("POST", f"/api/v1/prompts/command/{command}/update", json=form)


def _same_model(existing: dict, wanted: dict) -> bool:
    meta, their_meta = wanted["meta"], existing.get("meta") or {}
    return (
        existing.get("name") == wanted["name"]
        and existing.get("base_model_id") == wanted["base_model_id"]
        and (existing.get("params") or {}).get("system") == wanted["params"]["system"]
        and their_meta.get("description") == meta["description"]
        and their_meta.get("suggestion_prompts") == meta["suggestion_prompts"]
    )


def _push_models(client: _Client, versions, result: PushResult, dry_run: bool) -> None:
    for version in versions:
        wanted = preset(version)
        found = client.call(
            "GET", "/api/v1/models/model", params={"id": wanted["id"]}, ok=(200, 401, 404)
        )
        existing = found.json() if found.status_code == 200 else None
        label = f"model {wanted['id']}"
        if existing is None:
            result.created.append(label)
            if not dry_run:
                client.call("POST", "/api/v1/models/create", json=wanted)
        elif _same_model(existing, wanted):
            result.unchanged.append(label)
        else:
            result.updated.append(label)
            if not dry_run:
                wanted["access_control"] = existing.get("access_control")
                client.call("POST", "/api/v1/models/model/update", json=wanted)


def prompts_push_openwebui(
    *, url: str, role_slugs=None, all_roles=False, dry_run=False, user=None
) -> PushResult:
    """Create or update the roles' prompts and presets in Open WebUI at ``url``."""
    if not settings.OPENWEBUI_API_KEY:
        raise PushError("OPENWEBUI_API_KEY is not set: create an API key in Open WebUI first.")
    if not url.startswith(("http://", "https://")):
        raise PushError(f"--url must be an http(s) address, not {url!r}.")
    try:
        versions = list(selectors.export_versions(role_slugs=role_slugs, all_roles=all_roles))
    except selectors.NoPublishedVersion as exc:
        raise ExportError(str(exc)) from exc
    client = _Client(url, settings.OPENWEBUI_API_KEY)
    result = PushResult()
    _push_prompts(client, versions, result, dry_run)
    _push_models(client, versions, result, dry_run)
    if result.changed and not dry_run:
        _log(versions, url=url, result=result, user=user)
    return result


@transaction.atomic
def _log(versions, *, url: str, result: PushResult, user) -> None:
    summary = json.dumps({"created": result.created, "updated": result.updated}).encode()
    log = export_log_create(
        versions,
        fmt="openwebui",
        content=summary,
        via="push",
        user=user,
        target=f"openwebui:{url.rstrip('/')}",
        target_ids=result.created + result.updated,
    )
    audit_record(
        actor=user,
        action="export.push",
        obj=log,
        after={"target": log.target, "created": result.created, "updated": result.updated},
    )
