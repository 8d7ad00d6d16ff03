"""The executive view: the 4–6 headline figures at the top of /dashboard/, each with its
benchmark, a status in words (never colour alone) and the numbers behind it."""

from decimal import Decimal

from django.conf import settings

from .rates import verdict

STATUS_WORDS = {
    "top": "top quartile",
    "acceptable": "above the minimum",
    "below": "below the minimum",
    "too_few": "too few to judge",
    "none": "no data yet",
    "good": "on target",
    "bad": "off target",
    "info": "for information",
}


def _pct(value) -> str:
    return "n/a" if value is None else f"{value:.0%}"


def _figure(key, label, value, status, detail, benchmark="", status_text="") -> dict:
    return {
        "key": key,
        "label": label,
        "value": value,
        "status": status,
        "status_text": status_text or STATUS_WORDS[status],
        "detail": detail,
        "benchmark": benchmark,
    }


def _fvm_rate(row: dict) -> dict:
    m = settings.METRICS
    rate, n = row["rate_within_7"], row["eligible"]
    ci = row["rate_within_7_ci"]
    status = verdict(rate, n=n, minimum=m["fvm_rate_minimum"], top=m["fvm_rate_top_quartile"])
    detail = f"{row['reached_within_7']} of {n} eligible"
    if ci:
        detail += f"; 95% CI {_pct(ci[0])}–{_pct(ci[1])}"
    detail += f"; {row['in_window']} still in their first week"
    return _figure(
        "fvm_rate",
        "Reached first value within 7 working days",
        _pct(rate),
        status,
        detail,
        f"minimum {_pct(m['fvm_rate_minimum'])}, top quartile {_pct(m['fvm_rate_top_quartile'])}",
    )


def _median_ttv(row: dict) -> dict:
    median = row["median_ttv"]
    if median is None:
        status = "none"
    else:
        status = (
            "too_few"
            if row["fvm_total"] < settings.METRICS["too_few_below"]
            else ("good" if median <= 7 else "bad")
        )
    return _figure(
        "median_ttv",
        "Median time to first value",
        "n/a" if median is None else f"{median:g} working days",
        status,
        f"over {row['fvm_total']} first-value completions",
        "within the first 7 working days",
    )


def _meaningful(costs: dict) -> dict:
    per_user = costs["cost_per_meaningful_user"]
    n = costs["meaningful_users"]
    return _figure(
        "meaningful_users",
        "Meaningful users and cost per meaningful user",
        f"{n} · " + (f"{costs['currency']} {per_user}" if per_user else "cost n/a"),
        "info" if per_user else "none",
        costs["cost_per_meaningful_user_message"]
        or f"{costs['currency']} {costs['costs']['total']} total cost over {n} people",
        "first value and still active at day 30",
    )


def _value(costs: dict) -> dict:
    value, total = Decimal(costs["value_of_time_saved"]), Decimal(costs["costs"]["total"])
    roi = costs["roi"]
    if total == 0:
        # A value is known; what it is compared with is not: say which data is missing.
        status, status_text = "none", "no costs entered yet"
        detail = "the period's costs are not entered (import_costs or /api/costs/)"
    else:
        status, status_text = ("good" if value > total else "bad"), ""
        detail = f"against cost {costs['currency']} {total}" + (
            f"; ROI {Decimal(roi):.0%}" if roi is not None else ""
        )
    return _figure(
        "value",
        "Value of measured time saved",
        f"{costs['currency']} {value}",
        status,
        detail,
        "more than the period's cost",
        status_text,
    )


def _no_value(value: dict) -> dict:
    r = value["activated_no_value"]
    return _figure(
        "activated_no_value",
        "Using the tool but no first value yet",
        _pct(r["rate"]),
        "too_few" if r["too_few"] and r["n"] else ("none" if not r["n"] else "info"),
        f"{r['k']} of {r['n']} active in the tool (usage data)",
        "lower is better: the activation trap",
    )


def _readiness(readiness: dict) -> dict:
    ready = readiness["verdict"] == "ready"
    failed = ", ".join(str(n) for n in readiness["failed"])
    return _figure(
        "readiness",
        "Ready to expand?",
        "Ready" if ready else "Not ready",
        "good" if ready else "bad",
        f"{readiness['passed']} of 5 questions pass" + (f"; failing: {failed}" if failed else ""),
        "three of five, and the ROI question",
    )


def headline(report: dict, value: dict, costs: dict, readiness: dict) -> list[dict]:
    """Six figures, most important first."""
    overall = report["overall"]
    return [
        _fvm_rate(overall),
        _median_ttv(overall),
        _meaningful(costs),
        _value(costs),
        _no_value(value),
        _readiness(readiness),
    ]
