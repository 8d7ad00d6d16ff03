"""The building blocks of the pack document (roles.document): field types that check a
value with our own messages before pydantic applies its limits, the markers a field
carries (its column, its canonical form, Markdown), and reading a field back.
"""

import re
import typing
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, ClassVar, Literal

import annotated_types
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils import timezone
from pydantic import BaseModel, ConfigDict, Field, WrapValidator, model_validator
from pydantic_core import PydanticCustomError

from roles.models import (
    REINFORCEMENT_DAYS,
    Intervention,
    Kpi,
    PathStep,
    RolePackVersion,
)
from roles.webhooks import WebhookUrlError, webhook_url_parse

DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}\Z")
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


def _fail(message: str):
    # A finished message and no context: pydantic leaves any braces in it alone.
    raise PydanticCustomError("invalid", message)


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
        _fail("must not be empty")


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


def _webhook_url(value: str, info) -> None:
    # The same check as at send time (roles.webhooks), without the name lookup.
    if value:
        try:
            webhook_url_parse(value)
        except WebhookUrlError as exc:
            _fail(str(exc))


def _integer(
    *,
    low: int | None = None,
    high: int | None = None,
    allowed: tuple[int, ...] = (),
    message: str = "",
):
    def validate(value, handler):
        if not isinstance(value, int) or isinstance(value, bool):
            _type_error(value, "an integer")
        if (
            (low is not None and value < low)
            or (high is not None and value > high)
            or (allowed and value not in allowed)
        ):
            shown = " or ".join(str(a) for a in allowed)
            _fail(message.format(low=low, high=high, allowed=shown, value=value))
        return handler(value)

    return WrapValidator(validate)


def _limits(field: models.Field) -> tuple[int | None, int | None]:
    low = [v.limit_value for v in field.validators if isinstance(v, MinValueValidator)]
    high = [v.limit_value for v in field.validators if isinstance(v, MaxValueValidator)]
    return (low[0] if low else None), (high[0] if high else None)


def choice(choices: type[models.TextChoices] | tuple[str, ...]):
    values = tuple(choices.values) if isinstance(choices, type) else tuple(choices)

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


def _past_date(value: str, info) -> None:
    if not DATE_RE.match(value):
        _fail(f"must be a date written YYYY-MM-DD, got {value!r}")
    try:
        day = date.fromisoformat(value)
    except ValueError:
        _fail(f"{value} is not a date in the calendar")
    today = timezone.localdate()
    if day > today:
        _fail(f"{value} is in the future: a baseline is measured before it is recorded")


def canonical_date(value):
    """A stored date (a ``date``) or a document's (an ISO string), as the ISO string."""
    return value.isoformat() if isinstance(value, date) else value


def canonical_number(value):
    number = Decimal(str(value))
    return int(number) if number == number.to_integral_value() else float(number.normalize())


def _bool(value, handler):
    if not isinstance(value, bool):
        _type_error(value, "true or false")
    return value


def one_or_many(value):
    return [value] if isinstance(value, dict) else value


def tracks(value, handler):
    if not isinstance(value, list):
        _type_error(value, "a list of tracks")
    return handler(value)


def _item(message: str):
    def check(value, handler):
        if not isinstance(value, str) or not value.strip():
            _fail(message.format(value=repr(value)))
        return value

    return WrapValidator(check)


DAY_MIN, DAY_MAX = _limits(Intervention._meta.get_field("day"))
STEP_MINUTES_MIN, STEP_MINUTES_MAX = _limits(PathStep._meta.get_field("minutes"))
# The minutes columns are PositiveIntegerFields: the largest value every database stores.
MINUTES_MAX = BaseDatabaseOperations.integer_field_ranges["PositiveIntegerField"][1]
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
WebhookUrl = Annotated[str, _string("an https URL", check=_webhook_url), OMIT_EMPTY]
Minutes = Annotated[
    int,
    Field(ge=1, le=MINUTES_MAX),
    _integer(
        low=1,
        high=MINUTES_MAX,
        message="must be a positive number of minutes (at most {high}), got {value}",
    ),
]
WorkingDay = Annotated[
    int,
    Field(ge=DAY_MIN, le=DAY_MAX),
    _integer(
        low=DAY_MIN,
        high=DAY_MAX,
        message="working day must be between {low} and {high}, got {value}",
    ),
]
ReinforcementDay = Annotated[
    int,
    Field(json_schema_extra={"enum": list(REINFORCEMENT_DAYS)}),
    _integer(
        low=min(REINFORCEMENT_DAYS),
        high=max(REINFORCEMENT_DAYS),
        allowed=REINFORCEMENT_DAYS,
        message="a reinforcement day is one of {allowed} (the check-ins' days), got {value}",
    ),
]
# Optional numbers and dates default to None and are typed without it (OpenAPI 3.0 has no
# null type): a key written with no value reads as absent (Section._none_is_absent).
StepMinutes = Annotated[
    int,
    Field(ge=STEP_MINUTES_MIN, le=STEP_MINUTES_MAX),
    _integer(
        low=STEP_MINUTES_MIN,
        high=STEP_MINUTES_MAX,
        message="must be a whole number of minutes from {low} to {high}, got {value}",
    ),
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
# Dates are strings in a pack file (the YAML loader reads no timestamps) and in JSON.
PastDate = Annotated[
    str,
    Field(json_schema_extra={"format": "date"}),
    _string("a date written YYYY-MM-DD", check=_past_date),
    Canonical(convert=canonical_date),
]
Tag = Annotated[str, _item("a tag must be a non-empty string")]
Term = Annotated[str, _item("a term must be a non-empty string")]
VariableName = Annotated[
    str,
    Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$"),
    _string("a non-empty string", check=_variable_name),
]
Meaning = Annotated[str, _item("the meaning must be a non-empty string, got {value}")]


# --- the base of every mapping ------------------------------------------------------


class Section(BaseModel):
    """One mapping of the document. ``rows`` is the model a list of these is stored as (one
    row each); without it, the fields are columns of the enclosing row, or, where they name
    another model's columns (a track, a day), are copied onto each row below."""

    model_config = ConfigDict(extra="forbid", strict=True, hide_input_in_errors=True)
    what: ClassVar[str] = "a mapping"
    rows: ClassVar[type[models.Model] | None] = None
    # A grouping level over rows shared with another list (the path's and the reinforcement's
    # steps are both PathStep rows): which of those rows are its own.
    picks: ClassVar[Callable[[models.Model], bool] | None] = None

    @model_validator(mode="before")
    @classmethod
    def _none_is_absent(cls, data):
        # ``key:`` with no value reads as None: the same as leaving the key out.
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if v is not None or k not in cls.model_fields}
        return data


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
