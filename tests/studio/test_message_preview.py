"""The interventions editor's live preview: each message as its recipient gets it (the senders'
renderer, a sample person), from the form as typed (the live check) and after saving."""

import pytest

from studio.message_preview import NO_KIND, NO_MESSAGE
from tests.studio.conftest import form_fields
from tests.studio.test_editor import _edit_url, dict_of

pytestmark = pytest.mark.django_db

MESSAGE = "interventions[0].message"


def _form(client):
    return dict_of(form_fields(client.get(_edit_url("interventions")).content.decode()))


def _check(client, fields) -> dict:
    response = client.post(_edit_url("interventions"), {**fields, "_check": "1"})
    assert response.status_code == 200
    return response.json()


def test_the_page_shows_each_message_as_received_beside_the_form(author_client, version):
    html = author_client.get(_edit_url("interventions")).content.decode()
    aside = html[html.index('<aside class="message-previews"') :]
    assert "As the recipient gets it" in aside
    assert "Intervention 1: Day 5 · Manager nudge" in aside
    assert "Sam Manager &lt;sam.manager@example.com&gt; (manager)" in aside
    assert "Day 5: help <span" in aside and "Alex Example" in aside
    assert "variance commentary with the AI</span></a>" in aside  # {{one_task}}, linked


def test_the_live_check_renders_the_message_being_typed(author_client, version):
    fields = _form(author_client)
    fields[MESSAGE] = ["Hi {{manager_name}}, {{name}} starts on {{one_task}} <script>x()</script>"]
    previews = _check(author_client, fields)["previews"]
    assert 'Hi <span class="filled">Sam Manager</span>' in previews
    assert '<span class="filled">Alex Example</span> starts on' in previews
    assert "<script>" not in previews
    assert version.interventions.get(day=5).message == "Day 5: help {{name}} with {{one_task}}."


def test_a_message_without_kind_or_text_says_what_is_missing(author_client, version):
    fields = _form(author_client)
    fields["interventions[0].kind"] = [""]
    fields["interventions[1].message"] = ["  "]
    previews = _check(author_client, fields)["previews"]
    assert NO_KIND in previews and NO_MESSAGE in previews
    assert "Intervention 1: Day 5<" in previews


def test_other_sections_answer_no_previews(author_client, version):
    fields = dict_of(form_fields(author_client.get(_edit_url("kpis")).content.decode()))
    response = author_client.post(_edit_url("kpis"), {**fields, "_check": "1"})
    assert "previews" not in response.json()
    assert "message-previews" not in author_client.get(_edit_url("kpis")).content.decode()


def test_without_javascript_the_preview_follows_the_save(author_client, version):
    fields = _form(author_client)
    fields[MESSAGE] = ["Hello {{manager_name}}: a word with {{name}} today?"]
    response = author_client.post(_edit_url("interventions"), {**fields, "_save": "1"})
    assert response.status_code == 302
    html = author_client.get(response.url).content.decode()
    aside = html[html.index('<aside class="message-previews"') :]
    assert 'Hello <span class="filled">Sam Manager</span>: a word with' in aside
