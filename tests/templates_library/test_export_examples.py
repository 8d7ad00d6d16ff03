"""Every example role pack exports in every format, and each output passes the tool's rules."""

import io
import json
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command

from roles.canonical import version_to_document
from roles.models import RolePack, RolePackVersion
from templates_library.exporters import FORMATS, build_export
from templates_library.selectors import export_versions
from tests.templates_library.test_export_formats import (
    assert_safe_csv,
    assert_valid_app_package,
    assert_valid_openwebui,
    assert_valid_prompty_zip,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "rolepacks"
EXAMPLE_SLUGS = sorted(p.stem for p in EXAMPLES.glob("*.yaml"))

pytestmark = pytest.mark.django_db


@pytest.fixture
def examples():
    call_command("import_rolepack", str(EXAMPLES), stdout=io.StringIO())
    return export_versions(all_roles=True)


def test_it_has_example_packs_to_export(examples):
    assert EXAMPLE_SLUGS and [v.pack.slug for v in examples] == EXAMPLE_SLUGS


@pytest.mark.parametrize("slug", EXAMPLE_SLUGS)
def test_it_exports_each_example_in_every_format(examples, slug, tmp_path):
    version = next(v for v in examples if v.pack.slug == slug)
    outputs = {fmt: build_export([version], fmt) for fmt in FORMATS}
    _, agent = assert_valid_app_package(outputs["m365-agent"].content)
    assert len(agent["conversation_starters"]) == min(12, version.prompts.count())
    assert len(assert_valid_openwebui(outputs["openwebui"].content)) == version.prompts.count()
    assert len(assert_valid_prompty_zip(outputs["prompty"].content, tmp_path)) == (
        version.prompts.count()
    )
    assert len(assert_safe_csv(outputs["csv"].content)) == version.prompts.count() + 1
    assert version.fvm_sentence in outputs["markdown"].content.decode()
    assert json.loads(outputs["json"].content) == [version_to_document(version)]


def test_it_exports_all_examples_at_once(examples, tmp_path):
    outer = zipfile.ZipFile(io.BytesIO(build_export(examples, "m365-agent").content))
    assert sorted(outer.namelist()) == [f"{slug}.zip" for slug in EXAMPLE_SLUGS]
    for name in outer.namelist():
        assert_valid_app_package(outer.read(name))
    assert_valid_openwebui(build_export(examples, "openwebui").content)
    assert_valid_prompty_zip(build_export(examples, "prompty").content, tmp_path)
    assert_safe_csv(build_export(examples, "csv").content)


def test_it_imports_the_json_export_back_unchanged(examples, tmp_path):
    documents = [version_to_document(v) for v in examples]
    target = tmp_path / "packs.json"
    call_command("export_prompts", "--all", "--format", "json", "-o", str(target))
    RolePackVersion.objects.all().delete()
    RolePack.objects.all().delete()
    call_command("import_rolepack", str(target), stdout=io.StringIO())
    assert [version_to_document(v) for v in export_versions(all_roles=True)] == documents
