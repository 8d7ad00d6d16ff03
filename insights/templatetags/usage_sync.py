"""``{% usage_sync_status %}``: the last Microsoft Graph usage sync, as a one-line note on the
dashboard (what /healthz/usage returns, read by insights.graph_sync.usage_sync_status)."""

from django import template

from insights.graph_sync import usage_sync_status as read_status

register = template.Library()


@register.inclusion_tag("insights/_usage_sync.html")
def usage_sync_status():
    return {"sync": read_status()}
