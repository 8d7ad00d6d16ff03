"""``/privacy/`` and ``/terms/``: the organisation's own texts, which the Microsoft 365 app
manifest links to (``docs/exports.md``). Each is a Markdown file named in settings
(``PRIVACY_POLICY_FILE``, ``TERMS_OF_USE_FILE``), rendered through the one sanitising Markdown
renderer; without one, a default text says what FirstValue keeps and who runs it. Public pages:
Microsoft's catalog and people deciding whether to install the agent read them signed out."""

from pathlib import Path

from django.conf import settings
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.http import require_safe

from templates_library.markdown import render_markdown

PAGES = {
    "privacy": ("Privacy notice", lambda: settings.PRIVACY_POLICY_FILE, "legal/privacy_default.md"),
    "terms": ("Terms of use", lambda: settings.TERMS_OF_USE_FILE, "legal/terms_default.md"),
}


def page_text(kind: str) -> str:
    """The page's Markdown: the organisation's file, or the default text."""
    _, configured, default = PAGES[kind]
    path = configured()
    if path:
        return Path(path).read_text(encoding="utf-8")
    organisation = settings.ORGANISATION_NAME or "your organisation"
    return render_to_string(default, {"organisation": organisation, "site": settings.SITE_URL})


def _page(request, kind: str):
    title = PAGES[kind][0]
    body = render_markdown(page_text(kind))
    return render(request, "legal/page.html", {"title": title, "body": body})


@require_safe
def privacy(request):
    return _page(request, "privacy")


@require_safe
def terms(request):
    return _page(request, "terms")
