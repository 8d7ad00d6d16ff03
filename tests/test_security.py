"""Production hardening seen from the outside: headers, CSP, login throttling, sessions."""

import base64
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.urls import include, path
from django.utils import timezone
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "pw-for-tests-1"


class WhoAmI(APIView):
    """A minimal API view behind the project's default authentication classes."""

    permission_classes = [IsAuthenticated]

    def get(self, request):
        return Response({"username": request.user.get_username()})


# This module doubles as a urlconf: the project's urls plus one API view for HTTP Basic.
urlpatterns = [
    path("test-whoami/", WhoAmI.as_view()),
    path("", include("config.urls")),
]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # These tests hash dozens of passwords; the production hasher's cost is not under test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# Not inherited by the subprocess: the production values come from each test, and browser
# tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process (a deployment never does).
NOT_INHERITED = {
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def login(client, username: str, password: str, url: str = "/accounts/login/"):
    return client.post(url, {"username": username, "password": password})


def basic(username: str, password: str) -> dict:
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {token}"}


# --- configuration ----------------------------------------------------------


def test_it_passes_the_deploy_checks_with_production_settings():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY="k" * 20 + "a-long-random-production-secret-for-the-check",
        ALLOWED_HOSTS="firstvalue.example.com",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off():
    result = run_manage("check", DEBUG="0", ALLOWED_HOSTS="firstvalue.example.com")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_it_reads_the_session_age_from_the_environment():
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.SESSION_COOKIE_AGE, "
        "settings.SESSION_EXPIRE_AT_BROWSER_CLOSE)",
        SESSION_COOKIE_AGE="900",
        SESSION_EXPIRE_AT_BROWSER_CLOSE="1",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == ["900", "True"]


# --- headers ------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/", "/api/schema/", "/api/docs/"])
def test_it_sends_the_security_headers(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/", "/api/schema/", "/api/docs/"])
def test_it_sends_a_strict_content_security_policy(client, url):
    response = client.get(url)
    directives = dict(
        (part.split()[0], part.split()[1:])
        for part in response["Content-Security-Policy"].split(";")
    )
    assert directives["default-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "'unsafe-inline'" not in directives["style-src"]
    assert "'unsafe-eval'" not in directives["script-src"]


@pytest.mark.django_db
def test_it_allows_an_inline_block_only_through_the_request_nonce(client):
    docs = client.get("/api/docs/")
    policy = docs["Content-Security-Policy"]
    nonce = policy.split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in docs.content.decode()

    again = client.get("/api/docs/")["Content-Security-Policy"]
    assert nonce not in again
    assert "nonce-" not in client.get("/accounts/login/")["Content-Security-Policy"]


@pytest.mark.django_db
def test_it_serves_the_api_docs_without_a_cdn(client):
    html = client.get("/api/docs/").content.decode()
    assert "cdn." not in html
    assert "<script>" not in html


@pytest.mark.django_db
def test_it_sends_hsts_over_https_in_production(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = client.get("/accounts/login/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


# --- login throttling -----------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/"])
def test_it_locks_out_a_username_after_five_failed_logins(client, url):
    user = UserFactory(is_staff=True)
    for _ in range(4):
        assert login(client, user.username, "wrong", url).status_code == 200
    assert login(client, user.username, "wrong", url).status_code == 429

    response = login(client, user.username, PASSWORD, url)

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_it_counts_failures_whatever_the_case_of_the_username(client):
    user = UserFactory()
    for variant in ("A", "b", "C", "d", "E"):
        login(client, user.username.upper() if variant.isupper() else user.username, "wrong")
    assert login(client, user.username, PASSWORD).status_code == 429


@pytest.mark.django_db
def test_it_locks_out_only_that_username_from_that_address(client):
    victim, other = UserFactory(), UserFactory()
    for _ in range(5):
        login(client, victim.username, "wrong")

    assert login(client, other.username, PASSWORD).status_code == 302
    elsewhere = login(client.__class__(REMOTE_ADDR="10.9.8.7"), victim.username, PASSWORD)
    assert elsewhere.status_code == 302


@pytest.mark.django_db
def test_it_lets_the_user_in_again_after_fifteen_minutes(client):
    user = UserFactory()
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for _ in range(5):
            login(client, user.username, "wrong")
        traveller.shift(timedelta(minutes=14))
        assert login(client, user.username, PASSWORD).status_code == 429
        # That refused attempt restarted the cool-off.
        traveller.shift(timedelta(minutes=15, seconds=1))
        response = login(client, user.username, PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.django_db
def test_it_resets_the_count_after_a_successful_login(client):
    user = UserFactory()
    for _ in range(4):
        login(client, user.username, "wrong")
    assert login(client, user.username, PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        login(client, user.username, "wrong")
    assert login(client, user.username, PASSWORD).status_code == 302


@pytest.mark.django_db
@pytest.mark.urls("tests.test_security")
def test_it_accepts_http_basic_on_the_api(client):
    user = UserFactory()
    response = client.get("/test-whoami/", **basic(user.username, PASSWORD))
    assert response.status_code == 200
    assert response.json() == {"username": user.username}


@pytest.mark.django_db
@pytest.mark.urls("tests.test_security")
def test_it_locks_out_http_basic_after_five_failures(client):
    user = UserFactory()
    for _ in range(5):
        assert client.get("/test-whoami/", **basic(user.username, "wrong")).status_code in {
            401,
            403,
            429,
        }

    response = client.get("/test-whoami/", **basic(user.username, PASSWORD))

    assert response.status_code in {401, 403, 429}
    # The same lock holds on the login page: one counter per username and address.
    assert login(client, user.username, PASSWORD).status_code == 429


# --- sessions ---------------------------------------------------------------------


@pytest.mark.django_db
def test_it_gives_sessions_the_configured_age(client, settings):
    settings.SESSION_COOKIE_AGE = 3600
    user = UserFactory()
    login(client, user.username, PASSWORD)
    assert client.cookies["sessionid"]["max-age"] == 3600
    assert client.session.get_expiry_age() == 3600


@pytest.mark.django_db
def test_it_signs_out_when_the_session_is_older_than_its_age(client, settings):
    settings.SESSION_COOKIE_AGE = 3600
    admin = UserFactory(is_staff=True, is_superuser=True)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        login(client, admin.username, PASSWORD)
        assert client.get("/admin/").status_code == 200
        traveller.shift(timedelta(seconds=3601))
        response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


@pytest.mark.django_db
def test_it_counts_failures_per_client_address_behind_the_load_balancer(client, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    user = UserFactory()
    lb = {"REMOTE_ADDR": "10.0.0.2"}
    for i in range(5):
        # The client may write anything into the header; the balancer appends what it saw.
        login(
            client.__class__(HTTP_X_FORWARDED_FOR=f"1.1.1.{i}, 203.0.113.9", **lb),
            user.username,
            "wrong",
        )

    attacker = client.__class__(HTTP_X_FORWARDED_FOR="203.0.113.9", **lb)
    colleague = client.__class__(HTTP_X_FORWARDED_FOR="198.51.100.4", **lb)
    assert login(attacker, user.username, PASSWORD).status_code == 429
    assert login(colleague, user.username, PASSWORD).status_code == 302
