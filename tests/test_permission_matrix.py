"""Who may open what: every route in the URL conf × every kind of user, in one table.

The routes are read from the URL conf itself, so a new page or endpoint without a row in
EXPECTED fails here, named. A row says, per method, which statuses each role may get.
Roles: anonymous, employee (enrolled), manager and buddy (of that employee), staff (is_staff,
enrolled like the employee, with no permission and no group), author (staff in the "enablement"
group, which holds the rollout permission) and admin (superuser).

The staff bit only lets someone into /admin/: everywhere else "staff" gets exactly what the
employee gets, which ``by_role`` makes the default and a test below holds.
"""

from datetime import date
from functools import cache

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from onboarding.services import enrollment_enroll
from roles.models import PathStep
from tests.factories import UserFactory, enablement_user, make_pack

ROLES = ("anonymous", "employee", "manager", "buddy", "staff", "author", "admin")
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")

# The admin's own routes have their rules in tests/test_permission_matrix_admin.py; /admin/
# itself is a row here.
ADMIN_PREFIX = "admin/"


def routes_all():
    """(name, route, pattern) for every URL pattern, includes expanded, the admin's too."""

    def walk(patterns, prefix="", namespace=None):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                ns = namespace
                if entry.namespace:
                    ns = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
                yield from walk(entry.url_patterns, prefix + str(entry.pattern), ns)
            elif isinstance(entry, URLPattern):
                name = entry.name and (f"{namespace}:{entry.name}" if namespace else entry.name)
                route = prefix + str(entry.pattern)
                yield name or f"/{route}", route, entry

    yield from walk(get_resolver().url_patterns)


def routes():
    """Every route but the admin's own."""
    for name, route, entry in routes_all():
        if route.startswith(ADMIN_PREFIX) and route != ADMIN_PREFIX:
            continue
        yield name, route, entry


@pytest.fixture
def world(db):
    """One published pack; an employee enrolled with a manager and a buddy; a staff account enrolled
    on the same path; an author; an admin."""
    version = make_pack()
    enrollment = enrollment_enroll(
        email="emma@example.com",
        name="Emma Employee",
        version=version,
        start_date=date(2026, 11, 2),
        manager_email="max@example.com",
        buddy_email="bea@example.com",
    )
    staff = enrollment_enroll(
        email="sam@example.com", name="Sam Staff", version=version, start_date=date(2026, 11, 2)
    ).user
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    users = {
        "anonymous": None,
        "employee": enrollment.user,
        "manager": enrollment.manager,
        "buddy": enrollment.buddy,
        "staff": staff,
        "author": enablement_user(username="author@example.com", is_staff=True),
        "admin": UserFactory(username="admin@example.com", is_staff=True, is_superuser=True),
    }
    step = PathStep.objects.filter(version=version, track=enrollment.track).order_by("id").first()
    kwargs = {
        "role_slug": version.pack.slug,
        "slug": version.pack.slug,
        "prompt_slug": "prompt-1",
        "demo_slug": "variance-demo",
        "step_id": step.pk,
        "chart": "by-role",
        "token": "not-a-valid-token",
        "answer": "yes",
        "uidb64": "MQ",
        "section": "fvm",
        "number": version.number,
        "enrollment_id": enrollment.pk,
    }
    return users, kwargs


def url_for(name: str, route: str, entry, kwargs: dict) -> str:
    needed = list(entry.pattern.regex.groupindex)
    missing = [k for k in needed if k not in kwargs]
    assert not missing, f"{name}: no test value for URL parameter(s) {missing}; add to world()"
    if name.startswith("/"):
        return name
    return reverse(name, kwargs={k: kwargs[k] for k in needed})


def status_for(client, method: str, url: str) -> int:
    call = getattr(client, method.lower())
    if method == "GET":
        return call(url).status_code
    if url.startswith("/api/"):
        return call(url, data={}, content_type="application/json").status_code
    return call(url, data="", content_type="application/x-www-form-urlencoded").status_code


def clients_for(users: dict) -> dict[str, Client]:
    clients = {}
    for role, user in users.items():
        clients[role] = Client()
        if user is not None:
            clients[role].force_login(user)
    return clients


