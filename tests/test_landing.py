"""Where signing in lands, the sign-out page and the 403/404 pages."""

from datetime import date

import pytest
from django.contrib.auth.models import Group

from onboarding.services import enrollment_enroll
from tests.factories import UserFactory, make_pack

PASSWORD = "pw-for-tests-1"
pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    version = make_pack()
    enrollment = enrollment_enroll(
        email="emma@example.com",
        name="Emma Employee",
        version=version,
        start_date=date(2026, 11, 2),
        manager_email="max@example.com",
    )
    author = UserFactory(username="author@example.com", is_staff=True)
    author.groups.add(Group.objects.get_or_create(name="enablement")[0])
    return {
        "employee": enrollment.user,
        "manager": enrollment.manager,
        "author": author,
        "admin": UserFactory(username="admin@example.com", is_staff=True, is_superuser=True),
        "nobody": UserFactory(username="nobody@example.com"),
    }


@pytest.mark.parametrize(
    ("who", "lands_on"),
    [
        ("employee", "/my/"),
        ("manager", "/team/"),
        ("author", "/dashboard/"),
        ("admin", "/dashboard/"),
        ("nobody", "/my/"),
    ],
)
def test_it_lands_each_role_on_its_own_home_after_signing_in(client, people, who, lands_on):
    people[who].set_password(PASSWORD)
    people[who].save()
    signed_in = client.post(
        "/accounts/login/", {"username": people[who].username.upper(), "password": PASSWORD}
    )
    assert signed_in.status_code == 302 and signed_in["Location"] == "/"
    assert client.get("/")["Location"] == lands_on
    assert client.get(lands_on).status_code == 200


def test_an_explicit_next_still_wins(client, people):
    people["admin"].set_password(PASSWORD)
    people["admin"].save()
    response = client.post(
        "/accounts/login/?next=/library/",
        {"username": "admin@example.com", "password": PASSWORD},
    )
    assert response["Location"] == "/library/"
    client.force_login(people["employee"])
    assert client.get("/", {"next": "/team/"})["Location"] == "/team/"
    assert client.get("/", {"next": "https://evil.example.com/"})["Location"] == "/my/"


def test_the_landing_page_sends_strangers_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_get_on_sign_out_shows_a_button_that_posts(client, people):
    client.force_login(people["employee"])
    page = client.get("/accounts/logout/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'method="post"' in html and 'action="/accounts/logout/"' in html
    assert "csrfmiddlewaretoken" in html
    assert "_auth_user_id" in client.session  # a GET alone never signs out
    assert client.post("/accounts/logout/").status_code == 302
    assert "_auth_user_id" not in client.session
    assert "signed out" in client.get("/accounts/logout/").content.decode()


def test_a_forbidden_page_explains_and_links_home(client, people):
    client.force_login(people["employee"])
    response = client.get("/dashboard/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "not open to you" in html and 'href="/"' in html
    assert "<main" in html  # the site layout, not a bare "403 Forbidden"


def test_a_missing_page_is_a_page_and_a_missing_api_route_is_json(client, people, settings):
    settings.DEBUG = False
    client.force_login(people["employee"])
    page = client.get("/no-such-page/")
    assert page.status_code == 404 and "could not find" in page.content.decode()
    api = client.get("/api/no-such-thing/")
    assert api.status_code == 404 and api.json() == {"detail": "Not found."}
