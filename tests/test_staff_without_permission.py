"""A staff account with no permission and no group gets nothing a plain employee does not.

From outside, as such an account would try it: signed in with a session (CSRF enforced) or by
HTTP Basic like a script. The same account in the "enablement" group is the control: each
request is one the permission really opens. See docs/security.md.
"""

import base64

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.test import Client

from audit.models import AuditEvent
from config.auth import EmailOrUsernameBackend
from insights.models import KpiMeasurement
from onboarding.models import Enrollment
from roles.canonical import version_to_document
from roles.models import RolePack, RolePackVersion
from roles.permissions import (
    ENABLEMENT_GROUP,
    PERMISSION_CODENAME,
    PERMISSION_NAME,
    enablement_group,
    is_enablement,
)
from roles.services import rolepack_draft_create
from templates_library.models import ExportLog
from tests.factories import PASSWORD, UserFactory, make_pack

pytestmark = pytest.mark.django_db

EMAIL = "sam.staff@example.com"
# The attack: enroll yourself and name yourself manager of a colleague, to read their progress.
ENROLL_CSV = (
    "email,name,role,track,manager_email,buddy_email,start_date,timezone\n"
    f"victim@example.com,Victim,finance-analyst,,{EMAIL},,2026-11-30,UTC\n"
)

PAGES = {"dashboard", "readiness page", "chart csv"}


@pytest.fixture
def world():
    version = make_pack()
    draft_pack = make_pack("draft-only", name="Draft only", published=False).pack
    rolepack_draft_create(pack=version.pack)
    return version, draft_pack


def _client(user, how: str) -> Client:
    if how == "basic":
        token = base64.b64encode(f"{user.username}:{PASSWORD}".encode()).decode()
        return Client(HTTP_AUTHORIZATION=f"Basic {token}")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get("/my/")  # a page sets the CSRF cookie, as a browser would get it
    csrf = client.cookies["csrftoken"].value if "csrftoken" in client.cookies else ""
    client.defaults["HTTP_X_CSRFTOKEN"] = csrf
    return client


def _attempts(client: Client, version) -> dict[str, int]:
    """Every rollout action, as requests; the status each got."""
    slug = version.pack.slug
    document = dict(version_to_document(version), name="Changed by staff")
    new_pack = dict(version_to_document(version), slug="staff-pack")
    kpi = {"role": slug, "kpi_name": "Commentary time", "measured_on": "2026-02-01", "value": 1}
    requests = {
        "bulk enroll": lambda: client.post(
            "/api/enrollments/bulk/", ENROLL_CSV, content_type="text/csv"
        ),
        "export": lambda: client.get("/api/exports/?all=1&format=csv"),
        "activation report": lambda: client.get("/api/reports/activation/"),
        "readiness report": lambda: client.get("/api/reports/readiness/"),
        "kpi list": lambda: client.get("/api/kpi-measurements/"),
        "kpi add": lambda: client.post(
            "/api/kpi-measurements/", kpi, content_type="application/json"
        ),
        "dashboard": lambda: client.get("/dashboard/"),
        "readiness page": lambda: client.get("/dashboard/readiness/"),
        "chart csv": lambda: client.get("/dashboard/by-role.csv"),
        "create pack": lambda: client.post(
            "/api/rolepacks/", new_pack, content_type="application/json"
        ),
        "replace draft": lambda: client.put(
            f"/api/rolepacks/{slug}/", document, content_type="application/json"
        ),
        "publish": lambda: client.post(
            f"/api/rolepacks/{slug}/publish/", {}, content_type="application/json"
        ),
    }
    return {name: send().status_code for name, send in requests.items()}


