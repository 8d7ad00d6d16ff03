#!/usr/bin/env python
"""Load test: the app under gunicorn (2 workers, production settings) and wrk on loopback.

    .venv/bin/python bench/load.py --employees 2000 --duration 10 --rounds 3

Each wrk request is one signed-in employee (a real session and CSRF cookie; 200
different people). In every round, one after the other against the same server:
the floors (bench/urls.py, selected by bench/settings.py, never in the product's
URLconf) — a DRF view answering {"ok": true} and a login-required tiny template,
also inside base.html — then GET /api/me/, GET /my/ and the mix of 5 reads for 1
write: GET /api/me/ ×3, GET /my/ ×2 and POST /api/me/fvm/ ×1 (the first post of a
person answers 201, the following ones 409 — a write attempt that hits the unique
constraint every time). Prints the medians over rounds, each hot path's throughput
as a ratio of its floor's (per round too), the mix's p95, and in-process
milliseconds and queries per request.
Needs Debian's wrk (`apt-get install wrk`) and a PostgreSQL on 127.0.0.1.
"""

import argparse
import csv
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# One script for every target: args[1] the sessions file, args[2] the paths, comma-separated
# ("FVM" is the POST /api/me/fvm/). Each request takes the next session and the next path.
LUA = r"""
local sessions = {}
local paths = {}
local counter = 0
local body = '{"minutes_taken": 12, "evidence": "https://intranet.example.com/doc", "rating": 4}'

function setup(thread)
  thread:set("offset", counter)
  counter = counter + 1
end

function init(args)
  for line in io.lines(args[1]) do
    local sid, csrf = line:match("([^,]+),([^,]+)")
    table.insert(sessions, {sid = sid, csrf = csrf})
  end
  for p in string.gmatch(args[2], "([^,]+)") do
    table.insert(paths, p)
  end
  n = offset * 7919
  wrk.headers["Host"] = "127.0.0.1"
  wrk.headers["X-Forwarded-Proto"] = "https"
end

function request()
  n = n + 1
  local s = sessions[(n % #sessions) + 1]
  local cookie = "sessionid=" .. s.sid .. "; csrftoken=" .. s.csrf
  local p = paths[(n % #paths) + 1]
  if p == "FVM" then
    return wrk.format("POST", "/api/me/fvm/", {
      ["Cookie"] = cookie, ["X-CSRFToken"] = s.csrf, ["Content-Type"] = "application/json",
      ["Referer"] = "https://127.0.0.1/my/"}, body)
  end
  return wrk.format("GET", p, {["Cookie"] = cookie})
end

function done(summary, latency, requests)
  io.write(string.format('JSON{"requests": %d, "duration_us": %d, "errors_status": %d, ' ..
    '"errors_connect": %d, "errors_timeout": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d}\n',
    summary.requests, summary.duration, summary.errors.status, summary.errors.connect,
    summary.errors.timeout, latency:percentile(50), latency:percentile(95),
    latency:percentile(99)))
end
"""

# What is measured, side by side in each round: the floors (bench/urls.py, bench only), the two
# hot paths, and the mix of 5 reads for 1 write.
MIX = "/api/me/,/my/,/api/me/,/my/,/api/me/,FVM"
TARGETS = [
    ("floor API", "/bench/floor/api/"),
    ("floor page", "/bench/floor/page/"),
    ("floor in base.html", "/bench/floor/base/"),
    ("/api/me/", "/api/me/"),
    ("/my/", "/my/"),
    ("mix", MIX),
]
# Each hot path against its floor, and the goal the ratio of throughputs must reach.
RATIOS = [
    ("/api/me/", "floor API", 0.5),
    ("/my/", "floor page", 0.33),
    ("/my/", "floor in base.html", None),
]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--employees", type=int, default=2000)
    parser.add_argument("--duration", type=int, default=10, help="seconds per target in each round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds over every target")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/firstvalue_load"
        ),
    )
    parser.add_argument(
        "--broker-url",
        default=os.environ.get("LOAD_BROKER_URL", "redis://127.0.0.1:6379/13"),
    )
    return parser.parse_args()


