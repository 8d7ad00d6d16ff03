from django.core.management.base import BaseCommand, CommandError

from insights.graph import PERIODS, GraphError
from insights.graph_sync import usage_sync


class Command(BaseCommand):
    help = (
        "Pull the Microsoft 365 Copilot usage report from Microsoft Graph (app-only "
        "credentials GRAPH_*) and keep it as history; the same report twice writes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--period", choices=PERIODS, default="D7", help="Report period.")

    def handle(self, *args, **options):
        try:
            outcome = usage_sync(period=options["period"])
        except GraphError as exc:
            raise CommandError(f"sync_usage: nothing stored: {exc}") from exc
        result = outcome.result
        if result.duplicate:
            written = "the same report as the last sync: nothing written."
        else:
            written = f"{result.written} saved, {result.days_added} new day(s) of use."
        self.stdout.write(
            f"Graph usage report {options['period']} as of {result.report_date}: "
            f"{result.rows} row(s); {result.matched} matched ({result.no_activity} without "
            f"activity), {result.unmatched} unmatched; " + written
        )
        if result.unmatched:
            self.stdout.write("Unmatched (first ones): " + ", ".join(result.unmatched_examples))
