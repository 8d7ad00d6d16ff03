"""Delivery channels: email, Slack and Teams incoming webhooks.

Each ``deliver_*`` either returns (delivered) or raises:
- :class:`TransientError` — try again later (SMTP trouble, timeouts, connection errors,
  HTTP 429 and 5xx);
- :class:`PermanentError` — trying again cannot help (a refused URL, a 4xx, no address).

Webhook URLs must be https and resolve only to public addresses (roles.webhooks, the same
check as where a pack is saved), checked again at send time (so a DNS answer that changed
since the URL was saved cannot point us inward) and the connection is pinned to the address
that was checked (no second lookup to rebind).
"""

import re
import smtplib
from dataclasses import dataclass, field

import requests
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from requests.adapters import HTTPAdapter

from roles import webhooks

WEBHOOK_TIMEOUT_SECONDS = (3.05, 10)  # connect, read


class TransientError(Exception):
    """Worth another try later."""


class PermanentError(Exception):
    """Another try would fail the same way."""


class WebhookUrlError(PermanentError, ValueError):
    """The webhook URL is not one we will call."""


@dataclass
class Email:
    to: str
    subject: str
    text: str
    html: str
    attachments: list[tuple[str, bytes, str]] = field(default_factory=list)


# --- Webhook URL validation: roles.webhooks, the same check as where a pack is saved -----

CheckedUrl = webhooks.CheckedUrl


def webhook_url_check(url: str) -> CheckedUrl:
    """Validate a webhook URL and resolve it; WebhookUrlError says why it is refused."""
    try:
        return webhooks.webhook_url_check(url)
    except webhooks.WebhookUrlError as exc:
        raise WebhookUrlError(str(exc)) from exc


def webhook_url_validate(url: str) -> None:
    """For forms and serializers: raises django's ValidationError with the reason."""
    webhooks.webhook_url_validator(url)


class _PinnedAdapter(HTTPAdapter):
    """Connect to the checked address while TLS still verifies the URL's host name."""

    def __init__(self, host: str, **kwargs):
        self._host = host
        super().__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs):
        kwargs["server_hostname"] = self._host
        kwargs["assert_hostname"] = self._host
        super().init_poolmanager(*args, **kwargs)


def _post_json(url: str, payload: dict) -> None:
    checked = webhook_url_check(url)
    address = checked.address
    netloc_host = f"[{address}]" if ":" in address else address
    target = f"{checked.scheme}://{netloc_host}:{checked.port}{checked.path}"
    default_port = 443 if checked.scheme == "https" else 80
    host_header = checked.host if checked.port == default_port else f"{checked.host}:{checked.port}"
    with requests.Session() as session:
        session.trust_env = False  # no proxies from the environment
        if checked.scheme == "https":
            session.mount("https://", _PinnedAdapter(checked.host, max_retries=0))
        try:
            response = session.post(
                target,
                json=payload,
                headers={"Host": host_header},
                timeout=WEBHOOK_TIMEOUT_SECONDS,
                allow_redirects=False,
            )
        except (requests.Timeout, requests.ConnectionError) as exc:
            raise TransientError(f"webhook {checked.host}: {type(exc).__name__}: {exc}") from exc
        except requests.RequestException as exc:
            raise PermanentError(f"webhook {checked.host}: {exc}") from exc
    status = response.status_code
    if status == 429 or status >= 500:
        raise TransientError(f"webhook {checked.host} answered HTTP {status}")
    if status >= 300:
        raise PermanentError(f"webhook {checked.host} answered HTTP {status}")


# --- Markdown to the chat dialects ------------------------------------------

_LINK = re.compile(r"\[([^\]]+)\]\((https?://[^)\s]+)\)")
_BOLD = re.compile(r"\*\*(.+?)\*\*|__(.+?)__")


def slack_mrkdwn(markdown_text: str) -> str:
    """Slack's mrkdwn: *bold*, <url|text>; & < > escaped as Slack asks."""
    text = markdown_text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _LINK.sub(lambda m: f"<{m.group(2)}|{m.group(1)}>", text)
    return _BOLD.sub(lambda m: f"*{m.group(1) or m.group(2)}*", text)


def teams_card(*, title: str, markdown_text: str, link: str = "") -> dict:
    """An Adaptive Card message for a Teams incoming webhook (TextBlocks take Markdown)."""
    body = [
        {"type": "TextBlock", "text": title, "weight": "Bolder", "size": "Medium", "wrap": True},
        {"type": "TextBlock", "text": markdown_text, "wrap": True},
    ]
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
    }
    if link:
        card["actions"] = [{"type": "Action.OpenUrl", "title": "Open FirstValue", "url": link}]
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": card,
            }
        ],
    }


# --- The channels -------------------------------------------------------------


def deliver_email(message: Email) -> None:
    if not message.to:
        raise PermanentError("no email address to send to")
    mail = EmailMultiAlternatives(
        subject=message.subject,
        body=message.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to],
    )
    mail.attach_alternative(message.html, "text/html")
    for filename, content, mimetype in message.attachments:
        mail.attach(filename, content, mimetype)
    try:
        mail.send()
    except smtplib.SMTPRecipientsRefused as exc:
        raise PermanentError(f"SMTP refused the recipient {message.to}: {exc}") from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise TransientError(f"SMTP: {type(exc).__name__}: {exc}") from exc


def deliver_slack(*, url: str, markdown_text: str) -> None:
    _post_json(url, {"text": slack_mrkdwn(markdown_text), "mrkdwn": True})


def deliver_teams(*, url: str, title: str, markdown_text: str, link: str = "") -> None:
    _post_json(url, teams_card(title=title, markdown_text=markdown_text, link=link))
