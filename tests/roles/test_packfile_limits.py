"""The pack loader under attack: every file in tests/data/attacks/ fails with a clear
``file:line: field.path: message``, fast and in bounded memory, and nothing is written.

The limits are roles.packfile's (docs/security.md, "Input limits").
"""

import tracemalloc
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from roles import packfile
from roles.models import RolePack
from roles.packfile import load_path, load_text

pytestmark = pytest.mark.django_db

ATTACKS = Path(__file__).resolve().parents[1] / "data" / "attacks"
VALID = Path(__file__).resolve().parents[1] / "data" / "packs" / "valid" / "simple.yaml"

# attack file → (line, field path, words of the message) of its first error
EXPECTED = {
    "billion-laughs.yaml": (34, "(pack)", "more than 20000 values in one document"),
    "deep-nesting.yaml": (7, "(pack)", "nested deeper than 32 levels"),
    "deep-nesting-block.yaml": (61, "(pack)", "nested deeper than 32 levels"),
    "recursive-alias.yaml": (29, "(pack)", "refers to a list or mapping that contains it"),
    "merge-bomb.yaml": (121, "(pack)", "nested deeper than 32 levels (aliases expanded)"),
    "tag-custom.yaml": (7, "fvm.evidence", "the YAML tag !custom is not allowed"),
    "tag-binary.yaml": (7, "fvm.evidence", "the YAML tag !!binary is not allowed"),
    "tag-python-value.yaml": (7, "fvm.evidence", "the YAML tag !!python/name:os.system"),
    "tag-python-key.yaml": (8, "fvm", "a key must be a plain value"),
    "tag-set.yaml": (10, "context.terminology", "the YAML tag !!set is not allowed"),
    "huge-integer.yaml": (5, "fvm.baseline_minutes", "a number longer than 24 characters"),
    "integer-beyond-database.yaml": (5, "fvm.baseline_minutes", "(at most 2147483647)"),
    "nul-escaped.yaml": (7, "fvm.evidence", "a NUL character"),
    "nul-raw.yaml": (7, "(pack)", "special characters are not allowed"),
    "field-too-long.yaml": (2, "name", "is 5000 characters long; at most 120"),
}


def _command_errors(path: Path) -> str:
    out, err = StringIO(), StringIO()
    with pytest.raises((CommandError, SystemExit)) as caught:
        call_command("import_rolepack", str(path), stdout=out, stderr=err)
    return f"{caught.value}\n{out.getvalue()}\n{err.getvalue()}"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_attack_file_is_a_clear_error_and_writes_nothing(name):
    line, field, words = EXPECTED[name]
    packs, errors = load_path(ATTACKS / name)
    from roles.imports import rolepack_import
    from roles.validation import PackValidationError

    with pytest.raises(PackValidationError) as caught:
        rolepack_import(path=ATTACKS / name)
    first = caught.value.errors[0]
    where = f"{ATTACKS / name}:{line}" if line else f"{ATTACKS / name}"
    text = str(first)
    if line is None:
        assert text.startswith(f"{ATTACKS / name}:"), text
    else:
        assert text.startswith(f"{where}: {field}: "), text
    assert words in text, text
    assert not RolePack.objects.exists()


def test_the_attack_folder_holds_exactly_the_files_tested():
    assert sorted(p.name for p in ATTACKS.glob("*.yaml")) == sorted(
        [*EXPECTED, "impossible-date.yaml"]
    )


def test_the_command_prints_file_line_path_message(capsys):
    message = _command_errors(ATTACKS / "tag-custom.yaml")
    assert f"{ATTACKS / 'tag-custom.yaml'}:7: fvm.evidence: the YAML tag !custom" in message


def test_an_impossible_date_is_text_not_a_traceback():
    (pack,), errors = load_path(ATTACKS / "impossible-date.yaml")
    assert errors == []
    assert pack.document["fvm"]["evidence"] == "2026-13-45"
    (pack,), _ = load_path(VALID)
    (dated,), _ = load_text("evidence: 2026-01-05\n", source="x")
    assert dated.document == {"evidence": "2026-01-05"}  # dates stay text: no date field exists


def test_billion_laughs_fails_in_bounded_memory():
    text = (ATTACKS / "billion-laughs.yaml").read_text()
    tracemalloc.start()
    try:
        packs, errors = load_text(text, source="bomb.yaml")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert packs == [] and len(errors) == 1
    assert peak < 10 * 1024 * 1024  # bytes; the limit asked is 100 MB


def test_aliases_under_the_caps_still_work():
    text = "base: &b {x: 1}\nitems: [*b, *b, *b]\n"
    (pack,), errors = load_text(text, source="ok.yaml")
    assert errors == [] and pack.document["items"] == [{"x": 1}] * 3


def test_a_wide_fan_of_few_aliases_passes_the_node_cap(monkeypatch):
    monkeypatch.setattr(packfile, "MAX_NODES", 50)
    text = "a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9]\nb: [*a, *a, *a, *a, *a, *a]\n"
    packs, errors = load_text(text, source="fan.yaml")
    assert packs == []
    assert (
        str(errors[0]) == "fan.yaml:2: (pack): more than 50 values in one document "
        "(aliases counted as expanded)"
    )


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path, monkeypatch):
    monkeypatch.setattr(packfile, "MAX_FILE_CHARS", 100)
    big = tmp_path / "big.yaml"
    big.write_text("slug: x\n" + "# padding\n" * 100)
    packs, errors = load_path(big)
    assert packs == [] and str(errors[0]).endswith("the file is larger than 100 characters")


def test_an_included_markdown_file_over_the_limit_is_an_error_at_its_field(tmp_path, monkeypatch):
    monkeypatch.setattr(packfile, "MAX_FILE_CHARS", 2000)
    (tmp_path / "body.md").write_text("x" * 2001)
    pack = (
        VALID.read_text()
        .replace("      Write a reply to this ticket: {{ticket}}\n", "")
        .replace("body: |", "body: {file: body.md}")
    )
    (tmp_path / "pack.yaml").write_text(pack)
    packs, errors = load_path(tmp_path)
    assert [e.path for e in errors] == ["prompts[0].body"]
    assert "larger than 2000 characters" in errors[0].message
