"""Sign-in with the company's OpenID Connect provider, against a small provider on loopback.

The stub speaks just enough OIDC (authorization code + PKCE, RS256 id tokens, userinfo, JWKS,
discovery) for mozilla-django-oidc to run its real flow over real HTTP.
"""

import base64
import hashlib
import importlib
import json
import secrets
import threading
import time
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth import get_user_model
from django.urls import clear_url_caches

from config import oidc
from onboarding.services import enrollment_enroll
from tests.factories import make_pack

User = get_user_model()
CLIENT_ID = "firstvalue-test"
CLIENT_SECRET = "s3cret"
KID = "test-key-1"


class Provider:
    """State of the stub identity provider: its key, issued codes and the next user's claims."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.signing_key = self.key
        self.codes: dict[str, dict] = {}
        self.tokens: dict[str, dict] = {}
        self.claims = {"sub": "user-1", "email": "ann.lee@example.com"}
        self.userinfo_sub = None
        self.audience = CLIENT_ID
        self.base = ""

    def jwks(self) -> dict:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**jwk, "kid": KID, "alg": "RS256", "use": "sig"}]}

    def id_token(self, nonce: str) -> str:
        now = int(time.time())
        payload = {
            **self.claims,
            "iss": self.base,
            "aud": self.audience,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
        }
        return jwt.encode(payload, self.signing_key, algorithm="RS256", headers={"kid": KID})


def make_handler(provider: Provider):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # keep test output quiet
            pass

        def send_json(self, data: dict, status: int = 200) -> None:
            body = json.dumps(data).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            url = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            if url.path == "/.well-known/openid-configuration":
                self.send_json(
                    {
                        "issuer": provider.base,
                        "authorization_endpoint": f"{provider.base}/authorize",
                        "token_endpoint": f"{provider.base}/token",
                        "userinfo_endpoint": f"{provider.base}/userinfo",
                        "jwks_uri": f"{provider.base}/jwks",
                    }
                )
            elif url.path == "/authorize":
                assert query["client_id"] == CLIENT_ID and query["response_type"] == "code"
                code = secrets.token_urlsafe(8)
                provider.codes[code] = query
                target = (
                    query["redirect_uri"] + "?" + urlencode({"code": code, "state": query["state"]})
                )
                self.send_response(302)
                self.send_header("Location", target)
                self.end_headers()
            elif url.path == "/userinfo":
                token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                if token not in provider.tokens:
                    return self.send_json({"error": "invalid_token"}, 401)
                claims = dict(provider.claims)
                if provider.userinfo_sub:
                    claims["sub"] = provider.userinfo_sub
                self.send_json(claims)
            elif url.path == "/jwks":
                self.send_json(provider.jwks())
            else:
                self.send_json({"error": "not found"}, 404)

        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            if urlsplit(self.path).path != "/token":
                return self.send_json({"error": "not found"}, 404)
            request = provider.codes.pop(form.get("code", ""), None)
            if (
                request is None
                or form.get("client_id") != CLIENT_ID
                or form.get("client_secret") != CLIENT_SECRET
                or form.get("redirect_uri") != request["redirect_uri"]
            ):
                return self.send_json({"error": "invalid_grant"}, 400)
            if "code_challenge" in request:
                digest = hashlib.sha256(form.get("code_verifier", "").encode()).digest()
                challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
                if challenge != request["code_challenge"]:
                    return self.send_json({"error": "invalid_grant"}, 400)
            access = secrets.token_urlsafe(12)
            provider.tokens[access] = request
            self.send_json(
                {
                    "access_token": access,
                    "token_type": "Bearer",
                    "expires_in": 300,
                    "id_token": provider.id_token(request.get("nonce", "")),
                }
            )

    return Handler


@pytest.fixture(scope="module")
def provider():
    state = Provider()
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(state))
    state.base = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


def reload_urls() -> None:
    import config.urls

    importlib.reload(config.urls)
    clear_url_caches()


@pytest.fixture
def sso(settings, provider):
    """SSO switched on, as OIDC_RP_CLIENT_ID and friends in the environment would do."""
    provider.claims = {"sub": "user-1", "email": "ann.lee@example.com"}
    provider.userinfo_sub = None
    provider.audience = CLIENT_ID
    provider.signing_key = provider.key
    oidc.discovery_document.cache_clear()
    settings.OIDC_ENABLED = True
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_RP_SIGN_ALGO = "RS256"
    settings.OIDC_RP_SCOPES = "openid email profile"
    settings.OIDC_OP_DISCOVERY = ""
    settings.OIDC_OP_ISSUER = provider.base
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{provider.base}/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{provider.base}/token"
    settings.OIDC_OP_USER_ENDPOINT = f"{provider.base}/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{provider.base}/jwks"
    settings.OIDC_CREATE_USER = True
    settings.OIDC_USE_PKCE = True
    settings.OIDC_TIMEOUT = 5
    settings.OIDC_AUTHENTICATE_CLASS = "config.oidc.AuthenticationRequestView"
    settings.LOGIN_REDIRECT_URL_FAILURE = "/accounts/login/"
    settings.AUTHENTICATION_BACKENDS = [
        *settings.AUTHENTICATION_BACKENDS,
        "config.oidc.EmailOIDCBackend",
    ]
    reload_urls()
    yield settings
    settings.OIDC_ENABLED = False
    reload_urls()


@pytest.fixture
def enrolled(db):
    enrollment = enrollment_enroll(
        email="Ann.Lee@Example.com",
        name="Ann Lee",
        version=make_pack(),
        start_date=date(2026, 11, 2),
    )
    return enrollment.user


def sign_in(client, next_url: str = "/my/"):
    """Follow the whole flow: our redirect, the provider's redirect back, our callback."""
    start = client.get("/oidc/authenticate/", {"next": next_url})
    assert start.status_code == 302
    assert start["Location"].startswith(f"{client.provider_base}/authorize?")
    back = requests.get(start["Location"], allow_redirects=False, timeout=5)
    assert back.status_code == 302
    callback = urlsplit(back.headers["Location"])
    assert callback.path == "/oidc/callback/"
    return client.get(callback.path, dict(parse_qs(callback.query)))