def enroll_people(work: Path, employees: int) -> None:
    """The example packs, and ``employees`` people in their first week, enrolled by CSV."""
    from django.core.management import call_command

    from onboarding.enroll_rows import COLUMNS

    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    call_command("import_rolepack", str(ROOT / "examples" / "rolepacks"), verbosity=0)
    people = work / "people.csv"
    start = date.today() - timedelta(days=2)
    roles = ["sales-representative", "finance-analyst", "operations-manager"]
    with people.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        for i in range(employees):
            writer.writerow(
                {
                    "email": f"load{i}@example.com",
                    "name": f"Load {i}",
                    "role": roles[i % 3],
                    "start_date": start.isoformat(),
                    "timezone": "Europe/Berlin",
                    "manager_email": f"lead{i % 50}@example.com",
                }
            )
    call_command("enroll", str(people), verbosity=0)


def signed_in_session(user) -> tuple[str, str]:
    """A session signed in as ``user`` (as the login page makes it) and a CSRF token: the
    values of the ``sessionid`` and ``csrftoken`` cookies (and of ``X-CSRFToken``)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.middleware.csrf import _get_new_csrf_string
    from django.utils.module_loading import import_string

    # The first backend that can load a user (axes' throttle backend only counts failures).
    backend = next(
        path
        for path in settings.AUTHENTICATION_BACKENDS
        if hasattr(import_string(path), "get_user")
    )
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = backend
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key, _get_new_csrf_string()


def write_sessions(path: Path, count: int) -> None:
    """One signed-in session (and a CSRF token) per line, for that many employees."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(email__startswith="load").order_by("id")
    with path.open("w") as handle:
        for user in users[:count]:
            session, csrf = signed_in_session(user)
            handle.write(f"{session},{csrf}\n")


def serve(args: argparse.Namespace, env: dict):
    """gunicorn (2 sync workers) on the bench settings; a context manager."""
    import contextlib

    @contextlib.contextmanager
    def running():
        gunicorn = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "config.wsgi",
                "-w",
                "2",
                "-b",
                f"127.0.0.1:{args.port}",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
        try:
            deadline = time.monotonic() + 120  # a loaded machine takes its time
            while True:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{args.port}/healthz", timeout=1)
                    break
                except Exception:  # waiting for the server to come up
                    if time.monotonic() > deadline or gunicorn.poll() is not None:
                        sys.exit(f"gunicorn did not answer on port {args.port}")
                    time.sleep(0.2)
            yield
        finally:
            gunicorn.send_signal(signal.SIGTERM)
            gunicorn.wait(timeout=30)

    return running()


def check_signed_in(args: argparse.Namespace, sessions: Path) -> None:
    """Every GET target answers 200 to a signed-in session (else the figures mean nothing)."""
    sid, _ = sessions.read_text().splitlines()[0].split(",")
    for name, path in TARGETS:
        if path == MIX:
            continue
        request = urllib.request.Request(
            f"http://127.0.0.1:{args.port}{path}",
            headers={"Cookie": f"sessionid={sid}", "X-Forwarded-Proto": "https"},
        )
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        took = time.perf_counter() - started
        print(f"check  {name:<20} {status}  {took * 1000:.0f} ms", flush=True)
        if status != 200:
            sys.exit(f"{path} answered {status} to a signed-in session")


def drain(args: argparse.Namespace) -> None:
    """Wait for the requests still queued in gunicorn after wrk stopped (a saturated server
    keeps serving them), so that they never count against the next target."""
    for _ in range(4):  # a few, so that both workers have come through their backlog
        urllib.request.urlopen(f"http://127.0.0.1:{args.port}/healthz", timeout=120).read()


def wrk(
    args: argparse.Namespace, lua: Path, sessions: Path, paths: str, seconds: int, warm_up=False
) -> dict:
    """One wrk run over ``paths``: its figures (requests per second, latencies in ms)."""
    command = ["wrk", "-t2", f"-c{args.connections}", f"-d{seconds}s", "--latency"]
    command += ["-s", str(lua), f"http://127.0.0.1:{args.port}", "--", str(sessions), paths]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    drain(args)
    line = next(x for x in output.splitlines() if x.startswith("JSON"))
    figures = json.loads(line[4:])
    if warm_up:
        return {}
    if not figures["requests"]:
        sys.exit(f"wrk made no request on {paths}:\n{output}")
    return {
        "rps": figures["requests"] / (figures["duration_us"] / 1e6),
        "p50_ms": figures["p50_us"] / 1000,
        "p95_ms": figures["p95_us"] / 1000,
        "p99_ms": figures["p99_us"] / 1000,
        "non_2xx_3xx": figures["errors_status"],
        "errors": figures["errors_connect"] + figures["errors_timeout"],
    }


