"""A loopback HTTPS stub of the Microsoft identity platform and Microsoft Graph, enough for
MSAL's client-credentials and device-code flows (OIDC discovery, the v2.0 token and devicecode
endpoints), the Copilot usage report (302 to a pre-authenticated CSV download, or JSON pages;
429 with Retry-After; 500) and the Teams app catalog (list by externalId with its
definitions, publish a zip, a new app definition; 409 on a duplicate).

Shapes as Microsoft documents them: the discovery document's ``authorization_endpoint``,
``token_endpoint`` and ``issuer``; the token response ``{"token_type": "Bearer",
"expires_in": …, "access_token": …}`` or ``{"error": "invalid_client", …}``; Graph errors
``{"error": {"code": …, "message": …}}``; report pages ``{"value": […], "@odata.nextLink": …}``.
"""

import datetime as dt
import io
import ipaddress
import json
import ssl
import threading
import uuid
import zipfile
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

TENANT = "contoso-tenant-id"
CLIENT_ID = "firstvalue-client-id"
CLIENT_SECRET = "s3cret"
TOKEN = "stub-access-token"
REPORT = "/v1.0/copilot/reports/getMicrosoft365CopilotUsageUserDetail(period='{period}')"

CSV_V2 = (
    "\ufeffReport Refresh Date,User Principal Name,Display Name,Last Activity Date,"
    "Copilot Chat Last Activity Date,Word Copilot Last Activity Date,Prompts Submitted,"
    "Active Usage Days,Report Period\n"
    "2026-03-31,Ada@Example.com,Ada,2026-03-30,2026-03-30,2026-03-25,42,5,7\n"
    "2026-03-31,bob@example.com,Bob,,,,0,0,7\n"
    "2026-03-31,stranger@contoso.com,Someone,2026-03-29,2026-03-29,,3,1,7\n"
)


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost, and its key (PEM files in ``folder``)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=7))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "stub-cert.pem", folder / "stub-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@dataclass
class Script:
    """What the report endpoint answers, in order: "429", "503", "500", "302" (the default,
    repeated), "json" (two pages)."""

    answers: list[str] = field(default_factory=list)
    csv: str = CSV_V2
    retry_after: str = "1"
    apps: dict = field(default_factory=dict)  # the Teams app catalog: id → app
    log: list[tuple[str, str, str]] = field(default_factory=list)  # (method, path, auth)
    signed_in: bool = True  # False: the device-code token answers authorization_pending

    def next(self) -> str:
        return self.answers.pop(0) if self.answers else "302"


