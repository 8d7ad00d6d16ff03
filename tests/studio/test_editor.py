"""The editor from outside: each section's form posts back the same document, the YAML tab
edits the same document, errors land at the field, and Publish never publishes old text."""

import pytest
from django.urls import reverse

from roles.canonical import content_hash, version_to_document
from roles.models import RolePackVersion
from roles.packfile import dump_yaml
from studio.editing import editor_sections
from tests.studio.conftest import form_fields

pytestmark = pytest.mark.django_db


def _draft(slug="finance-analyst"):
    return RolePackVersion.objects.get(pack__slug=slug, status=RolePackVersion.Status.DRAFT)


def _edit_url(section, slug="finance-analyst"):
    return reverse("studio:edit", kwargs={"slug": slug, "section": section})


@pytest.mark.parametrize("section", [s.key for s in editor_sections()])
def test_it_saves_each_section_unchanged_as_the_same_document(author_client, version, section):
    before = version_to_document(version)
    page = author_client.get(_edit_url(section))
    assert page.status_code == 200
    response = author_client.post(_edit_url(section), dict_of(form_fields(page.content.decode())))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert version_to_document(_draft()) == before


def dict_of(fields):
    data: dict[str, list[str]] = {}
    for name, value in fields:
        data.setdefault(name, []).append(value)
    return data


def test_it_saves_an_edit_made_in_a_section(author_client, version):
    fields = dict_of(form_fields(author_client.get(_edit_url("fvm")).content.decode()))
    fields["name"] = ["Financial analyst"]
    fields["fvm.target_minutes"] = ["12"]
    assert author_client.post(_edit_url("fvm"), fields).status_code == 302
    document = version_to_document(_draft())
    assert (document["name"], document["fvm"]["target_minutes"]) == ("Financial analyst", 12)
    # The published version did not change.
    assert version_to_document(version)["name"] == "Finance analyst"


def test_it_shows_the_validators_error_at_the_field_and_saves_nothing(author_client, version):
    fields = dict_of(form_fields(author_client.get(_edit_url("fvm")).content.decode()))
    fields["fvm.target_minutes"] = ["95"]
    response = author_client.post(_edit_url("fvm"), fields)
    assert response.status_code == 400
    html = response.content.decode()
    assert (
        'id="f-fvm-target-minutes-error" data-for="f-fvm-target-minutes">target minutes (95) must be less than baseline minutes (90)'
        in html
    )
    assert not RolePackVersion.objects.filter(status="draft").exists()


def test_the_live_check_answers_each_fields_message_and_the_sentence(author_client, version):
    fields = dict_of(form_fields(author_client.get(_edit_url("fvm")).content.decode()))
    fields["fvm.target_minutes"] = ["abc"]
    fields["_check"] = ["1"]
    answer = author_client.post(_edit_url("fvm"), fields).json()
    assert answer["fields"] == {"f-fvm-target-minutes": "must be an integer, got a string ('abc')"}
    assert answer["sentence"].startswith("A finance analyst has reached first value")


def test_it_picks_up_variables_from_a_prompts_body(author_client, version):
    fields = dict_of(form_fields(author_client.get(_edit_url("prompts")).content.decode()))
    fields["prompts[0].body"] = ["Explain {{period}} for {{audience_name}}.\n\n{{table}}"]
    fields["_sync"] = ["1"]
    html = author_client.post(_edit_url("prompts"), fields).content.decode()
    assert 'name="prompts[0].variables[2].name" value="audience_name"' in html


def test_it_adds_and_removes_items_without_saving(author_client, version):
    fields = dict_of(form_fields(author_client.get(_edit_url("kpis")).content.decode()))
    html = author_client.post(_edit_url("kpis"), {**fields, "_add": "kpis"}).content.decode()
    assert 'name="kpis[2].name"' in html and "Not saved yet." in html
    html = author_client.post(_edit_url("kpis"), {**fields, "_remove": "kpis[0]"}).content.decode()
    assert 'value="Commentary time"' not in html
    assert not RolePackVersion.objects.filter(status="draft").exists()


