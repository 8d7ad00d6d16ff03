"""Hostile bodies and credentials on the API: a JSON 4xx, never a 500 or an HTML page.

One parser (depth and size), one Basic authentication (control characters, length), one
exception handler and one body-size middleware, all in config/api.py (docs/security.md,
"Input limits"). Run on PostgreSQL too: a NUL reaching a query is PostgreSQL's error, not
SQLite's.
"""

import base64
import io
import json
from datetime import date

import pytest
from axes.models import AccessAttempt
from django.test import Client
from rest_framework.exceptions import APIException
from rest_framework.settings import api_settings
from rest_framework.test import force_authenticate
from rest_framework.views import APIView

from config.api import json_depth
from onboarding.apis_enroll import CsvBodyParser
from onboarding.services import enrollment_enroll
from roles.permissions import IsEnablement
from tests.factories import PASSWORD, UserFactory, enablement_user, make_pack
from tests.test_permission_matrix import routes

pytestmark = pytest.mark.django_db

DEEP = "[" * 100_000 + "]" * 100_000
JSON_ENDPOINTS = (
    "/api/me/fvm/",
    "/api/rolepacks/",
    "/api/enrollments/bulk/",
    "/api/kpi-measurements/",
)


def _basic(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


@pytest.fixture
def employee():
    return enrollment_enroll(
        email="emma@example.com", name="Emma", version=make_pack(), start_date=date(2026, 11, 2)
    ).user


def _json_client(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "username,password",
    [
        ("a\x00b", "secret"),
        ("emma@example.com", "pass\x00word"),
        ("emma@example.com\r\nX-Injected: 1", "secret"),
        ("\x7f", "\x1b[2J"),
        ("x" * 5000, "secret"),
        ("emma@example.com", "p" * 5000),
    ],
)
@pytest.mark.parametrize("path", ["/api/me/", "/api/rolepacks/", "/api/reports/activation/"])
def test_basic_with_a_control_character_or_overlong_is_a_plain_401(
    employee, username, password, path
):
    client = Client(raise_request_exception=False)
    response = client.get(path, HTTP_AUTHORIZATION=_basic(username, password))
    assert response.status_code == 401
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["WWW-Authenticate"].startswith("Basic")
    # Refused before the lockout's lookup: nothing was counted, nothing reached the database.
    assert not AccessAttempt.objects.exists()


def test_basic_with_good_credentials_still_signs_in(employee):
    employee.set_password(PASSWORD)
    employee.save()
    client = Client()
    response = client.get("/api/me/", HTTP_AUTHORIZATION=_basic("emma@example.com", PASSWORD))
    assert response.status_code == 200


@pytest.mark.parametrize("path", JSON_ENDPOINTS)
def test_100000_deep_json_is_a_json_400(employee, path):
    author = enablement_user(username="author@example.com")
    who = employee if path == "/api/me/fvm/" else author
    response = _json_client(who).post(path, DEEP, content_type="application/json")
    assert response.status_code == 400
    body = response.json()
    assert "nested deeper than 32 levels" in json.dumps(body)


def test_json_just_over_the_depth_limit_is_refused_and_within_it_parsed(employee):
    client = _json_client(employee)
    too_deep = {"minutes_saved": 5}
    for _ in range(32):
        too_deep = {"x": too_deep}
    response = client.post("/api/me/fvm/", too_deep, content_type="application/json")
    assert response.status_code == 400
    assert "nested deeper than 32 levels" in response.json()["detail"]
    # A flat body reaches the view, which answers its own validation error.
    response = client.post("/api/me/fvm/", {"nonsense": 1}, content_type="application/json")
    assert response.status_code == 400
    assert "nested deeper" not in json.dumps(response.json())


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e999", "9" * 5000])
def test_json_numbers_python_would_accept_are_refused(employee, literal):
    body = '{"minutes_saved": ' + literal + "}"
    response = _json_client(employee).post("/api/me/fvm/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/json"


def test_a_3_mb_json_body_is_a_json_413(employee):
    body = json.dumps({"evidence": "x" * 3_000_000})
    response = _json_client(employee).post("/api/me/fvm/", body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["detail"].endswith("body is larger than 2621440 bytes.")


def test_a_body_over_the_api_limit_is_refused_before_anything_reads_it(employee, settings):
    settings.API_MAX_BODY_BYTES = 1000
    client = _json_client(enablement_user(username="author@example.com"))
    response = client.post("/api/enrollments/bulk/", "x" * 1001, content_type="text/csv")
    assert response.status_code == 413
    assert response.json() == {"detail": "The request body is larger than 1000 bytes."}


def test_the_csv_body_is_bounded_where_it_is_read_too(settings):
    settings.API_MAX_BODY_BYTES = 1000
    parser = CsvBodyParser()
    assert parser.parse(io.BytesIO(b"x" * 1000)).read() == b"x" * 1000
    with pytest.raises(APIException) as caught:
        parser.parse(io.BytesIO(b"x" * 1001))
    assert caught.value.status_code == 413
    assert str(caught.value.detail) == "The CSV is larger than 1000 bytes."


@pytest.mark.parametrize(
    "body",
    [DEEP, "{", "[]", '"a string"', "null", '{"slug": "\\u0000"}', b"\xff\xfe"],
    ids=["deep", "truncated", "list", "string", "null", "nul", "not-utf8"],
)
def test_every_rolepack_400_carries_the_documented_errors_key(body):
    client = _json_client(enablement_user(username="author@example.com"))
    for send in (
        lambda: client.post("/api/rolepacks/", body, content_type="application/json"),
        lambda: client.put("/api/rolepacks/x/", body, content_type="application/json"),
    ):
        response = send()
        if response.status_code == 404:  # PUT to a pack that does not exist
            continue
        assert response.status_code == 400, response.content
        payload = response.json()
        assert payload["errors"] and all("message" in e for e in payload["errors"])


def test_the_json_depth_walk_is_iterative():
    value: list = []
    for _ in range(50_000):
        value = [value]
    assert json_depth(value) == 50_001
    assert json_depth({"a": [1, {"b": 2}]}) == 3
    assert json_depth(7) == 0


def test_no_api_view_falls_back_to_the_staff_bit():
    """The default is the rollout permission, and no view names DRF's ``IsAdminUser``."""
    assert api_settings.DEFAULT_PERMISSION_CLASSES == [IsEnablement]
    for name, _route, entry in routes():
        view = getattr(entry.callback, "cls", None) or getattr(entry.callback, "view_class", None)
        if isinstance(view, type) and issubclass(view, APIView):
            classes = {cls.__name__ for cls in view.permission_classes}
            assert "IsAdminUser" not in classes, name


def test_a_staff_account_without_the_permission_gets_403_from_a_view_with_no_list(rf):
    staff = UserFactory(is_staff=True)

    class Bare(APIView):
        def get(self, request):
            return None

    request = rf.get("/api/bare/")
    force_authenticate(request, user=staff)
    assert Bare.as_view()(request).status_code == 403


@pytest.mark.parametrize("path", ["/api/exports/", "/api/rolepacks/", "/dashboard/", "/library/"])
def test_a_nul_in_the_query_string_is_a_400_on_any_path(path):
    client = _json_client(UserFactory(is_staff=True, is_superuser=True))
    response = client.get(path, {"role": "a\x00b"})
    assert response.status_code == 400
    if path.startswith("/api/"):
        assert response.json() == {"detail": "The query string holds a NUL character."}
