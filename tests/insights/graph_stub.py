"""A loopback HTTPS stub of the Microsoft identity platform and Microsoft Graph, enough for
MSAL's client-credentials flow (OIDC discovery, the v2.0 token endpoint) and the Copilot usage
report (302 to a pre-authenticated CSV download, or JSON pages; 429 with Retry-After; 500).

Shapes as Microsoft documents them: the discovery document's ``authorization_endpoint``,
``token_endpoint`` and ``issuer``; the token response ``{"token_type": "Bearer",
"expires_in": …, "access_token": …}`` or ``{"error": "invalid_client", …}``; Graph errors
``{"error": {"code": …, "message": …}}``; report pages ``{"value": […], "@odata.nextLink": …}``.
"""

import datetime as dt
import ipaddress
import json
import ssl
import threading
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
    log: list[tuple[str, str, str]] = field(default_factory=list)  # (method, path, auth)

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
                },
            )
        if path.startswith("/v1.0/copilot/reports/getMicrosoft365CopilotUsageUserDetail"):
            return self._report()
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

    def do_POST(self):
        path = urlsplit(self.path).path
        length = int(self.headers.get("Content-Length", 0))
        form = parse_qs(self.rfile.read(length).decode())
        self.script.log.append(("POST", path, ""))
        if path != f"/{TENANT}/oauth2/v2.0/token":
            return self._send(404, {"error": "not_found"})
        ok = (
            form.get("grant_type") == ["client_credentials"]
            and form.get("client_id") == [CLIENT_ID]
            and (form.get("client_secret") == [CLIENT_SECRET] or "client_assertion" in form)
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
