"""Costs and KPI measurements from outside the admin: the services the API and the
``import_costs`` / ``import_kpis`` commands call. A file is checked whole, errors listed by
line, and nothing is written if any line is wrong (docs/metrics.md, "Data entry")."""

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction

from config.error_list import ErrorList, ListedErrors
from onboarding.models import OrgSettings
from roles.models import Kpi, RolePack

from .models import CostEntry, KpiMeasurement

COST_COLUMNS = ("kind", "amount", "currency", "period_start", "period_end", "note")
KPI_COLUMNS = ("role", "kpi", "value", "measured_on")
TRUE = {"1", "true", "yes", "y"}
FALSE = {"", "0", "false", "no", "n"}


class ImportFileError(ListedErrors, ValueError):
    """The problems of a file, one ``name:line N: column: message`` per entry: the first
    MAX_ERRORS_LISTED, then how many more (``config.error_list``)."""


@dataclass
class ImportResult:
    written: int
    dry_run: bool


def _date(value: str, column: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"{column}: {value!r} is not a date that exists (YYYY-MM-DD)") from None


def _decimal(value: str, column: str) -> Decimal:
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        raise ValueError(f"{column}: {value!r} is not a number") from None
    if not number.is_finite():
        raise ValueError(f"{column}: {value!r} is not a number")
    return number


def _rows(lines: Iterable[str], name: str, required: tuple[str, ...]):
    reader = csv.DictReader(lines)
    try:
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
    except csv.Error as exc:
        raise ImportFileError([f"{name}:line 1: {exc}"]) from None
    missing = [c for c in required if c not in header]
    if missing:
        raise ImportFileError([f"{name}:line 1: missing column(s): {', '.join(missing)}"])
    reader.fieldnames = header
    try:
        for row in reader:
            yield reader.line_num, {k: (v or "").strip() for k, v in row.items() if k}
    except csv.Error as exc:
        raise ImportFileError([f"{name}:line {reader.line_num + 1}: {exc}"]) from None


def cost_entry_build(*, row: dict, currency: str) -> CostEntry:
    """One cost line checked (ValueError naming the column)."""
    kind = row.get("kind", "").lower()
    if kind not in CostEntry.Kind.values:
        raise ValueError(f"kind: {kind!r} is not one of {', '.join(CostEntry.Kind.values)}")
    amount = _decimal(row.get("amount", ""), "amount")
    if amount < 0:
        raise ValueError("amount: cannot be negative")
    given = row.get("currency", "").upper()
    if given and given != currency:
        raise ValueError(f"currency: {given!r} is not the organisation's currency {currency}")
    start = _date(row.get("period_start", ""), "period_start")
    end = _date(row.get("period_end", ""), "period_end")
    if end < start:
        raise ValueError("period_end: the period cannot end before it starts")
    entry = CostEntry(
        kind=kind, amount=amount, period_start=start, period_end=end, note=row.get("note", "")
    )
    try:
        entry.full_clean()
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise ValueError(f"{field}: {messages[0]}") from None
    return entry


@transaction.atomic
def costs_import(*, lines: Iterable[str], name: str = "costs.csv", dry_run=False) -> ImportResult:
    currency = OrgSettings.load().currency
    entries, errors = [], ErrorList()
    for line, row in _rows(lines, name, ("kind", "amount", "period_start", "period_end")):
        try:
            entries.append(cost_entry_build(row=row, currency=currency))
        except ValueError as exc:
            errors.append(f"{name}:line {line}: {exc}")
    if errors:
        raise ImportFileError(errors)
    if not dry_run:
        CostEntry.objects.bulk_create(entries)
    return ImportResult(written=len(entries), dry_run=dry_run)


def kpi_measurement_build(*, row: dict, packs: dict, kpis: set) -> KpiMeasurement:
    slug, kpi_name = row.get("role", ""), row.get("kpi", "")
    pack = packs.get(slug)
    if pack is None:
        raise ValueError(f"role: no role pack with slug {slug!r}")
    if (pack.pk, kpi_name) not in kpis:
        raise ValueError(f"kpi: {slug} has no KPI named {kpi_name!r}")
    baseline = row.get("is_baseline", "").lower()
    if baseline not in TRUE | FALSE:
        raise ValueError(f"is_baseline: {baseline!r} is not true or false")
    return KpiMeasurement(
        pack=pack,
        kpi_name=kpi_name,
        value=_decimal(row.get("value", ""), "value"),
        measured_on=_date(row.get("measured_on", ""), "measured_on"),
        is_baseline=baseline in TRUE,
        note=row.get("note", ""),
    )


@transaction.atomic
def kpis_import(
    *, lines: Iterable[str], name: str = "kpis.csv", dry_run=False, created_by=None
) -> ImportResult:
    packs = {p.slug: p for p in RolePack.objects.all()}
    kpis = set(Kpi.objects.values_list("version__pack_id", "name"))
    measurements, errors = [], ErrorList()
    for line, row in _rows(lines, name, KPI_COLUMNS):
        try:
            measurement = kpi_measurement_build(row=row, packs=packs, kpis=kpis)
        except ValueError as exc:
            errors.append(f"{name}:line {line}: {exc}")
            continue
        measurement.created_by = created_by
        measurements.append(measurement)
    if errors:
        raise ImportFileError(errors)
    if not dry_run:
        KpiMeasurement.objects.bulk_create(measurements)
    return ImportResult(written=len(measurements), dry_run=dry_run)


@transaction.atomic
def cost_entry_add(*, row: dict) -> CostEntry:
    """One cost entry (the API): ValidationError keyed by the field."""
    try:
        entry = cost_entry_build(row=row, currency=OrgSettings.load().currency)
    except ValueError as exc:
        field, _, message = str(exc).partition(": ")
        raise ValidationError({field: [message]}) from None
    entry.save()
    return entry
