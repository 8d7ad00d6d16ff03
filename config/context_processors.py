from django.conf import settings


def sso(request) -> dict:
    """Whether the login page offers "Sign in with your company account"."""
    return {"sso_enabled": settings.OIDC_ENABLED}
