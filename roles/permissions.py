"""Who runs the rollout: one permission for pages, APIs, exports and the admin alike.

``roles.manage_rollout`` ("Can author role packs, enroll people, export and read reports",
declared on RolePack's Meta) is the only check for "the enablement team or an admin". A data
migration grants it to the "enablement" group; superusers have it implicitly. ``is_staff``
only lets someone into /admin/, where each model admin asks this permission again: a staff
account without it sees what an employee sees. See docs/security.md.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from rest_framework.permissions import SAFE_METHODS, BasePermission

PERMISSION_CODENAME = "manage_rollout"
PERMISSION_APP_LABEL = "roles"
PERMISSION = f"{PERMISSION_APP_LABEL}.{PERMISSION_CODENAME}"
PERMISSION_NAME = "Can author role packs, enroll people, export and read reports"
ENABLEMENT_GROUP = "enablement"
DENIED_MESSAGE = "This is for the enablement team and admins."


def is_enablement(user) -> bool:
    """May this user author packs, enroll people, export and read reports?

    ``has_perm`` caches the user's permissions on the user object, so the admin asking once per
    inline row costs one pair of queries per request.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    known = getattr(user, "is_enablement_known", None)  # asked already with another query
    if known is not None:
        return known
    return user.has_perm(PERMISSION)


def enablement_group():
    """The "enablement" group, holding the permission (created if missing): for ``demo``."""
    group, _ = Group.objects.get_or_create(name=ENABLEMENT_GROUP)
    group.permissions.add(
        Permission.objects.get(
            content_type__app_label=PERMISSION_APP_LABEL, codename=PERMISSION_CODENAME
        )
    )
    return group


class IsEnablement(BasePermission):
    """DRF: the enablement team and admins only."""

    message = DENIED_MESSAGE

    def has_permission(self, request, view) -> bool:
        return is_enablement(request.user)


class IsEnablementOrReadOnly(BasePermission):
    """DRF: any signed-in user reads; only the enablement team and admins write."""

    message = DENIED_MESSAGE

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        return request.method in SAFE_METHODS or is_enablement(request.user)


def enablement_required(view):
    """For pages: sign in first (a redirect to the login page), then 403 without the permission."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not is_enablement(request.user):
            raise PermissionDenied(DENIED_MESSAGE)
        return view(request, *args, **kwargs)

    return login_required(wrapped)
