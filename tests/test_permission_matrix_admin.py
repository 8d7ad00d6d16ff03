"""The admin's own routes × every kind of user: the staff bit opens the door and nothing else.

tests/test_permission_matrix.py holds every other route; here every route under /admin/ is
read from the URL conf and given its expected statuses by rule, from the kind of model admin
that serves it: pack authoring (the rollout permission), read-only records (superusers) or
Django's model permissions. Staff without the permission or a model permission get 403 on
every model page; nobody who is not staff gets past the admin's login.
"""

import re

import pytest
from django.contrib import admin
from django.urls import reverse

from audit.admin import RecordAdminMixin
from roles.admin import AuthorOnlyMixin
from roles.models import RolePackVersion
from tests.test_permission_matrix import (  # noqa: F401 - world is a fixture
    ROLES,
    clients_for,
    routes_all,
    status_for,
    world,
)

NOT_STAFF = ("anonymous", "employee", "manager", "buddy")
STANDARD_VIEWS = ("changelist", "add", "history", "delete", "change")
# Site-wide admin pages, for staff (those who are not staff are sent to the admin's login).
SITE = {
    "index": 200,
    "password_change": 200,
    "password_change_done": 200,
    "jsi18n": 200,
    "login": 302,  # already signed in: on to the index
    "logout": 405,  # POST only
    "autocomplete": 403,  # no field named: refused
    "view_on_site": 404,  # no such object
}


def _admin_routes():
    """(url name or None, route, model admin or None) for every route under /admin/."""
    by_prefix = {
        f"admin/{model._meta.app_label}/{model._meta.model_name}/": model_admin
        for model, model_admin in admin.site._registry.items()
    }
    for name, route, _ in routes_all():
        if route.startswith("admin/"):
            prefix = "/".join(route.split("/")[:3]) + "/"
            yield name, route, by_prefix.get(prefix)


MISSING = "999999"


def _object_id(model_admin) -> str:
    obj = model_admin.model._default_manager.order_by("pk").first()
    return str(obj.pk) if obj else MISSING


def _url(name: str, route: str, model_admin) -> str:
    if model_admin is None:
        if name == "admin:app_list":
            return reverse(name, kwargs={"app_label": "roles"})
        if name == "admin:view_on_site":
            return reverse(name, kwargs={"content_type_id": 999999, "object_id": 1})
        return reverse(name) if not name.startswith("/") else "/admin/not-a-page/"
    # Every parameter of a model's route is its object's id (object_id, pk, id).
    return "/" + re.sub(r"<[^>]+>", _object_id(model_admin), route)


def _who_may_view(model_admin) -> set[str]:
    if isinstance(model_admin, RecordAdminMixin):
        return {"admin"}
    if isinstance(model_admin, AuthorOnlyMixin):
        return {"author", "admin"}
    return {"admin"}  # Django's model permissions: in this world only the superuser has any


def expected(name: str, route: str, model_admin) -> dict[str, set[int]]:
    """The statuses each role may get from a GET of this admin route."""
    if name == "admin:login":
        return {role: {200} if role in NOT_STAFF else {302} for role in ROLES}
    staff: dict[str, set[int]]
    if model_admin is None:
        if name == "admin:app_list":  # the roles app: packs and versions
            staff = {"staff": {404}, "author": {200}, "admin": {200}}
        elif name.startswith("/"):  # the catch-all
            staff = {role: {404} for role in ("staff", "author", "admin")}
        else:
            view = name.removeprefix("admin:")
            staff = {role: {SITE[view]} for role in ("staff", "author", "admin")}
    elif name.startswith("/"):  # the bare object URL only redirects
        staff = {role: {302} for role in ("staff", "author", "admin")}
    else:
        view = name.rsplit("_", 1)[-1] if name.rsplit("_", 1)[-1] in STANDARD_VIEWS else None
        may = _who_may_view(model_admin)
        staff = {}
        # Django's history page looks the object up before the permission: no such object is
        # a redirect to the index for anyone on staff (it shows nothing of the model).
        refused = {302, 403} if view == "history" and _object_id(model_admin) == MISSING else {403}
        for role in ("staff", "author", "admin"):
            if role not in may:
                staff[role] = refused
            elif view == "changelist":
                staff[role] = {200}
            elif view is None:  # the admin's own actions: POST only, or their own rules
                staff[role] = {200, 403}
            else:
                # Allowed to see the model; adding, changing, deleting each has its rules
                # (published versions are frozen, records are read-only, a singleton is one).
                staff[role] = {200, 302, 403}
    return {**{role: {302} for role in NOT_STAFF}, **staff}


@pytest.mark.django_db
def test_every_admin_route_gives_each_role_the_expected_status(world):  # noqa: F811
    users, _ = world
    clients = clients_for(users)
    problems = []
    routes = list(_admin_routes())
    assert len(routes) > 50, "the admin's routes were not found"
    for name, route, model_admin in routes:
        url = _url(name or f"/{route}", route, model_admin)
        allowed = expected(name or f"/{route}", route, model_admin)
        for role in ROLES:
            got = status_for(clients[role], "GET", url)
            if got not in allowed[role]:
                problems.append(f"GET {url} as {role}: {got}, expected {sorted(allowed[role])}")
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
def test_the_admin_actions_on_a_version_are_for_the_rollout_permission_only(world):  # noqa: F811
    users, _ = world
    clients = clients_for(users)
    version = RolePackVersion.objects.get()
    for action in ("new-draft", "publish"):
        url = f"/admin/roles/rolepackversion/{version.pk}/{action}/"
        got = {role: status_for(clients[role], "POST", url) for role in ROLES}
        assert got == {**dict.fromkeys(NOT_STAFF, 302), "staff": 403, "author": 302, "admin": 302}
