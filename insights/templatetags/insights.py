"""`{% load insights %}{% if user|can_view_insights %}`: the dashboard permission in templates."""

from django import template

from insights.permissions import can_view_insights as _can_view_insights

register = template.Library()


@register.filter
def can_view_insights(user) -> bool:
    """The same check as the dashboard and the report API (admins and the enablement group)."""
    return _can_view_insights(user)
