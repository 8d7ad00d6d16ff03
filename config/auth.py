"""Login throttling glue for django-axes: who a failure counts against (one identity per
account, whether typed as username or email), the client's address (X-Forwarded-For only from
TRUSTED_PROXIES), and a limit per address across accounts. See docs/security.md, "Sign-in"."""

import ipaddress
from functools import lru_cache

from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied
from axes.helpers import get_lockout_message
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db.models import Q, Sum
from django.utils import timezone

# The longest identifier worth looking up (an email is at most 254 characters).
IDENTIFIER_MAX_CHARS = 254


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
        credentials = {settings.AXES_USERNAME_FORM_FIELD: username}
        if username is not None and address_locked_out(request, credentials):
            kwargs.get("response_context", {})["error"] = get_lockout_message()
            request.axes_locked_out = True
            raise AxesBackendPermissionDenied("too many failed sign-ins from this address")
        return super().authenticate(request, username=username, password=password, **kwargs)


def address_locked_out(request, credentials=None) -> bool:
    """True once one client address has failed AXES_ADDRESS_FAILURE_LIMIT password sign-ins,
    whatever the accounts, within the cool-off (axes' own records, so every process agrees)."""
    if not_a_password_login(request, credentials):
        return False
    address = client_ip(request)
    if not address:
        return False
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    failures = AccessAttempt.objects.filter(ip_address=address, attempt_time__gte=since).aggregate(
        total=Sum("failures_since_start")
    )["total"]
    return (failures or 0) >= settings.AXES_ADDRESS_FAILURE_LIMIT


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
    """The identity a lockout counts against: the account's username (case-folded) whether it
    was typed as the username or the email, in any case; an identifier that names no one
    counts as typed, case-folded, at most 254 characters. NUL characters are dropped (a
    database cannot store them)."""
    typed = None
    if credentials:
        typed = credentials.get(settings.AXES_USERNAME_FORM_FIELD)
    if typed is None:
        data = getattr(request, "data", None) or getattr(request, "POST", {})
        typed = data.get(settings.AXES_USERNAME_FORM_FIELD)
    if not isinstance(typed, str):
        return typed
    typed = typed.replace("\x00", "").strip()
    known = getattr(request, "_throttle_identities", None)
    if known is None:
        known = {}
        if request is not None:
            request._throttle_identities = known
    if typed not in known:
        user = None
        if typed and len(typed) <= IDENTIFIER_MAX_CHARS:
            user = EmailOrUsernameBackend._find(get_user_model(), typed)
        # Cut to what axes' column holds (an identifier that long names no one anyway).
        known[typed] = (user.get_username() if user else typed).lower()[:IDENTIFIER_MAX_CHARS]
    return known[typed]


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry)


def _address(text: str):
    try:
        return ipaddress.ip_address(text.strip().split("%", 1)[0])
    except ValueError:
        return None


def _trusted(address, networks) -> bool:
    if address is None:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return any(address.version == net.version and address in net for net in networks)


def client_ip(request) -> str | None:
    """The address a lockout (and the audit trail) counts against.

    REMOTE_ADDR, unless it is one of TRUSTED_PROXIES (addresses or networks): then
    X-Forwarded-For is read from the right, each hop a trusted proxy vouches for, and the
    first hop that is not itself a trusted proxy is the client. Anything left of it was written
    by the client and is ignored; a request that reaches the app directly (not from a trusted
    proxy) has its header ignored altogether.
    """
    meta = request.META
    remote = meta.get("REMOTE_ADDR")
    networks = _networks(tuple(settings.TRUSTED_PROXIES))
    if not networks or not _trusted(_address(remote or ""), networks):
        return remote
    client = remote
    hops = [hop.strip() for hop in meta.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for hop in reversed([hop for hop in hops if hop]):
        address = _address(hop)
        if address is None:
            break  # not an address: keep the last one a trusted proxy vouched for
        client = str(address)
        if not _trusted(address, networks):
            break
    return client
