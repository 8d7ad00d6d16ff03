"""The pack document, declared once (docs/rolepack-format.md).

Each class below is one mapping of the document. Its fields, in format order, give the
type, the limits (max lengths and ranges read from the models' fields, so the database and
the document cannot disagree), the choices (the models' ``TextChoices``), the column each
value is stored in, whether it is Markdown, and its canonical form. Everything that reads or
writes a document walks this tree: the validator (:mod:`roles.validation`), the canonical
form and the stored rows (:mod:`roles.canonical`), the pack-file codec
(:mod:`roles.packfile`) and the API's OpenAPI description (drf-spectacular reads the
pydantic models). Why pydantic: docs/rolepack-format.md, "How the format is declared".

Adding an optional field is one line here (plus its model column when it is stored).
"""

import re
import typing
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, ClassVar, Literal

import annotated_types
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WrapValidator, model_validator
from pydantic_core import PydanticCustomError

from roles.models import (
    Demo,
    Intervention,
    Kpi,
    PathStep,
    Prompt,
    PromptVariable,
    RolePackVersion,
    Track,
)

SLUG_RE = re.compile(r"^[-a-zA-Z0-9_]+\Z")
NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\Z")
# {{ name }} with optional spaces; the name group decides what counts as a variable.
PLACEHOLDER_RE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
MESSAGE_PLACEHOLDERS = ("name", "manager_name", "role", "fvm_sentence", "one_task", "link")
WEBHOOK_CHANNELS = (Intervention.Channel.SLACK, Intervention.Channel.TEAMS)


def placeholders(text: str) -> list[str]:
    """Variable names used as ``{{ name }}`` in ``text``, in order of first use."""
    return list(dict.fromkeys(PLACEHOLDER_RE.findall(text or "")))


# --- what a field says besides its type ---------------------------------------------


@dataclass(frozen=True)
class Column:
    """The model attribute a field is stored in (``pack.slug``: through a relation)."""

    model: type[models.Model]
    attr: str

    def django_field(self) -> models.Field:
        model, *path, last = [self.model, *self.attr.split(".")]
        for name in path:
            model = model._meta.get_field(name).related_model
        return model._meta.get_field(last)


class Stored(annotated_types.GroupedMetadata):
    """Annotated metadata: the column, and the column's max_length as the field's limit."""

    def __init__(self, model: type[models.Model], attr: str):
        self.column = Column(model, attr)

    def __iter__(self):
        max_length = getattr(self.column.django_field(), "max_length", None)
        if max_length:
            yield annotated_types.MaxLen(max_length)


def on(model: type[models.Model]) -> Callable[[str], Stored]:
    """``on(RolePackVersion)("fvm_deliverable")`` names that column of RolePackVersion."""
    return lambda attr: Stored(model, attr)


@dataclass(frozen=True)
class Canonical:
    """How a field appears in the canonical document (roles.canonical)."""

    omit_empty: bool = False  # left out when empty (optional text, holdout 0)
    convert: Callable[[Any], Any] | None = None
    sort: Callable[[dict], Any] | None = None  # order of a list's items


OMIT_EMPTY = Canonical(omit_empty=True)


class Markdown:
    """Marks a Markdown text field: a pack file may give it as ``{file: relative.md}``."""


class OneOrMany:
    """Marks a list that may be written as its single item (``path: {track, days}``)."""


# --- leaf types: our checks first, with our messages; then pydantic's limits ----------


def describe(value) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, str):
        return f"a string ({value!r})" if len(value) < 40 else "a string"
    if isinstance(value, int | float):
        return f"a number ({value})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _fail(message: str, kind: str = "invalid"):
    # The message is complete: no {placeholders} for pydantic to fill in.
    raise PydanticCustomError(kind, message.replace("{", "{{").replace("}", "}}"))


def _type_error(value, what: str):
    _fail(f"must be {what}, got {describe(value)}")


def complete(info) -> bool:
    """False while a draft is being written in the admin: what is missing is not an error yet."""
    return (info.context or {}).get("complete", True)


def _string(what: str, *, check=None):
    def validate(value, handler, info):
        if not isinstance(value, str):
            _type_error(value, what)
        if check:
            check(value, info)
        return handler(value)

    return WrapValidator(validate)


def _non_empty(value: str, info) -> None:
    if not value.strip() and complete(info):
        _fail("must not be empty", "incomplete")


