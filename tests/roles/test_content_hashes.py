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
    "customer-support-lead": "c6d66be651933dfc774e3bc5727e79d0ac7af7080628b2c756cd1f3ac8d9f05c",
    "finance-analyst": "c2d1c020e4c84b835f869cc05040da869610bfe01531432ad309db017b208682",
    "hr-business-partner": "6953e93226c6ea6b006a1cd276da5965a76a90665e8acfd04ce62df612ca546c",
    "operations-manager": "322b0a33370576bdf772dc79eda1fec2d8603de851b67807443222629919114b",
    "sales-representative": "df5e685ea6c4b8de87e00c403048c98c3abd3b459cc854b404ba0e23fc452079",
}
# The examples before they stated KPI baseline dates, step minutes and reinforcement: the
# same packs without those optional fields must hash as they always did.
PINNED_WITHOUT_SEEDS = {
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


def _without_seeds(document: dict) -> dict:
    document.pop("reinforcement", None)
    for kpi in document["kpis"]:
        kpi.pop("baseline_measured_on", None)
    for track in document["path"]:
        for day in track["days"]:
            for step in day["steps"]:
                step.pop("minutes", None)
    return document


@pytest.mark.parametrize("slug", sorted(PINNED_WITHOUT_SEEDS))
def test_without_the_optional_seed_fields_each_example_keeps_its_old_hash(slug):
    (pack,), errors = load_path(EXAMPLES / f"{slug}.yaml")
    assert not errors
    document = _without_seeds(pack.document)
    assert content_hash(normalize_document(document)) == PINNED_WITHOUT_SEEDS[slug]


@pytest.mark.django_db
def test_an_imported_example_stores_and_rebuilds_the_same_hash():
    call_command("import_rolepack", str(EXAMPLES), stdout=io.StringIO())
    versions = RolePackVersion.objects.select_related("pack")
    assert {v.pack.slug: v.content_hash for v in versions} == PINNED
    for version in versions:
        assert content_hash(version_to_document(version)) == PINNED[version.pack.slug]
