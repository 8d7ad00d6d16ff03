"""python manage.py enroll CSV [--dry-run]: enroll people from a CSV file, all or none."""

import argparse
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from onboarding.enroll_csv import BATCH_SIZE, enrollments_import
from onboarding.enroll_rows import EnrollmentImportError, columns_help, path_opener


class Command(BaseCommand):
    # A data command, like loaddata: the system checks would add a fifth of a second to
    # every run and check nothing it depends on.
    requires_system_checks = []
    help = (
        f"Enroll people from a CSV with {columns_help()}. "
        "Every bad row is reported by line; nothing is written if any row is bad."
    )

    def add_arguments(self, parser):
        parser.add_argument("csv", help="path to the CSV file (UTF-8)")
        parser.add_argument(
            "--dry-run", action="store_true", help="check the file and report, write nothing"
        )
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE, help=argparse.SUPPRESS)

    def handle(self, *args, csv: str, dry_run: bool, batch_size: int, **options):
        path = Path(csv)
        if not path.is_file():
            raise CommandError(f"{csv}: no such file")
        try:
            result = enrollments_import(
                opener=path_opener(str(path)),
                source=path.name,
                dry_run=dry_run,
                batch_size=max(1, batch_size),
            )
        except EnrollmentImportError as exc:
            for line in exc.lines():
                self.stderr.write(line)
            raise CommandError(
                f"{exc.total} error(s) in {path.name}; nothing was enrolled"
            ) from exc
        verb = "would enroll" if dry_run else "enrolled"
        self.stdout.write(
            f"{path.name}: {verb} {result.rows} people "
            f"({result.created} new, {result.updated} updated)"
            + (" — dry run, nothing written" if dry_run else "")
        )
