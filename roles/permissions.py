"""Who may author role packs: superusers and members of the "enablement" group."""

from __future__ import annotations

AUTHORING_GROUP = "enablement"


def can_author_packs(user) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    # Cached on the user object (one per request): admin pages ask once per inline row.
    cached = getattr(user, "_can_author_packs", None)
    if cached is None:
        cached = user.groups.filter(name=AUTHORING_GROUP).exists()
        user._can_author_packs = cached
    return cached


def can_author_packs_in_admin(user) -> bool:
    return bool(getattr(user, "is_staff", False)) and can_author_packs(user)
