"""``{% load team_nav %}``: whether the navigation shows "My team" (managers and power
users), in one query — none on /team/, which has just loaded both lists, nor on /my/, whose
enrollment query answers it."""

from django import template
from django.db.models import Q

from ..models import Enrollment

register = template.Library()


@register.filter
def has_team(user) -> bool:
    known = getattr(user, "has_team_known", None)  # set by enrollment_for_user on /my/
    if known is not None:
        return known
    cache = getattr(user, "_prefetched_objects_cache", {})
    if "managed_enrollments" in cache or "buddy_enrollments" in cache:
        return any(cache.get(name) for name in ("managed_enrollments", "buddy_enrollments"))
    if not getattr(user, "is_authenticated", False):
        return False
    return Enrollment.objects.filter(Q(manager=user) | Q(buddy=user)).exists()
