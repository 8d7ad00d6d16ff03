#!/usr/bin/env python
"""Load test: the app under gunicorn (2 workers, production settings) and wrk on loopback.

    .venv/bin/python bench/load.py --employees 2000 --duration 30

Each wrk connection is one signed-in employee (a real session and CSRF cookie).
The request mix is 5 reads for 1 write: GET /api/me/ ×3, GET /my/ ×2 and
POST /api/me/fvm/ ×1 (the first post of a person answers 201, the following
ones 409 — a write attempt that hits the unique constraint every time).
Needs Debian's wrk (`apt-get install wrk`) and a PostgreSQL on 127.0.0.1.
"""

import argparse
import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LUA = r"""
local sessions = {}
local counter = 0
local paths = {"/api/me/", "/my/", "/api/me/", "/my/", "/api/me/", "FVM"}
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
  n = offset
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

statuses = {}
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  io.write(string.format('JSON{"requests": %d, "duration_us": %d, "errors_status": %d, ' ..
    '"errors_connect": %d, "errors_timeout": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d}\n',
    summary.requests, summary.duration, summary.errors.status, summary.errors.connect,
    summary.errors.timeout, latency:percentile(50), latency:percentile(95),
    latency:percentile(99)))
end
"""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--employees", type=int, default=2000)
    parser.add_argument("--duration", type=int, default=30)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/firstvalue_load"
        ),
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


def write_sessions(path: Path, count: int) -> None:
    """One signed-in session (and a CSRF token) per line, for that many employees."""
    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.sessions.backends.db import SessionStore
    from django.middleware.csrf import _get_new_csrf_string
    from django.utils.module_loading import import_string

    # The first backend that can load a user (axes' throttle backend only counts failures).
    backend = next(
        path
        for path in settings.AUTHENTICATION_BACKENDS
        if hasattr(import_string(path), "get_user")
    )
    users = get_user_model().objects.filter(email__startswith="load").order_by("id")
    with path.open("w") as handle:
        for user in users[:count]:
            store = SessionStore()
            store[SESSION_KEY] = str(user.pk)
            store[BACKEND_SESSION_KEY] = backend
            store[HASH_SESSION_KEY] = user.get_session_auth_hash()
            store.create()
            handle.write(f"{store.session_key},{_get_new_csrf_string()}\n")


def run_wrk(args: argparse.Namespace, env: dict, lua: Path, sessions: Path) -> str:
    """gunicorn up, a warm-up, then the measured wrk run; its output."""
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

    def wrk(*options: str) -> subprocess.CompletedProcess:
        command = ["wrk", "-t2", f"-c{args.connections}", *options, "-s", str(lua)]
        command += [f"http://127.0.0.1:{args.port}", "--", str(sessions)]
        return subprocess.run(command, check=True, capture_output=True, text=True)

    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{args.port}/healthz", timeout=1)
                break
            except Exception:  # waiting for the server to come up
                time.sleep(0.2)
        wrk("-d3s")  # warm-up
        return wrk(f"-d{args.duration}s", "--latency").stdout
    finally:
        gunicorn.send_signal(signal.SIGTERM)
        gunicorn.wait(timeout=30)


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
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "0",
        "SECRET_KEY": "load-test-" + os.urandom(16).hex(),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/13",
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    import django

    django.setup()
    enroll_people(work, args.employees)
    sessions = work / "sessions.csv"
    write_sessions(sessions, max(args.connections * 8, 200))
    lua = work / "mix.lua"
    lua.write_text(LUA)
    output = run_wrk(args, env, lua, sessions)

    line = next(x for x in output.splitlines() if x.startswith("JSON"))
    figures = json.loads(line[4:])
    rps = figures["requests"] / (figures["duration_us"] / 1e6)
    result = {
        "employees": args.employees,
        "connections": args.connections,
        "requests_per_second": round(rps, 1),
        "p50_ms": figures["p50_us"] / 1000,
        "p95_ms": figures["p95_us"] / 1000,
        "p99_ms": figures["p99_us"] / 1000,
        "non_2xx_3xx": figures["errors_status"],
        "mix": "GET /api/me/ x3, GET /my/ x2, POST /api/me/fvm/ x1",
    }
    print(output)
    print(json.dumps(result, indent=2))
    out = ROOT / "bench" / "results" / "load.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
