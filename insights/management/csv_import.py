"""The one shape of a CSV import command: a file, --dry-run, errors by line, nothing half-written."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from insights.imports import ImportFileError


class CsvImportCommand(BaseCommand):
    """Subclasses name the importer: ``importer(lines=, name=, dry_run=)`` returning a result
    with ``written`` and ``dry_run``, raising ImportFileError with every bad line."""

    importer = None

    def add_arguments(self, parser):
        parser.add_argument("csv", help="The CSV file (UTF-8, a header line).")
        parser.add_argument("--dry-run", action="store_true", help="Check only; write nothing.")

    def handle(self, *args, **options):
        path = Path(options["csv"])
        try:
            with path.open(newline="", encoding="utf-8-sig") as handle:
                result = self.importer(lines=handle, name=path.name, dry_run=options["dry_run"])
        except FileNotFoundError:
            raise CommandError(f"{path}: no such file") from None
        except UnicodeDecodeError:
            raise CommandError(f"{path}: not UTF-8 text") from None
        except ImportFileError as exc:
            raise CommandError(
                f"nothing written; {exc.total} error(s), fix these lines:\n{exc}"
            ) from None
        verb = "would write" if result.dry_run else "wrote"
        self.stdout.write(f"{path.name}: {verb} {result.written} row(s).")
