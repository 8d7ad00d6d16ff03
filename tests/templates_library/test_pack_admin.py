import pytest
from django.contrib.auth.models import Group

from roles.canonical import version_to_document
from roles.models import PathStep, Prompt, RolePackVersion
from roles.services import rolepack_draft_create, rolepack_draft_update, rolepack_version_create
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


ADMIN_FIELDS = {
    "name": "Finance analyst (EU)",
    "description": "Month-end **reporting**.",
    "holdout_percent": 10,
    "fvm_deliverable": "a variance explanation",
    "fvm_baseline_minutes": 60,
    "fvm_target_minutes": 15,
    "fvm_evidence": "the link",
    "context_audience": "the CFO",
    "context_terminology": '{"FY": "fiscal year"}',
    "context_output_format": "",
}


def _header(slug):
    """ADMIN_FIELDS as the document the services take (the version's own fields)."""
    return {
        "slug": slug,
        "name": "Finance analyst (EU)",
        "description": "Month-end **reporting**.",
        "holdout_percent": 10,
        "fvm": {
            "deliverable": "a variance explanation",
            "baseline_minutes": 60,
            "target_minutes": 15,
            "evidence": "the link",
        },
        "context": {
            "audience": "the CFO",
            "terminology": {"FY": "fiscal year"},
            "output_format": "",
        },
        "path": [],
        "kpis": [],
    }


def _same_rows(one, other):
    """Two versions of different packs hold the same rows (their slugs aside)."""
    assert (one.number, one.status, one.created_by_id) == (
        other.number,
        other.status,
        other.created_by_id,
    )
    assert version_to_document(one) == dict(version_to_document(other), slug=one.pack.slug)


def test_a_version_added_in_the_admin_is_the_one_the_service_creates(author_client):
    user = author_client.get("/admin/").wsgi_request.user
    version, twin = make_pack(), make_pack("twin")
    response = author_client.post(
        "/admin/roles/rolepackversion/add/",
        {"pack": version.pack.pk, **ADMIN_FIELDS, **_empty_inlines()},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    added = version.pack.versions.get(number=2)
    made = rolepack_version_create(slug="twin", document=_header("twin"), user=user, complete=False)
    assert made.pack == twin.pack
    _same_rows(added, made)
    assert added.fvm_sentence.startswith("A finance analyst (EU) has reached first value")


def test_a_draft_changed_in_the_admin_is_the_one_the_service_writes(author_client):
    draft = rolepack_draft_create(pack=make_pack().pack)
    twin = rolepack_draft_create(pack=make_pack("twin").pack)
    response = author_client.post(
        _version_url(draft), {"pack": draft.pack.pk, **ADMIN_FIELDS, **_empty_inlines()}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    rolepack_draft_update(version=twin, document=_header("twin"))
    draft.refresh_from_db()
    twin.refresh_from_db()
    _same_rows(draft, twin)
    assert draft.prompts.count() == 2  # the lists are the inline rows' business


def _form_errors(response):
    return response.context["adminform"].form.errors


def test_the_admin_shows_the_services_errors_at_their_fields(author_client):
    version = make_pack()
    data = {"pack": version.pack.pk, **ADMIN_FIELDS, **_empty_inlines()}
    response = author_client.post(
        "/admin/roles/rolepackversion/add/", dict(data, fvm_target_minutes=60)
    )
    assert response.status_code == 200
    assert (
        "must be less than baseline minutes (60)" in _form_errors(response)["fvm_target_minutes"][0]
    )
    rolepack_draft_create(pack=version.pack)
    response = author_client.post("/admin/roles/rolepackversion/add/", data)
    assert _form_errors(response)["pack"] == [
        "This pack already has a draft: edit that one (a pack has at most one draft)."
    ]
    assert version.pack.versions.count() == 2
