#!/usr/bin/env python
"""FirstValue at scale, on PostgreSQL: one command, a table and a JSON file.

    .venv/bin/python bench/run.py --employees 100000

It (re)creates a database of its own (``firstvalue_bench`` unless --database-url
says otherwise), loads the five example packs and builds a realistic organisation:

- 40% an "old" cohort that started weeks ago (half of them reached first value),
- 20% a "fresh" cohort whose working day 5 is the bench's sweep date D,
- 40% people starting after D,

spread over six timezones on both sides of UTC, one manager per eight people and
one buddy per forty. Then it measures:

1. ``manage.py enroll people.csv`` for everyone, in a child process (wall time and
   the child's peak RSS);
2. the floor: a raw PostgreSQL COPY of the same rows (users, enrollments, working
   days) into tables shaped like ours, with their indexes, and the ratio;
3. the non-activation sweep with nothing due (a steady-state re-run) and with the
   fresh 20% due (day-5 nudges), with query counts;
   and the sweep's floor: its INSERT … SELECT alone, rolled back. The database is
   VACUUMed and ANALYZEd first, the steady state autovacuum keeps in production
   (``vacuum_analyze``);
4. the activation report (JSON, all roles) and the dashboard page, and the
   dashboard's floor: its own SQL statements run again as raw SQL.

The floors are measured by bench/floors.py. Settings are production's (DEBUG off).
Figures are printed as a table and written to bench/results/<N>.json.
"""

import argparse
import csv
import io
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.floors import copy_floor, insert_select_floor, sql_floor  # noqa: E402

TIMEZONES = [
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "America/Los_Angeles",
    "Asia/Kolkata",
    "Asia/Tokyo",
]
ROLES = [
    "sales-representative",
    "finance-analyst",
    "operations-manager",
    "hr-business-partner",
    "customer-support-lead",
]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--employees", type=int, default=100_000)
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/firstvalue_bench"
        ),
    )
    parser.add_argument("--repeat", type=int, default=5, help="runs per timed query (median kept)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", type=Path, default=None, help="where to write the JSON figures")
    return parser.parse_args()


def recreate_database(url: str) -> None:
    import psycopg

    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def previous_working_days(day: date, n: int) -> date:
    """The date n working days (Mon–Fri) before ``day``."""
    while n:
        day -= timedelta(days=1)
        if day.weekday() < 5:
            n -= 1
    return day


