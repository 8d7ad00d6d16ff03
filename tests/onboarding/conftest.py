from datetime import date

import pytest
from django.core.cache import cache

from onboarding.services import enrollment_enroll
from tests.factories import make_pack

DB_FIXTURES = {"db", "transactional_db", "live_server"}


@pytest.fixture(autouse=True)
def _clear_cache(request):
    # The email-link rate limit lives in the shared cache (the database's, in tests, which a
    # transactional test's flush leaves alone): tests must not share it. A test without the
    # database has no cache to clear.
    uses_db = bool(
        request.node.get_closest_marker("django_db") or DB_FIXTURES & set(request.fixturenames)
    )
    if uses_db:
        request.getfixturevalue("_django_db_helper")  # the database is set up first
        cache.clear()
    yield
    if uses_db:
        cache.clear()


@pytest.fixture
def version(db):
    return make_pack()


@pytest.fixture
def enroll(db):
    """Enroll someone: ``enroll(email, version, start_date=..., **kwargs)``."""

    def _enroll(email="ada@example.com", version=None, start_date=date(2026, 11, 30), **kwargs):
        return enrollment_enroll(
            email=email, version=version or make_pack(), start_date=start_date, **kwargs
        )

    return _enroll


@pytest.fixture
def login(client, settings):
    """Sign a user in for a test that travels in time (sessions would expire otherwise)."""
    settings.SESSION_COOKIE_AGE = 10 * 365 * 24 * 3600

    def _login(user):
        client.force_login(user)
        return user

    return _login
