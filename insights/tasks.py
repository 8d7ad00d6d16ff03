"""Celery tasks of insights: the daily usage sync (scheduled in settings when Graph is
configured)."""

import logging

from celery import shared_task

from .graph import GraphError
from .graph_sync import usage_sync

log = logging.getLogger(__name__)


@shared_task
def usage_sync_task(period: str = "D7") -> str:
    """Run one sync; a Graph failure is recorded (UsageSync) and logged, not retried here:
    tomorrow's run tries again, and the dashboard shows the failure meanwhile."""
    try:
        return usage_sync(period=period).sync.outcome
    except GraphError as exc:
        log.warning("usage sync failed: %s", exc)
        return "failed"