def _slug(value: str, info) -> None:
    if not SLUG_RE.match(value):
        _fail(f'"{value}" is not a valid slug (letters, digits, - and _)')


def _url(what: str, schemes: tuple[str, ...]):
    def check(value: str, info) -> None:
        if value and (
            not value.startswith(schemes) or " " in value or not value.split("://", 1)[1]
        ):
            _fail(f"must be {what}, got {value!r}")

    return check


def _integer(*, low: int | None = None, high: int | None = None, message: str = ""):
    def validate(value, handler):
        if not isinstance(value, int) or isinstance(value, bool):
            _type_error(value, "an integer")
        if (low is not None and value < low) or (high is not None and value > high):
            _fail(message.format(low=low, high=high, value=value))
        return handler(value)

    return WrapValidator(validate)


def _limits(field: models.Field) -> tuple[int | None, int | None]:
    low = [v.limit_value for v in field.validators if isinstance(v, MinValueValidator)]
    high = [v.limit_value for v in field.validators if isinstance(v, MaxValueValidator)]
    return (low[0] if low else None), (high[0] if high else None)


def _choice(choices: type[models.TextChoices]):
    values = tuple(choices.values)

    def check(value: str, info) -> None:
        _non_empty(value, info)
        if value not in values:
            _fail(f'"{value}" is not one of: {", ".join(values)}')

    return Annotated[Literal[values], _string("a non-empty string", check=check)]


def _variable_name(value: str, info) -> None:
    _non_empty(value, info)
    if not NAME_RE.match(value):
        _fail(
            f'"{value}" is not a valid variable name (letters, digits and _, '
            "not starting with a digit)"
        )


def _kpi_number(field: models.DecimalField):
    places, whole = field.decimal_places, field.max_digits - field.decimal_places

    def validate(value, handler):
        if not isinstance(value, int | float | Decimal) or isinstance(value, bool):
            _type_error(value, "a number")
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            _fail(f"must be a number, got {value!r}")
        if not number.is_finite():
            _fail("must be a finite number")
        exponent = number.as_tuple().exponent
        if isinstance(exponent, int) and exponent < -places:
            _fail(f"at most {places} decimal places, got {value}")
        if abs(number) >= Decimal(10) ** whole:
            _fail(f"is too large: {value}")
        return value  # kept as given: the canonical form normalises it

    return WrapValidator(validate)


def canonical_number(value):
    number = Decimal(str(value))
    return int(number) if number == number.to_integral_value() else float(number.normalize())


def _bool(value, handler):
    if not isinstance(value, bool):
        _type_error(value, "true or false")
    return value


def _one_or_many(value):
    return [value] if isinstance(value, dict) else value


def _tracks(value, handler):
    if not isinstance(value, list):
        _type_error(value, "a list of tracks")
    return handler(value)


def _item(message: str):
    def check(value, handler):
        if not isinstance(value, str) or not value.strip():
            _fail(message.format(value=repr(value)))
        return value

    return WrapValidator(check)


DAY_MIN, DAY_MAX = _limits(PathStep._meta.get_field("day"))
HOLDOUT_MIN, HOLDOUT_MAX = 0, _limits(RolePackVersion._meta.get_field("holdout_percent"))[1]

Text = Annotated[str, _string("a non-empty string", check=_non_empty)]
OptionalText = Annotated[str, _string("a string"), OMIT_EMPTY]
Slug = Annotated[
    str,
    Field(pattern=r"^[-a-zA-Z0-9_]+$"),
    _string("a slug (letters, digits, - and _)", check=_slug),
]
OptionalSlug = Annotated[Slug, OMIT_EMPTY]
Url = Annotated[str, _string("a URL", check=_url("a URL", ("https://", "http://"))), OMIT_EMPTY]
HttpsUrl = Annotated[
    str, _string("an https URL", check=_url("an https URL", ("https://",))), OMIT_EMPTY
]
Minutes = Annotated[
    int,
    Field(ge=1),
    _integer(low=1, message="must be a positive number of minutes, got {value}"),
]
WorkingDay = Annotated[
    int,
    Field(ge=DAY_MIN, le=DAY_MAX),
    _integer(low=DAY_MIN, high=DAY_MAX, message="working day must be between 1 and 7, got {value}"),
]
Holdout = Annotated[
    int,
    Field(ge=HOLDOUT_MIN, le=HOLDOUT_MAX),
    _integer(
        low=HOLDOUT_MIN, high=HOLDOUT_MAX, message="must be between {low} and {high}, got {value}"
    ),
    OMIT_EMPTY,
]
Number = Annotated[
    float, _kpi_number(Kpi._meta.get_field("baseline")), Canonical(convert=canonical_number)
]
Flag = Annotated[bool, WrapValidator(_bool)]
Tag = Annotated[str, _item("a tag must be a non-empty string")]
Term = Annotated[str, _item("a term must be a non-empty string")]
Meaning = Annotated[str, _item("the meaning must be a non-empty string, got {value}")]