@pytest.mark.parametrize("how", ["session", "basic"])
def test_a_staff_account_without_the_permission_can_do_none_of_the_rollout(world, how):
    version, draft_pack = world
    staff = UserFactory(username=EMAIL, is_staff=True)
    client = _client(staff, how)

    statuses = _attempts(client, version)

    # Pages know sessions only: to a Basic caller they answer with the way to sign in.
    page = 403 if how == "session" else 302
    assert statuses == {name: page if name in PAGES else 403 for name in statuses}
    assert not Enrollment.objects.exists()
    assert not ExportLog.objects.exists()
    assert not KpiMeasurement.objects.exists()
    assert set(RolePack.objects.values_list("slug", flat=True)) == {"finance-analyst", "draft-only"}
    assert not RolePackVersion.objects.filter(name="Changed by staff").exists()
    assert not AuditEvent.objects.filter(action__startswith="pack.publish").exists()
    # Reading the library is for everyone signed in, but drafts stay the authors'.
    listed = client.get("/api/rolepacks/").json()
    assert [row["slug"] for row in listed] == ["finance-analyst"]
    assert client.get(f"/api/rolepacks/{draft_pack.slug}/").status_code == 404


def test_the_same_account_in_the_enablement_group_may(world):
    version, _ = world
    staff = UserFactory(username=EMAIL, is_staff=True)
    staff.groups.add(enablement_group())

    client = _client(staff, "session")

    statuses = _attempts(client, version)

    assert statuses == {
        "bulk enroll": 201,
        "export": 200,
        "activation report": 200,
        "readiness report": 200,
        "kpi list": 200,
        "kpi add": 201,
        "dashboard": 200,
        "readiness page": 200,
        "chart csv": 200,
        "create pack": 201,
        "replace draft": 200,
        "publish": 200,
    }
    draft = client.post(f"/admin/roles/rolepackversion/{version.pk}/new-draft/")
    assert draft.status_code == 302


def test_a_staff_account_without_the_permission_sees_no_rollout_in_the_layout_or_admin(world):
    version, _ = world
    client = _client(UserFactory(username=EMAIL, is_staff=True), "session")

    page = client.get("/library/").content.decode()
    assert 'href="/dashboard/"' not in page
    assert 'href="/admin/"' in page  # is_staff is still the way into the admin …
    index = client.get("/admin/").content.decode()
    assert "Role packs" not in index  # … where no pack, prompt or version is offered
    assert client.get("/admin/roles/rolepack/").status_code == 403
    assert client.get(f"/admin/roles/rolepackversion/{version.pk}/change/").status_code == 403
    assert client.post(f"/admin/roles/rolepackversion/{version.pk}/new-draft/").status_code == 403
    assert client.get("/admin/roles/prompt/").status_code == 403
    assert client.get("/").headers["Location"] == "/my/"


def test_the_migration_gives_the_enablement_group_the_one_permission():
    permission = Permission.objects.get(codename=PERMISSION_CODENAME)
    assert (permission.content_type.app_label, permission.name) == ("roles", PERMISSION_NAME)
    assert list(Group.objects.get(name=ENABLEMENT_GROUP).permissions.all()) == [permission]


def test_superusers_have_it_implicitly_and_inactive_accounts_never():
    superuser = UserFactory(is_staff=True, is_superuser=True)
    member = UserFactory()
    member.groups.add(enablement_group())
    assert is_enablement(superuser) and is_enablement(member)
    for user in (superuser, member):
        user.is_active = False
        user.save()
    assert not is_enablement(superuser) and not is_enablement(member)
    assert not is_enablement(UserFactory.build(is_active=False))
    assert not is_enablement(None)


def test_the_permission_lookup_is_djangos_in_one_query(django_assert_num_queries):
    user = UserFactory()
    user.groups.add(enablement_group())
    user.user_permissions.add(Permission.objects.get(codename="view_enrollment"))
    expected = ModelBackend().get_all_permissions(type(user).objects.get(pk=user.pk))
    fresh = type(user).objects.get(pk=user.pk)
    with django_assert_num_queries(1):
        assert EmailOrUsernameBackend().get_all_permissions(fresh) == expected
        assert fresh.has_perm("roles.manage_rollout") and fresh.has_perm(
            "onboarding.view_enrollment"
        )
    assert expected == {"roles.manage_rollout", "onboarding.view_enrollment"}
