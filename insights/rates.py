"""A rate and its uncertainty: the count, the 95% Wilson score interval, "too few to judge".

Every rate a report shows goes through :func:`rate` (docs/metrics.md, "Uncertainty").
"""

from math import sqrt

from django.conf import settings

Z_95 = 1.959963984540054  # the 97.5th percentile of the standard normal


def wilson(k: int, n: int, z: float = Z_95) -> list[float] | None:
    """The Wilson score interval ``[low, high]`` of k successes in n, or None when n is 0."""
    if n <= 0:
        return None
    p = k / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return [max(0.0, round(centre - half, 4)), min(1.0, round(centre + half, 4))]


def too_few(n: int) -> bool:
    """Fewer people than settings.METRICS["too_few_below"]: shown, never judged."""
    return n < settings.METRICS["too_few_below"]


def rate(k: int, n: int) -> dict:
    """``{"k", "n", "rate", "ci", "too_few"}``; rate and ci are None when n is 0."""
    return {
        "k": k,
        "n": n,
        "rate": k / n if n else None,
        "ci": wilson(k, n),
        "too_few": too_few(n),
    }


def verdict(value: float | None, *, n: int, minimum: float, top: float) -> str:
    """Against two benchmarks: "too_few", "below", "acceptable" or "top" (None → "none")."""
    if value is None:
        return "none"
    if too_few(n):
        return "too_few"
    if value >= top:
        return "top"
    return "acceptable" if value >= minimum else "below"