# Column binders: ``ON_VERSION("fvm_deliverable")`` is that column of RolePackVersion.
ON_VERSION, ON_PROMPT, ON_VARIABLE, ON_DEMO, ON_STEP, ON_INTERVENTION, ON_KPI = (
    on(m) for m in (RolePackVersion, Prompt, PromptVariable, Demo, PathStep, Intervention, Kpi)
)


# --- the tree --------------------------------------------------------------------------


class Section(BaseModel):
    """One mapping of the document. ``rows`` is the model a list of these is stored as (one
    row each); without it, the fields are columns of the enclosing row, or, where they name
    another model's columns (a track, a day), are copied onto each row below."""

    model_config = ConfigDict(extra="forbid", strict=True, hide_input_in_errors=True)
    what: ClassVar[str] = "a mapping"
    rows: ClassVar[type[models.Model] | None] = None

    @model_validator(mode="before")
    @classmethod
    def _none_is_absent(cls, data):
        # ``key:`` with no value reads as None: the same as leaving the key out.
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if v is not None or k not in cls.model_fields}
        return data


class FvmDoc(Section):
    what = "the FVM definition"
    deliverable: Annotated[Text, ON_VERSION("fvm_deliverable")]
    baseline_minutes: Annotated[Minutes, ON_VERSION("fvm_baseline_minutes")] = Field(
        description="Minutes the deliverable takes without AI."
    )
    target_minutes: Annotated[Minutes, ON_VERSION("fvm_target_minutes")] = Field(
        description="Minutes with AI; below baseline_minutes."
    )
    evidence: Annotated[Text, ON_VERSION("fvm_evidence")]


class ContextDoc(Section):
    what = "the role context"
    audience: Annotated[Text, ON_VERSION("context_audience")]
    terminology: Annotated[dict[Term, Meaning], ON_VERSION("context_terminology")] = Field(
        default_factory=dict, description="Term → meaning."
    )
    output_format: Annotated[Text, ON_VERSION("context_output_format")]


class VariableDoc(Section):
    what = "a prompt variable"
    rows = PromptVariable
    name: Annotated[
        str, _string("a non-empty string", check=_variable_name), ON_VARIABLE("name")
    ] = Field(pattern=NAME_RE.pattern.removesuffix("\\Z") + "$")
    description: Annotated[Text, ON_VARIABLE("description")]
    default: Annotated[OptionalText, ON_VARIABLE("default")] = ""
    required: Annotated[Flag, ON_VARIABLE("required")] = True


class PromptDoc(Section):
    what = "a prompt"
    rows = Prompt
    slug: Annotated[Slug, ON_PROMPT("slug")]
    title: Annotated[Text, ON_PROMPT("title")]
    body: Annotated[Text, ON_PROMPT("body"), Markdown()] = Field(
        description="Markdown with {{variable}} placeholders."
    )
    variables: list[VariableDoc] = Field(default_factory=list)
    tags: Annotated[list[Tag], ON_PROMPT("tags")] = Field(default_factory=list)


class DemoDoc(Section):
    what = "a demo"
    rows = Demo
    slug: Annotated[Slug, ON_DEMO("slug")]
    title: Annotated[Text, ON_DEMO("title")]
    deliverable: Annotated[Text, ON_DEMO("deliverable")]
    before_minutes: Annotated[Minutes, ON_DEMO("before_minutes")]
    after_minutes: Annotated[Minutes, ON_DEMO("after_minutes")] = Field(
        description="Below before_minutes."
    )
    video_url: Annotated[Url, ON_DEMO("video_url")] = ""
    steps: Annotated[Text, ON_DEMO("steps"), Markdown()]
    presenter: Annotated[OptionalText, ON_DEMO("presenter")] = ""


