from pathlib import Path

from django.core.management.base import BaseCommand

from roles.imports import rolepack_import
from roles.validation import PackValidationError


class Command(BaseCommand):
    help = (
        "Import role packs from a YAML/JSON file, a pack folder (pack.yaml) or a folder of "
        "packs. Every error is listed as file:line: field.path: message; nothing is written "
        "if there is any."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="validate, write nothing")
        parser.add_argument(
            "--draft", action="store_true", help="import as a draft instead of publishing"
        )

    def handle(self, *args, path, dry_run, draft, **options):
        try:
            outcomes = rolepack_import(path=path, dry_run=dry_run, publish=not draft)
        except PackValidationError as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            self.stderr.write(f"{len(exc.errors)} error(s); nothing was imported.")
            raise SystemExit(1) from None
        for outcome in outcomes:
            self.stdout.write(str(outcome))
            for warning in outcome.warnings:
                self.stderr.write(f"warning: {warning}")
