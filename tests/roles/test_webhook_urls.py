"""Webhook URLs are checked where a pack is saved (the validator: import, API, Publish; the
admin's field) with the same function as at send time (roles.webhooks)."""

import socket

import pytest
from django.contrib.auth.models import Group
from rest_framework.test import APIClient

from onboarding.channels import WebhookUrlError as SendTimeError
from onboarding.channels import webhook_url_check
from roles.canonical import version_to_document
from roles.imports import rolepack_import
from roles.models import RolePack, RolePackVersion
from roles.packfile import dump_yaml
from roles.validation import PackValidationError, validate_document
from roles.webhooks import WebhookUrlError, address_refused, webhook_url_parse
from tests.factories import UserFactory, make_pack

from .test_validation import valid_document

REFUSED = [
    "https://169.254.169.254/latest/meta-data/",
    "https://127.0.0.1/hook",
    "https://127.1/hook",  # short form
    "https://2130706433/hook",  # one integer
    "https://0x7f.0.0.1/hook",  # hex
    "https://localhost/hook",
    "https://a.localhost/hook",
    "https://10.0.0.1/hook",
    "https://[::1]/hook",
    "https://[fe80::1]/hook",
    "https://[fd00:ec2::254]/",
    "https://[::ffff:127.0.0.1]/",  # IPv4-mapped
    "https://[::ffff:169.254.169.254]/",
    "https://[::127.0.0.1]/",  # IPv4-compatible
    "https://[2002:7f00:1::]/",  # 6to4 of 127.0.0.1
    "https://[2002:a9fe:a9fe::1]/",  # 6to4 of the metadata address
    "https://[2002:c0a8:1::]/",  # 6to4 of 192.168.0.1
    "https://[64:ff9b::7f00:1]/",  # NAT64 of 127.0.0.1
    "https://[64:ff9b::a9fe:a9fe]/",  # NAT64 of the metadata address
    "https://[64:ff9b:1::a00:1]/",  # local-use NAT64 of 10.0.0.1
    "https://[2001:0:4136:e378:8000:63bf:80ff:fffe]/",  # Teredo, client 127.0.0.1
    "https://[2001:db8::1]/",  # documentation
]
ACCEPTED = [
    "https://93.184.216.34/services/T0/B0/x",
    "https://[2606:4700::1111]/hook",
    "https://[64:ff9b::5db8:d822]/hook",  # NAT64 of a public address
    "https://[2002:5db8:d822::1]/hook",  # 6to4 of a public address
    "https://hooks.slack.com/services/T0/B0/x",  # a name: resolved at send time
]


@pytest.mark.parametrize("url", REFUSED)
def test_a_non_global_address_is_refused_where_the_pack_is_saved_and_at_send_time(url):
    with pytest.raises(WebhookUrlError, match="non-public address"):
        webhook_url_parse(url)
    with pytest.raises(SendTimeError, match="non-public address"):
        webhook_url_check(url)
    document = valid_document()
    document["interventions"][1]["webhook_url"] = url
    errors = validate_document(document)
    assert [(e.path, "non-public address" in e.message) for e in errors] == [
        ("interventions[1].webhook_url", True)
    ]


@pytest.mark.parametrize("url", ACCEPTED)
def test_a_public_address_or_a_name_is_accepted_where_the_pack_is_saved(url):
    webhook_url_parse(url)
    document = valid_document()
    document["interventions"][1]["webhook_url"] = url
    assert validate_document(document) == []


def test_every_ipv6_form_that_carries_an_ipv4_address_is_judged_by_it():
    import ipaddress

    for text in ("::ffff:10.0.0.1", "2002:a00:1::", "64:ff9b::a00:1", "::a00:1"):
        assert address_refused(ipaddress.ip_address(text)), text
    assert not address_refused(ipaddress.ip_address("64:ff9b::808:808"))


