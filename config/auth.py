"""Login throttling glue for django-axes."""

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db.models import Q


class LoginThrottleBackend(AxesStandaloneBackend):
    """django-axes' lockout check, first among the authentication backends.

    Every login that comes over HTTP — the login page, the admin login, HTTP Basic on the API,
    the OIDC callback — calls ``authenticate(request, …)`` and is throttled here. A call with no
    request can only come from our own code (a shell, a test's ``client.login``); there is no
    client to lock out, so the check steps aside instead of raising.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class EmailOrUsernameBackend(ModelBackend):
    """Password sign-in by username or email, whatever their case (after LoginThrottleBackend).

    An exact username wins; otherwise one case-insensitive match on the username, then on the
    email. Several people sharing an email case-insensitively sign in by their username only.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        User = get_user_model()
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if username is None or password is None:
            return None
        username = username.strip()
        user = self._find(User, username)
        if user is None:
            User().set_password(password)  # same work as a real check: no user enumeration
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def get_all_permissions(self, user_obj, obj=None):
        """The user's own and their groups' permissions in one query, not Django's two: every
        page asks one (the layout's Dashboard link, ``roles.permissions.is_enablement``)."""
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            if user_obj.is_superuser:
                perms = Permission.objects.all()
            else:
                perms = Permission.objects.filter(Q(user=user_obj) | Q(group__user=user_obj))
            rows = perms.values_list("content_type__app_label", "codename").distinct()
            user_obj._perm_cache = {f"{app_label}.{codename}" for app_label, codename in rows}
        return user_obj._perm_cache

    @staticmethod
    def _find(User, username: str):
        field = User.USERNAME_FIELD
        for lookup in (
            {field: username},
            {f"{field}__iexact": username},
            {"email__iexact": username},
        ):
            matches = list(User._default_manager.filter(**lookup)[:2])
            if len(matches) == 1:
                return matches[0]
        return None


def not_a_password_login(request, credentials) -> bool:
    """Axes' whitelist: sign-ins that carry no username (the SSO callback) are not throttled.

    There is no password to guess there, and counting them against the client address alone
    would lock a whole office behind one NAT out of SSO after a few refused colleagues.
    """
    return not credentials or credentials.get(settings.AXES_USERNAME_FORM_FIELD) is None


def throttle_username(request, credentials) -> str | None:
    """The username a lockout counts against, case-folded so ``Ann@x`` and ``ann@x`` share it."""
    username = None
    if credentials:
        username = credentials.get(settings.AXES_USERNAME_FORM_FIELD)
    if username is None:
        data = getattr(request, "data", None) or getattr(request, "POST", {})
        username = data.get(settings.AXES_USERNAME_FORM_FIELD)
    return username.strip().lower() if isinstance(username, str) else username


def client_ip(request) -> str | None:
    """The address a lockout counts against.

    Behind ``PROXY_COUNT`` trusted proxies, each appends the address it saw to X-Forwarded-For,
    so the client is the PROXY_COUNT-th entry from the right; anything left of it was written by
    the client and is ignored. With no proxies (or too short a header): REMOTE_ADDR.
    """
    count = settings.PROXY_COUNT
    meta = request.META
    if count:
        hops = [hop.strip() for hop in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop]
        if len(hops) >= count:
            return hops[-count]
    return meta.get("REMOTE_ADDR")
