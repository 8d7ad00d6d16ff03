"""Warnings on a pack document: what the seeds advise, which does not stop a publish
(docs/rolepack-format.md, "Warnings"). The one validator (roles.validation) decides what
may be published; these are said beside it, at import and at publish.

- 3 to 5 KPIs ("fewer than three cannot show value; more than five dilute it");
- each KPI baseline measured by the role's first enrollment start, so the AI tool has not
  already moved it.
"""

from __future__ import annotations

from datetime import date

from roles.models import KPIS_ADVISED
from roles.validation import PackError


def _date(value) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def pack_warnings(
    document,
    *,
    first_start: date | None = None,
    source: str = "<document>",
    lines: dict[str, int] | None = None,
) -> list[PackError]:
    """The seeds' advice ``document`` does not follow, as errors that are warnings.
    ``first_start``: the role's first enrollment start (roles.selectors.rolepack_first_start)."""
    if not isinstance(document, dict) or not isinstance(document.get("kpis"), list):
        return []
    lines = lines or {}
    kpis = [kpi for kpi in document["kpis"] if isinstance(kpi, dict)]
    found: list[tuple[str, str]] = []
    low, high = KPIS_ADVISED
    if kpis and not low <= len(kpis) <= high:
        found.append(
            ("kpis", f"{len(kpis)} KPI{'s' if len(kpis) != 1 else ''}: {low} to {high} advised")
        )
    for index, kpi in enumerate(kpis):
        measured = _date(kpi.get("baseline_measured_on"))
        if first_start is not None and measured is not None and measured > first_start:
            found.append(
                (
                    f"kpis[{index}].baseline_measured_on",
                    f"the baseline was measured on {measured.isoformat()}, after the role's "
                    f"first start ({first_start.isoformat()}): it may already include the "
                    "AI tool's effect",
                )
            )
    return [PackError(source, lines.get(path), path, message) for path, message in found]