def unsafe_methods(entry, admin_client, url: str) -> list[str]:
    """The unsafe methods a view answers: a class-based view's handlers; for a function view,
    whatever does not get 405 from it as a superuser."""
    view_class = getattr(entry.callback, "view_class", None) or getattr(entry.callback, "cls", None)
    if view_class is not None:
        return [m for m in UNSAFE if hasattr(view_class, m.lower())]
    return [m for m in UNSAFE if status_for(admin_client, m, url) != 405]


# --- the table -------------------------------------------------------------------------------
# Per URL name, per method: the statuses each role may get. "*" covers every unsafe method the
# view answers without its own row. For unsafe methods a 405 is always fine (a view that refuses
# a method leaks nothing); pages that only read say "*": every(405) (require_safe, checked below).
# Anonymous API callers may get 401 or 403: both are "no".


def by_role(anonymous, employee, manager, buddy, author, admin, *, staff=None):
    """Statuses per role; staff without the permission get the employee's unless said here."""
    values = dict(
        anonymous=anonymous,
        employee=employee,
        manager=manager,
        buddy=buddy,
        staff=employee if staff is None else staff,
        author=author,
        admin=admin,
    )
    return {role: {v} if isinstance(v, int) else set(v) for role, v in values.items()}


def every(*codes: int) -> dict[str, set[int]]:
    return {role: set(codes) for role in ROLES}


DENIED = {401, 403}
PUBLIC = every(200)
SIGNED_IN_PAGE = by_role(302, 200, 200, 200, 200, 200)
# Pages for the enablement team and admins (the rollout permission).
ROLLOUT_PAGE = by_role(302, 403, 403, 403, 200, 200)
# is_staff is the way into /admin/ (whose index then lists only what the permissions allow).
ADMIN_SITE = by_role(302, 302, 302, 302, 200, 200, staff=200)


def rollout_api(allowed) -> dict[str, set[int]]:
    """An API for the enablement team and admins (the rollout permission)."""
    return by_role(DENIED, 403, 403, 403, allowed, allowed)


def own_enrollment_api(employee) -> dict[str, set[int]]:
    """/api/me/…: the caller's own enrollment; people without one get 404."""
    return by_role(DENIED, employee, 404, 404, 404, 404)