class StepDoc(Section):
    what = "a step"
    rows = PathStep
    kind: Annotated[_choice(PathStep.Kind), ON_STEP("kind")]
    title: Annotated[OptionalText, ON_STEP("title")] = ""
    body: Annotated[OptionalText, ON_STEP("body"), Markdown()] = ""
    prompt: Annotated[OptionalSlug, ON_STEP("prompt_slug")] = Field(
        "", description="A prompt slug of this pack."
    )
    demo: Annotated[OptionalSlug, ON_STEP("demo_slug")] = Field(
        "", description="A demo slug of this pack."
    )
    expected_output: Annotated[OptionalText, ON_STEP("expected_output"), Markdown()] = ""


class DayDoc(Section):
    what = "a day: {day, steps}"
    day: Annotated[WorkingDay, ON_STEP("day")]
    steps: list[StepDoc]


class TrackDoc(Section):
    what = "a track: {track, days}"
    track: Annotated[_choice(Track), ON_STEP("track")]
    days: Annotated[list[DayDoc], Canonical(sort=lambda day: day["day"])]


class InterventionDoc(Section):
    what = "an intervention"
    rows = Intervention
    day: Annotated[WorkingDay, ON_INTERVENTION("day")]
    kind: Annotated[_choice(Intervention.Kind), ON_INTERVENTION("kind")]
    channel: Annotated[_choice(Intervention.Channel), ON_INTERVENTION("channel")]
    message: Annotated[Text, ON_INTERVENTION("message"), Markdown()] = Field(
        description="Markdown; " + ", ".join(f"{{{{{p}}}}}" for p in MESSAGE_PLACEHOLDERS)
    )
    webhook_url: Annotated[HttpsUrl, ON_INTERVENTION("webhook_url")] = Field(
        "", description="https; slack and teams only."
    )


class KpiDoc(Section):
    what = "a KPI"
    rows = Kpi
    name: Annotated[Text, ON_KPI("name")]
    unit: Annotated[Text, ON_KPI("unit")]
    baseline: Annotated[Number, ON_KPI("baseline")]
    target: Annotated[Number, ON_KPI("target")]
    direction: Annotated[_choice(Kpi.Direction), ON_KPI("direction")]


def _track_order(track: dict):
    return Track.values.index(track["track"])


def _intervention_order(item: dict):
    return item["day"], Intervention.Kind.values.index(item["kind"])


class PackDocument(Section):
    """A whole role pack, as in docs/rolepack-format.md."""

    what = "a role pack"
    rows = RolePackVersion
    slug: Annotated[Slug, ON_VERSION("pack.slug")]
    name: Annotated[Text, ON_VERSION("name")] = Field(
        description="The role, as in the FVM sentence."
    )
    description: Annotated[OptionalText, ON_VERSION("description"), Markdown()] = ""
    holdout_percent: Annotated[Holdout, ON_VERSION("holdout_percent")] = 0
    fvm: FvmDoc
    context: ContextDoc
    prompts: list[PromptDoc] = Field(default_factory=list)
    demos: list[DemoDoc] = Field(default_factory=list)
    path: Annotated[
        list[TrackDoc],
        WrapValidator(_tracks),
        BeforeValidator(_one_or_many),
        OneOrMany(),
        Canonical(sort=_track_order),
    ] = Field(description="The tracks (a single {track, days} mapping is read as one).")
    interventions: Annotated[list[InterventionDoc], Canonical(sort=_intervention_order)] = Field(
        default_factory=list
    )
    kpis: list[KpiDoc]


# --- reading the tree ------------------------------------------------------------------


def fields_of(cls: type[Section]) -> list[str]:
    return list(cls.model_fields)


def nested(field) -> tuple[type[Section] | None, bool]:
    """(the Section class a field holds, whether it holds a list of them)."""
    annotation = field.annotation
    many = typing.get_origin(annotation) is list
    if many:
        (annotation,) = typing.get_args(annotation)
        while typing.get_origin(annotation) is Annotated:
            annotation = typing.get_args(annotation)[0]
    if isinstance(annotation, type) and issubclass(annotation, Section):
        return annotation, many
    return None, many


def marker(field, kind: type):
    """The field's metadata of type ``kind`` (Column, Canonical, Markdown, OneOrMany), or None."""
    for item in field.metadata:
        if isinstance(item, Stored) and kind is Column:
            return item.column
        if isinstance(item, kind):
            return item
    return None
