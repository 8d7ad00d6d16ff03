"""``publish_agent``: each role's m365-agent package uploaded to the organisation's Teams app
catalog through Microsoft Graph (``docs/exports.md``):

- ``GET /v1.0/appCatalogs/teamsApps?$filter=externalId eq '<manifest id>'&$expand=appDefinitions``
  finds the app (the manifest id is stable per role, exporters/m365.py ``app_id``);
- absent: ``POST /v1.0/appCatalogs/teamsApps`` with the zip (``Content-Type: application/zip``);
- present: ``POST /v1.0/appCatalogs/teamsApps/{id}/appDefinitions`` with the zip, a new version;
  when its definitions already hold this version, nothing is sent.

Graph supports publishing only with delegated permissions (``AppCatalog.Submit`` or
``AppCatalog.ReadWrite.All``, a Teams service admin): MSAL's device-code flow signs the admin in
(the command prints the code to enter at Microsoft's device login page). Each upload is
recorded in the export log (``via="push"``, ``target`` ``teams-catalog:<tenant>``,
``target_ids`` the Teams app ids and versions).
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field

import msal
import requests
from django.conf import settings
from django.db import transaction

from audit.services import audit_record
from templates_library import selectors
from templates_library.exporters import ExportError, build_export
from templates_library.exporters.m365 import app_id, app_version
from templates_library.exporters.service import export_log_create

SCOPES = ["AppCatalog.ReadWrite.All"]
TIMEOUT_SECONDS = 60


class PublishError(Exception):
    """Sign-in or Graph failed; the message says which call and why."""


@dataclass
class PublishResult:
    published: list[dict] = field(default_factory=list)  # {role, teams_app_id, version, action}
    unchanged: list[dict] = field(default_factory=list)


class _Session(requests.Session):
    """``verify`` (GRAPH_CA_BUNDLE) holds for every call, MSAL's included."""

    def request(self, method, url, **kwargs):
        if kwargs.get("verify") in (None, True):
            kwargs["verify"] = self.verify
        return super().request(method, url, **kwargs)


class SignInPending(PublishError):
    """The admin has not finished the device-code sign-in yet (the flow is still valid)."""


def _public_app(session):
    if not (settings.GRAPH_TENANT_ID and settings.GRAPH_CLIENT_ID):
        raise PublishError(
            "Microsoft Graph is not configured: set GRAPH_TENANT_ID, GRAPH_CLIENT_ID."
        )
    host = settings.GRAPH_AUTHORITY_HOST
    microsoft = host == "https://login.microsoftonline.com"
    return msal.PublicClientApplication(
        settings.GRAPH_CLIENT_ID,
        authority=f"{host}/{settings.GRAPH_TENANT_ID}",
        http_client=session,
        instance_discovery=microsoft,
        validate_authority=microsoft,
    )


def _signed_in(call):
    """``call()``'s answer, sign-in errors as PublishError naming the identity platform."""
    try:
        return call()
    except (ValueError, OSError, requests.RequestException) as exc:
        raise PublishError(f"sign-in to {settings.GRAPH_AUTHORITY_HOST} failed: {exc}") from exc


def device_flow_start(session) -> dict:
    """A device-code flow for a Teams admin to finish at Microsoft's device login page: a dict
    with ``message``, ``user_code`` and ``verification_uri`` (JSON-safe, so it can be kept)."""
    app = _signed_in(lambda: _public_app(session))
    scopes = [f"{settings.GRAPH_BASE_URL}/{scope}" for scope in SCOPES]
    flow = _signed_in(lambda: app.initiate_device_flow(scopes=scopes))
    if "user_code" not in flow:
        raise PublishError(f"sign-in could not start: {flow.get('error_description', flow)}")
    return flow


def device_flow_token(session, flow: dict, *, wait: bool = True) -> str:
    """The token of a started flow; ``wait`` polls until the admin signs in or the flow
    expires, else one try (SignInPending while the admin has not signed in)."""
    app = _signed_in(lambda: _public_app(session))
    options = {} if wait else {"exit_condition": lambda flow: True}
    result = _signed_in(lambda: app.acquire_token_by_device_flow(flow, **options))
    if "access_token" in result:
        return result["access_token"]
    if result.get("error") in ("authorization_pending", "slow_down"):
        raise SignInPending("the Teams admin has not finished signing in yet")
    raise PublishError(
        f"sign-in refused: {result.get('error')}: {result.get('error_description', '')}"
    )


