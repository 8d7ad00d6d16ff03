"""``{% load rollout %}{% if user|is_enablement %}``: the rollout permission in templates."""

from django import template

from roles import permissions

register = template.Library()


@register.filter
def is_enablement(user) -> bool:
    """The same check as every page, API and export (``roles.permissions.is_enablement``)."""
    return permissions.is_enablement(user)
