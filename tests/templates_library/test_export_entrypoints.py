"""The export command, the API download and the admin action: one service, one log each."""

import base64
import hashlib
import io
import json
import zipfile

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from roles.models import RolePack
from templates_library.export_admin import EXPORT_ACTIONS, ExportLogAdmin, add_export_actions
from templates_library.models import ExportLog
from tests.factories import UserFactory, enablement_user, make_pack

pytestmark = pytest.mark.django_db

CONTENT_TYPES = {
    "m365-agent": "application/zip",
    "openwebui": "application/json",
    "prompty": "application/zip",
    "csv": "text/csv; charset=utf-8",
    "markdown": "text/markdown; charset=utf-8",
    "json": "application/json",
}


def _enablement_user():
    user = UserFactory()
    group, _ = Group.objects.get_or_create(name="enablement")
    user.groups.add(group)
    return user


# --- command ---------------------------------------------------------------------------


def test_it_writes_the_export_and_logs_it(tmp_path):
    version = make_pack()
    target = tmp_path / "out.csv"
    out = io.StringIO()
    call_command(
        "export_prompts",
        "--role",
        "finance-analyst",
        "--format",
        "csv",
        "-o",
        str(target),
        stdout=out,
    )
    content = target.read_bytes()
    assert content.startswith(b"role,slug,title,body,variables,tags")
    log = ExportLog.objects.get()
    assert (log.format, log.via, log.user) == ("csv", "command", None)
    assert log.roles == [{"slug": "finance-analyst", "version": version.number}]
    assert log.content_hash == hashlib.sha256(content).hexdigest()
    assert log.size_bytes == len(content)
    assert "Wrote csv export" in out.getvalue()


def test_it_exports_all_roles_latest_published_version(tmp_path):
    first = make_pack("finance-analyst")
    make_pack(pack=first.pack, number=2)
    make_pack(pack=first.pack, number=3, published=False)
    make_pack("sales-rep", name="Sales rep")
    make_pack("draft-only", published=False)
    target = tmp_path / "all.json"
    call_command("export_prompts", "--all", "--format", "openwebui", "-o", str(target))
    commands = [item["command"] for item in json.loads(target.read_text())]
    assert commands == [
        "finance-analyst-prompt-1",
        "finance-analyst-prompt-2",
        "sales-rep-prompt-1",
        "sales-rep-prompt-2",
    ]
    assert ExportLog.objects.get().roles == [
        {"slug": "finance-analyst", "version": 2},
        {"slug": "sales-rep", "version": 1},
    ]


def test_it_names_unknown_or_unpublished_roles_and_writes_nothing(tmp_path):
    make_pack()
    make_pack("draft-only", published=False)
    target = tmp_path / "out.csv"
    with pytest.raises(
        CommandError, match="no published version for role\\(s\\): nope, draft-only"
    ):
        call_command(
            "export_prompts",
            "--role",
            "nope",
            "--role",
            "draft-only",
            "--role",
            "finance-analyst",
            "--format",
            "csv",
            "-o",
            str(target),
        )
    assert not target.exists()
    assert not ExportLog.objects.exists()


def test_it_fails_clearly_when_the_agent_instructions_are_too_long(tmp_path):
    version = make_pack()
    version.description = "x" * 8000
    version.save()
    target = tmp_path / "agent.zip"
    with pytest.raises(CommandError, match=r"finance-analyst: instructions are [\d,]+ characters"):
        call_command(
            "export_prompts",
            "--role",
            "finance-analyst",
            "--format",
            "m365-agent",
            "-o",
            str(target),
        )
    assert not target.exists() and not ExportLog.objects.exists()


def test_it_requires_a_role_or_all_and_a_known_format(tmp_path):
    with pytest.raises(CommandError):
        call_command("export_prompts", "--format", "csv", "-o", str(tmp_path / "x"))
    with pytest.raises(CommandError):
        call_command("export_prompts", "--all", "--format", "pdf", "-o", str(tmp_path / "x"))
    with pytest.raises(CommandError, match="does not exist"):
        call_command(
            "export_prompts", "--all", "--format", "csv", "-o", str(tmp_path / "no" / "x.csv")
        )


# --- API -------------------------------------------------------------------------------


def test_it_asks_anonymous_callers_to_authenticate(client):
    make_pack()
    response = client.get("/api/exports/?role=finance-analyst&format=csv")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Basic")
    assert not ExportLog.objects.exists()


def test_it_forbids_people_outside_admins_and_enablement(client):
    make_pack()
    client.force_login(UserFactory())
    response = client.get("/api/exports/?role=finance-analyst&format=csv")
    assert response.status_code == 403
    assert not ExportLog.objects.exists()


@pytest.mark.parametrize("fmt", list(CONTENT_TYPES))
def test_it_downloads_each_format_for_the_enablement_group(client, fmt):
    make_pack()
    user = _enablement_user()
    client.force_login(user)
    response = client.get(f"/api/exports/?role=finance-analyst&format={fmt}")
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == CONTENT_TYPES[fmt]
    assert response["Content-Disposition"].startswith('attachment; filename="finance-analyst')
    log = ExportLog.objects.get()
    assert (log.user, log.via, log.format) == (user, "api", fmt)
    assert log.content_hash == hashlib.sha256(response.content).hexdigest()


