"""/healthz: what a load balancer sees."""

import socket

import pytest

REDIS_URL = "redis://127.0.0.1:6379/7"


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_available() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


@pytest.mark.django_db
def test_it_is_healthy_without_a_broker(client, settings):
    settings.CELERY_BROKER_URL = ""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "not configured"}
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
@pytest.mark.skipif(not redis_available(), reason="needs Redis on 127.0.0.1:6379")
def test_it_checks_the_broker_when_one_is_configured(client, settings):
    settings.CELERY_BROKER_URL = REDIS_URL
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok"}


@pytest.mark.django_db
def test_it_answers_503_naming_the_broker_when_the_broker_is_down(client, settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{closed_port()}/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    # Which part failed, and nothing more (no hosts, ports or exception text).
    assert response.json() == {"database": "ok", "broker": "error"}


@pytest.mark.django_db
def test_it_needs_no_login_and_accepts_the_load_balancers_host(client, settings):
    settings.CELERY_BROKER_URL = ""
    settings.ALLOWED_HOSTS = ["firstvalue.example.com"]
    response = client.get("/healthz", HTTP_HOST="10.1.2.3:8000")
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    # Everything else still checks the host.
    assert client.get("/accounts/login/", HTTP_HOST="10.1.2.3:8000").status_code == 400


@pytest.mark.django_db
def test_it_answers_head_for_probes(client, settings):
    settings.CELERY_BROKER_URL = ""
    assert client.head("/healthz").status_code == 200
