import csv
import json

from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder

from insights.csvrows import ROLE_COLUMNS, ROW_COLUMNS, csv_cell, role_cells
from insights.filters import ReportInputError, report_filters_build
from insights.selectors import report_json


def _sentiment_text(row) -> str:
    sentiment = row["sentiment"]
    if not sentiment["n"]:
        return "—"
    positive = sentiment["positive"]
    low, high = positive["ci"]
    text = (
        f"{sentiment['mean']:g}; ≥4 {positive['rate']:.0%} [{low:.0%}–{high:.0%}] n={positive['n']}"
    )
    return text + " too few to judge" if positive["too_few"] else text


def _rate_text(row) -> str:
    rate = row["rate_within_7"]
    if rate is None:
        return "n/a"
    low, high = row["rate_within_7_ci"]
    text = f"{rate:.0%} [{low:.0%}–{high:.0%}]"
    return text + " too few to judge" if row["too_few"] else text


class Command(BaseCommand):
    help = "Day-7 FVM completion and value per role, as of a date (see docs/metrics.md)."

    def add_arguments(self, parser):
        parser.add_argument("--role", help="Only this role pack (slug).")
        parser.add_argument("--cohort", help="Only people who started in this ISO week (2026-W07).")
        parser.add_argument("--manager", help="Only the reports of this manager (email).")
        parser.add_argument(
            "--as-of",
            dest="as_of",
            help="DATE (end of that day in settings.TIME_ZONE) or ISO 8601 date-time; default now.",
        )
        parser.add_argument("--format", choices=["table", "csv", "json"], default="table")

    def handle(self, *args, **options):
        try:
            filters = report_filters_build(
                as_of=options["as_of"],
                role=options["role"],
                cohort=options["cohort"],
                manager=options["manager"],
            )
        except ReportInputError as exc:
            raise CommandError(str(exc)) from exc
        report = report_json(filters)
        rows = [*report["roles"], report["overall"]]
        if options["format"] == "json":
            self.stdout.write(json.dumps(report, cls=DjangoJSONEncoder, indent=2))
        elif options["format"] == "csv":
            writer = csv.writer(self.stdout, lineterminator="\n")
            writer.writerow(["role", *ROW_COLUMNS, *ROLE_COLUMNS])
            for row in rows:
                writer.writerow(
                    [csv_cell(row["role"] if row["role"] else "(all)")]
                    + ["" if value is None else value for value in role_cells(row)]
                )
        else:
            self._table(report, rows)

    def _table(self, report, rows):
        header = [
            "role",
            "enrolled",
            "eligible",
            "in window",
            "reached≤7",
            "rate [95% CI]",
            "median TTV",
            "FVM",
            "min saved",
            "FVM rating",
            "sentiment (mean; share ≥4 [95% CI])",
        ]
        lines = [header]
        for row in rows:
            lines.append(
                [
                    row["role"] or "ALL",
                    str(row["enrolled"]),
                    str(row["eligible"]),
                    str(row["in_window"]),
                    str(row["reached_within_7"]),
                    _rate_text(row),
                    "—" if row["median_ttv"] is None else f"{row['median_ttv']:g}",
                    str(row["fvm_total"]),
                    str(row["minutes_saved_total"]),
                    "—" if row["fvm_rating_mean"] is None else f"{row['fvm_rating_mean']:g}",
                    _sentiment_text(row),
                ]
            )
        widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
        self.stdout.write(
            f"Activation as of the end of {report['as_of']} — benchmarks: 40% minimum, "
            "65% top quartile"
        )
        for line in lines:
            self.stdout.write(
                "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True))
            )
        hours = report["value"]["training_hours"]
        low, high = hours["benchmark"]
        median = hours["overall"]["median_hours"]
        self.stdout.write(
            "Training hours (median, people past day 7): "
            f"{'—' if median is None else f'{median:g} h'}, n={hours['overall']['n']} "
            f"— benchmark {low}–{high} h"
        )
