"""Shared hypothesis settings and strategies for the fuzz suite."""

import resource

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# Few examples, no deadline (the machine is shared), the DB fixture reused across examples.
FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)

# Text with the characters that broke things: NUL, CR/LF, other controls, quotes, YAML syntax.
NASTY = st.sampled_from(
    [
        "\x00",
        "\r",
        "\n",
        "\r\n",
        "\t",
        "\x1b",
        "\x7f",
        '"',
        "'",
        ",",
        ":",
        "- ",
        "&a",
        "*a",
        "!",
        "!!",
        "{",
        "}",
        "[",
        "]",
        "#",
        "%",
        "@",
        "<<",
        "\ufeff",
        "\u2028",
        "é",
        "😀",
    ]
)
TEXT = st.one_of(
    st.text(max_size=40),
    st.lists(st.one_of(NASTY, st.text(max_size=5)), max_size=15).map("".join),
    st.sampled_from(["", "9" * 5000, "x" * 5000, "2026-13-45", "9999-12-31", "Europe", "NaN"]),
)
JSON_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False), TEXT
)
JSON = st.recursive(
    JSON_SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(TEXT, children, max_size=4)
    ),
    max_leaves=20,
)


def assert_bounded_memory(limit_mb: int = 1024) -> None:
    """The process never grew past ``limit_mb`` (its peak resident size: cheap to ask, unlike
    tracemalloc, which the attack tests use where the bound is tight)."""
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert peak_kb < limit_mb * 1024, f"peak memory {peak_kb // 1024} MB"
