"""Every JSON endpoint, as an employee and as an admin, with any JSON body or query: a JSON
answer below 500, never an exception (Django's test client, the whole middleware stack).

The endpoints are read from the URL conf: a new API view that takes a body is fuzzed without
a line here.
"""

import json
from datetime import date

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.views import APIView

from onboarding.services import enrollment_enroll
from roles.models import PathStep
from tests.factories import UserFactory, make_pack
from tests.fuzz.strategies import FUZZ, JSON, TEXT, assert_bounded_memory
from tests.test_permission_matrix import routes

pytestmark = pytest.mark.django_db


def _api_views():
    """(route, view class, methods) of every API view, methods it handles that take a body."""
    found = []
    for _name, route, entry in routes():
        view = getattr(entry.callback, "cls", None)
        if route.startswith("api/") and isinstance(view, type) and issubclass(view, APIView):
            methods = [m for m in ("get", "post", "put", "patch", "delete") if hasattr(view, m)]
            found.append((route, methods))
    return found


ENDPOINTS = _api_views()


@pytest.fixture
def world(db):
    version = make_pack()
    employee = enrollment_enroll(
        email="emma@example.com", name="Emma", version=version, start_date=date(2026, 11, 30)
    ).user
    step = PathStep.objects.filter(version=version).first()
    admin = UserFactory(username="admin@example.com", is_staff=True, is_superuser=True)
    values = {"<int:step_id>": str(step.pk), "<slug:slug>": version.pack.slug}
    return {"employee": employee, "admin": admin}, values


def _path(route: str, values: dict) -> str:
    for placeholder, value in values.items():
        route = route.replace(placeholder, value)
    return "/" + route


def test_the_url_conf_has_json_endpoints_to_fuzz():
    routes_seen = {route for route, _ in ENDPOINTS}
    assert {"api/me/fvm/", "api/rolepacks/", "api/enrollments/bulk/"} <= routes_seen


@FUZZ
@given(
    who=st.sampled_from(["employee", "admin"]),
    endpoint=st.sampled_from(ENDPOINTS),
    body=st.one_of(JSON, st.binary(max_size=60)),
    query=st.dictionaries(
        st.sampled_from(
            ["version", "format", "all", "dry_run", "limit", "offset", "role", "cohort", "x"]
        ),
        TEXT,
        max_size=3,
    ),
)
def test_any_body_or_query_is_a_json_answer_below_500(world, who, endpoint, body, query):
    users, values = world
    route, methods = endpoint
    client = Client(raise_request_exception=True)
    client.force_login(users[who])
    path = _path(route, values)
    for method in methods:
        data = body if isinstance(body, bytes) else json.dumps(body)
        if method == "get":
            response = client.get(path, query)
        else:
            response = client.generic(method.upper(), path, data, content_type="application/json")
        assert response.status_code < 500, (method, path, response.content[:300])
        if response.status_code >= 400:
            assert response.headers["Content-Type"].startswith("application/json"), (method, path)
    assert_bounded_memory()
