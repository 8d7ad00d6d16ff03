"""/privacy/ and /terms/: the pages the Microsoft 365 app manifest links to answer 200 with the
organisation's own text, or a default that says what FirstValue keeps."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url", "title", "words"),
    [
        ("/privacy/", "Privacy notice", "What FirstValue keeps"),
        ("/terms/", "Terms of use", "for work use by its employees"),
    ],
)
def test_the_default_page_answers_signed_out(client, settings, url, title, words):
    settings.ORGANISATION_NAME = "Contoso"
    response = client.get(url)
    assert response.status_code == 200
    text = response.content.decode()
    assert f"<h1>{title}</h1>" in text and words in text and "Contoso" in text


def test_the_organisation_text_replaces_the_default_and_is_sanitised(client, settings, tmp_path):
    policy = tmp_path / "privacy.md"
    policy.write_text("# Our notice\n\nWe keep little. <script>alert(1)</script>", "utf-8")
    settings.PRIVACY_POLICY_FILE = str(policy)
    text = client.get("/privacy/").content.decode()
    assert "We keep little." in text and "What FirstValue keeps" not in text
    assert "<script>alert" not in text


def test_the_pages_are_read_only(client):
    assert client.post("/privacy/").status_code == 405
    assert client.post("/terms/").status_code == 405
