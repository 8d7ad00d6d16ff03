#!/usr/bin/env python
"""schemathesis against the live server: gunicorn, production settings, PostgreSQL.

    .venv/bin/python bench/schemathesis_live.py [--examples 20] [--budget 1500]

It (re)creates a database of its own (``fv_schemathesis_live`` unless --database-url says
otherwise), migrates, loads the demo (``manage.py demo --force``), resets the lockout, and
starts gunicorn (2 sync workers, DEBUG=0, a random SECRET_KEY, ALLOWED_HOSTS=127.0.0.1,
Celery eager unless --broker-url names a broker a worker reads) on a free loopback port.
Then one schemathesis run per caller, each with the check ``not_a_server_error``, NUL bytes
allowed, seed 1 and one worker:

- anonymous;
- an employee (``ava.martin@example.com``);
- the admin (``admin@example.com``, a superuser);
- the enablement author (``lena.fischer@example.com``, the rollout permission).

A signed-in run uses a session made for that account (``bench.load.signed_in_session``, the
cookies the login page sets, with its CSRF token in ``X-CSRFToken``), or with
``--auth basic`` HTTP Basic with the demo password (``--auth EMAIL:firstvalue-demo``). Basic
checks the password on every request (PBKDF2 with Django's 1,000,000 iterations: 1.6 to
4.5 s a request on the shared 2-core machine), so a Basic run of every phase does not finish
in any useful time; a session answers in milliseconds and reaches the same views as the same
person.

Each run prints schemathesis' summary. The anonymous run sends made-up credentials (the
schema's security parameters: HTTP Basic with any bytes): after ``AXES_ADDRESS_FAILURE_LIMIT``
(30) failures 127.0.0.1 is locked out of password sign-in and the rest answer 429 without a
password hash, as in production; raising the limit would make every try hash a password and
the run would not finish. Between runs the lockout is reset (``axes_reset``), so each run
starts from none. Signed-in runs generate no credentials
(``--generation-with-security-parameters false``): they would replace the session, and each
would cost a password hash; so they never fail a sign-in.
``--budget`` is a hard stop per run. Afterwards gunicorn's log is
searched for "Internal Server Error" and tracebacks; the exit status is non-zero if any run
failed or the log holds one. See docs/security.md ("API contract checks").
"""

