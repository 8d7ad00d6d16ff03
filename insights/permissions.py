"""Who may read activation and value: admins (staff) and the "enablement" group."""

from rest_framework.permissions import BasePermission

ENABLEMENT_GROUP = "enablement"


def can_view_insights(user) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_staff or user.is_superuser or user.groups.filter(name=ENABLEMENT_GROUP).exists()


class IsEnablementOrAdmin(BasePermission):
    message = "Only admins and the enablement group can read value reports."

    def has_permission(self, request, view) -> bool:
        return can_view_insights(request.user)
