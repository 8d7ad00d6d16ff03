"""The lockout's identity (one per account, typed as username or email), its client address
(X-Forwarded-For only from TRUSTED_PROXIES, gunicorn on loopback) and its limit per address
across accounts."""

import runpy
from pathlib import Path

import pytest
from django.test import Client, RequestFactory

from config.auth import client_ip, throttle_username
from tests.factories import UserFactory

PASSWORD = "pw-for-tests-1"
pytestmark = pytest.mark.django_db


def login(client, username: str, password: str):
    return client.post("/accounts/login/", {"username": username, "password": password})


def _ip(settings, remote: str, forwarded: str | None = None, trusted=()) -> str | None:
    settings.TRUSTED_PROXIES = list(trusted)
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(RequestFactory().get("/", **meta))


@pytest.mark.parametrize(
    ("remote", "forwarded", "trusted", "expected"),
    [
        # Reached directly: the header is the client's own words, ignored.
        ("203.0.113.7", "198.51.100.1", [], "203.0.113.7"),
        ("203.0.113.7", "198.51.100.1", ["10.0.0.2"], "203.0.113.7"),
        # From the balancer: its appended hop is the client; what the client wrote is ignored.
        ("10.0.0.2", "1.1.1.1, 203.0.113.9", ["10.0.0.2"], "203.0.113.9"),
        # Two trusted proxies (a network): walk left past both.
        ("10.0.0.2", "1.1.1.1, 203.0.113.9, 10.0.0.5", ["10.0.0.0/24"], "203.0.113.9"),
        # Every hop trusted: the leftmost one.
        ("10.0.0.2", "10.0.0.9", ["10.0.0.0/24"], "10.0.0.9"),
        # No header from the balancer: the balancer's own address.
        ("10.0.0.2", None, ["10.0.0.2"], "10.0.0.2"),
        # Garbage where an address should be: the last address a trusted proxy vouched for.
        ("10.0.0.2", "203.0.113.9, not-an-address", ["10.0.0.2"], "10.0.0.2"),
        # IPv6 balancer and client.
        ("fd00::2", "2001:db8::1, 2606:4700::1", ["fd00::/64"], "2606:4700::1"),
        ("::ffff:10.0.0.2", "203.0.113.9", ["10.0.0.2"], "203.0.113.9"),
    ],
)
def test_the_client_address_is_read_only_from_trusted_proxies(
    settings, remote, forwarded, trusted, expected
):
    assert _ip(settings, remote, forwarded, trusted) == expected


def test_a_new_forwarded_header_per_try_does_not_escape_the_lockout(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.2"]  # the balancer; this client is not it
    user = UserFactory()
    for i in range(5):
        direct = Client(REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}")
        login(direct, user.username, "wrong")
    again = Client(REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="198.51.100.99")
    assert login(again, user.username, PASSWORD).status_code == 429


def test_username_and_email_count_as_one_account():
    user = UserFactory(username="amartin", email="Ava.Martin@example.com")
    client = Client()
    for typed in ("amartin", "AVA.MARTIN@example.com", "Amartin", "ava.martin@example.com"):
        assert login(client, typed, "wrong").status_code == 200
    assert login(client, "ava.martin@EXAMPLE.com", "wrong").status_code == 429
    assert login(client, "amartin", PASSWORD).status_code == 429
    assert login(Client(REMOTE_ADDR="10.9.8.7"), user.email, PASSWORD).status_code == 302


def test_the_identity_is_the_account_or_the_identifier_as_typed():
    UserFactory(username="amartin", email="ava@example.com")
    request = RequestFactory().post("/accounts/login/")
    assert throttle_username(request, {"username": " AVA@example.com "}) == "amartin"
    assert throttle_username(request, {"username": "AMARTIN"}) == "amartin"
    assert throttle_username(request, {"username": "Nobody@Example.com"}) == "nobody@example.com"
    assert throttle_username(request, {"username": "a\x00b"}) == "ab"
    assert throttle_username(request, {"username": "x" * 5000}) == "x" * 254


def test_one_address_cannot_try_any_number_of_accounts(settings):
    settings.AXES_ADDRESS_FAILURE_LIMIT = 8
    victims = [UserFactory() for _ in range(4)]
    attacker = Client(REMOTE_ADDR="203.0.113.7")
    for victim in victims:  # 2 tries each: under the per-account limit of 5
        for _ in range(2):
            assert login(attacker, victim.username, "wrong").status_code == 200
    assert login(attacker, victims[0].username, PASSWORD).status_code == 429
    other = UserFactory()
    assert login(attacker, other.username, PASSWORD).status_code == 429
    assert login(Client(REMOTE_ADDR="198.51.100.4"), other.username, PASSWORD).status_code == 302


def test_failures_under_the_address_limit_lock_nothing_else(settings):
    settings.AXES_ADDRESS_FAILURE_LIMIT = 8
    office = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(7):
        login(office, "someone-unknown@example.com", "wrong")
    colleague = UserFactory()
    assert login(office, colleague.username, PASSWORD).status_code == 302


@pytest.mark.django_db(databases=[])
def test_gunicorn_binds_loopback_and_believes_forwarded_headers_only_from_it(monkeypatch):
    for name in ("GUNICORN_BIND", "FORWARDED_ALLOW_IPS"):
        monkeypatch.delenv(name, raising=False)
    deploy = Path(__file__).resolve().parent.parent / "deploy"
    conf = runpy.run_path(str(deploy / "gunicorn.conf.py"))
    assert conf["bind"] == "127.0.0.1:8000"
    assert conf["forwarded_allow_ips"] == "127.0.0.1,::1"
    # Every way the product starts gunicorn reads that file and binds nothing of its own.
    starts = [
        line
        for path in (deploy / "Procfile", deploy / "systemd" / "firstvalue-web.service")
        for line in path.read_text().splitlines()
        if "gunicorn " in line and not line.startswith("#")
    ]
    assert len(starts) == 2
    for line in starts:
        assert "-c deploy/gunicorn.conf.py" in line and not {"-b", "--bind"} & set(line.split())