def write_people_csv(path: Path, employees: int, sweep_day: date, rng: random.Random) -> dict:
    """The CSV the enroll command reads, and how many people each cohort has."""
    from onboarding.enroll_rows import COLUMNS

    fresh_start = previous_working_days(sweep_day, 4)  # day 5 == sweep_day
    managers = max(1, employees // 8)
    buddies = max(1, employees // 40)
    counts = {"old": 0, "fresh": 0, "future": 0}
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for i in range(employees):
            share = i % 10
            if share < 4:
                cohort, start = "old", sweep_day - timedelta(days=rng.randint(21, 84))
            elif share < 6:
                cohort, start = "fresh", fresh_start
            else:
                cohort, start = "future", sweep_day + timedelta(days=rng.randint(3, 40))
            counts[cohort] += 1
            row = {
                "email": f"employee{i}@bench.example.com",
                "name": f"Employee {i}",
                "role": ROLES[i % len(ROLES)],
                "track": "prescriptive" if i % 3 else "exploratory",
                "manager_email": f"manager{i % managers}@bench.example.com",
                "buddy_email": f"buddy{i % buddies}@bench.example.com",
                "start_date": start.isoformat(),
                "timezone": TIMEZONES[i % len(TIMEZONES)],
            }
            writer.writerow([row[name] for name in COLUMNS])
    return counts


def timed(fn, repeat: int = 1):
    """(median seconds, last result, query count of one run)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    durations, result, queries = [], None, 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            result = fn()
            durations.append(time.perf_counter() - started)
        queries = len(ctx.captured_queries)
    return statistics.median(durations), result, queries


def run_enroll(csv_path: Path, env: dict) -> tuple[float, float, float]:
    """Wall seconds, peak RSS (MiB) and CPU seconds (the rest is the database's) of
    ``manage.py enroll`` in a child process."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    before, cpu_before = usage.ru_maxrss, usage.ru_utime + usage.ru_stime
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "manage.py", "enroll", str(csv_path)],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    elapsed = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = usage.ru_utime + usage.ru_stime - cpu_before
    return elapsed, max(usage.ru_maxrss, before) / 1024, cpu


def record_completions(share: float, rng: random.Random) -> int:
    """Give part of the old cohort an FVM completion, in bulk (setup, not measured)."""
    from onboarding.models import Enrollment, FvmCompletion

    old = Enrollment.objects.filter(day7__lt=date.today() - timedelta(days=14)).select_related(
        "version"
    )
    batch = []
    for enrollment in old.iterator(chunk_size=5000):
        if rng.random() >= share:
            continue
        ttv = rng.randint(1, 10)
        local = enrollment.day1 + timedelta(days=ttv + (ttv // 5) * 2)
        minutes = rng.randint(3, enrollment.version.fvm_baseline_minutes)
        batch.append(
            FvmCompletion(
                enrollment=enrollment,
                completed_at=datetime.combine(local, datetime.min.time(), tzinfo=UTC)
                + timedelta(hours=12),
                local_date=local,
                ttv=ttv,
                minutes_taken=minutes,
                minutes_saved=enrollment.version.fvm_baseline_minutes - minutes,
                evidence="https://intranet.example.com/deliverable",
                rating=rng.randint(3, 5),
            )
        )
    FvmCompletion.objects.bulk_create(batch, batch_size=5000)
    return len(batch)


def vacuum_analyze(connection, *models) -> None:
    """VACUUM ANALYZE the freshly loaded database, as autovacuum keeps production's.

    A table written moments ago has no visibility map yet, so every index-only scan (the
    sweep's days, its anti-joins) still visits the heap for each row: at 100k people the sweep
    with 20% due took 178 ms after ANALYZE alone, 150 ms after VACUUM ANALYZE. In production
    the days are written at enrollment, days or weeks before they fall due, and autovacuum has
    long passed over them; ANALYZE alone would time a state production does not run in (see
    docs/triggers.md, "The sweep is set-based"). VACUUM cannot run inside a transaction block,
    hence autocommit (Django's default outside atomic()). With models, only their tables."""
    assert connection.get_autocommit()
    tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in models)
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {tables}".strip())


def measure_sweeps(sweep_day: date, repeat: int) -> dict:
    """The sweep three ways: catching up on the old cohort, with nothing due, with 20% due."""
    from django.db import connection

    from onboarding.models import InterventionSend
    from onboarding.triggers import triggers_sweep

    nudge_hour_utc = datetime.combine(sweep_day, datetime.min.time(), tzinfo=UTC)
    before = nudge_hour_utc - timedelta(hours=16)  # day 4 evening everywhere: fresh not yet due
    after = nudge_hour_utc + timedelta(hours=20)  # day 5 09:00 has begun in all six zones
    # Catch up on the old cohort once (their whole ladder falls due), then measure.
    catchup_s, catchup, catchup_q = timed(lambda: triggers_sweep(now=before))
    idle_s, _, idle_q = timed(lambda: triggers_sweep(now=before), repeat=repeat)
    floor_s = statistics.median(insert_select_floor(after) for _ in range(max(repeat, 3)))
    # The floors' rolled-back INSERTs left dead rows behind, several for every (enrollment,
    # intervention) the sweep is about to write, which its unique index would check one by
    # one (the sweep after five floors: ~177 ms, against ~146 ms after none). No production
    # sweep meets such rows: gone, as autovacuum would have them.
    vacuum_analyze(connection, InterventionSend)
    due_s, due, due_q = timed(lambda: triggers_sweep(now=after))
    return {
        "sweep_catch_up": {"seconds": catchup_s, "queries": catchup_q, "result": str(catchup)},
        "sweep_nothing_due": {"seconds": idle_s, "queries": idle_q},
        "sweep_20pct_due": {"seconds": due_s, "queries": due_q, "result": str(due)},
        "sweep_floor": {"seconds": floor_s},
        "sweep_vs_floor": due_s / floor_s if floor_s else None,
    }


def measure_reads(repeat: int) -> dict:
    """The activation report (JSON, all roles) and the dashboard page, as an admin."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    def report():
        out = io.StringIO()
        call_command("activation_report", "--format", "json", stdout=out)
        return json.loads(out.getvalue())

    report_s, report_json, report_q = timed(report, repeat=repeat)
    admin = get_user_model().objects.create_superuser("bench-admin", "bench-admin@example.com", "x")
    client = Client()
    client.force_login(admin)

    def dashboard():
        response = client.get("/dashboard/")
        assert response.status_code == 200, response.status_code
        return len(response.content)

    dash_s, dash_bytes, dash_q = timed(dashboard, repeat=repeat)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        dashboard()
    floors = [sql_floor(ctx.captured_queries) for _ in range(repeat)]
    floor_s = statistics.median(floors) if None not in floors else None
    return {
        "activation_report": {
            "seconds": report_s,
            "queries": report_q,
            "overall": report_json.get("overall"),
        },
        "dashboard": {"seconds": dash_s, "queries": dash_q, "bytes": dash_bytes},
        "dashboard_sql_floor": {"seconds": floor_s},
        "dashboard_vs_floor": dash_s / floor_s if floor_s else None,
    }


def main() -> None:
    args = parse_args()
    rng = random.Random(args.seed)
    recreate_database(args.database_url)
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "CELERY_BROKER_URL": os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/14"),
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "LOG_LEVEL": "WARNING",
        # Production settings: DEBUG off (no query log kept, no debug templates).
        "DEBUG": "0",
        "SECRET_KEY": "bench-" + os.urandom(24).hex(),
        "ALLOWED_HOSTS": "testserver",
        "SECURE_SSL_REDIRECT": "0",
    }
    os.environ.update(env)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)  # DEBUG off: hashed static names
    call_command(
        "import_rolepack", str(ROOT / "examples" / "rolepacks"), verbosity=0, stdout=io.StringIO()
    )

    # The sweep day: a Wednesday two weeks ahead, so "fresh" people start on a
    # Thursday and cross a weekend, and "old" people are all past their window.
    sweep_day = date.today() + timedelta(days=14)
    sweep_day += timedelta(days=(2 - sweep_day.weekday()) % 7)
    csv_path = Path("/tmp") / f"firstvalue-bench-{args.employees}.csv"
    cohorts = write_people_csv(csv_path, args.employees, sweep_day, rng)

    results: dict = {"employees": args.employees, "cohorts": cohorts, "database": "postgresql"}
    enroll_s, enroll_rss, enroll_cpu = run_enroll(csv_path, env)
    floor_s, floor_rows = copy_floor()
    results["enroll"] = {"seconds": enroll_s, "peak_rss_mib": enroll_rss, "cpu_seconds": enroll_cpu}
    results["copy_floor"] = {"seconds": floor_s, "rows": floor_rows}
    results["enroll_vs_floor"] = enroll_s / floor_s if floor_s else None
    results["fvm_completions"] = record_completions(0.5, rng)
    vacuum_analyze(connection)
    results.update(measure_sweeps(sweep_day, args.repeat))
    results.update(measure_reads(args.repeat))

    print_table(results)
    out = args.json or ROOT / "bench" / "results" / f"{args.employees}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, default=str))
    print(f"\nJSON: {out}")


def _ms(seconds: float | None) -> str:
    return "–" if seconds is None else f"{seconds * 1000:.0f} ms"


def print_table(r: dict) -> None:
    rows = [
        (
            "enroll (CSV, with paths)",
            f"{r['enroll']['seconds']:.2f} s",
            f"peak RSS {r['enroll']['peak_rss_mib']:.0f} MiB, "
            f"its own CPU {r['enroll']['cpu_seconds']:.1f} s (the rest is the database)",
        ),
        (
            "COPY floor, same rows",
            f"{r['copy_floor']['seconds']:.2f} s",
            f"{r['copy_floor']['rows']:,} rows",
        ),
        ("enroll ÷ floor", f"{r['enroll_vs_floor']:.2f}×", "goal ≤ 2×"),
        (
            "sweep, catch-up (old cohort)",
            f"{r['sweep_catch_up']['seconds'] * 1000:.0f} ms",
            f"{r['sweep_catch_up']['queries']} queries",
        ),
        (
            "sweep, nothing due",
            f"{r['sweep_nothing_due']['seconds'] * 1000:.0f} ms",
            f"{r['sweep_nothing_due']['queries']} queries",
        ),
        (
            "sweep, 20% due",
            f"{r['sweep_20pct_due']['seconds'] * 1000:.0f} ms",
            f"{r['sweep_20pct_due']['queries']} queries, goal ≤ 200 ms",
        ),
        (
            "sweep floor (INSERT … SELECT)",
            f"{r['sweep_floor']['seconds'] * 1000:.0f} ms",
            f"sweep ÷ floor {r['sweep_vs_floor']:.2f}×",
        ),
        (
            "activation report",
            f"{r['activation_report']['seconds'] * 1000:.0f} ms",
            f"{r['activation_report']['queries']} queries",
        ),
        (
            "dashboard",
            f"{r['dashboard']['seconds'] * 1000:.0f} ms",
            f"{r['dashboard']['queries']} queries, goal ≤ 250 ms",
        ),
        (
            "dashboard floor (its SQL alone)",
            _ms(r["dashboard_sql_floor"]["seconds"]),
            f"dashboard ÷ floor {r['dashboard_vs_floor']:.2f}×" if r["dashboard_vs_floor"] else "",
        ),
    ]
    print(f"\nFirstValue bench — {r['employees']:,} employees on PostgreSQL")
    width = max(len(name) for name, *_ in rows)
    for name, value, note in rows:
        print(f"  {name:<{width}}  {value:>10}  {note}")


if __name__ == "__main__":
    main()
