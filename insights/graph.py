"""Microsoft Graph, app-only: a token from the identity platform through Microsoft's MSAL
(client credentials: a secret, or a certificate), and the Copilot usage report.

``copilot/reports/getMicrosoft365CopilotUsageUserDetail(period='D7')`` answers 302 with a
pre-authenticated download URL in ``Location`` (fetched without our token), or, where JSON is
used, pages of ``{"value": [...], "@odata.nextLink": ...}``. 429 and 503 are retried after
their ``Retry-After`` (at most ``GRAPH_RETRY_MAX_SECONDS`` each, ``GRAPH_MAX_ATTEMPTS`` tries);
any other error stops with a message naming the status (docs/metrics.md, "Usage history").
"""

import re
import time
from dataclasses import dataclass
from pathlib import Path

import msal
import requests
from django.conf import settings

from .usage_csv import ParsedReport, UsageImportError, UsageRow, parse_date, usage_parse_csv

PERIODS = ("D7", "D30", "D90", "D180")
REPORT_PATH = "/v1.0/copilot/reports/getMicrosoft365CopilotUsageUserDetail(period='{period}')"
TIMEOUT_SECONDS = 30
MAX_PAGES = 1000


class GraphError(Exception):
    """Graph or the identity platform refused or failed; the message says which and why."""


@dataclass(frozen=True)
class GraphConfig:
    tenant_id: str
    client_id: str
    client_secret: str
    certificate_path: str
    certificate_thumbprint: str
    base_url: str
    authority_host: str
    verify: bool | str

    @classmethod
    def from_settings(cls) -> "GraphConfig":
        return cls(
            tenant_id=settings.GRAPH_TENANT_ID,
            client_id=settings.GRAPH_CLIENT_ID,
            client_secret=settings.GRAPH_CLIENT_SECRET,
            certificate_path=settings.GRAPH_CLIENT_CERTIFICATE_PATH,
            certificate_thumbprint=settings.GRAPH_CLIENT_CERTIFICATE_THUMBPRINT,
            base_url=settings.GRAPH_BASE_URL.rstrip("/"),
            authority_host=settings.GRAPH_AUTHORITY_HOST.rstrip("/"),
            verify=settings.GRAPH_CA_BUNDLE or True,
        )

    def credential(self):
        if self.certificate_path:
            return {
                "private_key": Path(self.certificate_path).read_text(),
                "thumbprint": self.certificate_thumbprint,
            }
        return self.client_secret


class _Session(requests.Session):
    """A session whose ``verify`` (GRAPH_CA_BUNDLE) holds for every call, MSAL's included:
    requests otherwise lets REQUESTS_CA_BUNDLE from the environment override it."""

    def request(self, method, url, **kwargs):
        if kwargs.get("verify") in (None, True):
            kwargs["verify"] = self.verify
        return super().request(method, url, **kwargs)


def graph_token(config: GraphConfig, session: requests.Session) -> str:
    """An app-only access token for Graph (``{base}/.default``) from MSAL."""
    missing = [
        name
        for name, value in (
            ("GRAPH_TENANT_ID", config.tenant_id),
            ("GRAPH_CLIENT_ID", config.client_id),
        )
        if not value
    ]
    if not (config.client_secret or config.certificate_path):
        missing.append("GRAPH_CLIENT_SECRET (or GRAPH_CLIENT_CERTIFICATE_PATH)")
    if missing:
        raise GraphError("Microsoft Graph is not configured: set " + ", ".join(missing) + ".")
    try:
        app = msal.ConfidentialClientApplication(
            config.client_id,
            client_credential=config.credential(),
            authority=f"{config.authority_host}/{config.tenant_id}",
            http_client=session,
            # A host other than Microsoft's (a proxy, the tests' stub) is trusted as configured.
            instance_discovery=config.authority_host == "https://login.microsoftonline.com",
            validate_authority=config.authority_host == "https://login.microsoftonline.com",
        )
        result = app.acquire_token_for_client(scopes=[f"{config.base_url}/.default"])
    except (ValueError, OSError, requests.RequestException) as exc:
        raise GraphError(f"sign-in to {config.authority_host} failed: {exc}") from exc
    if "access_token" not in result:
        raise GraphError(
            f"sign-in refused: {result.get('error')}: {result.get('error_description', '')}".strip()
        )
    return result["access_token"]


def _wait_seconds(response: requests.Response) -> float:
    value = response.headers.get("Retry-After", "").strip()
    seconds = float(value) if re.fullmatch(r"\d+(\.\d+)?", value) else 5.0
    return min(seconds, settings.GRAPH_RETRY_MAX_SECONDS)


