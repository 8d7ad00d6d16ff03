"""Pack files: line numbers, the folder form, the commands, and round trips."""

import io
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

from roles.canonical import version_to_document
from roles.imports import rolepack_import
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
from roles.packfile import dump_yaml, load_path, load_text
from roles.services import rolepack_draft_create
from roles.validation import PackValidationError
from tests.factories import make_pack

pytestmark = pytest.mark.django_db

PACKS = Path(__file__).resolve().parents[1] / "data" / "packs"
MODELS = (RolePack, RolePackVersion, Prompt, PromptVariable, Demo, PathStep, Intervention, Kpi)

BROKEN = "tests/data/packs/broken/pack.yaml"
BROKEN_ERRORS = [
    f"{BROKEN}:3: holdout_percent: must be between 0 and 50, got 75",
    f"{BROKEN}:7: fvm.target_minutes: target minutes (45) must be less than baseline minutes "
    "(30): with AI the deliverable must take less time",
    f'{BROKEN}:12: context.terminolgy: unknown field "terminolgy" '
    "(allowed: audience, terminology, output_format)",
    f'{BROKEN}:16: prompts[0].body: "{{{{audience}}}}" is used in the body but not declared '
    "in variables",
    f'{BROKEN}:20: prompts[0].variables[1].name: variable "region" is declared but not used '
    "in the body",
    f'{BROKEN}:22: prompts[1].slug: duplicate prompt slug "weekly-report" (first at index 0)',
    f"{BROKEN}:30: demos[0].after_minutes: must be an integer, got a string ('10')",
    f'{BROKEN}:37: path[0].days[0].steps[0].demo: no demo with slug "missing-demo"',
    f'{BROKEN}:38: path[0].days[0].steps[1]: a try_prompt step needs "prompt" (a prompt slug)',
    f"{BROKEN}:39: path[0].days[1].day: working day must be between 1 and 7, got 9",
    f"{BROKEN}:42: path[0].days[1].steps[1]: the prescriptive track needs exactly one "
    "fvm_task step, found another",
    f'{BROKEN}:44: interventions[0].message: unknown placeholder "{{{{dashboard}}}}" (allowed: '
    "{{name}}, {{manager_name}}, {{role}}, {{fvm_sentence}}, {{one_task}}, {{link}})",
    f"{BROKEN}:45: interventions[1]: duplicate intervention: day 5 manager_nudge "
    "(first at interventions[0])",
    f"{BROKEN}:45: interventions[1]: a slack intervention needs an https webhook_url",
    f"{BROKEN}:47: kpis[0].target: direction is down (lower is better), so the target (40) "
    "must be below the baseline (30)",
]


