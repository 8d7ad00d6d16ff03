"""``run_triggers [--now ISO8601]``: one non-activation sweep, the code beat runs."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from onboarding.triggers import triggers_sweep


def parse_now(value: str) -> datetime:
    try:
        instant = datetime.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(
            f"--now: {value!r} is not an ISO 8601 date-time (e.g. 2026-11-25T09:00:00+01:00)"
        ) from exc
    if timezone.is_naive(instant):
        # No offset given: the organisation's reference timezone (settings.TIME_ZONE).
        instant = instant.replace(tzinfo=ZoneInfo(settings.TIME_ZONE))
    return instant


class Command(BaseCommand):
    help = "Run one non-activation sweep: record due interventions and check-ins, enqueue sends."

    def add_arguments(self, parser):
        parser.add_argument(
            "--now",
            help="Sweep as of this instant (ISO 8601; without an offset, settings.TIME_ZONE). "
            "Default: now.",
        )

    def handle(self, *args, **options):
        now = parse_now(options["now"]) if options["now"] else timezone.now()
        result = triggers_sweep(now=now)
        self.stdout.write(str(result))
