import re

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from onboarding.auth import RATE_LIMIT_SENDS, magic_link_url
from tests.factories import UserFactory

LINK = re.compile(r"https?://\S+/accounts/email-link/\S+/")


@pytest.fixture(autouse=True)
def _sends_in_process():
    # The link goes out from a task: run it in-process here, even with a broker configured
    # (CI), so the mail is in the outbox when the page answers.
    from .triggers_support import eager_celery

    with eager_celery():
        yield


def _request_link(client, email):
    return client.post(reverse("onboarding:email-link"), {"email": email})


def _link_path(message) -> str:
    url = LINK.search(message.body).group(0)
    return "/" + url.split("/", 3)[3]


def test_it_emails_an_enrolled_person_a_link_that_signs_them_in(client, enroll, version):
    enroll("ada@example.com", version)
    response = _request_link(client, "ADA@example.com")
    assert response.status_code == 200
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ada@example.com"]
    path = _link_path(mail.outbox[0])

    confirm = client.get(path)
    assert confirm.status_code == 200
    assert "ada@example.com" in confirm.content.decode()
    assert "_auth_user_id" not in client.session  # GET alone never signs in

    signed_in = client.post(path)
    assert signed_in.status_code == 302
    assert signed_in["Location"] == "/"  # the role-aware landing page
    assert client.get("/")["Location"] == "/my/"
    assert client.get("/my/").status_code == 200


def test_it_answers_the_same_for_unknown_and_known_emails(client, enroll, version):
    enroll("ada@example.com", version)
    UserFactory(username="staffless@example.com")  # an account, but not enrolled
    known = _request_link(client, "ada@example.com").content.decode()
    unknown = _request_link(client, "nobody@example.com").content.decode()
    not_enrolled = _request_link(client, "staffless@example.com").content.decode()
    assert len(mail.outbox) == 1

    def strip(page, email):
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page).replace(email, "X")

    assert strip(known, "ada@example.com") == strip(unknown, "nobody@example.com")
    assert strip(known, "ada@example.com") == strip(not_enrolled, "staffless@example.com")


def test_it_sends_links_to_managers_and_buddies_too(client, enroll, version):
    enroll("ada@example.com", version, manager_email="max@example.com", buddy_email="bo@x.org")
    _request_link(client, "max@example.com")
    _request_link(client, "bo@x.org")
    assert [m.to for m in mail.outbox] == [["max@example.com"], ["bo@x.org"]]


def test_it_uses_a_link_only_once(client, enroll, version):
    enrollment = enroll("ada@example.com", version)
    path = "/" + magic_link_url(user=enrollment.user).split("/", 3)[3]
    assert client.post(path).status_code == 302
    client.logout()
    again = client.post(path)
    assert again.status_code == 400
    assert "_auth_user_id" not in client.session
    assert "no longer works" in again.content.decode()


def test_it_rejects_an_expired_link(client, enroll, version, settings):
    settings.MAGIC_LINK_MAX_AGE = 3600
    enrollment = enroll("ada@example.com", version)
    with time_machine.travel("2026-11-30 09:00Z", tick=False):
        path = "/" + magic_link_url(user=enrollment.user).split("/", 3)[3]
    with time_machine.travel("2026-11-30 10:30Z", tick=False):
        assert client.get(path).status_code == 400
        assert client.post(path).status_code == 400
    assert "_auth_user_id" not in client.session


def test_it_rejects_a_tampered_or_foreign_token(client, enroll, version):
    ada = enroll("ada@example.com", version).user
    bob = enroll("bob@example.com", version).user
    ada_path = "/" + magic_link_url(user=ada).split("/", 3)[3]
    bob_path = "/" + magic_link_url(user=bob).split("/", 3)[3]
    ada_uid, ada_token = ada_path.rstrip("/").split("/")[-2:]
    bob_uid, _ = bob_path.rstrip("/").split("/")[-2:]
    forged = reverse(
        "onboarding:email-link-confirm", kwargs={"uidb64": bob_uid, "token": ada_token}
    )
    assert client.post(forged).status_code == 400
    broken = reverse(
        "onboarding:email-link-confirm", kwargs={"uidb64": ada_uid, "token": ada_token[:-2] + "xx"}
    )
    assert client.post(broken).status_code == 400
    junk = reverse("onboarding:email-link-confirm", kwargs={"uidb64": "!!", "token": "zz-zz"})
    assert client.get(junk).status_code == 400