def test_steps_choose_the_packs_own_prompts_and_demos(author_client, version):
    html = author_client.get(_edit_url("path")).content.decode()
    assert (
        '<option value="variance-demo" selected>Variance commentary in 10 minutes</option>' in html
    )
    assert '<option value="prompt-2">Prompt 2</option>' in html


def test_the_yaml_tab_saves_the_same_document(author_client, version):
    url = reverse("studio:source", kwargs={"slug": "finance-analyst"})
    for fmt in ("yaml", "json"):
        page = author_client.get(url, {"format": fmt})
        (text,) = [
            v for k, v in form_fields(page.content.decode(), "data-studio-source") if k == "text"
        ]
        assert author_client.post(f"{url}?format={fmt}", {"text": text}).status_code == 302
        assert version_to_document(_draft()) == version_to_document(version)


def test_the_yaml_tab_names_the_line_of_an_error(author_client, version):
    url = reverse("studio:source", kwargs={"slug": "finance-analyst"})
    text = dump_yaml(version_to_document(version)).replace(
        "target_minutes: 10", "target_minutes: 95"
    )
    response = author_client.post(url, {"text": text})
    assert response.status_code == 400
    line = text.splitlines().index("  target_minutes: 95") + 1
    assert (
        f"line {line}: <code>fvm.target_minutes</code>: target minutes (95)"
        in response.content.decode()
    )


def _publish_url():
    return reverse("studio:publish", kwargs={"slug": "finance-analyst"})


def test_save_and_publish_saves_first_then_shows_the_diff(author_client, version):
    fields = dict_of(form_fields(author_client.get(_edit_url("fvm")).content.decode()))
    fields["name"] = ["Financial analyst"]
    response = author_client.post(_edit_url("fvm"), {**fields, "_publish": "1"})
    assert response.status_code == 302 and response["Location"] == _publish_url()
    page = author_client.get(_publish_url()).content.decode()
    assert "+name: Financial analyst" in page and "-name: Finance analyst" in page
    (revision,) = [v for k, v in form_fields(page, "data-studio-publish") if k == "revision"]
    assert author_client.post(_publish_url(), {"revision": revision}).status_code == 302
    published = RolePackVersion.objects.get(pack__slug="finance-analyst", number=2)
    assert published.is_published and published.name == "Financial analyst"


def test_publish_never_publishes_a_draft_that_changed_after_the_review(author_client, version):
    fields = dict_of(form_fields(author_client.get(_edit_url("fvm")).content.decode()))
    author_client.post(_edit_url("fvm"), {**fields, "name": ["Old name"]})
    reviewed = content_hash(version_to_document(_draft()))
    author_client.post(_edit_url("fvm"), {**fields, "name": ["New name"]})
    response = author_client.post(_publish_url(), {"revision": reviewed})
    assert response.status_code == 409
    assert "You have unsaved changes" in response.content.decode()
    assert _draft().name == "New name"
    assert not RolePackVersion.objects.filter(number=2, status="published").exists()


def test_publishing_is_audited_with_who_published(author_client, author, version):
    author_client.post(
        _edit_url("fvm"), dict_of(form_fields(author_client.get(_edit_url("fvm")).content.decode()))
    )
    revision = content_hash(version_to_document(_draft()))
    author_client.post(_publish_url(), {"revision": revision})
    page = author_client.get(reverse("studio:versions", kwargs={"slug": "finance-analyst"}))
    assert "author@example.com" in page.content.decode()


def test_a_new_draft_from_an_old_version(author_client, version):
    fields = dict_of(form_fields(author_client.get(_edit_url("fvm")).content.decode()))
    author_client.post(_edit_url("fvm"), {**fields, "name": ["Changed"]})
    url = reverse("studio:draft-from", kwargs={"slug": "finance-analyst", "number": 1})
    assert author_client.post(url).status_code == 302
    assert version_to_document(_draft()) == version_to_document(version)
