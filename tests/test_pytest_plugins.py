"""The suite loads its pytest plugins by name (pyproject.toml turns autoloading off, because
autoloading rewrites the asserts of every module of each plugin's distribution; docs/testing.md),
so a plugin installed later must be added there or it would silently not run."""

import importlib.metadata


def installed_plugins() -> set[str]:
    return {
        entry_point.value.partition(":")[0].strip()
        for dist in importlib.metadata.distributions()
        for entry_point in dist.entry_points
        if entry_point.group == "pytest11"
    }


def test_every_installed_pytest_plugin_is_loaded(pytestconfig):
    assert installed_plugins(), "no pytest11 entry point found: the check would prove nothing"
    loaded = {
        getattr(plugin, "__name__", None)
        for _, plugin in pytestconfig.pluginmanager.list_name_plugin()
    }
    missing = installed_plugins() - loaded
    assert missing == set(), f"add `-p {' -p '.join(sorted(missing))}` to addopts in pyproject.toml"
