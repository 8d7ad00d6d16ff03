"""The rows behind each dashboard chart and `activation_report --format csv`.

Wherever a rate is shown, its CSV carries the rate's n and its 95% Wilson interval
(``ci_low``, ``ci_high``; prefixed when a row has more than one rate), as docs/metrics.md,
"Uncertainty", asks of every rate.
"""

from templates_library.csvsafe import neutralise

ROW_COLUMNS = [
    "enrolled",
    "eligible",
    "in_window",
    "reached_within_7",
    "rate_within_7",
    "n",
    "ci_low",
    "ci_high",
    "too_few",
    "median_ttv",
    "fvm_total",
    "minutes_saved_total",
    "fvm_rating_mean",
]
# The by-role rows only (people's latest check-in answer; cohorts have none).
ROLE_COLUMNS = [
    "sentiment_n",
    "sentiment_mean",
    "sentiment_positive_share",
    "sentiment_ci_low",
    "sentiment_ci_high",
]
INTERVENTION_COLUMNS = [
    "role",
    "kind",
    "sent",
    "sent_fvm_within_3",
    "sent_rate",
    "sent_ci_low",
    "sent_ci_high",
    "held_out",
    "held_out_fvm_within_3",
    "held_out_rate",
    "held_out_ci_low",
    "held_out_ci_high",
    "uplift",
]
KPI_COLUMNS = [
    "role",
    "kpi",
    "unit",
    "direction",
    "baseline",
    "target",
    "latest",
    "latest_on",
    "improvement",
    "progress",
]


def _ci(ci: list[float] | None) -> list:
    return list(ci) if ci else [None, None]


def row_cells(row: dict) -> list:
    """A report ROW (by role, overall or by cohort) as the values of ROW_COLUMNS."""
    return [
        row["enrolled"],
        row["eligible"],
        row["in_window"],
        row["reached_within_7"],
        row["rate_within_7"],
        row["eligible"],
        *_ci(row["rate_within_7_ci"]),
        row["too_few"],
        row["median_ttv"],
        row["fvm_total"],
        row["minutes_saved_total"],
        row["fvm_rating_mean"],
    ]


def role_cells(row: dict) -> list:
    """ROW_COLUMNS then ROLE_COLUMNS of a by-role (or overall) row."""
    sentiment = row["sentiment"]
    positive = sentiment["positive"]
    return [
        *row_cells(row),
        sentiment["n"],
        sentiment["mean"],
        positive["rate"],
        *_ci(positive["ci"]),
    ]


def chart_rows(chart: str, data: dict) -> tuple[list[str], list[list]]:
    """The header and rows behind one chart, for its CSV download."""
    if chart == "by-role":
        rows = [data["report"]["overall"], *data["report"]["roles"]]
        return ["role", *ROW_COLUMNS, *ROLE_COLUMNS], [
            [r["role"] or "(all)", *role_cells(r)] for r in rows
        ]
    if chart == "by-cohort":
        return ["cohort", *ROW_COLUMNS], [[r["cohort"], *row_cells(r)] for r in data["cohorts"]]
    if chart == "ttv":
        return ["ttv_working_days", "completions"], [
            [d["ttv"], d["completions"]] for d in data["distribution"]
        ]
    if chart == "funnel":
        return ["stage", "people"], [[s["stage"], s["people"]] for s in data["funnel"]]
    if chart == "minutes-saved":
        return ["role", "minutes_saved_total", "fvm_total"], [
            [r["role"], r["minutes_saved_total"], r["fvm_total"]] for r in data["report"]["roles"]
        ]
    if chart == "interventions":
        return INTERVENTION_COLUMNS, [
            [
                *(r[k] for k in INTERVENTION_COLUMNS[:5]),
                *_ci(r["sent_ci"]),
                *(r[k] for k in INTERVENTION_COLUMNS[7:10]),
                *_ci(r["held_out_ci"]),
                r["uplift"],
            ]
            for r in data["interventions"]
        ]
    if chart == "kpis":
        return KPI_COLUMNS, [[r[k] for k in KPI_COLUMNS] for r in data["kpis"]]
    raise KeyError(chart)


def csv_cell(value) -> str:
    """A CSV cell that no spreadsheet will run as a formula (numbers stay numbers)."""
    return neutralise("" if value is None else str(value), keep_numbers=True)
