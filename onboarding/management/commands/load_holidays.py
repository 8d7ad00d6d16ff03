"""python manage.py load_holidays COUNTRY YEAR [--subdiv X]: public holidays into Holiday."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from onboarding.organisation import holidays_load


class Command(BaseCommand):
    help = (
        "Load a country's public holidays for a year (from the `holidays` package) as the "
        "organisation's holidays. Idempotent. Existing enrollments keep their dates."
    )

    def add_arguments(self, parser):
        parser.add_argument("country", help="ISO 3166-1 alpha-2 code, e.g. FR, US, DE")
        parser.add_argument("year", type=int)
        parser.add_argument("--subdiv", help="a subdivision, e.g. CA for US or BY for DE")

    def handle(self, *args, country: str, year: int, subdiv: str | None, **options):
        if not 1900 <= year <= 2200:
            raise CommandError(f"year: {year} is out of range (1900–2200)")
        try:
            created, updated = holidays_load(country=country, year=year, subdiv=subdiv)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(
            f"{country.upper()}{'-' + subdiv if subdiv else ''} {year}: "
            f"{created} holiday(s) added, {updated} renamed"
        )
