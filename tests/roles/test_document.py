"""The pack document's one declaration (roles.document): its limits are the models', and
every reader and writer follows it."""

import pytest

from roles.canonical import normalize_document, version_to_document
from roles.document import PackDocument
from roles.document_types import Column, marker, nested
from roles.imports import rolepack_import_document
from roles.models import Intervention, Kpi, PathStep, Track
from roles.validation import validate_document
from tests.roles.test_validation import errors_of, valid_document


def _fields(cls=PackDocument, path=""):
    for name, field in cls.model_fields.items():
        sub, _ = nested(field)
        if sub is not None:
            yield from _fields(sub, f"{path}{name}.")
        else:
            yield f"{path}{name}", field


def _schema_property(schema, path):
    node = schema
    for part in path.split("."):
        node = node["properties"][part]
        ref = node.get("$ref") or node.get("items", {}).get("$ref")
        if ref:
            node = schema["$defs"][ref.rsplit("/", 1)[1]]
    return node


def test_every_max_length_is_the_columns():
    schema = PackDocument.model_json_schema()
    checked = 0
    for path, field in _fields():
        max_length = getattr(marker(field, Column).django_field(), "max_length", None)
        prop = _schema_property(schema, path)
        if max_length and prop.get("type") == "string":
            assert prop["maxLength"] == max_length, path
            checked += 1
    assert checked >= 20


@pytest.mark.parametrize(
    "path,choices",
    [
        ("path.track", Track),
        ("path.days.steps.kind", PathStep.Kind),
        ("interventions.kind", Intervention.Kind),
        ("interventions.channel", Intervention.Channel),
        ("kpis.direction", Kpi.Direction),
    ],
)
def test_choices_are_the_models_text_choices(path, choices):
    assert _schema_property(PackDocument.model_json_schema(), path)["enum"] == choices.values


def test_a_too_long_value_is_refused_at_the_columns_length():
    document = valid_document()
    document["kpis"][0]["unit"] = "x" * 41
    assert errors_of(document) == [("kpis[0].unit", "is 41 characters long; at most 40")]


def test_a_draft_may_be_incomplete_but_not_wrong():
    document = valid_document()
    document["context"]["audience"] = ""
    document["path"] = []
    document["kpis"] = []
    assert {p for p, _ in errors_of(document)} == {"context.audience", "path", "kpis"}
    assert validate_document(document, complete=False) == []
    document["fvm"]["target_minutes"] = 95
    assert [e.path for e in validate_document(document, complete=False)] == ["fvm.target_minutes"]


# --- fvm.subject: an optional field, declared in one place -------------------------------


def test_fvm_subject_is_optional_text_of_at_most_120_characters():
    document = valid_document()
    document["fvm"]["subject"] = "an HR business partner"
    assert errors_of(document) == []
    document["fvm"]["subject"] = 7
    assert errors_of(document) == [("fvm.subject", "must be a string, got a number (7)")]
    document["fvm"]["subject"] = "x" * 121
    assert errors_of(document) == [("fvm.subject", "is 121 characters long; at most 120")]


@pytest.mark.django_db
def test_fvm_subject_is_stored_and_round_trips():
    document = valid_document()
    document["fvm"]["subject"] = "an HR business partner"
    outcome = rolepack_import_document(document=document)
    assert outcome.version.fvm_subject == "an HR business partner"
    exported = version_to_document(outcome.version)
    assert exported["fvm"]["subject"] == "an HR business partner"
    assert exported == normalize_document(document)


def test_an_empty_fvm_subject_is_left_out_of_the_canonical_form():
    document = valid_document()
    document["fvm"]["subject"] = ""
    assert "subject" not in normalize_document(document)["fvm"]


def test_a_value_with_braces_is_quoted_as_given():
    document = valid_document()
    document["slug"] = "a{b}"
    assert errors_of(document) == [
        ("slug", '"a{b}" is not a valid slug (letters, digits, - and _)')
    ]
