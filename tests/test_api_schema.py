"""The OpenAPI schema is valid, and the API keeps its promises (schemathesis, in-process).

Every operation in /api/schema/ is fuzzed as an admin and as an enrolled employee: no 5xx, every
response's status code documented, its body and content type as documented. Bounded and
derandomized so the suite stays fast and repeatable; new endpoints are picked up by themselves.
"""

import base64
from datetime import date

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from onboarding.services import enrollment_enroll
from tests.factories import UserFactory, make_pack

PASSWORD = "pw-for-api-fuzzing-1"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)


def test_it_generates_a_valid_schema_without_warnings():
    GENERATOR_STATS.reset()
    generated = SchemaGenerator().get_schema(request=None, public=True)
    warnings = dict(GENERATOR_STATS._warn_cache) | dict(GENERATOR_STATS._error_cache)
    assert not warnings, "drf-spectacular warnings:\n" + "\n".join(warnings)
    validate_schema(generated)


def test_it_passes_the_spectacular_command_in_ci_mode(tmp_path):
    GENERATOR_STATS.reset()
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yml"))
    assert (tmp_path / "s.yml").read_text().startswith("openapi: 3")


def basic(user) -> dict[str, str]:
    token = base64.b64encode(f"{user.username}:{PASSWORD}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


@pytest.fixture
def wsgi_in_test_transaction():
    """Calls into the WSGI app must not close the connection holding the test's transaction
    (Django's test client does the same)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def people(db, settings, wsgi_in_test_transaction):
    # The production hasher would make every fuzzed request cost a key derivation.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    version = make_pack()
    employee = enrollment_enroll(
        email="emma.employee@example.com",
        name="Emma Employee",
        version=version,
        start_date=date(2026, 11, 2),
        manager_email="max.manager@example.com",
    ).user
    admin = UserFactory(username="admin@example.com", is_staff=True, is_superuser=True)
    for user in (employee, admin):
        user.set_password(PASSWORD)
        user.save()
    return {"admin": admin, "employee": employee}


# Per operation and role: schemathesis' coverage phase first sends every boundary and negative
# case the schema defines (563 for a role pack's body), then `max_examples` generated ones. A
# generated role pack costs ~0.3 s to draw, so 25 of them made the file cost 100 s of CPU; 10
# make it 62 s, the same operations, cases of the coverage phase and checks (docs/testing.md).
FUZZ = settings(
    max_examples=10,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


@schema.parametrize()
@FUZZ
def test_it_keeps_the_api_contract_for_an_admin(case, people):
    case.call_and_validate(headers=basic(people["admin"]), checks=CHECKS)


@schema.parametrize()
@FUZZ
def test_it_keeps_the_api_contract_for_an_employee(case, people):
    case.call_and_validate(headers=basic(people["employee"]), checks=CHECKS)
