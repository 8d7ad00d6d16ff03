import pytest
from django.contrib.auth.models import Group
from rest_framework.test import APIClient

from roles.canonical import version_to_document
from roles.models import PathStep, RolePack
from roles.services import rolepack_draft_create
from tests.factories import UserFactory, make_pack

pytestmark = pytest.mark.django_db


@pytest.fixture
def author():
    user = UserFactory()
    user.groups.add(Group.objects.get_or_create(name="enablement")[0])
    return user


def _client(user=None):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def _document(slug="new-pack", **changes):
    version = make_pack(f"{slug}-source")
    document = version_to_document(version)
    version.pack.delete()
    return dict(document, slug=slug, **changes)


def _caller(who, author):
    if who == "employee":
        return UserFactory()
    if who == "admin":
        return UserFactory(is_superuser=True, is_staff=True)
    return author if who == "author" else None


# (method, url, body kind) → expected status for anonymous (401: asked to authenticate),
# employee, author, admin
MATRIX = [
    ("get", "/api/rolepacks/", None, (401, 200, 200, 200)),
    ("get", "/api/rolepacks/finance-analyst/", None, (401, 200, 200, 200)),
    ("post", "/api/rolepacks/", "new", (401, 403, 201, 201)),
    ("put", "/api/rolepacks/finance-analyst/", "update", (401, 403, 200, 200)),
    ("post", "/api/rolepacks/finance-analyst/publish/", "draft", (401, 403, 200, 200)),
    ("delete", "/api/rolepacks/finance-analyst/", None, (401, 403, 405, 405)),
]


@pytest.mark.parametrize("method,url,body,expected", MATRIX)
@pytest.mark.parametrize("who", ["anonymous", "employee", "author", "admin"])
def test_it_enforces_the_permission_matrix(author, method, url, body, expected, who):
    published = make_pack()
    document = None
    if body == "new":
        document = _document()
    elif body == "update":
        document = dict(version_to_document(published), name="Finance analyst (EU)")
    elif body == "draft":
        rolepack_draft_create(pack=published.pack)
    response = getattr(_client(_caller(who, author)), method)(url, document, format="json")
    index = ["anonymous", "employee", "author", "admin"].index(who)
    assert response.status_code == expected[index], response.content
    if expected[index] in (401, 403):
        assert RolePack.objects.count() == 1
        assert list(published.pack.versions.values_list("number", "status")) in (
            [(1, "published")],
            [(2, "draft"), (1, "published")],
        )


def test_it_lists_packs_in_few_queries(author, django_assert_max_num_queries):
    for slug in ("a", "b", "c"):
        make_pack(slug)
    client = _client(UserFactory())
    with django_assert_max_num_queries(3):
        response = client.get("/api/rolepacks/")
    assert [row["slug"] for row in response.json()] == ["a", "b", "c"]
    assert response.json()[0]["published_version"] == 1


def test_an_employee_does_not_see_drafts(author):
    make_pack("draft-only", published=False)
    published = make_pack()
    employee = _client(UserFactory())
    assert [row["slug"] for row in employee.get("/api/rolepacks/").json()] == ["finance-analyst"]
    assert employee.get("/api/rolepacks/draft-only/").status_code == 404
    rolepack_draft_create(pack=published.pack)
    detail = employee.get("/api/rolepacks/finance-analyst/").json()
    assert (detail["version"], detail["status"]) == (1, "published")
    assert [v["number"] for v in detail["versions"]] == [1]
    assert employee.get("/api/rolepacks/finance-analyst/?version=2").status_code == 404
    assert _client(author).get("/api/rolepacks/finance-analyst/?version=2").status_code == 200


def test_it_reports_every_error_with_its_field_path(author):
    document = _document()
    document["fvm"] = dict(document["fvm"], target_minutes=120)
    document["prompts"][0]["variables"][0]["name"] = "perod"
    document["colour"] = "blue"
    response = _client(author).post("/api/rolepacks/", document, format="json")
    assert response.status_code == 400
    paths = {error["path"]: error["message"] for error in response.json()["errors"]}
    assert "less than baseline" in paths["fvm.target_minutes"]
    assert "declared but not used" in paths["prompts[0].variables[0].name"]
    assert "not declared" in paths["prompts[0].body"]
    assert "unknown field" in paths["colour"]
    assert not RolePack.objects.filter(slug="new-pack").exists()


def test_it_creates_a_draft_then_publishes_it(author):
    client = _client(author)
    created = client.post("/api/rolepacks/", _document(), format="json")
    assert created.status_code == 201
    assert (created.json()["version"], created.json()["status"]) == (1, "draft")
    assert client.post("/api/rolepacks/", _document(), format="json").status_code == 409
    published = client.post("/api/rolepacks/new-pack/publish/")
    assert published.status_code == 200 and published.json()["status"] == "published"
    assert client.post("/api/rolepacks/new-pack/publish/").status_code == 409


def test_a_put_never_changes_a_published_version(author):
    published = make_pack()
    before = version_to_document(published)
    changed = dict(before, name="Finance analyst (EU)")
    response = _client(author).put("/api/rolepacks/finance-analyst/", changed, format="json")
    assert response.status_code == 200
    assert (response.json()["version"], response.json()["status"]) == (2, "draft")
    published.refresh_from_db()
    assert version_to_document(published) == before and published.is_published
    again = dict(before, name="Finance analyst (NL)")
    response = _client(author).put("/api/rolepacks/finance-analyst/", again, format="json")
    assert response.json()["version"] == 2
    assert response.json()["document"]["name"] == "Finance analyst (NL)"
    assert published.pack.versions.count() == 2


def test_a_put_must_name_the_pack_in_the_url(author):
    make_pack()
    other = _document(slug="other")
    response = _client(author).put("/api/rolepacks/finance-analyst/", other, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["path"] == "slug"


def test_publishing_an_invalid_draft_lists_the_errors_and_publishes_nothing(author):
    draft = rolepack_draft_create(pack=make_pack().pack)
    PathStep.objects.filter(version=draft, kind="fvm_task", track="prescriptive").delete()
    response = _client(author).post("/api/rolepacks/finance-analyst/publish/")
    assert response.status_code == 400
    assert any("exactly one fvm_task" in e["message"] for e in response.json()["errors"])
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_a_malformed_body_is_a_400_listing_the_error(author):
    client = _client(author)
    response = client.post("/api/rolepacks/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["errors"][0]["message"]
    response = client.post("/api/rolepacks/", [1, 2], format="json")
    assert response.json()["errors"][0]["message"] == "the body must be one role pack object"


def test_create_and_publish_answer_the_seeds_advice_as_warnings(author):
    document = _document()
    document["kpis"] = document["kpis"][:1]  # one KPI: allowed, advised against
    client = _client(author)
    created = client.post("/api/rolepacks/", document, format="json")
    assert created.status_code == 201
    (warning,) = created.json()["warnings"]
    assert warning["path"] == "kpis" and "3 to 5" in warning["message"]
    published = client.post("/api/rolepacks/new-pack/publish/")
    assert published.status_code == 200 and published.json()["status"] == "published"
    assert [w["path"] for w in published.json()["warnings"]] == ["kpis"]
    assert "warnings" not in client.get("/api/rolepacks/new-pack/").json()
