"""Imports go one way: studio → insights → onboarding → templates_library → roles → audit."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ["audit", "roles", "templates_library", "onboarding", "insights", "studio"]


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


def module_of(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path, known: set[str]) -> set[str]:
    """Our modules ``path`` imports, at the top or inside a function (a deferred import is
    still an arrow)."""
    module = module_of(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                source = f"{base}.{node.module}" if node.module else base
            else:
                source = node.module
            found.add(source)
            found.update(f"{source}.{alias.name}" for alias in node.names)
    return (found & known) - {module}


def import_cycles(app: str) -> list[list[str]]:
    """The app's import cycles: its strongly connected components larger than one module."""
    paths = sorted((ROOT / app).rglob("*.py"))
    known = {module_of(path) for path in paths}
    graph = {module_of(path): imported_modules(path, known) for path in paths}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles = []

    def visit(node: str) -> None:  # Tarjan's algorithm
        index[node] = low[node] = len(index)
        stack.append(node)
        for succ in graph[node]:
            if succ not in index:
                visit(succ)
                low[node] = min(low[node], low[succ])
            elif succ in stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return cycles


@pytest.mark.parametrize("app", [*LAYERS, "config"])
def test_an_apps_modules_import_each_other_one_way(app):
    assert import_cycles(app) == []


def test_the_cycle_finder_sees_a_deferred_import(tmp_path, monkeypatch):
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "a.py").write_text("from . import b\n")
    (tmp_path / "app" / "b.py").write_text("def f():\n    from .a import x\n")
    assert import_cycles("app") == [["app.a", "app.b"]]