def in_process(paths: list[str], requests: int = 30) -> dict:
    """Median milliseconds and queries per request, in this process (no HTTP, no gunicorn)."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    user = get_user_model().objects.filter(email__startswith="load").order_by("id").first()
    client = Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
    client.force_login(user)
    figures = {}
    for path in paths:
        durations, queries, size = [], 0, 0
        for _ in range(requests):
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                response = client.get(path, secure=True)
                durations.append(time.perf_counter() - started)
            assert response.status_code == 200, (path, response.status_code)
            queries, size = len(ctx.captured_queries), len(response.content)
        figures[path] = {
            "ms": round(statistics.median(durations) * 1000, 2),
            "queries": queries,
            "bytes": size,
        }
    return figures


def main() -> None:
    args = parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install wrk")

    from bench.run import recreate_database

    recreate_database(args.database_url)
    work = Path(tempfile.mkdtemp(prefix="firstvalue-load-"))
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DEBUG": "0",
        "SECRET_KEY": "load-test-" + os.urandom(16).hex(),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "CELERY_BROKER_URL": args.broker_url,
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    import django

    django.setup()
    enroll_people(work, args.employees)
    sessions = work / "sessions.csv"
    write_sessions(sessions, max(args.connections * 8, 200))
    lua = work / "load.lua"
    lua.write_text(LUA)

    rounds: dict[str, list[dict]] = {name: [] for name, _ in TARGETS}
    with serve(args, env):
        check_signed_in(args, sessions)
        for _, paths in TARGETS:  # warm-up: every worker has imported and rendered everything
            wrk(args, lua, sessions, paths, 5, warm_up=True)
        for number in range(1, args.rounds + 1):
            for name, paths in TARGETS:
                figures = wrk(args, lua, sessions, paths, args.duration)
                rounds[name].append(figures)
                print(
                    f"round {number}  {name:<20} {figures['rps']:8.1f} req/s  "
                    f"p50 {figures['p50_ms']:7.1f} ms  p95 {figures['p95_ms']:7.1f} ms",
                    flush=True,
                )

    medians = {
        name: {
            key: round(statistics.median(r[key] for r in runs), 2)
            for key in ("rps", "p50_ms", "p95_ms", "p99_ms")
        }
        for name, runs in rounds.items()
    }
    ratios = {
        f"{path} ÷ {floor}": {
            "ratio": round(medians[path]["rps"] / medians[floor]["rps"], 3),
            "goal": goal,
            "per_round": [
                round(a["rps"] / b["rps"], 3)
                for a, b in zip(rounds[path], rounds[floor], strict=True)
            ],
        }
        for path, floor, goal in RATIOS
    }
    result = {
        "employees": args.employees,
        "connections": args.connections,
        "rounds": args.rounds,
        "seconds_per_target": args.duration,
        "medians": medians,
        "ratios": ratios,
        "mix": "GET /api/me/ x3, GET /my/ x2, POST /api/me/fvm/ x1",
        "mix_p95_ms": medians["mix"]["p95_ms"],
        "mix_non_2xx_3xx": sum(r["non_2xx_3xx"] for r in rounds["mix"]),
        "in_process": in_process([p for _, p in TARGETS if p != MIX]),
    }
    print_table(result)
    out = ROOT / "bench" / "results" / "load.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    print(f"\nJSON: {out}")


def print_table(r: dict) -> None:
    print(
        f"\nMedians over {r['rounds']} rounds of {r['seconds_per_target']} s, "
        f"{r['connections']} connections, {r['employees']:,} employees"
    )
    print(f"  {'target':<20} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'in-process':>12} queries")
    for name, figures in r["medians"].items():
        path = dict(TARGETS)[name]
        local = r["in_process"].get(path, {})
        in_ms = f"{local['ms']:.1f} ms" if local else "–"
        print(
            f"  {name:<20} {figures['rps']:8.1f} {figures['p50_ms']:8.1f} {figures['p95_ms']:8.1f}"
            f" {in_ms:>12} {local.get('queries', '–')}"
        )
    for name, ratio in r["ratios"].items():
        goal = f"goal ≥ {ratio['goal']}" if ratio["goal"] else ""
        print(f"  {name:<32} {ratio['ratio']:.2f}×  rounds {ratio['per_round']}  {goal}")
    print(f"  mix p95: {r['mix_p95_ms']:.0f} ms ({r['mix_non_2xx_3xx']} non-2xx/3xx: the 409s)")


if __name__ == "__main__":
    main()