EXPECTED: dict[str, dict[str, dict[str, set[int]]]] = {
    # config
    # The role-aware landing page: a redirect for everyone.
    "home": {"GET": every(302), "*": every(405)},
    "healthz": {"GET": PUBLIC},
    # The last Graph usage sync, for the rollout team (it may name unmatched people).
    "healthz-usage": {"GET": by_role(401, 403, 403, 403, 200, 200), "*": every(405)},
    # The organisation's texts the Microsoft 365 manifest links to: read signed out.
    "privacy": {"GET": PUBLIC, "*": every(405)},
    "terms": {"GET": PUBLIC, "*": every(405)},
    "admin:index": {"GET": ADMIN_SITE, "*": ADMIN_SITE},
    "login": {"GET": PUBLIC, "*": PUBLIC},
    # GET shows a page with the sign-out button; POST signs out.
    "logout": {"GET": PUBLIC, "POST": every(302)},
    "schema": {"GET": PUBLIC},
    "api-docs": {"GET": PUBLIC},
    # prompt library and role pack API
    "templates_library:index": {"GET": SIGNED_IN_PAGE, "*": every(405)},
    "templates_library:role": {"GET": SIGNED_IN_PAGE, "*": every(405)},
    "templates_library:prompt": {"GET": SIGNED_IN_PAGE, "*": every(405)},
    "templates_library:demo": {"GET": SIGNED_IN_PAGE, "*": every(405)},
    # Without ?format= the export answers 400 to those allowed.
    "templates_library:api-exports": {"GET": rollout_api({200, 400})},
    "templates_library:api-rolepacks": {
        "GET": by_role(DENIED, 200, 200, 200, 200, 200),
        "POST": rollout_api(400),
    },
    "templates_library:api-rolepack": {
        "GET": by_role(DENIED, 200, 200, 200, 200, 200),
        "PUT": rollout_api(400),
    },
    "templates_library:api-rolepack-publish": {
        "GET": by_role(DENIED, 405, 405, 405, 405, 405),
        # Already published: 409.
        "POST": rollout_api({200, 409}),
    },
    # sign-in by email link, checklist, team
    "onboarding:email-link": {"GET": PUBLIC, "POST": PUBLIC},
    # A made-up link: 400 for everyone.
    "onboarding:email-link-confirm": {"GET": every(400), "POST": every(400)},
    "onboarding:my": {"GET": SIGNED_IN_PAGE, "*": every(405)},
    "onboarding:step-done": {
        "GET": by_role(302, 405, 405, 405, 405, 405),
        "POST": by_role(302, 302, 404, 404, 404, 404),
    },
    "onboarding:step-undo": {
        "GET": by_role(302, 405, 405, 405, 405, 405),
        "POST": by_role(302, 302, 404, 404, 404, 404),
    },
    "onboarding:fvm-record": {
        "GET": by_role(302, 405, 405, 405, 405, 405),
        # An empty form: 400 for the employee, 404 for people without an enrollment.
        "POST": by_role(302, 400, 404, 404, 404, 404),
    },
    "onboarding:first-value": {
        "GET": by_role(302, {200, 302}, 404, 404, 404, 404),
        "*": every(405),
    },
    # Nothing recorded yet: back to /my/; people without an enrollment get 404.
    "onboarding:fvm-correct": {
        "GET": by_role(302, 302, 404, 404, 404, 404),
        "POST": by_role(302, 302, 404, 404, 404, 404),
    },
    # Non-managers see an empty team page (the API says 403).
    "onboarding:team": {"GET": SIGNED_IN_PAGE, "*": every(405)},
    # The session invite: for the person's manager and power user; 404 for anyone else.
    "onboarding:team-session-ics": {"GET": by_role(302, 404, 200, 200, 404, 404), "*": every(405)},
    "onboarding:api-me": {"GET": own_enrollment_api(200)},
    "onboarding:api-me-step": {
        "GET": by_role(DENIED, 405, 405, 405, 405, 405),
        "POST": own_enrollment_api({200, 201}),
        "DELETE": own_enrollment_api({200, 204}),
    },
    "onboarding:api-me-fvm": {
        "GET": by_role(DENIED, 405, 405, 405, 405, 405),
        "POST": own_enrollment_api(400),
        # A correction of nothing recorded yet.
        "PATCH": own_enrollment_api(404),
    },
    "onboarding:api-team": {"GET": by_role(DENIED, 403, 200, 403, 403, 403)},
    # bulk enrollment
    "onboarding:api-enrollments-bulk": {"GET": rollout_api(405), "POST": rollout_api(400)},
    # check-in links: a made-up token is 400 for everyone.
    "onboarding:checkin-answer": {"GET": every(400), "POST": every(400)},
    # dashboard and reports
    "insights:dashboard": {"GET": ROLLOUT_PAGE, "*": every(405)},
    "insights:readiness": {"GET": ROLLOUT_PAGE, "*": every(405)},
    "insights:chart-csv": {"GET": ROLLOUT_PAGE, "*": every(405)},
    "insights:api-activation": {"GET": rollout_api(200)},
    "insights:api-readiness": {"GET": rollout_api(200)},
    "insights:api-kpi-measurements": {"GET": rollout_api(200), "POST": rollout_api(400)},
    "insights:api-costs": {"GET": rollout_api(200), "POST": rollout_api(400)},
    # the authoring studio: the enablement team and admins only
    "studio:index": {"GET": ROLLOUT_PAGE, "*": every(405)},
    # An empty new-pack form: 400, every missing field named.
    "studio:new": {"GET": ROLLOUT_PAGE, "POST": by_role(302, 403, 403, 403, 400, 400)},
    "studio:pack": {"GET": ROLLOUT_PAGE, "*": every(405)},
    # A section posted with nothing changed saves the draft as it was.
    "studio:edit": {"GET": ROLLOUT_PAGE, "POST": by_role(302, 403, 403, 403, 302, 302)},
    # An empty document: 400, "the file is empty".
    "studio:source": {"GET": ROLLOUT_PAGE, "POST": by_role(302, 403, 403, 403, 400, 400)},
    # Publish without the reviewed revision: 409, nothing published.
    "studio:publish": {"GET": ROLLOUT_PAGE, "POST": by_role(302, 403, 403, 403, 409, 409)},
    "studio:preview-week": {"GET": ROLLOUT_PAGE, "*": every(405)},
    "studio:preview-messages": {"GET": ROLLOUT_PAGE, "*": every(405)},
    "studio:preview-agent": {"GET": ROLLOUT_PAGE, "*": every(405)},
    # No file: 400, "choose a CSV file" / "choose a pack file"; no format: 400.
    "studio:enroll": {"GET": ROLLOUT_PAGE, "POST": by_role(302, 403, 403, 403, 400, 400)},
    "studio:export": {"GET": ROLLOUT_PAGE, "POST": by_role(302, 403, 403, 403, 400, 400)},
    # the pushes: not configured in the tests, so the author is told what to set (400)
    "studio:push-openwebui": {"GET": every(405), "POST": by_role(302, 403, 403, 403, 400, 400)},
    "studio:publish-m365": {"GET": every(405), "POST": by_role(302, 403, 403, 403, 400, 400)},
    "studio:import": {"GET": ROLLOUT_PAGE, "POST": by_role(302, 403, 403, 403, 400, 400)},
    "studio:versions": {"GET": ROLLOUT_PAGE, "*": every(405)},
    "studio:version": {"GET": ROLLOUT_PAGE, "*": every(405)},
    "studio:draft-from": {"GET": every(405), "POST": by_role(302, 403, 403, 403, 302, 302)},
}


