"""Content-Security-Policy on every response.

Django 5.2 has no CSP support of its own (6.0 adds it), so this small middleware sends the policy
in ``settings.CONTENT_SECURITY_POLICY``. The source ``'nonce'`` stands for a fresh per-request
nonce: a template that really needs an inline ``<script>`` or ``<style>`` writes
``nonce="{{ request.csp_nonce }}"``. Prefer a static file.
"""

import secrets

from django.conf import settings

HEADER = "Content-Security-Policy"


class Nonce:
    """A per-request nonce, made on first use so untouched responses carry none."""

    def __init__(self) -> None:
        self.value: str | None = None

    def __str__(self) -> str:
        if self.value is None:
            self.value = secrets.token_urlsafe(18)
        return self.value


def build_policy(policy: dict[str, list[str]], nonce: str | None) -> str:
    directives = []
    for directive, sources in policy.items():
        values = [
            f"'nonce-{nonce}'" if source == "'nonce'" else source
            for source in sources
            if source != "'nonce'" or nonce
        ]
        directives.append(" ".join([directive, *values]))
    return "; ".join(directives)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.csp_nonce = Nonce()
        response = self.get_response(request)
        policy = settings.CONTENT_SECURITY_POLICY
        if policy and HEADER not in response:
            response[HEADER] = build_policy(policy, request.csp_nonce.value)
        return response
