"""Previews of the working version: the week as /my/ renders it, the messages, the agent."""

import pytest
from django.urls import reverse

from roles.models import PathStep

pytestmark = pytest.mark.django_db


def _url(name, **query):
    from urllib.parse import urlencode

    url = reverse(f"studio:{name}", kwargs={"slug": "finance-analyst"})
    return f"{url}?{urlencode(query)}" if query else url


def test_the_week_preview_is_the_employees_page_on_the_chosen_day(author_client, version):
    html = author_client.get(_url("preview-week", track="exploratory", day=3)).content.decode()
    assert "Preview" in html and "nothing here is saved" in html
    assert "Write this month&#x27;s variance commentary with the AI" in html
    assert '<option value="3" selected>Day 3</option>' in html
    assert '<option value="exploratory" selected>' in html


def test_the_week_preview_shows_the_draft_not_the_published_text(author_client, version):
    from tests.studio.conftest import form_fields
    from tests.studio.test_editor import _edit_url, dict_of

    fields = dict_of(form_fields(author_client.get(_edit_url("path")).content.decode()))
    fields["path[0].days[0].steps[0].title"] = ["Watch the new demo"]
    assert author_client.post(_edit_url("path"), fields).status_code == 302
    html = author_client.get(_url("preview-week", day=1)).content.decode()
    assert "Watch the new demo" in html
    assert PathStep.objects.filter(title="Watch the new demo", version__status="draft").exists()


def test_a_bad_day_falls_back_to_day_one(author_client, version):
    response = author_client.get(_url("preview-week", day="x", track="nope"))
    assert response.status_code == 200


def test_the_messages_preview_fills_the_day_five_nudge(author_client, version):
    html = author_client.get(_url("preview-messages")).content.decode()
    assert "Day 5: Manager nudge" in html
    assert "Alex" in html


def test_the_agent_preview_counts_instructions_and_starters(author_client, version):
    html = author_client.get(_url("preview-agent")).content.decode()
    assert "of 8000 characters" in html
    assert "Conversation starters:</strong> 2 of 12" in html
    assert "/finance-analyst-prompt-1" in html