@cache
def all_routes() -> list[tuple[str, str, object]]:
    return list(routes())


def test_it_has_a_row_for_every_route_and_none_for_routes_that_are_gone():
    names = [name for name, _, _ in all_routes()]
    missing = [f"{name} (/{route})" for name, route, _ in all_routes() if name not in EXPECTED]
    gone = sorted(set(EXPECTED) - set(names))
    assert not missing, "add rows to EXPECTED for: " + ", ".join(missing)
    assert not gone, "remove rows from EXPECTED for: " + ", ".join(gone)


@pytest.mark.django_db
@pytest.mark.parametrize("name", [name for name, _, _ in all_routes()])
def test_it_gives_each_role_the_expected_status(name, world):
    users, kwargs = world
    clients = clients_for(users)
    route, entry = next((r, e) for n, r, e in all_routes() if n == name)
    assert name in EXPECTED, f"no row in EXPECTED for {name} (/{route})"
    row = EXPECTED[name]
    url = url_for(name, route, entry, kwargs)
    methods = ["GET", *unsafe_methods(entry, clients["admin"], url)]
    problems = []
    for method in methods:
        allowed = row.get(method) or (row.get("*") if method != "GET" else None)
        if allowed is None:
            problems.append(f"{method} {url}: answered, but no row for {method} (or '*')")
            continue
        for role in ROLES:
            got = status_for(clients[role], method, url)
            ok = allowed[role] | ({405} if method != "GET" else set())
            if got not in ok:
                problems.append(
                    f"{method} {url} as {role}: {got}, expected {sorted(allowed[role])}"
                )
    assert not problems, f"{name}:\n" + "\n".join(problems)


def test_staff_without_the_permission_get_what_the_employee_gets_outside_the_admin():
    different = [
        f"{name} {method}"
        for name, row in EXPECTED.items()
        for method, allowed in row.items()
        if allowed["staff"] != allowed["employee"] and name != "admin:index"
    ]
    assert not different, different


READ_ONLY_PAGES = [name for name, row in EXPECTED.items() if row.get("*") == every(405)]


@pytest.mark.django_db
@pytest.mark.parametrize("name", READ_ONLY_PAGES)
def test_it_refuses_unsafe_methods_on_pages_that_only_read(name, world):
    users, kwargs = world
    clients = clients_for(users)
    route, entry = next((r, e) for n, r, e in all_routes() if n == name)
    url = url_for(name, route, entry, kwargs)
    for role in ROLES:
        assert clients[role].head(url).status_code != 405, (name, role)
        for method in UNSAFE:
            assert status_for(clients[role], method, url) == 405, (name, role, method)
