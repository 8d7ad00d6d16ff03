"""Webhook URLs: https only, public addresses only, checked at send time, no redirects."""

import http.server
import threading

import pytest
from django.core.exceptions import ValidationError

from onboarding import channels
from onboarding.channels import WebhookUrlError, webhook_url_check

from .triggers_support import WebhookReceiver


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://93.184.216.34/hook", "must use https"),
        ("ftp://93.184.216.34/hook", "must use https"),
        ("https://127.0.0.1/hook", "non-public address (127.0.0.1)"),
        ("https://localhost/hook", "non-public address"),
        ("https://[::1]/hook", "non-public address (::1)"),
        ("https://10.1.2.3/hook", "non-public address"),
        ("https://192.168.0.10/hook", "non-public address"),
        ("https://172.16.0.1/hook", "non-public address"),
        ("https://169.254.169.254/latest/meta-data/", "non-public address (169.254.169.254)"),
        ("https://[fd00:ec2::254]/", "non-public address (fd00:ec2::254)"),
        ("https://[fe80::1]/", "non-public address"),
        ("https://224.0.0.1/", "non-public address"),
        ("https://240.0.0.1/", "non-public address"),
        ("https://0.0.0.0/", "non-public address"),
        ("https://[::ffff:127.0.0.1]/", "non-public address"),
        ("https://user:pw@93.184.216.34/hook", "must not carry credentials"),
        ("https:///hook", "has no host"),
        ("https://no-such-host.invalid/hook", "does not resolve"),
    ],
)
def test_it_refuses_webhook_urls_that_are_not_https_and_public(url, reason):
    with pytest.raises(WebhookUrlError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        webhook_url_check(url)


def test_it_accepts_a_public_https_url():
    checked = webhook_url_check("https://93.184.216.34/services/T000/B000/XXX?x=1")
    assert (checked.host, checked.port, checked.address) == ("93.184.216.34", 443, "93.184.216.34")
    assert checked.path == "/services/T000/B000/XXX?x=1"


def test_allowed_hosts_open_loopback_but_http_needs_its_own_switch(settings):
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.WEBHOOK_ALLOW_HTTP_FOR_ALLOWED_HOSTS = False
    assert webhook_url_check("https://127.0.0.1:8443/hook").address == "127.0.0.1"
    with pytest.raises(WebhookUrlError, match="must use https"):
        webhook_url_check("http://127.0.0.1:8080/hook")
    settings.WEBHOOK_ALLOW_HTTP_FOR_ALLOWED_HOSTS = True
    assert webhook_url_check("http://127.0.0.1:8080/hook").port == 8080
    # ... and only for the hosts named.
    with pytest.raises(WebhookUrlError, match="must use https"):
        webhook_url_check("http://93.184.216.34/hook")


def test_the_form_validator_raises_a_validation_error():
    with pytest.raises(ValidationError, match="must use https"):
        channels.webhook_url_validate("http://93.184.216.34/hook")


def test_the_url_is_checked_again_at_send_time(settings):
    settings.WEBHOOK_ALLOW_HTTP_FOR_ALLOWED_HOSTS = True
    with WebhookReceiver() as receiver:
        settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
        channels.deliver_slack(url=receiver.url, markdown_text="hello")
        # The host is no longer allowed (as if its DNS now answered a private address).
        settings.WEBHOOK_ALLOWED_HOSTS = []
        with pytest.raises(channels.PermanentError, match="must use https|non-public"):
            channels.deliver_slack(url=receiver.url, markdown_text="hello again")
    assert receiver.delivered == [{"text": "hello", "mrkdwn": True}]


def test_it_does_not_follow_redirects(settings):
    hits = []

    class Redirect(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            hits.append(self.path)
            self.send_response(302)
            self.send_header("Location", "http://127.0.0.1:1/elsewhere")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.WEBHOOK_ALLOW_HTTP_FOR_ALLOWED_HOSTS = True
    try:
        with pytest.raises(channels.PermanentError, match="answered HTTP 302"):
            channels.deliver_teams(
                url=f"http://127.0.0.1:{server.server_address[1]}/hook",
                title="t",
                markdown_text="m",
            )
    finally:
        server.shutdown()
        server.server_close()
    assert hits == ["/hook"]


def test_connection_errors_are_transient(settings):
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.WEBHOOK_ALLOW_HTTP_FOR_ALLOWED_HOSTS = True
    with pytest.raises(channels.TransientError, match="not sent: ConnectionRefusedError"):
        channels.deliver_slack(url="http://127.0.0.1:1/hook", markdown_text="x")


def test_slack_mrkdwn_converts_bold_and_links_and_escapes():
    text = channels.slack_mrkdwn("**Ana** & <co> see [the list](https://x.example/my/)")
    assert text == "*Ana* &amp; &lt;co&gt; see <https://x.example/my/|the list>"


def test_an_email_without_an_address_is_a_permanent_failure():
    with pytest.raises(channels.PermanentError, match="no email address"):
        channels.deliver_email(channels.Email(to="", subject="s", text="t", html="<p>t</p>"))