@pytest.mark.parametrize("answer", ["10.0.0.5", "2002:7f00:1::", "64:ff9b::a9fe:a9fe"])
def test_a_name_that_resolves_inward_is_refused_at_send_time(monkeypatch, answer):
    real = socket.getaddrinfo

    def resolver(host, port, *args, **kwargs):
        if host != "inward.example.com" or kwargs.get("flags"):
            return real(host, port, *args, **kwargs)
        family = socket.AF_INET6 if ":" in answer else socket.AF_INET
        return [(family, socket.SOCK_STREAM, 6, "", (answer, port))]

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    url = "https://inward.example.com/hook"
    webhook_url_parse(url)  # a name: saved, as its answer may change
    with pytest.raises(SendTimeError, match=rf"resolves to a non-public address \({answer}\)"):
        webhook_url_check(url)


def test_allowed_hosts_pass_both_checks_alike(settings):
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.WEBHOOK_ALLOW_HTTP_FOR_ALLOWED_HOSTS = True
    document = valid_document()
    document["interventions"][1]["webhook_url"] = "http://127.0.0.1:8080/hook"
    assert validate_document(document) == []
    assert webhook_url_check("http://127.0.0.1:8080/hook").port == 8080


@pytest.mark.django_db
def test_the_import_refuses_it_with_file_line_and_field_path(tmp_path):
    document = version_to_document(make_pack("hooks"))
    RolePack.objects.all().delete()
    document["interventions"][1].update(
        channel="teams", webhook_url="https://[2002:a9fe:a9fe::]/latest/meta-data/"
    )
    text = dump_yaml(document)
    target = tmp_path / "pack.yaml"
    target.write_text(text, encoding="utf-8")
    with pytest.raises(PackValidationError) as caught:
        rolepack_import(path=target)
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "2002:a9fe:a9fe::" in row)
    assert [str(e) for e in caught.value.errors] == [
        f"{target}:{line}: interventions[1].webhook_url: "
        "webhook URL points to a non-public address (2002:a9fe:a9fe::)"
    ]
    assert not RolePack.objects.filter(slug="hooks").exists()


@pytest.mark.django_db
def test_the_api_refuses_it_with_the_field_path():
    author = UserFactory()
    author.groups.add(Group.objects.get_or_create(name="enablement")[0])
    version = make_pack("api-hooks-source")
    document = dict(version_to_document(version), slug="api-hooks")
    document["interventions"][0].update(channel="slack", webhook_url="https://169.254.169.254/")
    client = APIClient()
    client.force_authenticate(author)
    response = client.post("/api/rolepacks/", document, format="json")
    assert response.status_code == 400
    assert {e["path"]: e["message"] for e in response.json()["errors"]} == {
        "interventions[0].webhook_url": (
            "webhook URL points to a non-public address (169.254.169.254)"
        )
    }
    assert not RolePack.objects.filter(slug="api-hooks").exists()


@pytest.mark.django_db
def test_the_admin_refuses_it_at_the_inline_field(client):
    author = UserFactory(is_staff=True)
    author.groups.add(Group.objects.get_or_create(name="enablement")[0])
    client.force_login(author)
    draft = make_pack(published=False)
    data = {
        "name": draft.name,
        "description": "",
        "fvm_deliverable": "x",
        "fvm_baseline_minutes": 30,
        "fvm_target_minutes": 5,
        "fvm_evidence": "y",
        "holdout_percent": 0,
        "context_terminology": "{}",
    }
    for prefix in ("prompts", "demos", "steps", "interventions", "kpis"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    data.update(
        {
            "interventions-TOTAL_FORMS": 1,
            "interventions-0-day": 5,
            "interventions-0-kind": "manager_nudge",
            "interventions-0-channel": "teams",
            "interventions-0-webhook_url": "https://[::ffff:169.254.169.254]/",
            "interventions-0-message": "Hi {{name}}",
        }
    )
    before = draft.interventions.count()
    response = client.post(f"/admin/roles/rolepackversion/{draft.pk}/change/", data)
    assert response.status_code == 200
    formset = next(
        f.formset
        for f in response.context["inline_admin_formsets"]
        if f.formset.prefix == "interventions"
    )
    assert "non-public address" in str(formset.errors[0]["webhook_url"])
    assert RolePackVersion.objects.get(pk=draft.pk).interventions.count() == before
