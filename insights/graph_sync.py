"""``sync_usage``: pull the Copilot usage report from Microsoft Graph and keep it as history
(insights/usage.py), recording each run as a UsageSync; and the status of the last run, for
the dashboard and ``/healthz/usage`` (docs/metrics.md, "Usage history")."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from .graph import GraphError, fetch_usage_report
from .models import UsageSync
from .usage import UsageImportResult, usage_store

# A sync older than this many hours is reported stale (the beat runs it daily).
STALE_AFTER_HOURS = 36
# The status looks this far back for the last successful sync (a month of daily runs).
RECENT_SYNCS = 30


@dataclass
class SyncOutcome:
    sync: UsageSync
    result: UsageImportResult | None = None


def usage_sync(*, period: str = "D7", now: datetime | None = None) -> SyncOutcome:
    """One sync. Raises GraphError (after recording the failed run) when Graph fails."""
    started = now or timezone.now()
    try:
        report = fetch_usage_report(period)
        result = usage_store(report=report, now=started)
    except GraphError as exc:
        UsageSync.objects.create(
            started_at=started,
            finished_at=timezone.now(),
            period=period,
            outcome=UsageSync.Outcome.FAILED,
            message=str(exc)[:2000],
        )
        raise
    sync = UsageSync.objects.create(
        started_at=started,
        finished_at=timezone.now(),
        period=period,
        outcome=UsageSync.Outcome.UNCHANGED if result.duplicate else UsageSync.Outcome.OK,
        report_id=result.report_id,
        rows=result.rows,
        matched=result.matched,
        unmatched=result.unmatched,
        message=(
            "Unmatched (first ones): " + ", ".join(result.unmatched_examples)
            if result.unmatched
            else ""
        ),
    )
    return SyncOutcome(sync=sync, result=result)


def usage_sync_status(now: datetime | None = None) -> dict:
    """The last sync as JSON-ready data: configured, last run, outcome, report date, stale.

    Without Graph configured there is nothing to read (no query); otherwise one query."""
    now = now or timezone.now()
    status = {
        "configured": settings.GRAPH_CONFIGURED,
        "last_sync": None,
        "outcome": None,
        "report_date": None,
        "matched": None,
        "unmatched": None,
        "message": "",
        "stale": settings.GRAPH_CONFIGURED,
    }
    if not settings.GRAPH_CONFIGURED:
        return status
    recent = list(UsageSync.objects.select_related("report")[:RECENT_SYNCS])
    if not recent:
        return status
    last = recent[0]
    ok = next((s for s in recent if s.outcome != UsageSync.Outcome.FAILED), None)
    status.update(
        last_sync=last.finished_at.isoformat(),
        outcome=last.outcome,
        report_date=ok.report.report_date.isoformat() if ok and ok.report else None,
        matched=last.matched,
        unmatched=last.unmatched,
        message=last.message,
        stale=ok is None or now - ok.finished_at > timedelta(hours=STALE_AFTER_HOURS),
    )
    return status
