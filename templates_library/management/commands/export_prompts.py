"""``export_prompts (--role SLUG … | --all) --format FORMAT -o PATH``."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from templates_library.exporters import FORMATS, ExportError
from templates_library.exporters.service import prompts_export


class Command(BaseCommand):
    help = (
        "Export the prompt library of roles' latest published versions into an AI tool's "
        "format. Several roles: m365-agent and json give a zip (one package/document per "
        "role); openwebui, csv and markdown one file; prompty one zip with a folder per role."
    )

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument(
            "--role", action="append", dest="roles", metavar="SLUG", help="repeatable"
        )
        which.add_argument("--all", action="store_true", dest="all_roles")
        parser.add_argument("--format", required=True, choices=FORMATS, dest="fmt")
        parser.add_argument("-o", "--output", required=True, metavar="PATH")

    def handle(self, *args, roles, all_roles, fmt, output, **options):
        path = Path(output)
        if path.is_dir():
            raise CommandError(f"-o {output}: is a directory; give a file path")
        if not path.parent.exists():
            raise CommandError(f"-o {output}: folder {path.parent} does not exist")
        try:
            result = prompts_export(fmt=fmt, role_slugs=roles, all_roles=all_roles, via="command")
        except ExportError as exc:
            raise CommandError(str(exc)) from exc
        path.write_bytes(result.content)
        self.stdout.write(
            f"Wrote {fmt} export ({len(result.content):,} bytes, suggested name "
            f"{result.filename}) to {path}"
        )
