import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from roles.canonical import version_to_document
from roles.models import RolePack
from roles.packfile import dump_yaml
from roles.selectors import version_latest_published


class Command(BaseCommand):
    help = "Write a role pack version as YAML (the latest published one unless --version)."

    def create_parser(self, prog_name, subcommand, **kwargs):
        # Our --version is the pack version; it replaces Django's "--version" (program version).
        kwargs.setdefault("conflict_handler", "resolve")
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("-o", "--output", required=True, help="a file path, or - for stdout")
        parser.add_argument("--version", type=int, dest="number", help="version number")

    def handle(self, *args, slug, output, number, **options):
        pack = RolePack.objects.filter(slug=slug).first()
        if pack is None:
            raise CommandError(f'no role pack "{slug}"')
        versions = pack.versions.all()
        if number is not None:
            version = versions.filter(number=number).first()
            if version is None:
                raise CommandError(f'role pack "{slug}" has no version {number}')
        else:
            version = version_latest_published(slug=slug)
            if version is None:
                raise CommandError(f'role pack "{slug}" has no published version (use --version)')
        text = dump_yaml(version_to_document(version))
        if output == "-":
            sys.stdout.write(text)
            return
        target = Path(output)
        if output.endswith("/") or target.is_dir():
            target = target / f"{slug}.yaml"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        self.stderr.write(f"wrote {slug} v{version.number} to {target}")
