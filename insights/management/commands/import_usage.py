from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from insights.usage import UsageImportError, usage_import


class Command(BaseCommand):
    help = (
        "Import the AI tool's usage report (Microsoft 365 Copilot usage from the admin center "
        "or Graph, anonymised or not, or a plain email,last_activity_date CSV), kept as "
        "history: one row per person per report date; the same report twice writes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("csv", help="Path of the CSV file.")
        parser.add_argument("--dry-run", action="store_true", help="Check only; write nothing.")

    def handle(self, *args, **options):
        path = Path(options["csv"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file.")
        try:
            with path.open(newline="", encoding="utf-8-sig") as handle:
                result = usage_import(lines=handle, dry_run=options["dry_run"])
        except UnicodeDecodeError as exc:
            raise CommandError(f"{path}: not UTF-8 text ({exc.reason}).") from exc
        except UsageImportError as exc:
            raise CommandError(
                f"{path}: nothing imported, {exc.total} error(s):\n"
                + "\n".join(exc.lines(prefix=f"{path}:"))
            ) from exc
        if result.duplicate:
            written = " — the same report was imported before: nothing written."
        elif options["dry_run"]:
            written = " — dry run, nothing written."
        else:
            written = f", {result.written} saved as of {result.report_date}."
        self.stdout.write(
            f"{path}: {result.source} report, {result.rows} row(s); {result.matched} matched "
            f"({result.no_activity} without activity), {result.unmatched} unmatched" + written
        )
        if result.unmatched:
            self.stdout.write("Unmatched (first ones): " + ", ".join(result.unmatched_examples))
