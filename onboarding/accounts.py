"""Accounts named by email when people are enrolled: found case-insensitively, or created
without a usable password (they sign in by email link or single sign-on)."""

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import connection

User = get_user_model()

# Any constant will do: it only has to be the same for every enrolling transaction.
_ENROLL_LOCK_KEY = 0x46560001


def enroll_lock() -> None:
    """Serialise enrolling transactions on PostgreSQL.

    ``auth_user.email`` is not unique, so two imports naming the same new person at
    once could each create an account; a transaction-scoped advisory lock prevents it.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ENROLL_LOCK_KEY])


def unusable_password() -> str:
    return unusable_passwords(1)[0]


def unusable_passwords(count: int) -> list[str]:
    """``count`` passwords no one can sign in with, the shape of Django's make_password(None)
    without 40 secrets.choice calls each: from one draw of random bytes (30 bytes are 40
    URL-safe base64 characters, so each slice is one whole token)."""
    tokens = secrets.token_urlsafe(30 * count)
    return [UNUSABLE_PASSWORD_PREFIX + tokens[i : i + 40] for i in range(0, 40 * count, 40)]


def user_names(name: str) -> tuple[str, str]:
    """(first_name, last_name) of a shown name, cut to the fields' lengths."""
    first, _, last = name.strip().partition(" ")
    return first[:150], last.strip()[:150]


def user_build(*, email: str, name: str = "") -> "User":
    """An unsaved account for ``email`` (stored lower-case), without a usable password."""
    email = email.strip().lower()
    first, last = user_names(name)
    return User(
        username=email[:150],
        email=email,
        first_name=first,
        last_name=last,
        password=unusable_password(),
    )


def user_get_or_create(*, email: str, name: str = "") -> "User":
    """The account for ``email`` (case-insensitive), created without a usable password."""
    email = email.strip()
    user = User.objects.filter(email__iexact=email).order_by("id").first()
    if user is None:
        user = user_build(email=email, name=name)
        user.save()
    return user
