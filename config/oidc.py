"""OpenID Connect sign-in (Entra ID, Okta, …), on only when OIDC_RP_CLIENT_ID is set.

mozilla-django-oidc does the protocol. We add: the endpoints from the provider's discovery
document when they are not given one by one, and accounts matched by email case-insensitively,
so that the account enrollment created is the one the employee signs in to.
"""

import functools

import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from django.http import Http404
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import OIDCAuthenticationRequestView

DISCOVERY_KEYS = {
    "OIDC_OP_ISSUER": "issuer",
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}


@functools.cache
def discovery_document(url: str) -> dict:
    if not url.rstrip("/").endswith("/.well-known/openid-configuration"):
        url = url.rstrip("/") + "/.well-known/openid-configuration"
    response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
    response.raise_for_status()
    return response.json()


def oidc_setting(attr: str, *args):
    """A mozilla-django-oidc setting; an endpoint left empty comes from discovery."""
    value = import_from_settings(attr, *args)
    if attr in DISCOVERY_KEYS and not value:
        if settings.OIDC_OP_DISCOVERY:
            document = discovery_document(settings.OIDC_OP_DISCOVERY)
            value = document.get(DISCOVERY_KEYS[attr]) or value
    return value


class AuthenticationRequestView(OIDCAuthenticationRequestView):
    """Redirects to the provider; 404 when SSO is off (the urls may outlive a settings change)."""

    get_settings = staticmethod(oidc_setting)

    def dispatch(self, request, *args, **kwargs):
        if not settings.OIDC_ENABLED:
            raise Http404("Single sign-on is not configured.")
        return super().dispatch(request, *args, **kwargs)


def _lazy_setting(attr: str, default=None):
    return property(lambda self: oidc_setting(attr, default))


class EmailOIDCBackend(OIDCAuthenticationBackend):
    """Signs in the account whose email matches the verified id token's, ignoring case."""

    get_settings = staticmethod(oidc_setting)

    # Django instantiates backends on every authenticate() and for every request of a user
    # signed in through this one: read settings (and the discovery document) only when used.
    OIDC_OP_TOKEN_ENDPOINT = _lazy_setting("OIDC_OP_TOKEN_ENDPOINT")
    OIDC_OP_USER_ENDPOINT = _lazy_setting("OIDC_OP_USER_ENDPOINT")
    OIDC_OP_JWKS_ENDPOINT = _lazy_setting("OIDC_OP_JWKS_ENDPOINT")
    OIDC_RP_CLIENT_ID = _lazy_setting("OIDC_RP_CLIENT_ID")
    OIDC_RP_CLIENT_SECRET = _lazy_setting("OIDC_RP_CLIENT_SECRET")
    OIDC_RP_SIGN_ALGO = _lazy_setting("OIDC_RP_SIGN_ALGO", "RS256")
    OIDC_RP_IDP_SIGN_KEY = _lazy_setting("OIDC_RP_IDP_SIGN_KEY")

    def __init__(self, *args, **kwargs):
        self.UserModel = get_user_model()

    def authenticate(self, request, **kwargs):
        if not settings.OIDC_ENABLED:
            return None
        return super().authenticate(request, **kwargs)

    def verify_token(self, token, **kwargs):
        """The library checks signature, expiry and nonce; we also check who the token is for."""
        payload = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("The id token was issued for another client.")
        issuer = oidc_setting("OIDC_OP_ISSUER", "")
        if issuer and payload.get("iss") != issuer:
            raise SuspiciousOperation("The id token comes from another issuer.")
        return payload

    def get_userinfo(self, access_token, id_token, payload):
        claims = super().get_userinfo(access_token, id_token, payload)
        # OpenID Connect Core 5.3.2: userinfo about another subject must not be used.
        if claims.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("The userinfo response is about another subject.")
        return claims

    def filter_users_by_claims(self, claims):
        email = (claims.get("email") or "").strip()
        if not email:
            return self.UserModel.objects.none()
        return self.UserModel.objects.filter(email__iexact=email).order_by("id")

    def create_user(self, claims):
        email = claims["email"].strip().lower()
        user = self.UserModel(
            username=email[:150],
            email=email,
            first_name=(claims.get("given_name") or "")[:150],
            last_name=(claims.get("family_name") or "")[:150],
        )
        user.set_unusable_password()
        user.save()
        return user

    def update_user(self, user, claims):
        changed = []
        for field, claim in (("first_name", "given_name"), ("last_name", "family_name")):
            if not getattr(user, field) and claims.get(claim):
                setattr(user, field, claims[claim][:150])
                changed.append(field)
        if changed:
            user.save(update_fields=changed)
        return user
