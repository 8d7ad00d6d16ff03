from pathlib import Path

import pytest
from django.core.management import call_command

from roles.canonical import normalize_document, version_to_document
from roles.imports import rolepack_import, rolepack_import_document
from roles.models import (
    Demo,
    Intervention,
    Kpi,
    PathStep,
    Prompt,
    PromptVariable,
    RolePack,
    RolePackVersion,
)
from roles.packfile import dump_yaml, load_path
from roles.validation import PackValidationError
from tests.factories import make_pack

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((REPO / "examples" / "rolepacks").glob("*.yaml"))
PACKS = REPO / "tests" / "data" / "packs"
MODELS = (RolePack, RolePackVersion, Prompt, PromptVariable, Demo, PathStep, Intervention, Kpi)


def _counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def _write(tmp_path, text, name="pack.yaml"):
    target = tmp_path / name
    target.write_text(text, encoding="utf-8")
    return target


def test_it_round_trips_a_factory_pack_through_yaml(tmp_path):
    original = version_to_document(make_pack("orig"))
    document = dict(original, slug="copy")
    rolepack_import(path=_write(tmp_path, dump_yaml(document)))
    imported = RolePackVersion.objects.get(pack__slug="copy")
    assert imported.is_published
    assert version_to_document(imported) == document


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_it_round_trips_every_example_pack(example, tmp_path):
    (loaded,), errors = load_path(example)
    assert errors == []
    (outcome,) = rolepack_import(path=example)
    exported = version_to_document(outcome.version)
    assert exported == normalize_document(loaded.document)
    RolePack.objects.all().delete()
    (again,) = rolepack_import(path=_write(tmp_path, dump_yaml(exported)))
    assert version_to_document(again.version) == exported


def test_it_creates_no_version_when_the_content_is_identical(tmp_path):
    document = version_to_document(make_pack("same"))
    first = rolepack_import(path=_write(tmp_path, dump_yaml(document)))
    assert first[0].created is False
    assert RolePackVersion.objects.filter(pack__slug="same").count() == 1
    changed = dict(document, name="Finance analyst (EU)")
    (outcome,) = rolepack_import(path=_write(tmp_path, dump_yaml(changed)))
    assert outcome.created and outcome.version.number == 2 and outcome.version.is_published


def test_a_dry_run_writes_nothing(tmp_path):
    document = version_to_document(make_pack("dry"))
    RolePack.objects.all().delete()
    before = _counts()
    (outcome,) = rolepack_import(path=_write(tmp_path, dump_yaml(document)), dry_run=True)
    assert outcome.version is None and outcome.created
    assert _counts() == before


def test_it_imports_the_json_export_form(tmp_path):
    import json

    docs = [version_to_document(make_pack(slug)) for slug in ("a-pack", "b-pack")]
    RolePack.objects.all().delete()
    target = _write(tmp_path, json.dumps(docs), name="packs.json")
    outcomes = rolepack_import(path=target)
    assert [o.slug for o in outcomes] == ["a-pack", "b-pack"]
    assert version_to_document(outcomes[1].version) == docs[1]


def test_the_api_document_import_refuses_an_invalid_document():
    with pytest.raises(PackValidationError) as caught:
        rolepack_import_document(document={"slug": "x"})
    assert any(e.path == "fvm" for e in caught.value.errors)


def test_the_command_prints_each_outcome(tmp_path, capsys):
    document = version_to_document(make_pack("cmd"))
    RolePack.objects.all().delete()
    call_command("import_rolepack", str(_write(tmp_path, dump_yaml(document))))
    assert "cmd: v1 published" in capsys.readouterr().out
