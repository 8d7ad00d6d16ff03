"""The floors bench/run.py prints each figure against, measured in the same run: what the
database alone costs for the same work, with none of ours around it (docs/testing.md,
"Benchmarks and their floors"). Run by bench/run.py, inside its Django setup."""

import sys
import time
from datetime import datetime


def copy_floor() -> tuple[float, int]:
    """COPY the rows enroll wrote (users, enrollments, days) into look-alike tables.

    The rows are read out beforehand, so only the COPY itself is timed: the floor
    any enroll implementation on this database could reach.
    """
    from django.contrib.auth import get_user_model
    from django.db import connection

    from onboarding import pgcopy
    from onboarding.models import Enrollment, EnrollmentDay

    models = [get_user_model(), Enrollment, EnrollmentDay]
    floors = {model: f"floor_{model._meta.db_table}" for model in models}
    quote = connection.ops.quote_name
    buffers, rows = {}, 0
    with connection.cursor() as cursor:
        for model, floor in floors.items():
            buffers[model] = pgcopy.copy_out(model)
            rows += buffers[model].count(b"\n")
            cursor.execute(f"DROP TABLE IF EXISTS {quote(floor)}")
            cursor.execute(
                f"CREATE TABLE {quote(floor)} (LIKE {pgcopy.table(model)} INCLUDING ALL)"
            )
    started = time.perf_counter()
    for model, floor in floors.items():
        pgcopy.copy_in(floor, buffers[model])
    elapsed = time.perf_counter() - started
    with connection.cursor() as cursor:
        for floor in floors.values():
            cursor.execute(f"DROP TABLE {quote(floor)}")
    return elapsed, rows


def insert_select_floor(now: datetime) -> float:
    """The sweep's floor: its INSERT … SELECT of the due sends alone (the statement the sweep
    cannot do without), timed inside a transaction that is then rolled back, so the real sweep
    after it finds the same rows due. Commit-time work (the check-ins' deferred foreign-key
    checks; the sends have none) and the enqueueing after commit are not in it; the sweep's
    figure includes them."""
    from django.db import transaction

    from onboarding.triggers import _record_interventions

    with transaction.atomic():
        started = time.perf_counter()
        _record_interventions(now)
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    return elapsed


def sql_floor(queries: list[dict]) -> float | None:
    """The time the captured statements take run again as raw SQL, one after the other: what
    the page costs the database, with no ORM, Python or template work."""
    from django.db import connection

    statements = [
        q["sql"]
        for q in queries
        if not q["sql"].upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK"))
    ]
    try:
        with connection.cursor() as cursor:
            started = time.perf_counter()
            for sql in statements:
                cursor.execute(sql)
                if cursor.description:
                    cursor.fetchall()
            return time.perf_counter() - started
    except Exception as error:  # a statement that does not round-trip as text: no floor
        print(f"dashboard SQL floor unavailable: {error}", file=sys.stderr)
        return None