def test_a_password_reset_token_is_not_a_sign_in_token(client, enroll, version):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    user = enroll("ada@example.com", version).user
    path = reverse(
        "onboarding:email-link-confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    assert client.post(path).status_code == 400


def test_it_rate_limits_sends_per_email_without_saying_so(client, enroll, version):
    enroll("ada@example.com", version)
    for _ in range(RATE_LIMIT_SENDS + 3):
        assert _request_link(client, "ada@example.com").status_code == 200
    assert len(mail.outbox) == RATE_LIMIT_SENDS


def test_it_builds_links_on_site_url_without_a_request(enroll, version, settings):
    settings.SITE_URL = "https://fv.example.com"
    user = enroll("ada@example.com", version).user
    assert magic_link_url(user=user).startswith("https://fv.example.com/accounts/email-link/")


@pytest.mark.parametrize("bad", ["", "not-an-email"])
def test_it_asks_again_for_an_invalid_email(client, bad):
    response = _request_link(client, bad)
    assert response.status_code == 200
    assert len(mail.outbox) == 0
    assert 'role="alert"' in response.content.decode()


def test_the_login_page_offers_the_email_link(client):
    page = client.get(reverse("login")).content.decode()
    assert reverse("onboarding:email-link") in page


def test_it_does_not_sign_in_an_inactive_user(client, enroll, version):
    user = enroll("ada@example.com", version).user
    path = "/" + magic_link_url(user=user).split("/", 3)[3]
    user.is_active = False
    user.save()
    assert client.post(path).status_code == 400


# --- the same work for known and unknown addresses, whatever SMTP does ------------------------


def _closed_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_page_does_the_same_work_for_known_and_unknown_addresses(client, enroll, version):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from .triggers_support import broker

    enroll("ada@example.com", version)
    with broker("memory://") as app:
        sent = []
        app.conf.task_always_eager = False
        from celery import signals

        def record(sender=None, body=None, **kwargs):
            sent.append((sender, list(body[0])))

        signals.before_task_publish.connect(record, weak=False)
        try:
            pages = {}
            for email in ("ada@example.com", "nobody@example.com"):
                with CaptureQueriesContext(connection) as queries:
                    response = _request_link(client, email)
                pages[email] = (response.status_code, len(queries))
        finally:
            signals.before_task_publish.disconnect(record)
    # The same status and the same queries (none: the lookup is the task's); each address
    # enqueued alike, and nothing was sent inside the request.
    assert pages["ada@example.com"] == pages["nobody@example.com"] == (200, 0)
    assert sent == [
        ("onboarding.tasks.send_email_link", ["ada@example.com"]),
        ("onboarding.tasks.send_email_link", ["nobody@example.com"]),
    ]
    assert mail.outbox == []


def test_smtp_down_answers_the_same_page_and_sends_nothing(client, enroll, version, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", _closed_port()
    settings.EMAIL_USE_TLS, settings.EMAIL_TIMEOUT = False, 2
    enroll("ada@example.com", version)
    known = _request_link(client, "ada@example.com")
    unknown = _request_link(client, "nobody@example.com")
    assert known.status_code == unknown.status_code == 200
    assert "Check your inbox" in known.content.decode()
    assert [t.name for t in known.templates] == [t.name for t in unknown.templates]
    assert mail.outbox == []


def test_the_link_is_built_on_site_url_not_on_the_requests_host(client, enroll, version, settings):
    settings.SITE_URL = "https://fv.example.com"
    settings.ALLOWED_HOSTS = ["testserver", "evil.example"]
    enroll("ada@example.com", version)
    client.post(
        reverse("onboarding:email-link"), {"email": "ada@example.com"}, HTTP_HOST="evil.example"
    )
    (message,) = mail.outbox
    assert "evil.example" not in message.body
    assert LINK.search(message.body).group(0).startswith("https://fv.example.com/accounts/")


def test_the_rate_limit_is_shared_by_every_process(client, enroll, version, settings):
    from django.core.cache import caches

    backend = settings.CACHES["default"]["BACKEND"]
    assert backend.endswith(("DatabaseCache", "RedisCache")), backend
    enroll("ada@example.com", version)
    for _ in range(RATE_LIMIT_SENDS):
        _request_link(client, "ada@example.com")
    # Another process: a cache connection of its own sees the same slots taken.
    other = caches.create_connection("default")
    from onboarding import auth

    taken = [key for key in range(RATE_LIMIT_SENDS) if other.get(_slot_key(auth, key)) is not None]
    assert taken == list(range(RATE_LIMIT_SENDS))
    _request_link(client, "ada@example.com")
    assert len(mail.outbox) == RATE_LIMIT_SENDS


def _slot_key(auth, slot: int) -> str:
    import hashlib

    digest = hashlib.sha256(b"ada@example.com").hexdigest()
    return f"magic-link:{digest}:{slot}"
