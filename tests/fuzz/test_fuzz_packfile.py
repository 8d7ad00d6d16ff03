"""The pack loader and validator: any text, any document, a clear error or packs."""

import yaml
from hypothesis import given
from hypothesis import strategies as st

from roles.packfile import load_text
from roles.validation import PackError, validate_document
from tests.fuzz.strategies import FUZZ, JSON, NASTY, TEXT, assert_bounded_memory

VALID = (
    "slug: s\nname: n\nfvm: {deliverable: d, baseline_minutes: 20, target_minutes: 5, "
    "evidence: e}\n"
)


def _check(text: str) -> None:
    packs, errors = load_text(text, source="fuzz.yaml")
    for pack in packs:
        errors += validate_document(pack.document, source="fuzz.yaml", lines=pack.lines)
    assert all(isinstance(e, PackError) and str(e).startswith("fuzz.yaml") for e in errors)
    assert_bounded_memory()


@FUZZ
@given(st.lists(st.one_of(NASTY, TEXT), max_size=30).map("".join))
def test_any_text_is_packs_or_errors(text):
    _check(text)


@FUZZ
@given(JSON)
def test_any_yaml_document_is_packs_or_errors(value):
    _check(yaml.safe_dump(value, allow_unicode=True))


@FUZZ
@given(st.integers(1, 40), st.integers(1, 12), st.sampled_from(["[", "{a: "]))
def test_nesting_and_aliases_of_any_size(depth, fan, opener):
    closer = "]" if opener == "[" else "}"
    nested = opener * depth + "x" + closer * depth
    aliases = (
        "a: &a ["
        + ", ".join(["x"] * fan)
        + "]\n"
        + "".join(
            f"b{i}: &b{i} [" + ", ".join([f"*{'a' if i == 0 else f'b{i - 1}'}"] * fan) + "]\n"
            for i in range(depth % 8)
        )
    )
    _check(VALID + f"deep: {nested}\n" + aliases)


@FUZZ
@given(JSON)
def test_any_json_document_validates_to_errors_or_nothing(value):
    errors = validate_document(value, source="<api>")
    assert all(isinstance(e, PackError) for e in errors)
