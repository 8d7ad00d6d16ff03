"""Passwordless sign-in: a signed, expiring, single-use link sent by email.

The token is a PasswordResetTokenGenerator with its own salt. Its hash covers the
user's ``last_login``, so signing in once (which updates ``last_login``) makes the
link invalid: single use without storing anything.

Asking for a link (:func:`magic_link_request`) only enqueues a task, whoever the address
belongs to: the page answers the same, in the same time, for known and unknown addresses,
and whatever SMTP does. The task (:func:`magic_link_send`) applies the rate limit, looks the
address up and sends; the link is built on ``SITE_URL``, never on a request's Host. See
docs/security.md ("Sign-in").
"""

import hashlib
import logging
import smtplib

from celery import current_app
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.cache import cache
from django.core.mail import send_mail
from django.db.models import Q
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes, force_str
from django.utils.http import base36_to_int, urlsafe_base64_decode, urlsafe_base64_encode

logger = logging.getLogger(__name__)
User = get_user_model()

# Sends per email address per window: enough for a lost email or two, not for a mail bomb.
RATE_LIMIT_SENDS = 5
RATE_LIMIT_WINDOW_SECONDS = 3600
# The task's registered name (onboarding.tasks declares it): enqueued by name, so this module
# never imports the tasks module (which imports it).
SEND_EMAIL_LINK = "onboarding.tasks.send_email_link"


class MagicLinkTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "onboarding.auth.MagicLinkTokenGenerator"

    def check_token(self, user, token) -> bool:
        """As the parent, but expiring after settings.MAGIC_LINK_MAX_AGE."""
        if not (user and token):
            return False
        try:
            ts_b36, _ = token.split("-")
            ts = base36_to_int(ts_b36)
        except ValueError:
            return False
        for secret in [self.secret, *self.secret_fallbacks]:
            if constant_time_compare(self._make_token_with_timestamp(user, ts, secret), token):
                break
        else:
            return False
        return 0 <= self._num_seconds(self._now()) - ts <= settings.MAGIC_LINK_MAX_AGE


magic_link_tokens = MagicLinkTokenGenerator()


def magic_link_path(*, user) -> str:
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = magic_link_tokens.make_token(user)
    return reverse("onboarding:email-link-confirm", kwargs={"uidb64": uidb64, "token": token})


def magic_link_url(*, user) -> str:
    """An absolute sign-in link for ``user``, on SITE_URL (never on a request's Host)."""
    return f"{settings.SITE_URL}{magic_link_path(user=user)}"


def magic_link_user(*, uidb64: str, token: str):
    """The active user the link signs in, or None if it is invalid, expired or used."""
    try:
        pk = force_str(urlsafe_base64_decode(uidb64))
        user = User.objects.get(pk=pk, is_active=True)
    except (TypeError, ValueError, OverflowError, User.DoesNotExist):
        return None
    return user if magic_link_tokens.check_token(user, token) else None


def magic_link_eligible_user(*, email: str):
    """The user an email link may be sent to: enrolled, a manager or a buddy."""
    email = (email or "").strip()
    if not email:
        return None
    return (
        User.objects.filter(email__iexact=email, is_active=True)
        .filter(
            Q(enrollment__isnull=False)
            | Q(managed_enrollments__isnull=False)
            | Q(buddy_enrollments__isnull=False)
        )
        .order_by("id")
        .first()
    )


def _rate_limited(email: str) -> bool:
    """True once ``email`` has had RATE_LIMIT_SENDS sends in the window. Each send takes one of
    RATE_LIMIT_SENDS slots in the shared cache (``cache.add`` is atomic on Redis and on the
    database cache), each kept for the window: every process and worker agrees."""
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    for slot in range(RATE_LIMIT_SENDS):
        if cache.add(f"magic-link:{digest}:{slot}", 1, RATE_LIMIT_WINDOW_SECONDS):
            return False
    return True


def magic_link_request(*, email: str) -> None:
    """What the page does for every valid address, known or not: enqueue the send. A broker
    that is down loses this one link (the person can ask again), never the page."""
    try:
        current_app.signature(SEND_EMAIL_LINK, args=(email.strip(),)).apply_async(retry=False)
    except Exception:
        logger.warning("email link: could not enqueue the send (broker down?)", exc_info=True)


def magic_link_send(*, email: str) -> bool:
    """Email a sign-in link if ``email`` belongs to someone who may sign in (the task's work).

    Returns whether a mail was sent. SMTP trouble is logged and the link dropped: a sign-in
    link late by minutes is of little use, and the person can ask for another.
    """
    if _rate_limited(email):
        logger.info("email link: rate limit reached")
        return False
    user = magic_link_eligible_user(email=email)
    if user is None:
        return False
    url = magic_link_url(user=user)
    hours = settings.MAGIC_LINK_MAX_AGE // 3600
    validity = f"{hours} hours" if hours >= 1 else f"{settings.MAGIC_LINK_MAX_AGE // 60} minutes"
    try:
        send_mail(
            subject="Your FirstValue sign-in link",
            message=(
                f"Hello {user.get_full_name() or user.email},\n\n"
                f"Open this link to sign in to FirstValue:\n\n{url}\n\n"
                f"It works once and for {validity}. If you did not ask for it, ignore this email.\n"
            ),
            from_email=None,
            recipient_list=[user.email],
        )
    except (smtplib.SMTPException, OSError) as exc:
        logger.warning("email link: SMTP failed, link not sent: %s: %s", type(exc).__name__, exc)
        return False
    return True