def _get(session, url: str, *, headers=None, config: GraphConfig, sleep=time.sleep):
    """GET with the bounded Retry-After rule for 429 and 503; redirects are not followed."""
    for attempt in range(1, settings.GRAPH_MAX_ATTEMPTS + 1):
        try:
            response = session.get(
                url,
                headers=headers or {},
                timeout=TIMEOUT_SECONDS,
                allow_redirects=False,
                verify=config.verify,
            )
        except requests.RequestException as exc:
            raise GraphError(f"GET {url.split('?')[0]} failed: {exc}") from exc
        if response.status_code in (429, 503) and attempt < settings.GRAPH_MAX_ATTEMPTS:
            sleep(_wait_seconds(response))
            continue
        return response
    return response


def _fail(response: requests.Response, what: str) -> GraphError:
    try:
        error = response.json().get("error", {})
        detail = f"{error.get('code', '')}: {error.get('message', '')}".strip(": ")
    except ValueError:
        detail = response.text[:200]
    return GraphError(f"{what} answered {response.status_code} {response.reason}: {detail}")


def _json_rows(item: dict) -> tuple[UsageRow, object, object]:
    apps = {}
    for key, value in item.items():
        if key.endswith("LastActivityDate") and key != "lastActivityDate" and value:
            name = re.sub(r"(Copilot)?LastActivityDate$", "", key)
            name = re.sub(r"(?<!^)(?=[A-Z])", " ", name).title().replace("Copilot ", "")
            apps[name] = parse_date(value).isoformat()
    periods = item.get("copilotActivityUserDetailsByPeriod") or [{}]
    row = UsageRow(
        identifier=(item.get("userPrincipalName") or "").strip().lower(),
        last_activity=parse_date(item.get("lastActivityDate") or ""),
        apps=apps,
        prompts_submitted=item.get("promptsSubmitted", item.get("totalPromptsSubmitted")),
        active_days=item.get("activeUsageDays", item.get("activeDays")),
    )
    return row, item.get("reportRefreshDate"), periods[0].get("reportPeriod")


def _from_json_pages(session, first, *, headers, config) -> ParsedReport:
    report = ParsedReport(source="graph", rows=[])
    response, pages = first, 0
    while True:
        if response.status_code != 200:
            raise _fail(response, "the usage report")
        body = response.json()
        for item in body.get("value", []):
            try:
                row, refresh, period = _json_rows(item)
            except ValueError as exc:
                raise GraphError(f"the usage report has a bad date: {item!r:.200}") from exc
            if row.identifier:
                report.rows.append(row)
            day = parse_date(refresh or "")
            if day and (report.report_date is None or day > report.report_date):
                report.report_date = day
            report.period_days = report.period_days or period
        next_link, pages = body.get("@odata.nextLink"), pages + 1
        if not next_link or pages >= MAX_PAGES:
            return report
        response = _get(session, next_link, headers=headers, config=config)


def fetch_usage_report(period: str, *, config: GraphConfig | None = None) -> ParsedReport:
    """The Copilot usage report for ``period`` (D7, D30, D90, D180) as rows to store."""
    if period not in PERIODS:
        raise GraphError(f"period must be one of {', '.join(PERIODS)}, not {period!r}.")
    config = config or GraphConfig.from_settings()
    with _Session() as session:
        session.verify = config.verify
        token = graph_token(config, session)
        headers = {"Authorization": f"Bearer {token}"}
        url = config.base_url + REPORT_PATH.format(period=period) + "?$format=text/csv"
        response = _get(session, url, headers=headers, config=config)
        if response.status_code in (301, 302, 303, 307, 308):
            location = response.headers.get("Location")
            if not location:
                raise GraphError("the usage report redirected without a Location header.")
            download = _get(session, location, config=config)  # pre-authenticated: no token
            if download.status_code != 200:
                raise _fail(download, "the report download")
            try:
                return usage_parse_csv(download.content.decode("utf-8-sig").splitlines())
            except UsageImportError as exc:
                raise GraphError("the report download is not a usage CSV: " + str(exc)) from exc
        kind = response.headers.get("Content-Type", "")
        if response.status_code == 200 and kind.startswith("text/csv"):
            return usage_parse_csv(response.content.decode("utf-8-sig").splitlines())
        if kind.startswith("application/json"):
            return _from_json_pages(session, response, headers=headers, config=config)
        raise _fail(response, "the usage report")
