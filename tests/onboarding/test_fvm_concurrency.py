"""Sixteen simultaneous FVM posts for one person: exactly one completion, no 5xx.

Runs against PostgreSQL only (SQLite cannot write concurrently); CI runs PostgreSQL.
"""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone
from rest_framework.test import APIClient

from onboarding.models import FvmCompletion
from onboarding.services import enrollment_enroll
from tests.factories import make_pack

THREADS = 16


@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent writes need PostgreSQL (CI runs it)"
)
@pytest.mark.django_db(transaction=True)
def test_sixteen_simultaneous_posts_record_exactly_one_completion():
    enrollment = enrollment_enroll(
        email="ada@example.com",
        version=make_pack(),
        start_date=timezone.localdate() - timedelta(days=14),
    )
    clients = []
    for _ in range(THREADS):
        client = APIClient()
        client.force_login(enrollment.user)
        clients.append(client)
    connections.close_all()  # each thread opens its own connection

    barrier = threading.Barrier(THREADS)
    statuses: list[int] = []
    lock = threading.Lock()

    def post(client: APIClient, n: int) -> None:
        try:
            barrier.wait(timeout=30)
            response = client.post(
                "/api/me/fvm/",
                {"minutes_taken": 20 + n, "evidence": f"attempt {n}", "rating": 4},
                format="json",
            )
            status = response.status_code
        except Exception:  # any crash counts as a server error
            status = 599
        finally:
            connections.close_all()
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=post, args=(c, n)) for n, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(statuses) == [201] + [409] * (THREADS - 1)
    assert FvmCompletion.objects.filter(enrollment=enrollment).count() == 1