def test_it_accepts_basic_auth_for_scripts(client):
    make_pack()
    enablement_user(username="script@example.com", is_staff=True)
    token = base64.b64encode(b"script@example.com:pw-for-tests-1").decode()
    response = client.get(
        "/api/exports/?role=finance-analyst&format=json", HTTP_AUTHORIZATION=f"Basic {token}"
    )
    assert response.status_code == 200


def test_it_downloads_several_roles_or_all_for_an_admin(client):
    make_pack("finance-analyst")
    make_pack("sales-rep", name="Sales rep")
    client.force_login(enablement_user(is_staff=True))
    response = client.get("/api/exports/?role=finance-analyst&role=sales-rep&format=m365-agent")
    assert response.status_code == 200
    assert sorted(zipfile.ZipFile(io.BytesIO(response.content)).namelist()) == [
        "finance-analyst.zip",
        "sales-rep.zip",
    ]
    response = client.get("/api/exports/?all=1&format=csv")
    assert response.status_code == 200
    assert response.content.count(b"\r\n") == 5


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("role=finance-analyst&format=pdf", "format", "choose one of"),
        ("format=csv", "role", "give one or more role=SLUG, or all=1"),
        ("role=finance-analyst&all=1&format=csv", "role", "not both"),
    ],
)
def test_it_rejects_bad_queries_naming_the_parameter(client, query, field, message):
    make_pack()
    client.force_login(enablement_user(is_staff=True))
    response = client.get(f"/api/exports/?{query}")
    assert response.status_code == 400
    assert message in response.json()[field][0]


def test_it_names_the_unknown_role_in_the_api_error(client):
    client.force_login(enablement_user(is_staff=True))
    response = client.get("/api/exports/?role=ghost&format=csv")
    assert response.status_code == 400
    assert response.json() == {"detail": "no published version for role(s): ghost"}


# --- admin -----------------------------------------------------------------------------


class _PackAdmin(admin.ModelAdmin):
    actions = []


def _admin_request(user):
    request = RequestFactory().post("/admin/roles/rolepack/")
    request.user = user
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def test_it_adds_one_export_action_per_format_once():
    add_export_actions(_PackAdmin)
    add_export_actions(_PackAdmin)
    names = [a.__name__ for a in _PackAdmin.actions]
    assert names == [a.__name__ for a in EXPORT_ACTIONS]
    assert [a.short_description for a in EXPORT_ACTIONS][0] == "Export prompts as m365-agent"


def test_it_exports_selected_packs_from_the_admin_and_logs_it():
    make_pack("finance-analyst")
    make_pack("sales-rep", name="Sales rep")
    user = UserFactory(is_staff=True, is_superuser=True)
    model_admin = _PackAdmin(RolePack, admin.site)
    action = next(a for a in EXPORT_ACTIONS if a.__name__ == "export_prompts_markdown")
    response = action(model_admin, _admin_request(user), RolePack.objects.order_by("slug"))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="firstvalue-prompts.md"'
    assert b"# Finance analyst" in response.content and b"# Sales rep" in response.content
    log = ExportLog.objects.get()
    assert (log.via, log.user, log.format) == ("admin", user, "markdown")


def test_it_reports_an_admin_export_error_as_a_message():
    make_pack("draft-only", published=False)
    request = _admin_request(UserFactory(is_staff=True, is_superuser=True))
    action = EXPORT_ACTIONS[0]
    assert action(_PackAdmin(RolePack, admin.site), request, RolePack.objects.all()) is None
    assert [str(m) for m in request._messages] == [
        "Export failed: no published version for role(s): draft-only"
    ]
    assert not ExportLog.objects.exists()


def test_it_refuses_the_admin_action_to_staff_outside_enablement_without_staff_rights():
    make_pack()
    request = _admin_request(UserFactory())
    assert (
        EXPORT_ACTIONS[0](_PackAdmin(RolePack, admin.site), request, RolePack.objects.all()) is None
    )
    assert not ExportLog.objects.exists()


def test_it_shows_the_export_log_read_only_to_superusers_only(client):
    make_pack()
    staff = UserFactory(is_staff=True)
    superuser = UserFactory(is_staff=True, is_superuser=True)
    log_admin = ExportLogAdmin(ExportLog, admin.site)
    request = RequestFactory().get("/admin/")
    request.user = staff
    assert not log_admin.has_view_permission(request)
    request.user = superuser
    assert log_admin.has_view_permission(request)
    assert not log_admin.has_add_permission(request)
    assert not log_admin.has_change_permission(request)
    assert not log_admin.has_delete_permission(request)
    client.force_login(superuser)
    call_command("export_prompts", "--all", "--format", "csv", "-o", "/dev/null")
    assert client.get("/admin/templates_library/exportlog/").status_code == 200
    client.force_login(staff)
    assert client.get("/admin/templates_library/exportlog/").status_code == 403


def test_it_offers_the_export_actions_on_the_role_pack_changelist(client):
    make_pack("finance-analyst")
    make_pack("sales-rep", name="Sales rep")
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    changelist = client.get("/admin/roles/rolepack/").content.decode()
    assert "Export prompts as openwebui" in changelist
    ids = [str(pk) for pk in RolePack.objects.values_list("pk", flat=True)]
    response = client.post(
        "/admin/roles/rolepack/",
        {"action": "export_prompts_openwebui", "_selected_action": ids},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert len(json.loads(response.content)) == 4
    assert ExportLog.objects.get().via == "admin"
