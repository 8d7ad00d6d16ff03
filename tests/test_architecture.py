"""Imports go one way: insights → onboarding → templates_library → roles → audit."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ["audit", "roles", "templates_library", "onboarding", "insights"]


def imported_apps(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names & set(LAYERS)


@pytest.mark.parametrize("app", LAYERS)
def test_an_app_imports_only_the_layers_below_it(app):
    allowed = set(LAYERS[: LAYERS.index(app) + 1])
    offenders = [
        f"{path.relative_to(ROOT)} imports {sorted(imported_apps(path) - allowed)}"
        for path in sorted((ROOT / app).rglob("*.py"))
        if imported_apps(path) - allowed
    ]
    assert offenders == []
