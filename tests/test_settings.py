"""One config source: settings.py reads the environment, .env.example lists what it reads,
and Celery takes every setting from there."""

import ast
import re
from pathlib import Path

from django.conf import settings

from config.celery import app

ROOT = Path(__file__).resolve().parents[1]
ENV_READERS = {"env_bool", "env_list", "env_int"}


def _env_reads(path: Path) -> set[str]:
    """The variable names a module reads: os.environ.get/[]/getenv and the env_* helpers."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = ast.unparse(node.func)
            if func in {"os.environ.get", "os.getenv"} or func in ENV_READERS:
                names.add(node.args[0].value)
        elif isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ":
            if isinstance(node.slice, ast.Constant):
                names.add(node.slice.value)
    return names


def _example_names() -> list[str]:
    text = (ROOT / ".env.example").read_text()
    return re.findall(r"^([A-Z][A-Z0-9_]*)=", text, flags=re.MULTILINE)


def _procfile_names() -> set[str]:
    return set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", (ROOT / "deploy" / "Procfile").read_text()))


def test_env_example_lists_every_variable_settings_reads():
    read = _env_reads(ROOT / "config" / "settings.py")
    assert read, "found no environment reads in settings.py: has the helper been renamed?"
    assert not read - set(_example_names()), "add to .env.example"


def test_env_example_lists_nothing_that_no_one_reads():
    deploy = _env_reads(ROOT / "deploy" / "gunicorn.conf.py") | _procfile_names()
    read = _env_reads(ROOT / "config" / "settings.py") | deploy
    names = _example_names()
    assert not set(names) - read, "read nowhere: remove from .env.example or read it"
    assert sorted(n for n in names if names.count(n) > 1) == [], "listed twice"


def test_no_module_of_the_application_reads_the_environment_itself():
    allowed = {"config/settings.py", "deploy/gunicorn.conf.py"}
    readers = [
        str(path.relative_to(ROOT))
        for app_dir in ("config", "audit", "roles", "templates_library", "onboarding", "insights")
        for path in (ROOT / app_dir).rglob("*.py")
        if _env_reads(path) and str(path.relative_to(ROOT)) not in allowed
    ]
    assert readers == []


def test_celery_takes_every_setting_from_settings_py():
    celery_settings = {k: v for k, v in vars(settings._wrapped).items() if k.startswith("CELERY_")}
    for name, value in celery_settings.items():
        assert app.conf[name.removeprefix("CELERY_").lower()] == value, name
    assert app.conf.beat_schedule["triggers-sweep"]["schedule"] == 15 * 60
    # config/celery.py loads the settings and finds the tasks: it sets nothing of its own.
    source = (ROOT / "config" / "celery.py").read_text()
    assert "conf." not in source and "conf[" not in source
