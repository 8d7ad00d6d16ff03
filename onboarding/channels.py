"""Delivery channels: email, Slack and Teams incoming webhooks.

Each ``deliver_*`` either returns (delivered) or raises:
- :class:`TransientError` — nothing was delivered, try again later: SMTP down or refusing for
  now (4xx), a webhook host refused, unreachable, a failed TLS handshake (nothing sent yet),
  HTTP 429 (with its Retry-After) and 5xx;
- :class:`PermanentError` — trying again cannot help (a refused URL, a 3xx/4xx, a refused
  recipient, no address);
- :class:`UncertainError` — the message may have reached the receiver but no answer came
  (a timeout or reset after sending, a webhook that drips past the deadline, SMTP lost after
  the message was given): recorded as "delivery uncertain", never repeated automatically.

Webhook URLs must be https and resolve only to public addresses (roles.webhooks, the same
check as where a pack is saved), checked again at send time (so a DNS answer that changed
since the URL was saved cannot point us inward) and the connection is pinned to the address
that was checked (no second lookup to rebind); onboarding.http_post sends within a total
deadline.
"""

import re
import smtplib
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection

from roles import webhooks

from . import http_post


class TransientError(Exception):
    """Nothing was delivered; worth another try later."""

    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after  # seconds the receiver asked us to wait (429)


class PermanentError(Exception):
    """Another try would fail the same way."""


class UncertainError(Exception):
    """The message may have been delivered: never sent again without a person deciding."""


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


def _post_json(url: str, payload: dict) -> None:
    checked = webhook_url_check(url)
    try:
        answer = http_post.post_json(checked, payload)
    except http_post.NotSent as exc:
        raise TransientError(f"webhook {checked.host}: not sent: {exc}") from exc
    except http_post.MaybeSent as exc:
        raise UncertainError(f"webhook {checked.host}: delivery uncertain: {exc}") from exc
    status = answer.status
    if status == 429 or status >= 500:
        raise TransientError(
            f"webhook {checked.host} answered HTTP {status}", retry_after=answer.retry_after
        )
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
    connection = get_connection()
    try:
        connection.open()  # connect, TLS, log in: nothing of the message sent yet
    except (smtplib.SMTPException, OSError) as exc:
        raise TransientError(f"SMTP: {type(exc).__name__}: {exc}") from exc
    mail.connection = connection
    try:
        mail.send()
    except smtplib.SMTPRecipientsRefused as exc:
        raise PermanentError(f"SMTP refused the recipient {message.to}: {exc}") from exc
    except smtplib.SMTPResponseException as exc:
        # The server answered: it did not take the message (4xx: for now, 5xx: for good).
        error = f"SMTP answered {exc.smtp_code}: {exc.smtp_error!r}"
        if 400 <= exc.smtp_code < 500:
            raise TransientError(error) from exc
        raise PermanentError(error) from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise UncertainError(f"SMTP: delivery uncertain: {type(exc).__name__}: {exc}") from exc
    finally:
        connection.close()


def deliver_slack(*, url: str, markdown_text: str) -> None:
    _post_json(url, {"text": slack_mrkdwn(markdown_text), "mrkdwn": True})


def deliver_teams(*, url: str, title: str, markdown_text: str, link: str = "") -> None:
    _post_json(url, teams_card(title=title, markdown_text=markdown_text, link=link))
