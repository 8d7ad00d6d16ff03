"""The audit trail: what is recorded, when, and who may read it."""

import ast
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction

from audit.context import RequestContext, current
from audit.models import AuditEvent
from audit.services import audit_record
from roles.models import Kpi
from tests.factories import UserFactory, make_pack

AUDIT_DIR = Path(__file__).resolve().parents[2] / "audit"
OUR_APPS = {"config", "roles", "templates_library", "onboarding", "insights"}


@pytest.fixture
def admin_request():
    """Code running inside a request to the admin, as the audit middleware records it."""

    def enter(user, ip="192.0.2.10"):
        return current.set(RequestContext(user=user, ip=ip, is_admin=True))

    tokens = []
    yield lambda user, ip="192.0.2.10": tokens.append(enter(user, ip))
    for token in reversed(tokens):
        current.reset(token)


def test_it_imports_nothing_of_ours_so_every_app_may_call_it():
    for module in AUDIT_DIR.rglob("*.py"):
        tree = ast.parse(module.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] not in OUR_APPS, f"{module.name} imports {name}"


@pytest.mark.django_db
def test_it_records_who_did_what_to_which_object_with_json_snapshots():
    author = UserFactory()
    version = make_pack()

    event = audit_record(
        actor=author,
        action="pack.publish",
        obj=version,
        before={"status": "draft", "when": date(2026, 11, 2), "n": Decimal("1.5")},
        after=version,
    )

    event.refresh_from_db()
    assert event.actor == author
    assert event.actor_repr == author.email
    assert event.action == "pack.publish"
    assert event.object_type == "roles.rolepackversion"
    assert event.object_id == str(version.pk)
    assert event.object_repr == str(version)
    assert event.before == {"status": "draft", "when": "2026-11-02", "n": "1.5"}
    assert event.after["status"] == "published"
    assert event.after["pack_id"] == version.pack_id
    assert event.at is not None


@pytest.mark.django_db
def test_it_records_commands_and_anonymous_callers_without_an_actor():
    first = audit_record(actor=None, action="enrollment.import")
    second = audit_record(actor=AnonymousUser(), action="export.create")
    assert (first.actor, first.actor_repr, first.object_type) == (None, "", "")
    assert second.actor is None


@pytest.mark.django_db
def test_it_writes_nothing_when_the_callers_transaction_rolls_back():
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(actor=None, action="pack.import")
        raise RuntimeError("the import failed")
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_it_takes_the_actor_and_address_from_the_current_request(admin_request):
    admin = UserFactory(is_staff=True, is_superuser=True)
    admin_request(admin, ip="198.51.100.7")
    event = audit_record(actor=None, action="enrollment.change")
    assert (event.actor, event.ip) == (admin, "198.51.100.7")


@pytest.mark.django_db
def test_it_keeps_the_actors_name_when_the_user_is_deleted():
    author = UserFactory()
    event = audit_record(actor=author, action="pack.change")
    author.delete()
    event.refresh_from_db()
    assert event.actor is None
    assert event.actor_repr == author.email


@pytest.mark.django_db
def test_it_records_admin_edits_of_authoring_models_with_before_and_after(admin_request):
    version = make_pack()
    kpi = Kpi.objects.get(version=version, name="Commentary time")
    author = UserFactory(is_staff=True)
    admin_request(author)

    kpi.target = 12
    kpi.save()
    kpi.save()  # saved again unchanged: nothing new to tell
    created = Kpi.objects.create(version=version, name="Errors", unit="count", baseline=5, target=1)
    created.delete()

    events = list(AuditEvent.objects.order_by("id"))
    assert [e.action for e in events] == ["kpi.change", "kpi.create", "kpi.delete"]
    change = events[0]
    assert change.actor == author
    assert Decimal(change.before["target"]) == 15
    assert Decimal(change.after["target"]) == 12
    assert change.object_id == str(kpi.pk)
    assert events[1].before is None and events[1].after["name"] == "Errors"
    assert events[2].before["name"] == "Errors" and events[2].after is None


@pytest.mark.django_db
def test_it_leaves_writes_outside_the_admin_to_the_services():
    version = make_pack()
    Kpi.objects.filter(version=version).first().save()
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_it_shows_the_trail_to_superusers_only_and_never_edits_it(client):
    event = audit_record(actor=None, action="pack.import")
    list_url = "/admin/audit/auditevent/"
    change_url = f"{list_url}{event.pk}/change/"

    client.force_login(UserFactory(is_staff=True))
    assert client.get(list_url).status_code == 403

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get(list_url).status_code == 200
    assert client.get(change_url).status_code == 200
    assert client.get(f"{list_url}add/").status_code == 403
    assert client.post(f"{list_url}{event.pk}/delete/", {"post": "yes"}).status_code == 403
    client.post(change_url, {"action": "pack.forged"})
    event.refresh_from_db()
    assert event.action == "pack.import"


@pytest.mark.parametrize(
    ("path", "is_admin"), [("/admin/roles/kpi/1/change/", True), ("/my/", False)]
)
def test_it_knows_when_a_request_comes_through_the_admin(rf, path, is_admin):
    from audit.context import AuditContextMiddleware

    seen = []
    request = rf.post(path, REMOTE_ADDR="203.0.113.5")
    request.user = AnonymousUser()
    AuditContextMiddleware(lambda r: seen.append(current.get()))(request)

    assert (seen[0].is_admin, seen[0].ip) == (is_admin, "203.0.113.5")
    assert current.get() is None  # and forgets it afterwards