class _Handler(BaseHTTPRequestHandler):
    script: Script
    base: str

    def log_message(self, *args):  # quiet
        pass

    def _send(self, status: int, body=b"", kind="application/json", headers=None):
        data = json.dumps(body).encode() if isinstance(body, dict) else body
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        path = unquote(urlsplit(self.path).path)
        self.script.log.append(("GET", self.path, self.headers.get("Authorization", "")))
        if path == f"/{TENANT}/v2.0/.well-known/openid-configuration":
            return self._send(
                200,
                {
                    "authorization_endpoint": f"{self.base}/{TENANT}/oauth2/v2.0/authorize",
                    "token_endpoint": f"{self.base}/{TENANT}/oauth2/v2.0/token",
                    "issuer": f"{self.base}/{TENANT}/v2.0",
                    "device_authorization_endpoint": f"{self.base}/{TENANT}/oauth2/v2.0/devicecode",
                },
            )
        if path.startswith("/v1.0/copilot/reports/getMicrosoft365CopilotUsageUserDetail"):
            return self._report()
        if path == "/v1.0/appCatalogs/teamsApps":
            return self._catalog_list()
        if path == "/download/usage.csv":
            return self._send(200, self.script.csv.encode(), "application/octet-stream")
        return self._send(404, {"error": {"code": "NotFound", "message": path}})

    def _report(self):
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            return self._send(
                401, {"error": {"code": "InvalidAuthenticationToken", "message": "no"}}
            )
        query = parse_qs(urlsplit(self.path).query)
        if "$skiptoken" in query:
            return self._page(2)
        answer = self.script.next()
        if answer in ("429", "503"):
            return self._send(
                int(answer),
                {"error": {"code": "TooManyRequests", "message": "Slow down"}},
                headers={"Retry-After": self.script.retry_after},
            )
        if answer == "500":
            return self._send(500, {"error": {"code": "InternalServerError", "message": "boom"}})
        if answer == "json":
            return self._page(1)
        return self._send(302, b"", "text/plain", {"Location": f"{self.base}/download/usage.csv"})

    def _page(self, number: int):
        rows = [
            {
                "reportRefreshDate": "2026-03-31",
                "userPrincipalName": "ada@example.com",
                "lastActivityDate": "2026-03-30",
                "wordCopilotLastActivityDate": "2026-03-28",
                "copilotActivityUserDetailsByPeriod": [{"reportPeriod": 7}],
            },
            {
                "reportRefreshDate": "2026-03-31",
                "userPrincipalName": "bob@example.com",
                "lastActivityDate": "2026-03-27" if number == 2 else None,
                "copilotActivityUserDetailsByPeriod": [{"reportPeriod": 7}],
            },
        ]
        body = {"value": [rows[number - 1]]}
        if number == 1:
            body["@odata.nextLink"] = f"{self.base}{REPORT.format(period='D7')}?$skiptoken=2"
        return self._send(200, body, "application/json; odata.metadata=minimal")

    def _catalog_list(self):
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            return self._send(
                401, {"error": {"code": "InvalidAuthenticationToken", "message": "no"}}
            )
        wanted = parse_qs(urlsplit(self.path).query).get("$filter", [""])[0]
        apps = [a for a in self.script.apps.values() if f"'{a['externalId']}'" in wanted]
        return self._send(200, {"value": apps})

    def _catalog_post(self, path: str, body: bytes):
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            return self._send(
                401, {"error": {"code": "InvalidAuthenticationToken", "message": "no"}}
            )
        if self.headers.get("Content-Type") != "application/zip":
            return self._send(415, {"error": {"code": "BadRequest", "message": "zip expected"}})
        manifest = json.loads(zipfile.ZipFile(io.BytesIO(body)).read("manifest.json"))
        definition = {
            "id": str(uuid.uuid4()),
            "version": manifest["version"],
            "displayName": manifest["name"]["short"],
            "publishingState": "published",
        }
        conflict = {"error": {"code": "Conflict", "message": "App with same id already exists."}}
        if path == "/v1.0/appCatalogs/teamsApps":
            if any(a["externalId"] == manifest["id"] for a in self.script.apps.values()):
                return self._send(409, conflict)
            app = {
                "id": str(uuid.uuid4()),
                "externalId": manifest["id"],
                "displayName": manifest["name"]["short"],
                "distributionMethod": "organization",
                "appDefinitions": [definition],
            }
            self.script.apps[app["id"]] = app
            return self._send(201, {k: v for k, v in app.items() if k != "appDefinitions"})
        app_id = path.split("/")[4]
        app = self.script.apps.get(app_id)
        if app is None:
            return self._send(404, {"error": {"code": "NotFound", "message": app_id}})
        if any(d["version"] == definition["version"] for d in app["appDefinitions"]):
            return self._send(409, conflict)
        app["appDefinitions"].append({**definition, "teamsAppId": app_id})
        return self._send(201, {**definition, "teamsAppId": app_id})

    def do_POST(self):
        path = urlsplit(self.path).path
        length = int(self.headers.get("Content-Length", 0))
        raw = self.rfile.read(length)
        self.script.log.append(("POST", path, self.headers.get("Authorization", "")))
        if path.startswith("/v1.0/appCatalogs/teamsApps"):
            return self._catalog_post(path, raw)
        form = parse_qs(raw.decode())
        if path == f"/{TENANT}/oauth2/v2.0/devicecode":
            return self._send(
                200,
                {
                    "device_code": "device-code-1",
                    "user_code": "ABCD-EFGH",
                    "verification_uri": f"{self.base}/devicelogin",
                    "expires_in": 900,
                    "interval": 1,
                    "message": "To sign in, open the device login page and enter ABCD-EFGH.",
                },
            )
        if path != f"/{TENANT}/oauth2/v2.0/token":
            return self._send(404, {"error": "not_found"})
        device = form.get("grant_type") == ["urn:ietf:params:oauth:grant-type:device_code"]
        if device and not self.script.signed_in:
            return self._send(
                400,
                {
                    "error": "authorization_pending",
                    "error_description": "AADSTS70016: the user has not yet signed in.",
                },
            )
        ok = form.get("client_id") == [CLIENT_ID] and (
            (device and form.get("device_code") == ["device-code-1"])
            or (
                form.get("grant_type") == ["client_credentials"]
                and (
                    form.get("client_secret") == [CLIENT_SECRET]
                    or form.get("client_assertion_type")
                    == ["urn:ietf:params:oauth:client-assertion-type:jwt-bearer"]
                )
            )
        )
        if not ok:
            return self._send(
                401,
                {
                    "error": "invalid_client",
                    "error_description": "AADSTS7000215: Invalid client secret provided.",
                },
            )
        return self._send(200, {"token_type": "Bearer", "expires_in": 3599, "access_token": TOKEN})


class GraphStub:
    """``with GraphStub(folder) as stub:`` serves on https://127.0.0.1:<port>."""

    def __init__(self, folder: Path):
        self.cert, self.key = self_signed(folder)
        self.script = Script()

    def __enter__(self):
        handler = type("Handler", (_Handler,), {"script": self.script})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert, self.key)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.url = f"https://127.0.0.1:{self.server.server_address[1]}"
        handler.base = self.url
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
