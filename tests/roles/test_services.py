import pytest

from roles.canonical import version_to_document
from roles.models import RolePackVersion
from roles.services import rolepack_draft_create, rolepack_version_publish
from roles.validation import PackValidationError
from tests.factories import make_pack

pytestmark = pytest.mark.django_db


def test_it_clones_the_latest_version_into_a_draft():
    version = make_pack()
    draft = rolepack_draft_create(pack=version.pack)
    assert (draft.number, draft.status, draft.published_at) == (2, "draft", None)
    assert version_to_document(draft) == version_to_document(version)
    assert draft.prompts.first().variables.count() == 2
    assert version.prompts.first().variables.count() == 2  # the original keeps its rows


def test_a_pack_keeps_its_one_draft():
    version = make_pack()
    first = rolepack_draft_create(pack=version.pack)
    assert rolepack_draft_create(pack=version.pack).pk == first.pk
    assert version.pack.versions.count() == 2


def test_it_refuses_to_publish_a_published_version():
    version = make_pack()
    with pytest.raises(PackValidationError, match="already published"):
        rolepack_version_publish(version=version)


def test_it_publishes_a_valid_draft_with_its_content_hash():
    draft = rolepack_draft_create(pack=make_pack().pack)
    published = rolepack_version_publish(version=draft)
    assert published.is_published and published.published_at
    assert len(published.content_hash) == 64
    assert RolePackVersion.objects.get(pk=draft.pk).content_hash == published.content_hash


def test_it_validates_the_document_it_is_given_and_publishes_nothing_on_errors():
    draft = rolepack_draft_create(pack=make_pack().pack)
    document = version_to_document(draft)
    document["fvm"]["target_minutes"] = 500
    with pytest.raises(PackValidationError) as caught:
        rolepack_version_publish(version=draft, document=document)
    assert [e.path for e in caught.value.errors] == ["fvm.target_minutes"]
    assert RolePackVersion.objects.get(pk=draft.pk).status == "draft"
