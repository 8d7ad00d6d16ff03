"""KPI measurements over time and their direction-aware change against baseline and target."""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery

from onboarding.models import Enrollment
from roles.models import Kpi, RolePack, RolePackVersion
from roles.selectors import versions_latest_published

from .models import KpiMeasurement


def kpi_change(
    *, baseline: Decimal, target: Decimal, value: Decimal, direction: str
) -> dict[str, Decimal | None]:
    """Improvement (positive = better) and progress to target (1 = target reached).

    down (lower is better): improvement = baseline − value; progress = that ÷ (baseline − target).
    up: improvement = value − baseline; progress = that ÷ (target − baseline).
    Progress is None when target equals baseline (nothing to progress towards).
    """
    baseline, target, value = Decimal(baseline), Decimal(target), Decimal(value)
    if direction == Kpi.Direction.DOWN:
        improvement, span = baseline - value, baseline - target
    else:
        improvement, span = value - baseline, target - baseline
    progress = (improvement / span) if span else None
    change_pct = (improvement / abs(baseline)) if baseline else None
    return {"improvement": improvement, "progress": progress, "change_pct": change_pct}


def kpi_name_check(*, pack: RolePack, kpi_name: str) -> None:
    if not Kpi.objects.filter(version__pack=pack, name=kpi_name).exists():
        raise ValidationError({"kpi_name": f"{pack.slug} has no KPI named {kpi_name!r}."})


@transaction.atomic
def kpi_measurement_add(
    *,
    pack: RolePack,
    kpi_name: str,
    measured_on: date,
    value: Decimal,
    is_baseline: bool = False,
    note: str = "",
    created_by=None,
) -> KpiMeasurement:
    """Record one measurement of a KPI the pack defines (in any of its versions)."""
    kpi_name = (kpi_name or "").strip()
    kpi_name_check(pack=pack, kpi_name=kpi_name)
    measurement = KpiMeasurement(
        pack=pack,
        kpi_name=kpi_name,
        measured_on=measured_on,
        value=value,
        is_baseline=is_baseline,
        note=note or "",
        created_by=created_by,
    )
    measurement.full_clean()
    measurement.save()
    return measurement


def _latest_versions() -> dict[int, RolePackVersion]:
    versions = versions_latest_published().prefetch_related("kpis")
    return {version.pack_id: version for version in versions}


def kpi_overview(*, role: str | None = None, as_of: date | None = None) -> list[dict]:
    """Every KPI of each pack's latest published version, with its measurements and change.

    Baseline = the latest measurement marked as baseline, else the pack's stated baseline.
    Only measurements dated on or before ``as_of`` (the report's as-of date) count.
    Three queries whatever the number of packs (measurements are entered by hand: few).
    """
    latest = _latest_versions()
    measurements = KpiMeasurement.objects.order_by("measured_on", "id")
    if as_of is not None:
        measurements = measurements.filter(measured_on__lte=as_of)
    if role:
        measurements = measurements.filter(pack__slug=role)
    by_kpi: dict[tuple[int, str], list[KpiMeasurement]] = {}
    for m in measurements:
        by_kpi.setdefault((m.pack_id, m.kpi_name), []).append(m)
    result = []
    for version in sorted(latest.values(), key=lambda v: v.pack.slug):
        if role and version.pack.slug != role:
            continue
        for kpi in version.kpis.all():
            series = by_kpi.get((version.pack_id, kpi.name), [])
            baselines = [m for m in series if m.is_baseline]
            values = [m for m in series if not m.is_baseline]
            baseline = baselines[-1].value if baselines else kpi.baseline
            latest_value = values[-1] if values else None
            change = (
                kpi_change(
                    baseline=baseline,
                    target=kpi.target,
                    value=latest_value.value,
                    direction=kpi.direction,
                )
                if latest_value
                else {"improvement": None, "progress": None, "change_pct": None}
            )
            result.append(
                {
                    "role": version.pack.slug,
                    "kpi": kpi.name,
                    "unit": kpi.unit,
                    "direction": kpi.direction,
                    "baseline": baseline,
                    "baseline_measured": bool(baselines),
                    "baseline_measured_on": baselines[-1].measured_on if baselines else None,
                    "target": kpi.target,
                    "latest": latest_value.value if latest_value else None,
                    "latest_on": latest_value.measured_on if latest_value else None,
                    "measurements": len(values),
                    "first_measured_on": values[0].measured_on if values else None,
                    **change,
                }
            )
    return result


def first_starts() -> dict[str, date]:
    """Each role's first start date (the rollout began then): {slug: date}.

    The earliest start of each version, from the (version, start_date) index: one row read
    per version, not a scan of everyone enrolled."""
    earliest = Enrollment.objects.filter(version=OuterRef("pk")).order_by("start_date")
    rows = RolePackVersion.objects.annotate(
        first=Subquery(earliest.values("start_date")[:1])
    ).values_list("pack__slug", "first")
    starts: dict[str, date] = {}
    for slug, first in rows.order_by():
        if first is not None and (slug not in starts or first < starts[slug]):
            starts[slug] = first
    return starts


def kpis_judged(*, as_of: date) -> list[dict]:
    """Every KPI with measurements by as-of, with whether its baseline predates the rollout
    and whether a later measurement improved by the threshold in the KPI's direction."""
    starts = first_starts()
    needed = Decimal(str(settings.METRICS["readiness_kpi_improvement"]))
    judged = []
    for row in kpi_overview(as_of=as_of):
        if not row["measurements"] and not row["baseline_measured"]:
            continue
        start = starts.get(row["role"])
        on = row["baseline_measured_on"]
        pre_rollout = bool(row["baseline_measured"]) and (start is None or on < start)
        improved = (
            pre_rollout
            and row["latest"] is not None
            and row["latest_on"] > on
            and row["change_pct"] is not None
            and row["change_pct"] >= needed
        )
        judged.append({**row, "pre_rollout": pre_rollout, "improved": improved, "start": start})
    return judged


MINUTE_UNITS = {"minutes", "minute", "min"}


def kpi_minutes_saved(judged: list[dict]) -> Decimal:
    """Minutes per deliverable saved by KPIs in minutes that improved against a pre-rollout
    baseline, each counted once (docs/metrics.md: a deliberate under-estimate)."""
    return sum(
        (
            r["improvement"]
            for r in judged
            if r["pre_rollout"]
            and r["unit"].strip().lower() in MINUTE_UNITS
            and r["improvement"] is not None
            and r["improvement"] > 0
        ),
        Decimal(0),
    )
