"""Writes for the organisation: its settings (one row) and its holidays.

Changing either moves no one's dates: enrolled people keep theirs (a snapshot; see
docs/enrollment.md, "Holidays").
"""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from .models import Holiday, OrgSettings

HOLIDAY_NAME_MAX = Holiday._meta.get_field("name").max_length


@transaction.atomic
def org_settings_update(
    *,
    nudge_hour: int,
    accountability_after_day: int,
    hourly_rate: Decimal,
    currency: str,
    licensed_seats: int | None = None,
) -> OrgSettings:
    """Set the organisation's settings (the single row, created if need be)."""
    org = OrgSettings.load()
    org.nudge_hour = nudge_hour
    org.accountability_after_day = accountability_after_day
    org.hourly_rate = hourly_rate
    org.currency = currency
    org.licensed_seats = licensed_seats
    org.full_clean()
    org.save()
    return org


@transaction.atomic
def holiday_save(*, day: date, name: str, holiday: Holiday | None = None) -> Holiday:
    """Add a holiday, or change one (``holiday``); ValidationError if the date is taken."""
    holiday = holiday or Holiday()
    holiday.date = day
    holiday.name = name
    holiday.full_clean()
    holiday.save()
    return holiday


@transaction.atomic
def holidays_delete(*, holidays: Iterable[Holiday]) -> int:
    ids = [holiday.pk for holiday in holidays]
    deleted, _ = Holiday.objects.filter(pk__in=ids).delete()
    return deleted


@transaction.atomic
def holidays_load(*, country: str, year: int, subdiv: str | None = None) -> tuple[int, int]:
    """Load a country's public holidays for a year into Holiday (idempotent).

    Returns (created, updated). A country or subdivision the ``holidays`` package does not
    know is a ValidationError naming it.
    """
    import holidays as holidays_lib

    try:
        found = holidays_lib.country_holidays(country.upper(), subdiv=subdiv, years=year)
    except NotImplementedError as exc:
        raise ValidationError({"country": f"{country}: {exc}"}) from exc
    created = updated = 0
    for day, name in sorted(found.items()):
        name = name[:HOLIDAY_NAME_MAX]
        obj, was_created = Holiday.objects.get_or_create(date=day, defaults={"name": name})
        if was_created:
            created += 1
        elif obj.name != name:
            obj.name = name
            obj.save(update_fields=["name"])
            updated += 1
    return created, updated