def _counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def _run(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


def test_the_broken_pack_reports_every_error_with_file_line_and_path(monkeypatch):
    monkeypatch.chdir(PACKS.parents[2])
    before = _counts()
    code, out, err = _run("import_rolepack", "tests/data/packs/broken")
    assert code == 1
    assert err.splitlines()[:-1] == BROKEN_ERRORS
    assert err.splitlines()[-1] == "15 error(s); nothing was imported."
    assert out == ""
    assert _counts() == before


def test_one_broken_pack_in_a_folder_stops_the_whole_import(tmp_path):
    shutil.copytree(PACKS / "valid", tmp_path / "packs")
    shutil.copytree(PACKS / "broken", tmp_path / "packs" / "broken")
    with pytest.raises(PackValidationError) as caught:
        rolepack_import(path=tmp_path / "packs")
    assert len(caught.value.errors) == len(BROKEN_ERRORS)
    assert _counts()["RolePack"] == 0


def test_it_imports_a_folder_of_packs_in_one_go():
    outcomes = rolepack_import(path=PACKS / "valid")
    assert [(o.slug, o.number, o.created) for o in outcomes] == [
        ("folder-pack", 1, True),
        ("simple-pack", 1, True),
    ]
    assert all(o.version.is_published for o in outcomes)


def test_the_folder_form_reads_markdown_files():
    (outcome,) = rolepack_import(path=PACKS / "valid" / "folder-pack")
    document = version_to_document(outcome.version)
    assert document["description"].startswith("Runs the **weekly operations review**.")
    assert "ünïcødé" in document["prompts"][0]["body"]
    assert document["demos"][0]["steps"].startswith("1. Export")
    read_step = document["path"][0]["days"][0]["steps"][1]
    assert read_step["body"] == "Read [the guide](https://example.com/guide).\n"
    assert document["interventions"][0]["message"].startswith("Could you sit with {{name}}")
    assert document["kpis"][1] == {
        "name": "Reviews on time",
        "unit": "%",
        "baseline": 60.5,
        "target": 95.25,
        "direction": "up",
    }


def test_a_missing_markdown_file_names_the_yaml_line():
    with pytest.raises(PackValidationError) as caught:
        rolepack_import(path=PACKS / "missing-file")
    assert [str(e).split(": ", 1)[1] for e in caught.value.errors] == [
        f'description: file "nope.md" does not exist (looked in {PACKS / "missing-file"})',
        'path.days[0].steps[0].body: "../../../../etc/passwd" is outside the pack folder',
    ]
    assert [e.line for e in caught.value.errors] == [3, 13]


def test_a_yaml_syntax_error_names_its_line():
    packs, errors = load_text("slug: x\nname: [unclosed\nfvm: 1\n", source="bad.yaml")
    assert packs == [] and len(errors) == 1
    assert str(errors[0]).startswith("bad.yaml:") and "not valid YAML/JSON" in str(errors[0])


def test_a_key_given_twice_is_an_error():
    _, errors = load_text("slug: a\nslug: b\n", source="twice.yaml")
    assert [str(e) for e in errors] == [
        'twice.yaml:2: slug: "slug" appears twice in the same mapping'
    ]


def test_an_empty_or_missing_file_is_an_error(tmp_path):
    empty = tmp_path / "empty.yaml"
    empty.write_text("")
    assert "empty" in str(load_path(empty)[1][0])
    assert "no such file" in str(load_path(tmp_path / "nope.yaml")[1][0])


def test_an_import_refuses_to_overwrite_a_draft_with_other_content(tmp_path):
    version = make_pack()
    draft = rolepack_draft_create(pack=version.pack)
    target = tmp_path / "pack.yaml"
    target.write_text(dump_yaml(dict(version_to_document(version), name="Other")))
    with pytest.raises(PackValidationError) as caught:
        rolepack_import(path=target)
    assert "unpublished draft v2" in str(caught.value)
    assert list(version.pack.versions.values_list("number", flat=True)) == [2, 1]
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_importing_a_drafts_own_content_publishes_it(tmp_path):
    version = make_pack()
    draft = rolepack_draft_create(pack=version.pack)
    target = tmp_path / "pack.yaml"
    target.write_text(dump_yaml(version_to_document(draft)))
    (outcome,) = rolepack_import(path=target)
    assert outcome.created is False and outcome.version.pk == draft.pk
    draft.refresh_from_db()
    assert draft.is_published


def test_a_dry_run_command_writes_nothing_and_says_so():
    before = _counts()
    code, out, _ = _run("import_rolepack", str(PACKS / "valid"), "--dry-run")
    assert code == 0
    assert "folder-pack: v1 published (dry run)" in out
    assert _counts() == before


def test_export_then_import_gives_the_same_pack(tmp_path):
    rolepack_import(path=PACKS / "valid" / "folder-pack")
    original = version_to_document(RolePackVersion.objects.get(pack__slug="folder-pack"))
    target = tmp_path / "out" / "folder-pack.yaml"
    code, _, _ = _run("export_rolepack", "folder-pack", "-o", str(target))
    assert code == 0
    text = target.read_text()
    assert "body: |" in text  # Markdown as block strings
    RolePack.objects.all().delete()
    code, out, _ = _run("import_rolepack", str(target))
    assert code == 0
    imported = RolePackVersion.objects.get(pack__slug="folder-pack")
    assert version_to_document(imported) == original


def test_export_writes_to_stdout_and_picks_versions(capsys):
    version = make_pack()
    draft = rolepack_draft_create(pack=version.pack)
    draft.name = "Finance analyst (draft)"
    draft.save()
    call_command("export_rolepack", "finance-analyst", "-o", "-")
    assert "name: Finance analyst\n" in capsys.readouterr().out
    call_command("export_rolepack", "finance-analyst", "-o", "-", "--version", "2")
    assert "name: Finance analyst (draft)\n" in capsys.readouterr().out


def test_export_of_an_unknown_pack_fails_clearly():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match='no role pack "nope"'):
        call_command("export_rolepack", "nope", "-o", "-")