import argparse
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "firstvalue-demo"  # onboarding/management/commands/demo.py, DEMO_PASSWORD
CALLERS = [
    ("anonymous", None),
    ("employee", "ava.martin@example.com"),
    ("admin", "admin@example.com"),
    ("enablement", "lena.fischer@example.com"),
]
SERVER_ERRORS = re.compile(r"Internal Server Error|Traceback \(most recent call last\)")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, default=20, help="schemathesis -n per operation")
    parser.add_argument("--budget", type=int, default=1500, help="seconds per run, a hard stop")
    parser.add_argument("--auth", choices=["session", "basic"], default="session")
    parser.add_argument("--phases", default="", help="schemathesis --phases (default: all)")
    parser.add_argument(
        "--callers", default=",".join(name for name, _ in CALLERS), help="which runs, in order"
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "LIVE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/fv_schemathesis_live"
        ),
    )
    parser.add_argument(
        "--broker-url",
        default=os.environ.get("LIVE_BROKER_URL", ""),
        help="empty: Celery runs tasks in the request (eager)",
    )
    return parser.parse_args()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def wait_for(url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120  # a loaded machine takes its time
    while True:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except Exception:  # waiting for the server to come up
            if time.monotonic() > deadline or server.poll() is not None:
                sys.exit(f"gunicorn did not answer at {url}")
            time.sleep(0.5)


def credentials(args: argparse.Namespace, email: str | None) -> list[str]:
    """schemathesis' options that sign in as ``email`` (nothing for anonymous)."""
    if not email:
        return []
    if args.auth == "basic":
        return ["--auth", f"{email}:{PASSWORD}"]
    from django.contrib.auth import get_user_model

    from bench.load import signed_in_session

    session, csrf = signed_in_session(get_user_model().objects.get(email=email))
    return ["-H", f"Cookie: sessionid={session}; csrftoken={csrf}", "-H", f"X-CSRFToken: {csrf}"]


def schemathesis(args: argparse.Namespace, port: int, email: str | None) -> tuple[int, str]:
    command = [
        str(Path(sys.executable).parent / "schemathesis"),
        "run",
        f"http://127.0.0.1:{port}/api/schema/",
        "-c",
        "not_a_server_error",
        "--generation-allow-x00",
        "true",
        "--seed",
        "1",
        "-n",
        str(args.examples),
        "-w",
        "1",
        "--exclude-path-regex",
        "^/bench/",  # the load bench's floors (bench/urls.py), not the product
        "--request-timeout",
        "60",
        "--no-color",
    ]
    command[3:3] = credentials(args, email)
    if args.phases:
        command += ["--phases", args.phases]
    if email:
        # Made-up credentials (the schema's security parameters) would replace the session,
        # and each costs a password hash: the anonymous run is the one that fuzzes them.
        command += ["--generation-with-security-parameters", "false"]
    output = Path(tempfile.gettempdir()) / f"schemathesis-live-{port}-{email or 'anonymous'}.log"
    with output.open("w") as out:
        run = subprocess.Popen(
            command, cwd=tempfile.gettempdir(), stdout=out, stderr=subprocess.STDOUT
        )
        try:
            code = run.wait(timeout=args.budget)
            note = ""
        except subprocess.TimeoutExpired:
            run.kill()
            run.wait()
            code, note = -1, f"\n(stopped after the budget of {args.budget} s)"
    return code, output.read_text() + note


def summary(output: str) -> str:
    """schemathesis' closing block: from its SUMMARY heading to the end."""
    at = output.rfind("SUMMARY")
    if at < 0:
        return output[-3000:].strip()
    return output[output.rfind("\n", 0, at) + 1 :].strip()


def main() -> None:
    args = parse_args()
    from bench.run import recreate_database

    recreate_database(args.database_url)
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "DJANGO_SETTINGS_MODULE": "bench.settings",  # collectstatic outside the checkout
        "DEBUG": "0",
        "SECRET_KEY": "schemathesis-live-" + os.urandom(16).hex(),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",  # plain http on loopback, no proxy in front
        "CELERY_BROKER_URL": args.broker_url,
        "LOG_LEVEL": "WARNING",
    }
    manage(env, "migrate", "--verbosity", "0")
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    manage(env, "demo", "--force", "--verbosity", "0")
    manage(env, "axes_reset")
    os.environ.update(env)
    import django

    django.setup()
    log_path = Path(tempfile.gettempdir()) / f"schemathesis-live-gunicorn-{port}.log"
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [gunicorn, "config.wsgi", "-w", "2", "-b", f"127.0.0.1:{port}", "--timeout", "120"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        results = []
        try:
            wait_for(f"http://127.0.0.1:{port}/healthz", server)
            wanted = args.callers.split(",")
            for name, email in [caller for caller in CALLERS if caller[0] in wanted]:
                manage(env, "axes_reset")
                started = time.monotonic()
                code, output = schemathesis(args, port, email)
                seconds = time.monotonic() - started
                results.append((name, code, seconds))
                print(f"\n===== {name} ({email or 'no credentials'}): exit {code}, {seconds:.0f} s")
                print(summary(output), flush=True)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)
    errors = [line for line in log_path.read_text().splitlines() if SERVER_ERRORS.search(line)]
    print(f"\ngunicorn log {log_path}: {len(errors)} server error line(s)")
    for line in errors[:20]:
        print("  ", line)
    for name, code, seconds in results:
        print(f"{name:<11} exit {code:>3}  {seconds:>5.0f} s")
    if errors or any(code != 0 for _, code, _ in results):
        sys.exit(1)


if __name__ == "__main__":
    main()
