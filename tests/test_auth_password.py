"""Password sign-in by username or email, whatever the case, with the lockout still in front."""

import pytest
from django.contrib.auth import get_user_model

from tests.factories import UserFactory

PASSWORD = "pw-for-tests-1"
pytestmark = pytest.mark.django_db


def login(client, username: str, password: str, url: str = "/accounts/login/"):
    return client.post(url, {"username": username, "password": password})


@pytest.fixture
def ava():
    return UserFactory(username="ava.martin@example.com", email="ava.martin@example.com")


@pytest.mark.parametrize(
    "typed", ["ava.martin@example.com", "AVA.MARTIN@example.com", " Ava.Martin@Example.COM "]
)
def test_it_signs_in_by_email_whatever_its_case(client, ava, typed):
    response = login(client, typed, PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(ava.pk)


def test_it_signs_in_by_email_when_the_username_is_something_else(client):
    user = UserFactory(username="amartin", email="Ava.Martin@example.com")
    assert login(client, "ava.martin@EXAMPLE.com", PASSWORD).status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    client.logout()
    assert login(client, "AMARTIN", PASSWORD).status_code == 302


def test_it_still_refuses_a_wrong_password_and_an_unknown_person(client, ava):
    assert login(client, "AVA.MARTIN@example.com", "wrong").status_code == 200
    assert login(client, "nobody@example.com", PASSWORD).status_code == 200
    assert "_auth_user_id" not in client.session


def test_it_refuses_an_inactive_person(client, ava):
    ava.is_active = False
    ava.save()
    assert login(client, "AVA.MARTIN@example.com", PASSWORD).status_code == 200


def test_an_email_shared_case_insensitively_signs_in_by_username_only(client):
    UserFactory(username="one", email="same@example.com")
    UserFactory(username="two", email="SAME@example.com")
    assert login(client, "same@example.com", PASSWORD).status_code == 200
    assert login(client, "two", PASSWORD).status_code == 302


def test_an_exact_username_wins_over_a_case_insensitive_one(client):
    UserFactory(username="Kim", email="kim1@example.com")
    exact = UserFactory(username="kim", email="kim2@example.com")
    assert login(client, "kim", PASSWORD).status_code == 302
    assert client.session["_auth_user_id"] == str(exact.pk)


def test_the_lockout_counts_every_case_of_the_email_together(client, ava):
    for typed in (
        "AVA.MARTIN@example.com",
        "ava.martin@example.com",
        "Ava.Martin@example.com",
        "ava.MARTIN@example.com",
        "AVA.martin@EXAMPLE.COM",
    ):
        login(client, typed, "wrong")
    assert login(client, "ava.martin@example.com", PASSWORD).status_code == 429
    assert login(client, "AVA.MARTIN@example.com", PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_admin_login_accepts_the_email_in_any_case(client):
    get_user_model().objects.create_superuser("root@example.com", "root@example.com", PASSWORD)
    response = login(client, "ROOT@example.com", PASSWORD, "/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"] == "/admin/"
