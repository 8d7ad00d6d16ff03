from django.core.management.base import BaseCommand, CommandError

from templates_library.exporters import ExportError
from templates_library.teams_publish import PublishError, agents_publish


class Command(BaseCommand):
    help = (
        "Upload each role's m365-agent package to the organisation's Teams app catalog through "
        "Microsoft Graph (a new version when the app is there); signs a Teams admin in with a "
        "device code."
    )

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--role", action="append", dest="roles", metavar="SLUG")
        group.add_argument("--all", action="store_true", dest="all_roles")
        parser.add_argument("--dry-run", action="store_true", help="Say what would be sent.")

    def handle(self, *args, **options):
        try:
            result = agents_publish(
                role_slugs=options["roles"],
                all_roles=options["all_roles"],
                dry_run=options["dry_run"],
                prompt=self.stdout.write,
            )
        except (PublishError, ExportError) as exc:
            raise CommandError(f"publish_agent: {exc}") from exc
        verb = "would publish" if options["dry_run"] else "published"
        for entry in result.published:
            self.stdout.write(
                f"{entry['role']}: {verb} {entry['version']} ({entry['action']}, "
                f"Teams app {entry['teams_app_id'] or 'new'})"
            )
        for entry in result.unchanged:
            self.stdout.write(f"{entry['role']}: {entry['version']} is already in the catalog")
