"""The one HTTP sender: a JSON POST to a checked address, within a total deadline, that tells
"not sent" from "may have arrived". See docs/triggers.md ("Retries", "Delivery uncertain").

Three phases, each failure classified by whether the receiver can have seen the request:

1. **connect** (TCP to the address that was checked, then TLS verifying the URL's host name):
   nothing has been sent yet, so a refusal, an unreachable host, a timeout or a failed TLS
   handshake is :class:`NotSent` (worth retrying).
2. **send** the request, 3. **read** the status line and headers: from the first byte on the
   receiver may have acted on it. A reset, a timeout or a response that drips past the
   deadline is :class:`MaybeSent`, never retried automatically.

The deadline (``settings.WEBHOOK_DEADLINE_SECONDS``) covers all three: a timer shuts the
socket down when it passes, so a server that answers one byte every few seconds cannot hold a
worker for longer (a per-read timeout alone never fires on a drip). The response body is not
read: the status decides.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

from django.conf import settings
from django.utils import timezone

from roles.webhooks import CheckedUrl

CONNECT_TIMEOUT_SECONDS = 3.05
USER_AGENT = "FirstValue-webhook/1"


class NotSent(Exception):
    """The request cannot have reached the receiver (failed before any byte was sent)."""


class MaybeSent(Exception):
    """The request may have reached the receiver, but no answer came (in time)."""


@dataclass(frozen=True)
class Answer:
    status: int
    retry_after: float | None  # seconds, from a Retry-After header


class _PinnedConnection(http.client.HTTPConnection):
    """Connects to the checked address; TLS verifies the URL's host name, not the address."""

    def __init__(self, checked: CheckedUrl, timeout: float):
        super().__init__(checked.address, checked.port, timeout=timeout)
        self.checked = checked

    def connect(self):
        # Set before the TLS handshake too, so that the deadline's timer can shut it down.
        self.sock = socket.create_connection((self.host, self.port), self.timeout)
        if self.checked.scheme == "https":
            context = ssl.create_default_context()
            self.sock = context.wrap_socket(self.sock, server_hostname=self.checked.host)


def _abort(connection: http.client.HTTPConnection, fired: threading.Event) -> None:
    fired.set()
    sock = connection.sock
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def retry_after_seconds(value: str | None) -> float | None:
    """A Retry-After header (seconds, or an HTTP date) as seconds from now; None if absent
    or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - timezone.now()).total_seconds())


def post_json(checked: CheckedUrl, payload: dict) -> Answer:
    """POST ``payload`` to ``checked``; the receiver's status, or NotSent / MaybeSent."""
    body = json.dumps(payload).encode()
    deadline = float(settings.WEBHOOK_DEADLINE_SECONDS)
    started = time.monotonic()
    connection = _PinnedConnection(checked, timeout=min(CONNECT_TIMEOUT_SECONDS, deadline))
    default_port = 443 if checked.scheme == "https" else 80
    host = checked.host if checked.port == default_port else f"{checked.host}:{checked.port}"
    fired = threading.Event()
    timer = threading.Timer(deadline, _abort, args=(connection, fired))
    timer.daemon = True
    timer.start()
    try:
        try:
            connection.connect()
        except (OSError, ssl.SSLError) as exc:
            raise NotSent(f"{type(exc).__name__}: {exc}") from exc
        if fired.is_set():
            raise NotSent("no connection within the deadline")
        remaining = max(0.001, deadline - (time.monotonic() - started))
        connection.sock.settimeout(remaining)
        try:
            connection.request(
                "POST",
                checked.path,
                body=body,
                headers={
                    "Host": host,
                    "Content-Type": "application/json",
                    "User-Agent": USER_AGENT,
                },
            )
            response = connection.getresponse()
        except (OSError, http.client.HTTPException) as exc:
            late = fired.is_set() or isinstance(exc, TimeoutError)
            reason = "no answer within the deadline" if late else type(exc).__name__
            raise MaybeSent(f"{reason} ({deadline:g} s): {exc}") from exc
        if fired.is_set():
            raise MaybeSent(f"no answer within the deadline ({deadline:g} s)")
        return Answer(response.status, retry_after_seconds(response.getheader("Retry-After")))
    finally:
        timer.cancel()
        connection.close()