@pytest.fixture
def visitor(client, provider):
    client.provider_base = provider.base
    return client


def signed_in_user_id(client):
    return client.session.get("_auth_user_id")


@pytest.mark.django_db
def test_it_signs_in_the_enrolled_user_by_email_whatever_its_case(sso, visitor, enrolled):
    response = sign_in(visitor)

    assert response.status_code == 302
    assert response["Location"] == "/my/"
    assert signed_in_user_id(visitor) == str(enrolled.pk)
    assert User.objects.filter(email__iexact="ann.lee@example.com").count() == 1


@pytest.mark.django_db
def test_it_creates_the_account_on_first_sign_in_when_allowed(sso, visitor, provider):
    sso.OIDC_CREATE_USER = True
    provider.claims = {**provider.claims, "given_name": "Ann", "family_name": "Lee"}

    response = sign_in(visitor)

    user = User.objects.get(email="ann.lee@example.com")
    assert response.status_code == 302
    assert signed_in_user_id(visitor) == str(user.pk)
    assert (user.username, user.get_full_name()) == ("ann.lee@example.com", "Ann Lee")
    assert not user.has_usable_password()


@pytest.mark.django_db
def test_it_refuses_unknown_people_when_account_creation_is_off(sso, visitor):
    sso.OIDC_CREATE_USER = False

    response = sign_in(visitor)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert signed_in_user_id(visitor) is None
    assert not User.objects.exists()


@pytest.mark.django_db
def test_it_finds_the_endpoints_through_discovery(sso, visitor, enrolled, provider):
    sso.OIDC_OP_DISCOVERY = provider.base
    sso.OIDC_OP_AUTHORIZATION_ENDPOINT = ""
    sso.OIDC_OP_TOKEN_ENDPOINT = ""
    sso.OIDC_OP_USER_ENDPOINT = ""
    sso.OIDC_OP_JWKS_ENDPOINT = ""
    sso.OIDC_OP_ISSUER = ""

    sign_in(visitor)

    assert signed_in_user_id(visitor) == str(enrolled.pk)


@pytest.mark.django_db
def test_it_rejects_a_token_signed_with_another_key(sso, visitor, enrolled, provider):
    provider.signing_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    response = sign_in(visitor)

    assert response.status_code in {302, 400}
    assert signed_in_user_id(visitor) is None


@pytest.mark.django_db
def test_it_rejects_a_token_issued_for_another_client(sso, visitor, enrolled, provider):
    provider.audience = "some-other-app"

    response = sign_in(visitor)

    assert response.status_code in {302, 400}
    assert signed_in_user_id(visitor) is None


@pytest.mark.django_db
def test_it_rejects_userinfo_about_someone_else(sso, visitor, enrolled, provider):
    provider.userinfo_sub = "user-2"

    response = sign_in(visitor)

    assert response.status_code in {302, 400}
    assert signed_in_user_id(visitor) is None


@pytest.mark.django_db
def test_it_does_not_lock_an_office_out_after_refused_sso_sign_ins(sso, visitor, provider):
    sso.OIDC_CREATE_USER = False
    for i in range(6):
        provider.claims = {"sub": f"stranger-{i}", "email": f"stranger{i}@example.com"}
        sign_in(visitor)
    enrollment_enroll(
        email="ann.lee@example.com", version=make_pack(), start_date=date(2026, 11, 2)
    )
    provider.claims = {"sub": "user-1", "email": "ann.lee@example.com"}

    sign_in(visitor)

    assert signed_in_user_id(visitor) is not None


@pytest.mark.django_db
def test_it_offers_company_sign_in_on_the_login_page_when_on(sso, client):
    assert "Sign in with your company account" in client.get("/accounts/login/").content.decode()


@pytest.mark.django_db
def test_it_has_no_sso_at_all_when_off(client, settings):
    assert not settings.OIDC_ENABLED
    assert client.get("/oidc/authenticate/").status_code == 404
    assert client.get("/oidc/callback/", {"code": "x", "state": "y"}).status_code == 404
    assert "company account" not in client.get("/accounts/login/").content.decode()
    assert not any("oidc" in backend.lower() for backend in settings.AUTHENTICATION_BACKENDS)
