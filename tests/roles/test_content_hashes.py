"""The canonical form of a pack never changes under a stored version: these hashes were
computed before the document was declared as a model tree, and must stay."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command

from roles.canonical import content_hash, normalize_document, version_to_document
from roles.models import RolePackVersion
from roles.packfile import load_path

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "rolepacks"
PINNED = {
    "customer-support-lead": "f8421d3106f5d7d6786fe36663048740068e085e8f365e5159404caeb458a184",
    "finance-analyst": "b4494364eb7cddc0c9c16bd2c6adfcc507a8ecc341d9a17b0e25cb6c207646f6",
    "hr-business-partner": "5c8ef542cc4cd4c9427c42a05e4bcaca7662d0b070380bd6cf25cadd00e248ff",
    "operations-manager": "6f444d4ea52c8222b2a5414658a432a09b8fa7c44283770e59bf531d687144cc",
    "sales-representative": "2cec09a49b48ba28aafb665e9234eb7a8b7723fdadbe0104534b8b5f16461f03",
}


def test_every_example_pack_is_pinned():
    assert sorted(p.stem for p in EXAMPLES.glob("*.yaml")) == sorted(PINNED)


@pytest.mark.parametrize("slug", sorted(PINNED))
def test_the_canonical_form_of_each_example_keeps_its_hash(slug):
    (pack,), errors = load_path(EXAMPLES / f"{slug}.yaml")
    assert not errors
    assert content_hash(normalize_document(pack.document)) == PINNED[slug]


@pytest.mark.django_db
def test_an_imported_example_stores_and_rebuilds_the_same_hash():
    call_command("import_rolepack", str(EXAMPLES), stdout=io.StringIO())
    versions = RolePackVersion.objects.select_related("pack")
    assert {v.pack.slug: v.content_hash for v in versions} == PINNED
    for version in versions:
        assert content_hash(version_to_document(version)) == PINNED[version.pack.slug]
