"""Everything the dashboard shows, assembled once: charts and their CSV rows share it."""

from . import charts
from .activation import (
    BENCHMARKS,
    activation_report,
    activation_report_and_histogram,
    cohort_rows,
    ttv_distribution,
)
from .costs import cost_summary
from .executive import headline
from .filters import ReportFilters, filter_choices
from .funnel import activated_no_value, funnel, non_activated
from .interventions import intervention_effectiveness
from .kpis import kpi_overview, kpis_judged
from .readiness import readiness_report
from .value import value_metrics

CHARTS = ("by-role", "by-cohort", "ttv", "funnel", "minutes-saved", "interventions", "kpis")
_BENCHMARK_LINES = [
    ("minimum", BENCHMARKS["minimum"], "40% minimum"),
    ("top_quartile", BENCHMARKS["top_quartile"], "65% top quartile"),
]


def _rate_text(row: dict) -> str:
    text = f"{charts.percent(row['rate_within_7'])} ({row['reached_within_7']}/{row['eligible']}"
    if row["rate_within_7_ci"]:
        low, high = row["rate_within_7_ci"]
        text += f", CI {charts.percent(low)}–{charts.percent(high)}"
    return text + (", too few to judge)" if row["too_few"] and row["eligible"] else ")")


def _rate_bars(rows: list[dict], key: str) -> list[tuple[str, float | None, str]]:
    return [(row.get(key) or "All roles", row["rate_within_7"], _rate_text(row)) for row in rows]


def report_json(filters: ReportFilters) -> dict:
    """The public report plus the extra keys the API and `--format json` share."""
    report = activation_report(filters)
    report["interventions"] = intervention_effectiveness(filters)
    report["costs"] = cost_summary(filters)
    report["value"] = value_metrics(filters)
    return report


def _charts(report: dict, cohorts: list, distribution: list, stages: list) -> dict[str, str]:
    """The dashboard's SVG charts, from the numbers it shows."""
    role_rows = report["roles"]
    return {
        "by_role": charts.bar_chart(
            chart_id="chart-by-role",
            title="Day-7 FVM completion by role",
            desc="Share of eligible people who reached first value within 7 working days, "
            "per role, against the 40% minimum (dashed) and 65% top-quartile (dotted) lines.",
            bars=_rate_bars([report["overall"], *role_rows], "role_name"),
            max_value=1,
            benchmarks=_BENCHMARK_LINES,
        ),
        "by_cohort": charts.bar_chart(
            chart_id="chart-by-cohort",
            title="Weekly trend: day-7 FVM completion by start week",
            desc="Per ISO week of the start date, the share of eligible people who reached "
            "first value within 7 working days, against the 40% and 65% benchmark lines.",
            bars=_rate_bars(cohorts, "cohort"),
            max_value=1,
            benchmarks=_BENCHMARK_LINES,
        ),
        "ttv": charts.column_chart(
            chart_id="chart-ttv",
            title="Time to value",
            desc="FVM completions by time to value in working days (1 to 7, then 8 or more).",
            columns=[(d["ttv"], d["completions"]) for d in distribution],
            x_label="working days to first value",
        ),
        "funnel": charts.bar_chart(
            chart_id="chart-funnel",
            title="From enrollment to lasting use",
            desc="People at each stage: enrolled, first visit, first step, FVM within 7 "
            "working days (eligible people only), active at the day-30 and day-90 check-ins.",
            bars=[(s["label"], s["people"], str(s["people"])) for s in stages],
        ),
        "minutes_saved": charts.bar_chart(
            chart_id="chart-minutes-saved",
            title="Minutes saved per role",
            desc="Sum over recorded FVM completions of role baseline minus minutes taken.",
            bars=[
                (
                    r["role_name"],
                    max(r["minutes_saved_total"], 0),
                    f"{r['minutes_saved_total']} min over {r['fvm_total']} FVM",
                )
                for r in role_rows
            ],
        ),
    }


def _named(rows: list[dict], names: dict) -> list[dict]:
    """The rows with ``role_name`` beside the slug (pages show names, CSVs keep slugs)."""
    return [{**row, "role_name": names.get(row["role"], row["role"])} for row in rows]


def dashboard_data(filters: ReportFilters) -> dict:
    report, histogram = activation_report_and_histogram(filters)
    choices = filter_choices()
    for row in report["roles"]:
        row["role_name"] = choices["role_names"].get(row["role"], row["role"])
    cohorts = cohort_rows(filters)
    distribution = ttv_distribution(histogram)
    stages = funnel(filters)
    people, people_total = non_activated(filters)
    trap, trap_total = activated_no_value(filters)
    judged = kpis_judged(as_of=filters.as_of_date)
    value = value_metrics(filters)
    # Unfiltered, the report's meaningful users are the organisation's the costs divide by.
    everyone = filters == ReportFilters(as_of=filters.as_of)
    costs = cost_summary(
        filters, judged=judged, meaningful_users=value["meaningful_users"] if everyone else None
    )
    readiness = readiness_report(filters, costs=costs, judged=judged)
    return {
        "headline": headline(report, value, costs, readiness),
        "readiness": readiness,
        "choices": choices,
        "report": report,
        "cohorts": cohorts,
        "distribution": distribution,
        "funnel": stages,
        "non_activated": people,
        "non_activated_total": people_total,
        "trap": trap,
        "trap_total": trap_total,
        "interventions": _named(intervention_effectiveness(filters), choices["role_names"]),
        "kpis": _named(
            kpi_overview(role=filters.role, as_of=filters.as_of_date), choices["role_names"]
        ),
        "costs": costs,
        "value": value,
        "svg": _charts(report, cohorts, distribution, stages),
    }
