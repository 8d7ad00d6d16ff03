import pytest
from django.contrib.auth.models import Group

from roles.canonical import version_to_document
from roles.models import PathStep, Prompt, RolePackVersion
from roles.services import rolepack_draft_create
from tests.factories import UserFactory, make_pack

pytestmark = pytest.mark.django_db


@pytest.fixture
def author_client(client):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get_or_create(name="enablement")[0])
    client.force_login(user)
    return client


def _version_url(version, suffix="change/"):
    return f"/admin/roles/rolepackversion/{version.pk}/{suffix}"


def _messages(response):
    return [str(m) for m in response.context["messages"]]


def test_an_author_sees_a_published_version_read_only_with_its_fvm_sentence(
    author_client, django_assert_max_num_queries
):
    version = make_pack()
    with django_assert_max_num_queries(40):
        response = author_client.get(_version_url(version))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="fvm-sentence-preview"' in page and version.fvm_sentence in page
    assert "Create new draft" in page and ">Publish<" not in page
    assert 'name="name"' not in page  # read-only: no inputs
    assert "roles/fvm_preview.js" in page


def test_an_author_can_open_every_pack_page(author_client):
    version = make_pack()
    prompt = version.prompts.first()
    for url in (
        "/admin/",
        "/admin/roles/rolepack/",
        f"/admin/roles/rolepack/{version.pack.pk}/change/",
        "/admin/roles/rolepackversion/",
        "/admin/roles/rolepackversion/add/",
        f"/admin/roles/prompt/{prompt.pk}/change/",
    ):
        assert author_client.get(url).status_code == 200, url


def test_the_markdown_preview_is_sanitised(author_client):
    draft = make_pack(published=False)
    draft.description = "**Bold** <script>alert(1)</script> [x](javascript:alert(2))"
    draft.save()
    page = author_client.get(_version_url(draft)).content.decode()
    assert "<strong>Bold</strong>" in page
    assert "<script>alert(1)" not in page
    assert 'href="javascript:' not in page


@pytest.mark.parametrize("staff", [True, False])
def test_an_employee_gets_no_access(client, staff):
    version = make_pack()
    client.force_login(UserFactory(is_staff=staff))
    response = client.get(_version_url(version))
    assert response.status_code == (403 if staff else 302)
    response = client.post(_version_url(version, "publish/"))
    assert response.status_code == (403 if staff else 302)
    if staff:
        assert client.get("/admin/roles/rolepack/").status_code == 403


def test_a_published_version_cannot_be_changed_through_the_admin(author_client):
    version = make_pack()
    before = version_to_document(version)
    response = author_client.post(_version_url(version), {"name": "Changed"})
    assert response.status_code == 403
    prompt = version.prompts.first()
    response = author_client.post(f"/admin/roles/prompt/{prompt.pk}/change/", {"title": "Changed"})
    assert response.status_code == 403
    assert version_to_document(RolePackVersion.objects.get(pk=version.pk)) == before


def test_create_new_draft_clones_everything(author_client):
    version = make_pack()
    response = author_client.post(_version_url(version, "new-draft/"))
    draft = RolePackVersion.objects.get(pack=version.pack, status="draft")
    assert response.status_code == 302 and response.url == _version_url(draft)
    assert draft.number == 2
    assert version_to_document(draft) == version_to_document(version)
    page = author_client.get(_version_url(draft)).content.decode()
    assert ">Publish</button>" in page and 'name="name"' in page


def test_publish_lists_every_error_and_publishes_nothing(author_client):
    draft = rolepack_draft_create(pack=make_pack().pack)
    PathStep.objects.filter(version=draft, kind="fvm_task").delete()
    Prompt.objects.filter(version=draft, slug="prompt-1").update(body="No variables {{ oops }}")
    response = author_client.post(_version_url(draft, "publish/"), follow=True)
    messages = _messages(response)
    assert any("was not published" in m for m in messages)
    assert any("prescriptive track needs exactly one fvm_task" in m for m in messages)
    assert any("exploratory track needs exactly one fvm_task" in m for m in messages)
    assert any('"{{oops}}" is used in the body but not declared' in m for m in messages)
    assert any('variable "period" is declared but not used' in m for m in messages)
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_publish_publishes_a_valid_draft(author_client):
    draft = rolepack_draft_create(pack=make_pack().pack)
    response = author_client.post(_version_url(draft, "publish/"), follow=True)
    assert any("Published finance-analyst v2" in m for m in _messages(response))
    draft.refresh_from_db()
    assert draft.is_published and draft.content_hash


def test_the_publish_action_runs_the_validator(author_client):
    draft = rolepack_draft_create(pack=make_pack().pack)
    response = author_client.post(
        "/admin/roles/rolepackversion/",
        {"action": "publish_versions", "_selected_action": [draft.pk]},
        follow=True,
    )
    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.is_published


def test_an_author_adds_a_new_pack_version_as_a_draft(author_client):
    version = make_pack()
    response = author_client.post(
        "/admin/roles/rolepackversion/add/",
        {
            "pack": version.pack.pk,
            "name": "Finance analyst",
            "fvm_deliverable": "x",
            "fvm_baseline_minutes": 30,
            "fvm_target_minutes": 5,
            "fvm_evidence": "y",
            "holdout_percent": 0,
            "context_terminology": "{}",
            **_empty_inlines(),
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert version.pack.versions.get(number=2).status == "draft"


def _empty_inlines():
    data = {}
    for prefix in ("prompts", "demos", "steps", "interventions", "kpis"):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": 0,
                f"{prefix}-INITIAL_FORMS": 0,
                f"{prefix}-MIN_NUM_FORMS": 0,
                f"{prefix}-MAX_NUM_FORMS": 1000,
            }
        )
    return data
