from django.core.management.base import BaseCommand, CommandError

from templates_library.exporters import ExportError
from templates_library.openwebui_push import PushError, prompts_push_openwebui


class Command(BaseCommand):
    help = (
        "Create or update the roles' prompts and model presets in a running Open WebUI through "
        "its API (token OPENWEBUI_API_KEY); a second run changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--to", required=True, choices=["openwebui"])
        parser.add_argument("--url", required=True, help="Open WebUI's address.")
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--role", action="append", dest="roles", metavar="SLUG")
        group.add_argument("--all", action="store_true", dest="all_roles")
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would change; change nothing."
        )

    def handle(self, *args, **options):
        try:
            result = prompts_push_openwebui(
                url=options["url"],
                role_slugs=options["roles"],
                all_roles=options["all_roles"],
                dry_run=options["dry_run"],
            )
        except (PushError, ExportError) as exc:
            raise CommandError(f"push_prompts: {exc}") from exc
        verb = "would " if options["dry_run"] else ""
        for label in result.created:
            self.stdout.write(f"{verb}create {label}")
        for label in result.updated:
            self.stdout.write(f"{verb}update {label}")
        self.stdout.write(
            f"{options['url']}: {len(result.created)} {verb}created, {len(result.updated)} "
            f"{verb}updated, {len(result.unchanged)} unchanged"
            + (" — dry run, nothing changed." if options["dry_run"] else ".")
        )