def delegated_token(session, *, prompt: Callable[[str], None]) -> str:
    """A Teams admin's token through MSAL's device-code flow; ``prompt`` shows the message."""
    flow = device_flow_start(session)
    prompt(flow["message"])
    return device_flow_token(session, flow)


def graph_session() -> requests.Session:
    session = _Session()
    session.verify = settings.GRAPH_CA_BUNDLE or True
    return session


def _call(session, method, path, *, ok, **kwargs):
    url = settings.GRAPH_BASE_URL + path
    try:
        response = session.request(method, url, timeout=TIMEOUT_SECONDS, **kwargs)
    except requests.RequestException as exc:
        raise PublishError(f"{method} {path.split('?')[0]} failed: {exc}") from exc
    if response.status_code not in ok:
        try:
            error = response.json().get("error", {})
            detail = f"{error.get('code', '')}: {error.get('message', '')}".strip(": ")
        except ValueError:
            detail = response.text[:200]
        raise PublishError(
            f"{method} {path.split('?')[0]} answered {response.status_code}: {detail}"
        )
    return response


def _publish_one(session, version, result: PublishResult, dry_run: bool) -> None:
    external, wanted = app_id(version.pack.slug), app_version(version)
    query = f"?$filter=externalId eq '{external}'&$expand=appDefinitions"
    found = _call(session, "GET", "/v1.0/appCatalogs/teamsApps" + query, ok=(200,)).json()
    apps = found.get("value", [])
    entry = {"role": version.pack.slug, "version": wanted, "teams_app_id": None}
    if apps:
        entry["teams_app_id"] = apps[0]["id"]
        versions = {d.get("version") for d in apps[0].get("appDefinitions", [])}
        if wanted in versions:
            result.unchanged.append({**entry, "action": "unchanged"})
            return
        entry["action"] = "new version"
    else:
        entry["action"] = "new app"
    if not dry_run:
        package = build_export([version], "m365-agent").content
        headers = {"Content-Type": "application/zip"}
        if apps:
            path = f"/v1.0/appCatalogs/teamsApps/{apps[0]['id']}/appDefinitions"
        else:
            path = "/v1.0/appCatalogs/teamsApps"
        answer = _call(session, "POST", path, ok=(200, 201), data=package, headers=headers)
        body = answer.json() if answer.content else {}
        entry["teams_app_id"] = entry["teams_app_id"] or body.get("id")
    result.published.append(entry)


def agents_publish(
    *, role_slugs=None, all_roles=False, dry_run=False, user=None, prompt=print, flow=None
) -> PublishResult:
    """Publish the roles' agents; ``flow`` (from ``device_flow_start``, the admin signed in
    elsewhere) is finished with one try instead of signing in here."""
    try:
        versions = list(selectors.export_versions(role_slugs=role_slugs, all_roles=all_roles))
    except selectors.NoPublishedVersion as exc:
        raise ExportError(str(exc)) from exc
    result = PublishResult()
    with graph_session() as session:
        if flow is None:
            token = delegated_token(session, prompt=prompt)
        else:
            token = device_flow_token(session, flow, wait=False)
        session.headers["Authorization"] = f"Bearer {token}"
        for version in versions:
            _publish_one(session, version, result, dry_run)
    if result.published and not dry_run:
        _log(versions, result=result, user=user)
    return result


@transaction.atomic
def _log(versions, *, result: PublishResult, user) -> None:
    summary = json.dumps(result.published, sort_keys=True).encode()
    log = export_log_create(
        versions,
        fmt="m365-agent",
        content=summary,
        via="push",
        user=user,
        target=f"teams-catalog:{settings.GRAPH_TENANT_ID}",
        target_ids=result.published,
    )
    audit_record(
        actor=user, action="export.publish", obj=log, after={"published": result.published}
    )
